// ChatBackend on the real engine::Engine. The Engine delivers events on its worker thread for
// request ids; this adapter turns one generate() call into submit + wait for Done/Error, routing
// that request's events to the caller's sink and turning the caller's cancel flag into
// Engine::cancel. The GenerationQueue guarantees one generate() at a time.
#pragma once

#include "app/server/chat_backend.h"
#include "engine/common/status.h"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace glmdesk::app {

class EngineBackend : public ChatBackend
{
public:
    EngineBackend();
    ~EngineBackend() override; // shuts the engine down
    EngineBackend(const EngineBackend &) = delete;
    EngineBackend &operator=(const EngineBackend &) = delete;

    // Loads a model and waits for it. `progress` (may be empty) gets (bytes done, bytes total) on
    // the engine thread. Returns the engine's one-line summary.
    engine::Expected<std::string>
    load(const engine::LoadRequest &request,
         const std::function<void(std::uint64_t, std::uint64_t)> &progress = {});

    void generate(const BackendRequest &request, const BackendSink &sink,
                  const std::atomic<bool> &cancel) override;

private:
    void onEvent(engine::Event &&event);

    std::mutex m_mutex;
    std::condition_variable m_done;
    engine::RequestId m_current = 0;
    const BackendSink *m_sink = nullptr;
    std::function<void(std::uint64_t, std::uint64_t)> m_progress;
    bool m_finished = false;
    std::string m_summary;
    std::string m_error;
    std::unique_ptr<engine::Engine> m_engine; // last: its thread stops before the rest goes
};

} // namespace glmdesk::app
