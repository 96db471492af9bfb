// The engine's public face: the only engine header app/ includes. An Engine owns one worker
// thread; requests go in through submit() (which never waits), events come out through the sink
// callback, on the worker thread. Every request ends with exactly one Done or Error event.
#pragma once

#include "engine/chat/conversation.h"
#include "engine/runtime/sampler.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace glmdesk::engine {

std::string_view version();

// Backends compiled into this build, in preference order: "cpu" always, then "cuda", "vulkan".
std::vector<std::string_view> compiled_backends();

struct BackendDevices
{
    std::string backend;              // "cpu", "cuda", "vulkan"
    bool compiled_in = false;         // false: this build has no such backend
    std::vector<std::string> devices; // human-readable, e.g. "NVIDIA H100 80GB HBM3 (79.1 GiB)"
    std::string note;                 // why there are no devices, when there are none
};

// Asks every compiled-in backend which devices it sees. Never fails: a missing driver is a note.
std::vector<BackendDevices> probe_backends();

// One line for --version: "GLM Desk 0.1.0 (backends: cpu, cuda, vulkan)".
std::string version_line(std::string_view program);

// --version --json: one JSON object with "program", "version", "backends" (compiled in), and what
// each backend finds on this machine: "cpu" (description, SIMD level in use, threads), "cuda"
// (devices or a note), "vulkan" (every device with its index, type, driver, memory, subgroup size,
// fp16/int8 support, cooperative matrix and integer dot product, and the default one; or a note).
std::string capabilities_json(std::string_view program);

// ============================================================================ requests

using RequestId = std::uint64_t;

enum class KvCacheType { F16, F32, Q8_0 }; // Q8_0: 8-bit blocks, 47% of f16's memory

struct LoadRequest
{
    std::string path;         // a .gguf (first file of a split set) or a Hugging Face folder
    int n_ctx = 8192;         // context length; clamped to the model's maximum
    int threads = 0;          // CPU threads; 0 = every hardware thread
    bool pin_threads = false; // bind each CPU thread to one core (CpuOptions::pin_threads)
    KvCacheType kv_cache = KvCacheType::F16;
    int draft_tokens = 1; // MTP drafts per step (greedy and sampled); 0 = off
    bool prefault = true; // read the weights into the page cache now (progress), not on first use
    // Memory the model may use on the host; 0 = the machine's. A cap for users who share the
    // machine, and how tests make a model "not fit".
    std::uint64_t host_memory_limit = 0;
    // Where the model runs: "cpu", or "vulkan" (every weight and the KV cache on the device,
    // plain decoding: MTP drafts stay a CPU feature for now).
    std::string backend = "cpu";
    int vulkan_device = -1; // with backend "vulkan": the device index; < 0 = discrete GPU first
    // With backend "vulkan": MoE layers whose routed experts go to the device (the others' stay
    // in host memory); < 0: the placement planner's choice for the device's memory.
    int gpu_expert_layers = -1;
};

// What to do when a conversation does not fit the context.
enum class ContextPolicy {
    Fail,       // an Error event saying how long it is and how long it may be
    DropOldest, // leave out the oldest turns (never the system prompt nor the last user message)
};

struct GenerateRequest
{
    Conversation conversation;
    PromptOptions options; // thinking on/off; add_generation_prompt is forced on
    SamplingParams sampling = SamplingParams::glm45_defaults();
    int max_tokens = 4096;
    ContextPolicy context_policy = ContextPolicy::Fail;
};

struct UnloadRequest
{};

using Request = std::variant<LoadRequest, GenerateRequest, UnloadRequest>;

// ============================================================================ events

namespace events {

struct LoadProgress
{
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
};
struct Loaded
{
    std::string path;
    std::string summary; // "glm4moe, 3 layers + MTP, 1600-token vocabulary, bf16, 27.1 MB"
    int n_ctx = 0;
    bool has_mtp = false;
};
struct ThinkingDelta
{
    std::string text;
};
struct TextDelta
{
    std::string text;
};
struct ToolCall
{
    std::string name;
    std::string arguments_json; // one JSON object, typed by the tool's schema
};
struct Warning
{
    std::string message;
};
struct Stats
{
    double time_to_first_token_s = 0;
    int prompt_tokens = 0;    // the whole rendered prompt
    int prefilled_tokens = 0; // of which computed now (the rest came from the prompt cache)
    double prefill_tokens_per_s = 0;
    int generated_tokens = 0;
    double decode_tokens_per_s = 0;
    int context_used = 0;
    int context_size = 0;
    int drafted = 0;
    int accepted = 0;
    int dropped_messages = 0; // ContextPolicy::DropOldest
};
enum class DoneReason { Stop, Length, ToolCalls, Cancelled, Unloaded, Loaded };
struct Done
{
    DoneReason reason = DoneReason::Stop;
};
struct Error
{
    std::string message; // actionable: what went wrong and what to do
};

} // namespace events

using EventPayload =
    std::variant<events::LoadProgress, events::Loaded, events::ThinkingDelta, events::TextDelta,
                 events::ToolCall, events::Warning, events::Stats, events::Done, events::Error>;

struct Event
{
    RequestId request = 0;
    std::uint64_t seq = 0; // per request, from 0, no gaps
    EventPayload payload;
};

using EventSink = std::function<void(Event &&)>;

// ============================================================================ the engine

class Engine
{
public:
    explicit Engine(EventSink sink);
    ~Engine(); // cancels everything and joins the worker
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    // Queues a request; never blocks on the worker. Returns its id (never 0). After shutdown()
    // requests are dropped: no events follow.
    RequestId submit(Request request);
    // Cancels a queued or running request: it ends with Done{Cancelled} within one layer's time.
    // Unknown or finished ids are ignored.
    void cancel(RequestId id);
    // Cancels everything, finishes the current request's events, stops the worker. Idempotent.
    void shutdown();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace glmdesk::engine
