// What the engine thread does with each request: the model, tokenizer and prompt cache live here
// and are touched by the worker thread only. Every handler emits that request's events and ends
// with exactly one Done or Error.
#pragma once

#include "engine/engine.h"

#include <atomic>
#include <functional>
#include <memory>

namespace glmdesk::engine {

class Tokenizer;

class EngineWorker
{
public:
    using Emit = std::function<void(EventPayload &&)>;

    EngineWorker();
    ~EngineWorker();
    EngineWorker(const EngineWorker &) = delete;
    EngineWorker &operator=(const EngineWorker &) = delete;

    void load(const LoadRequest &request, const std::atomic<bool> &cancel, const Emit &emit);
    void generate(const GenerateRequest &request, const std::atomic<bool> &cancel,
                  const Emit &emit);
    void unload(const Emit &emit);

    struct State;

private:
    // generate() once the request is checked, on the CPU or the Vulkan model.
    template <typename Model>
    void generate_on(Model &model, const Tokenizer &tok, const GenerateRequest &request,
                     const std::atomic<bool> &cancel, const Emit &emit);

    std::unique_ptr<State> m_state;
};

} // namespace glmdesk::engine
