// One model, one generation at a time, first come first served. HTTP handler threads submit jobs
// and read their events; a single dispatcher thread pops jobs in arrival order and runs them on
// the backend. Handlers never touch the backend, so a slow or vanished client cannot stall the
// queue: it only flips its job's cancel flag, and the dispatcher moves on as soon as the backend
// returns (a job cancelled while still waiting is skipped without reaching the backend).
#pragma once

#include "app/server/chat_backend.h"
#include "engine/common/status.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace glmdesk::app {

// One request's passage through the queue: the dispatcher writes events, the handler reads them.
class GenerationJob
{
public:
    explicit GenerationJob(BackendRequest request) : m_request(std::move(request)) {}

    const BackendRequest &request() const { return m_request; }
    std::uint64_t ticket() const { return m_request.ticket; }

    // Any thread: the generation stops soon (or never starts) and ends with Done{Cancelled}.
    void cancel() { m_cancel.store(true); }
    bool cancelled() const { return m_cancel.load(); }

    // Handler side: moves the events that arrived into `out`, waiting up to `timeout` for one.
    // Returns false once the terminal event (Done or Error) has been handed out.
    bool take(std::vector<BackendEvent> &out, std::chrono::milliseconds timeout);
    // Whether the backend has started on this job (it left the waiting line).
    bool started() const;

private:
    friend class GenerationQueue;
    void push(BackendEvent &&event);
    void markStarted();

    BackendRequest m_request;
    std::atomic<bool> m_cancel{false};
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<BackendEvent> m_events;
    bool m_started = false;
    bool m_terminalPushed = false; // Done or Error is in m_events or was taken
    bool m_terminalTaken = false;
};

class GenerationQueue
{
public:
    // At most `maxWaiting` jobs wait behind the running one; submit() refuses the next.
    GenerationQueue(ChatBackend &backend, std::size_t maxWaiting);
    ~GenerationQueue(); // shutdown()
    GenerationQueue(const GenerationQueue &) = delete;
    GenerationQueue &operator=(const GenerationQueue &) = delete;

    // Queues a generation; the ticket in `request` is replaced by the arrival number. Fails with
    // Unsupported when the waiting line is full and Cancelled after shutdown.
    engine::Expected<std::shared_ptr<GenerationJob>> submit(BackendRequest request);

    // Cancels the running job, ends every waiting one with an Error, joins the dispatcher.
    void shutdown();

    std::size_t waiting() const;
    std::size_t maxWaiting() const { return m_maxWaiting; }

private:
    void run();

    ChatBackend &m_backend;
    const std::size_t m_maxWaiting;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::shared_ptr<GenerationJob>> m_waiting;
    std::shared_ptr<GenerationJob> m_running;
    std::uint64_t m_nextTicket = 0;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace glmdesk::app
