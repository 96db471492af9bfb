#include "app/server/generation_queue.h"

#include <exception>
#include <string>
#include <utility>
#include <variant>

namespace glmdesk::app {

namespace {

bool isTerminal(const BackendEvent &event)
{
    return std::holds_alternative<engine::events::Done>(event) ||
           std::holds_alternative<engine::events::Error>(event);
}

} // namespace

// =========================================================================== GenerationJob

void GenerationJob::push(BackendEvent &&event)
{
    std::lock_guard lock(m_mutex);
    // Exactly one terminal event reaches the reader, whatever the backend does after it.
    if (m_terminalPushed)
        return;
    m_terminalPushed = isTerminal(event);
    m_events.push_back(std::move(event));
    m_wake.notify_all();
}

void GenerationJob::markStarted()
{
    std::lock_guard lock(m_mutex);
    m_started = true;
    m_wake.notify_all();
}

bool GenerationJob::started() const
{
    std::lock_guard lock(m_mutex);
    return m_started;
}

bool GenerationJob::take(std::vector<BackendEvent> &out, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    if (m_terminalTaken)
        return false;
    m_wake.wait_for(lock, timeout, [&] { return !m_events.empty(); });
    while (!m_events.empty()) {
        if (isTerminal(m_events.front()))
            m_terminalTaken = true;
        out.push_back(std::move(m_events.front()));
        m_events.pop_front();
    }
    return true;
}

// ========================================================================= GenerationQueue

GenerationQueue::GenerationQueue(ChatBackend &backend, std::size_t maxWaiting)
    : m_backend(backend), m_maxWaiting(maxWaiting)
{
    m_thread = std::thread([this] { run(); });
}

GenerationQueue::~GenerationQueue()
{
    shutdown();
}

engine::Expected<std::shared_ptr<GenerationJob>> GenerationQueue::submit(BackendRequest request)
{
    std::lock_guard lock(m_mutex);
    if (m_stopping)
        return engine::error(engine::StatusCode::Cancelled, "the server is shutting down");
    if (m_waiting.size() >= m_maxWaiting)
        return engine::error(engine::StatusCode::Unsupported,
                             "the server is busy: " + std::to_string(m_waiting.size()) +
                                 " requests are already waiting for the model (the limit); try "
                                 "again later");
    request.ticket = m_nextTicket++;
    auto job = std::make_shared<GenerationJob>(std::move(request));
    m_waiting.push_back(job);
    m_wake.notify_one();
    return job;
}

std::size_t GenerationQueue::waiting() const
{
    std::lock_guard lock(m_mutex);
    return m_waiting.size();
}

void GenerationQueue::shutdown()
{
    std::deque<std::shared_ptr<GenerationJob>> dropped;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_thread.joinable())
            return;
        m_stopping = true;
        dropped.swap(m_waiting);
        if (m_running)
            m_running->cancel();
        m_wake.notify_one();
    }
    for (auto &job : dropped) {
        job->cancel();
        job->push(engine::events::Error{"the server is shutting down"});
    }
    if (m_thread.joinable())
        m_thread.join();
}

void GenerationQueue::run()
{
    for (;;) {
        std::shared_ptr<GenerationJob> job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || !m_waiting.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_waiting.front());
            m_waiting.pop_front();
            m_running = job;
        }
        job->markStarted();
        if (job->cancelled()) {
            // Its client left while it waited: the backend never hears of it.
            job->push(engine::events::Done{engine::events::DoneReason::Cancelled});
        } else {
            const BackendSink sink = [&job](BackendEvent &&event) { job->push(std::move(event)); };
            try {
                m_backend.generate(job->request(), sink, job->m_cancel);
            } catch (const std::exception &e) {
                job->push(engine::events::Error{std::string("internal error: ") + e.what()});
            } catch (...) {
                job->push(engine::events::Error{"internal error"});
            }
            // A backend that broke its contract still leaves its client with an answer.
            job->push(engine::events::Error{"the model stopped without finishing the answer"});
        }
        std::lock_guard lock(m_mutex);
        m_running.reset();
    }
}

} // namespace glmdesk::app
