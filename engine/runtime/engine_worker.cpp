#include "engine/runtime/engine_worker.h"

#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/backend/vulkan/vulkan_model.h"
#include "engine/chat/output_parser.h"
#include "engine/chat/prompt_format.h"
#include "engine/chat/python_json.h"
#include "engine/io/model_info.h"
#include "engine/model/glm45_loader.h"
#include "engine/model/placement.h"
#include "engine/runtime/prompt_tokens.h"
#include "engine/runtime/speculative.h"
#include "engine/tokenizer/detokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace glmdesk::engine {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

} // namespace

struct EngineWorker::State
{
    std::unique_ptr<ModelFiles> files;
    std::optional<Glm45Model> description;
    std::optional<Glm45CpuModel> model;
    std::unique_ptr<Glm45VulkanModel> vulkan; // instead of `model` on the Vulkan backend
    std::optional<Tokenizer> tokenizer;
    std::vector<TokenId> cached;   // the tokens whose K/V the model's cache holds, in order
    std::vector<TokenId> stop_ids; // <|endoftext|>, <|user|>, <|observation|>
    std::optional<TokenId> observation_id;
    int draft_tokens = 1;

    void clear()
    {
        model.reset();
        vulkan.reset();
        description.reset();
        tokenizer.reset();
        files.reset();
        cached.clear();
        stop_ids.clear();
        observation_id.reset();
    }
};

EngineWorker::EngineWorker() : m_state(std::make_unique<State>()) {}
EngineWorker::~EngineWorker() = default;

void EngineWorker::unload(const Emit &emit)
{
    m_state->clear();
    emit(events::Done{events::DoneReason::Unloaded});
}

// ---------------------------------------------------------------------------------- load

void EngineWorker::load(const LoadRequest &request, const std::atomic<bool> &cancel,
                        const Emit &emit)
{
    State &st = *m_state;
    st.clear(); // a failed load leaves no half-loaded model behind
    auto fail = [&](const Status &s) { emit(events::Error{s.message()}); };

    auto files = ModelFiles::open(request.path);
    if (!files)
        return fail(files.status());
    auto description = glm45_model(*files);
    if (!description)
        return fail(description.status().with_context(request.path));
    Expected<Tokenizer> tokenizer = tokenizer_for_model(*files);
    if (!tokenizer)
        return fail(tokenizer.status().with_context(request.path));

    const Glm45Config &config = files->config();
    int n_ctx = std::max(request.n_ctx, 64);
    if (config.context_length > 0)
        n_ctx = std::min(n_ctx, static_cast<int>(config.context_length));
    const std::uint64_t weight_bytes = files->inventory().total_bytes();
    const KvType kv_type = request.kv_cache == KvCacheType::F32    ? KvType::F32
                           : request.kv_cache == KvCacheType::Q8_0 ? KvType::Q8_0
                                                                   : KvType::F16;
    const bool on_vulkan = request.backend == "vulkan";
    if (!on_vulkan && request.backend != "cpu")
        return fail(error(StatusCode::InvalidArgument,
                          "unknown backend '" + request.backend + "' (cpu or vulkan)"));
    // On the CPU the plan decides whether the model fits the host. The Vulkan model puts every
    // weight on the device and says so, with the tensor's name, when one does not fit.
    if (!on_vulkan) {
        const ModelFootprint footprint = model_footprint(files->inventory(), config, kv_type);
        const MemoryBudget budget{
            request.host_memory_limit ? request.host_memory_limit : host_memory_bytes(), 0};
        const PlacementPlan plan = plan_placement(footprint, n_ctx, budget);
        if (!plan.fits)
            return fail(error(StatusCode::OutOfMemory,
                              placement_advice(footprint, plan, n_ctx, budget, kv_type)));
    }

    // Read every weight page once, so the first answer does not wait on the disk, and so the
    // user sees progress. The map stays clean: the kernel may drop and re-read pages.
    if (request.prefault) {
        std::uint64_t done = 0, last_report = 0, pages = 0;
        emit(events::LoadProgress{0, weight_bytes});
        volatile std::uint8_t sink = 0;
        for (const InventoryEntry &entry : files->inventory().entries()) {
            for (const TensorPart &part : entry.parts) {
                for (std::uint64_t off = 0; off < part.n_bytes; off += 4096) {
                    sink = sink + part.data[off];
                    // Every 4096 pages (16 MB): a cancel lands within milliseconds.
                    if ((++pages & 4095) == 0 && cancel.load(std::memory_order_relaxed)) {
                        emit(events::Done{events::DoneReason::Cancelled});
                        return;
                    }
                }
                done += part.n_bytes;
                // About 100 reports over the whole load, whatever its size.
                if (done - last_report >= weight_bytes / 100 || done == weight_bytes) {
                    emit(events::LoadProgress{done, weight_bytes});
                    last_report = done;
                }
            }
        }
        (void)sink;
    }
    if (cancel.load())
        return emit(events::Done{events::DoneReason::Cancelled});

    std::string where;
    if (on_vulkan) {
        VulkanModelOptions vo;
        vo.device_index = request.vulkan_device;
        vo.kv_type = kv_type;
        vo.host_threads = request.threads;
        vo.device_expert_layers = request.gpu_expert_layers;
        if (vo.device_expert_layers < 0) {
            // The planner's split for the device's memory: everything when it fits, else the
            // shared weights, the KV cache and as many layers' experts as fit.
            auto devices = vulkan_device_infos();
            if (!devices)
                return fail(devices.status());
            const auto device = std::find_if(devices->begin(), devices->end(), [&](const auto &d) {
                return request.vulkan_device < 0 ? d.is_default : d.index == request.vulkan_device;
            });
            if (device == devices->end())
                return fail(error(StatusCode::InvalidArgument,
                                  "Vulkan device " + std::to_string(request.vulkan_device) +
                                      " does not exist (see glmdesk-cli --list-devices)"));
            const ModelFootprint footprint = model_footprint(files->inventory(), config, kv_type);
            const MemoryBudget budget{request.host_memory_limit ? request.host_memory_limit
                                                                : host_memory_bytes(),
                                      device->device_local_bytes};
            const PlacementPlan plan = plan_placement(footprint, n_ctx, budget);
            if (!plan.fits)
                return fail(error(StatusCode::OutOfMemory,
                                  placement_advice(footprint, plan, n_ctx, budget, kv_type)));
            vo.device_expert_layers = plan.all_on_gpu ? -1 : plan.gpu_expert_layers;
        }
        auto model = Glm45VulkanModel::create(description->dims, description->weights, n_ctx, vo);
        if (!model)
            return fail(model.status().with_context(request.path));
        st.vulkan = std::move(model).value();
        where = ", on " + st.vulkan->device_name() + " (Vulkan; routed experts of " +
                std::to_string(st.vulkan->device_expert_layers()) + " of " +
                std::to_string(st.vulkan->moe_layers()) + " MoE layers on it)";
    } else {
        CpuOptions cpu;
        cpu.n_threads = request.threads;
        cpu.pin_threads = request.pin_threads;
        cpu.kv_type = kv_type;
        auto model = Glm45CpuModel::create(description->dims, description->weights, n_ctx, cpu);
        if (!model)
            return fail(model.status().with_context(request.path));
        st.model = std::move(model).value();
    }
    const bool has_mtp = st.model && st.model->has_mtp();

    st.files = std::make_unique<ModelFiles>(std::move(files).value());
    st.description = std::move(description).value();
    st.tokenizer = std::move(tokenizer).value();
    st.draft_tokens = has_mtp ? std::clamp(request.draft_tokens, 0, 8) : 0;
    for (const char *stop : {"<|endoftext|>", "<|user|>", "<|observation|>"})
        if (auto id = st.tokenizer->special_id(stop))
            st.stop_ids.push_back(*id);
    st.observation_id = st.tokenizer->special_id("<|observation|>");

    // From st.files: `config` referred into `files`, which has been moved from.
    const Glm45Config &loaded = st.files->config();
    std::string summary = loaded.architecture + ", " + std::to_string(loaded.n_layer) + " layers" +
                          (has_mtp ? " + MTP" : "") + ", " + std::to_string(loaded.n_vocab) +
                          "-token vocabulary, " + format_gigabytes(weight_bytes) + where;
    emit(events::Loaded{request.path, std::move(summary), n_ctx, has_mtp});
    emit(events::Done{events::DoneReason::Loaded});
}

// ---------------------------------------------------------------------------------- generate

void EngineWorker::generate(const GenerateRequest &request, const std::atomic<bool> &cancel,
                            const Emit &emit)
{
    State &st = *m_state;
    if ((!st.model && !st.vulkan) || !st.tokenizer)
        return emit(events::Error{"no model is loaded: open a model first"});
    if (request.conversation.messages.empty())
        return emit(events::Error{"the conversation is empty"});
    if (Status s = request.sampling.validate(); !s.ok())
        return emit(events::Error{s.message()});
    if (st.vulkan)
        return generate_on(*st.vulkan, *st.tokenizer, request, cancel, emit);
    if (st.model)
        return generate_on(*st.model, *st.tokenizer, request, cancel, emit);
}

template <typename Model>
void EngineWorker::generate_on(Model &model, const Tokenizer &tok, const GenerateRequest &request,
                               const std::atomic<bool> &cancel, const Emit &emit)
{
    State &st = *m_state;
    const auto started = Clock::now();
    PromptOptions options = request.options;
    options.add_generation_prompt = true;

    // The prompt, made to fit: room for at least min(max_tokens, 256) new tokens.
    const int reserve = std::clamp(request.max_tokens, 1, 256);
    Conversation conv = request.conversation;
    int dropped = 0;
    Expected<std::vector<TokenId>> prompt = tokenize_prompt(tok, conv, options);
    while (prompt && static_cast<int>(prompt->size()) + reserve > model.n_ctx()) {
        // Oldest first, never a system message, never the last message.
        auto victim = std::find_if(conv.messages.begin(), conv.messages.end() - 1,
                                   [](const Message &m) { return m.role != Role::System; });
        if (request.context_policy != ContextPolicy::DropOldest ||
            victim == conv.messages.end() - 1)
            return emit(events::Error{
                "the conversation is " + std::to_string(prompt->size()) +
                " tokens long and the context holds " + std::to_string(model.n_ctx()) +
                " (with room for the answer): start a new conversation, load the model with a "
                "longer context, or let GLM Desk drop the oldest messages"});
        conv.messages.erase(victim);
        ++dropped;
        prompt = tokenize_prompt(tok, conv, options);
    }
    if (!prompt)
        return emit(events::Error{prompt.status().message()});

    // Prompt cache: keep the longest common prefix, re-feed its last token (which yields the
    // hidden state the MTP layer needs) and run only what follows.
    std::size_t common = 0;
    const std::size_t limit = std::min(st.cached.size(), prompt->size());
    while (common < limit && st.cached[common] == (*prompt)[common])
        ++common;
    const std::size_t keep = common > 0 ? common - 1 : 0;
    model.truncate_for_refeed(static_cast<int>(keep));
    st.cached.resize(static_cast<std::size_t>(model.n_past()));
    const std::span<const TokenId> to_run = std::span(*prompt).subspan(keep);

    Sampler sampler(request.sampling);
    Detokenizer detok(tok);
    OutputParser parser(conv.tools);
    std::vector<OutputEvent> parsed;
    std::vector<TokenId> generated;
    std::optional<Clock::time_point> first_token_at;
    auto last_stats = Clock::now();
    events::Stats stats;
    stats.prompt_tokens = static_cast<int>(prompt->size());
    stats.prefilled_tokens = static_cast<int>(to_run.size());
    stats.context_size = model.n_ctx();
    stats.dropped_messages = dropped;
    if (dropped > 0)
        emit(events::Warning{std::to_string(dropped) +
                             " older message(s) were left out to fit the context"});

    auto forward_parsed = [&] {
        for (OutputEvent &e : parsed) {
            if (auto *t = std::get_if<ThinkingDelta>(&e))
                emit(events::ThinkingDelta{std::move(t->text)});
            else if (auto *a = std::get_if<AnswerDelta>(&e))
                emit(events::TextDelta{std::move(a->text)});
            else if (auto *c = std::get_if<ToolCallEvent>(&e))
                emit(events::ToolCall{c->name, python_json_dumps(c->arguments)});
            else if (auto *w = std::get_if<ParseWarning>(&e))
                emit(events::Warning{w->message});
        }
        parsed.clear();
    };
    auto update_rates = [&] {
        const double prefill_s =
            first_token_at ? std::chrono::duration<double>(*first_token_at - started).count()
                           : seconds_since(started);
        stats.time_to_first_token_s = prefill_s;
        stats.prefill_tokens_per_s = prefill_s > 0 ? stats.prefilled_tokens / prefill_s : 0;
        stats.generated_tokens = static_cast<int>(generated.size());
        const double decode_s =
            first_token_at ? std::chrono::duration<double>(Clock::now() - *first_token_at).count()
                           : 0;
        stats.decode_tokens_per_s =
            decode_s > 0 && generated.size() > 1 ? (generated.size() - 1) / decode_s : 0;
        stats.context_used = model.n_past();
    };

    GenerateOptions gen;
    gen.max_tokens = request.max_tokens;
    gen.sampler = &sampler;
    gen.history = std::span(*prompt).first(keep);
    gen.draft_tokens = st.draft_tokens;
    gen.stop_ids = st.stop_ids;
    gen.cancel = &cancel;
    gen.on_token = [&](TokenId id) {
        if (!first_token_at)
            first_token_at = Clock::now();
        generated.push_back(id);
        if (std::find(st.stop_ids.begin(), st.stop_ids.end(), id) != st.stop_ids.end())
            return true; // the end marker is not text
        parser.feed(detok.push(id), parsed);
        forward_parsed();
        if (seconds_since(last_stats) >= 0.25) { // live tokens/s, about 4 times a second
            last_stats = Clock::now();
            update_rates();
            emit(events::Stats(stats));
        }
        return true;
    };
    auto result = engine::generate(model, to_run, gen);

    // Whatever happened, the cache now holds exactly model.n_past() tokens of prompt + output.
    std::vector<TokenId> all(prompt->begin(), prompt->end());
    all.insert(all.end(), generated.begin(), generated.end());
    all.resize(std::min(all.size(), static_cast<std::size_t>(model.n_past())));
    st.cached = std::move(all);

    parser.feed(detok.flush(), parsed);
    parser.finish(parsed);
    forward_parsed();
    update_rates();
    if (result) {
        stats.drafted = result->drafted;
        stats.accepted = result->accepted;
    }
    emit(events::Stats(stats));

    if (!result) {
        if (result.status().code() == StatusCode::Cancelled)
            return emit(events::Done{events::DoneReason::Cancelled});
        return emit(events::Error{result.status().message()});
    }
    events::DoneReason reason = events::DoneReason::Length;
    if (result->stopped_by_stop_id)
        reason = st.observation_id && !generated.empty() && generated.back() == *st.observation_id
                     ? events::DoneReason::ToolCalls
                     : events::DoneReason::Stop;
    emit(events::Done{reason});
}

} // namespace glmdesk::engine
