// What the OpenAI-compatible server drives: one generation at a time, events through a sink. The
// server's HTTP, queueing and cancellation logic only ever sees this interface, so the tests run
// it against a scripted backend (fixed GLM-style events, small delays) and glmdesk-cli serve runs
// it against the real Engine (EngineBackend).
#pragma once

#include "engine/engine.h"

#include <atomic>
#include <cstdint>
#include <functional>

namespace glmdesk::app {

struct BackendRequest
{
    engine::GenerateRequest generate;
    // Arrival order at the server's queue, from 0: a fair queue runs tickets in increasing order.
    std::uint64_t ticket = 0;
};

// ThinkingDelta, TextDelta, ToolCall, Warning, Stats, then exactly one Done or Error.
using BackendEvent = engine::EventPayload;
using BackendSink = std::function<void(BackendEvent &&)>;

class ChatBackend
{
public:
    virtual ~ChatBackend() = default;

    // Runs one generation to its end, then returns. Called by one thread at a time. `cancel` may
    // turn true at any moment (the client left, a stop string matched): the backend then stops
    // soon and ends with Done{Cancelled}. Must not throw.
    virtual void generate(const BackendRequest &request, const BackendSink &sink,
                          const std::atomic<bool> &cancel) = 0;
};

} // namespace glmdesk::app
