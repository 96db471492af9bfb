#include "app/server/engine_backend.h"

#include <chrono>
#include <utility>
#include <variant>

namespace glmdesk::app {

namespace ev = engine::events;

EngineBackend::EngineBackend()
    : m_engine(
          std::make_unique<engine::Engine>([this](engine::Event &&e) { onEvent(std::move(e)); }))
{}

EngineBackend::~EngineBackend()
{
    m_engine->shutdown();
}

void EngineBackend::onEvent(engine::Event &&event)
{
    std::lock_guard lock(m_mutex);
    // Events of a request nobody waits for any more (none today: generate() waits for the end).
    if (event.request != m_current)
        return;
    const bool terminal = std::holds_alternative<ev::Done>(event.payload) ||
                          std::holds_alternative<ev::Error>(event.payload);
    if (const auto *p = std::get_if<ev::LoadProgress>(&event.payload)) {
        if (m_progress)
            m_progress(p->bytes_done, p->bytes_total);
    } else if (const auto *loaded = std::get_if<ev::Loaded>(&event.payload)) {
        m_summary = loaded->summary;
    } else if (const auto *error = std::get_if<ev::Error>(&event.payload)) {
        m_error = error->message;
    }
    if (m_sink && !std::holds_alternative<ev::LoadProgress>(event.payload) &&
        !std::holds_alternative<ev::Loaded>(event.payload))
        (*m_sink)(std::move(event.payload));
    if (terminal) {
        m_finished = true;
        m_done.notify_all();
    }
}

engine::Expected<std::string>
EngineBackend::load(const engine::LoadRequest &request,
                    const std::function<void(std::uint64_t, std::uint64_t)> &progress)
{
    std::unique_lock lock(m_mutex);
    m_progress = progress;
    m_finished = false;
    m_error.clear();
    m_summary.clear();
    // Under the lock: the worker's first event waits until m_current names this request.
    m_current = m_engine->submit(request);
    m_done.wait(lock, [&] { return m_finished; });
    m_current = 0;
    m_progress = nullptr;
    if (!m_error.empty())
        return engine::error(engine::StatusCode::InvalidArgument, m_error);
    if (m_summary.empty())
        return engine::error(engine::StatusCode::Cancelled, "loading the model was cancelled");
    return m_summary;
}

void EngineBackend::generate(const BackendRequest &request, const BackendSink &sink,
                             const std::atomic<bool> &cancel)
{
    std::unique_lock lock(m_mutex);
    m_finished = false;
    m_error.clear();
    m_sink = &sink;
    m_current = m_engine->submit(request.generate);
    bool cancelSent = false;
    while (!m_done.wait_for(lock, std::chrono::milliseconds(20), [&] { return m_finished; })) {
        if (!cancelSent && cancel.load()) {
            // The worker never holds the engine's lock while it calls onEvent: no deadlock.
            m_engine->cancel(m_current);
            cancelSent = true;
        }
    }
    m_sink = nullptr;
    m_current = 0;
}

} // namespace glmdesk::app
