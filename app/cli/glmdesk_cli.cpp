// glmdesk-cli: the engine without Qt, for tests, benchmarks and scripts (contract: DESIGN.md).
// Errors go to stderr with a non-zero exit code; --json output is one object on stdout.
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/backend/vulkan/vulkan_model.h"
#include "engine/chat/prompt_format.h"
#include "engine/engine.h"
#include "engine/io/model_info.h"
#include "engine/model/glm45_loader.h"
#include "engine/runtime/prompt_tokens.h"
#include "engine/runtime/sampler.h"
#include "engine/runtime/speculative.h"
#include "engine/tokenizer/detokenizer.h"
#ifdef GLMDESK_HAVE_SERVER
#include "app/server/serve_command.h"
#endif

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace engine = glmdesk::engine;
using Json = nlohmann::ordered_json;

namespace {

void print_usage(std::FILE *out)
{
    std::fputs(
        "usage: glmdesk-cli [options]\n"
        "       glmdesk-cli serve --model PATH [--port N] ...   OpenAI-compatible server (serve "
        "--help)\n"
        "information\n"
        "  --version              print the version and the backends compiled in\n"
        "  --list-devices         list the devices every compiled-in backend sees\n"
        "  --model PATH           a .gguf file (any part of a split set) or a Hugging Face folder\n"
        "  --info                 describe --model: architecture, hyperparameters, tensors\n"
        "text and tokens (with --model)\n"
        "  --tokenize TEXT        token ids of TEXT (special tokens as text; --specials parses "
        "them)\n"
        "  --detokenize 1,2,3     the text of token ids\n"
        "  --render-chat FILE     a conversation (OpenAI-style JSON) as GLM-4.5 prompt text and "
        "ids\n"
        "generation (with --model)\n"
        "  --prompt TEXT          a user message, in GLM-4.5's chat format (--raw: TEXT as is)\n"
        "  --ids 1,2,3            prompt token ids\n"
        "  --n N                  tokens to generate (default 64; 0 = prompt only)\n"
        "  --greedy               greedy decoding (default: GLM-4.5's sampling, temp 0.6 top-p "
        "0.95)\n"
        "  --temp T --top-p P --top-k K --seed S   sampling\n"
        "  --think on|off         let the model think first (default on)\n"
        "  --draft N              MTP draft tokens per step for greedy decoding (default 1, 0 = "
        "off)\n"
        "  --dump-logits FILE     write float32 logits [prompt tokens, vocab] of every prompt "
        "position\n"
        "  --backend cpu|vulkan   where to run (default cpu; vulkan: the weights and KV cache on\n"
        "                         a Vulkan device, plain decoding; cuda cannot run models yet)\n"
        "  --vulkan-device N      with --backend vulkan: the device (see --list-devices; default\n"
        "                         the first discrete GPU)\n"
        "  --gpu-experts N        with --backend vulkan: MoE layers whose routed experts go on "
        "the\n"
        "                         device, the rest stay in RAM (default: as many as fit)\n"
        "  --threads N            CPU threads (default: all)\n"
        "  --pin                  bind each CPU thread to one core\n"
        "  --ctx N                context length (default 4096)\n"
        "  --kv f16|f32|q8_0      KV cache type (default f16; q8_0 takes 47% of f16's memory)\n"
        "  --exact                SIMD kernels with float32 activations (default: 16-bit "
        "activations)\n"
        "  --chat                 talk with --model: one message per line, until an empty line or\n"
        "                         end of input; turns reuse the cached conversation\n"
        "  --json                 machine-readable output (one JSON object on stdout)\n"
        "  -h, --help             this help\n",
        out);
}

int fail(const std::string &message, int code = 1)
{
    std::fprintf(stderr, "glmdesk-cli: %s\n", message.c_str());
    return code;
}

bool parse_ids(std::string_view text, std::vector<engine::TokenId> &out)
{
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        engine::TokenId id = 0;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
        if (ec != std::errc() || ptr != item.data() + item.size())
            return false;
        out.push_back(id);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return !out.empty();
}

template <typename T> bool parse_number(const char *text, T &out)
{
    const std::string_view s(text);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

int list_devices(bool json)
{
    const auto backends = engine::probe_backends();
    if (json) {
        Json out = {{"backends", Json::array()}};
        for (const auto &b : backends)
            out["backends"].push_back({{"name", b.backend},
                                       {"compiled_in", b.compiled_in},
                                       {"devices", b.devices},
                                       {"note", b.note}});
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }
    for (const auto &b : backends) {
        std::printf("%s%s\n", b.backend.c_str(), b.compiled_in ? "" : " (not compiled in)");
        for (const auto &d : b.devices)
            std::printf("  %s\n", d.c_str());
        if (b.devices.empty() && b.compiled_in)
            std::printf("  no device: %s\n", b.note.c_str());
    }
    return 0;
}

struct Options
{
    bool json = false, version = false, devices = false, info = false, greedy = false;
    bool raw = false, specials = false, exact = false, chat = false, pin = false;
    std::string model, prompt, tokenize, detokenize, render_chat, dump_logits, ids;
    std::string think = "on", backend = "cpu", kv = "f16";
    bool has_prompt = false, has_tokenize = false;
    int n = 64, threads = 0, ctx = 4096, draft = 1;
    int vulkan_device = -1, gpu_experts = -1;
    engine::SamplingParams sampling = engine::SamplingParams::glm45_defaults();
};

// --chat: the same Engine the app drives. Answers stream to stdout; per-turn stats to stderr.
int run_chat(const Options &o)
{
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::string error_message, answer;
    engine::events::Stats stats;
    engine::Engine eng([&](engine::Event &&e) {
        if (auto *t = std::get_if<engine::events::TextDelta>(&e.payload)) {
            std::fputs(t->text.c_str(), stdout);
            std::fflush(stdout);
            std::lock_guard lock(mutex);
            answer += t->text;
            return;
        }
        if (auto *t = std::get_if<engine::events::ThinkingDelta>(&e.payload)) {
            std::fputs(t->text.c_str(), stderr);
            return;
        }
        std::lock_guard lock(mutex);
        if (auto *st = std::get_if<engine::events::Stats>(&e.payload))
            stats = *st;
        else if (auto *err = std::get_if<engine::events::Error>(&e.payload))
            error_message = err->message;
        if (std::holds_alternative<engine::events::Done>(e.payload) ||
            std::holds_alternative<engine::events::Error>(e.payload)) {
            done = true;
            done_cv.notify_all();
        }
    });
    auto wait = [&](engine::RequestId) {
        std::unique_lock lock(mutex);
        done_cv.wait(lock, [&] { return done; });
        done = false;
        return error_message.empty();
    };
    engine::LoadRequest load;
    load.path = o.model;
    load.n_ctx = o.ctx;
    load.threads = o.threads;
    load.pin_threads = o.pin;
    load.draft_tokens = o.draft;
    load.backend = o.backend;
    load.vulkan_device = o.vulkan_device;
    load.gpu_expert_layers = o.gpu_experts;
    load.kv_cache = o.kv == "f32"    ? engine::KvCacheType::F32
                    : o.kv == "q8_0" ? engine::KvCacheType::Q8_0
                                     : engine::KvCacheType::F16;
    if (!wait(eng.submit(load)))
        return fail(error_message);

    engine::GenerateRequest request;
    request.options.enable_thinking = o.think == "on";
    request.sampling = o.greedy ? engine::SamplingParams::greedy_params() : o.sampling;
    request.max_tokens = o.n;
    request.context_policy = engine::ContextPolicy::DropOldest;
    std::string line;
    int turn = 0;
    while (std::getline(std::cin, line) && !line.empty()) {
        engine::Message user;
        user.role = engine::Role::User;
        user.content = line;
        request.conversation.messages.push_back(std::move(user));
        answer.clear();
        if (!wait(eng.submit(request)))
            return fail(error_message);
        std::printf("\n");
        std::fflush(stdout);
        std::fprintf(stderr,
                     "[turn %d: prompt %d tokens, %d computed, %d from the cache; %.1f tokens/s "
                     "prefill, %d generated at %.1f tokens/s; drafts accepted %d of %d]\n",
                     ++turn, stats.prompt_tokens, stats.prefilled_tokens,
                     stats.prompt_tokens - stats.prefilled_tokens, stats.prefill_tokens_per_s,
                     stats.generated_tokens, stats.decode_tokens_per_s, stats.accepted,
                     stats.drafted);
        engine::Message assistant;
        assistant.role = engine::Role::Assistant;
        assistant.content = answer;
        request.conversation.messages.push_back(std::move(assistant));
    }
    return 0;
}

// Everything that needs a loaded model and tokenizer.
template <typename Model>
int run_prompt(const Options &o, const engine::Tokenizer &tok,
               const std::vector<engine::TokenId> &prompt, Model &model);

int run_with_model(const Options &o)
{
    auto files = engine::ModelFiles::open(o.model);
    if (!files)
        return fail(files.status().message());
    auto tokenizer = engine::tokenizer_for_model(*files);
    if (!tokenizer)
        return fail(tokenizer.status().with_context(o.model).message());
    const engine::Tokenizer &tok = *tokenizer;

    if (o.has_tokenize) {
        auto ids = tok.encode(o.tokenize, o.specials ? engine::SpecialTokens::Parse
                                                     : engine::SpecialTokens::AsText);
        if (!ids)
            return fail(ids.status().message());
        if (o.json) {
            std::printf("%s\n", Json{{"ids", *ids}, {"count", ids->size()}}.dump().c_str());
        } else {
            for (std::size_t i = 0; i < ids->size(); ++i)
                std::printf("%s%d", i ? "," : "", (*ids)[i]);
            std::printf("\n");
        }
        return 0;
    }
    if (!o.detokenize.empty()) {
        std::vector<engine::TokenId> ids;
        if (!parse_ids(o.detokenize, ids))
            return fail("--detokenize needs comma-separated token ids", 2);
        const std::string text = tok.decode(ids);
        if (o.json)
            std::printf(
                "%s\n",
                Json{{"text", text}}.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
        else
            std::printf("%s\n", text.c_str());
        return 0;
    }

    // The prompt: a rendered conversation, a raw text, or ids.
    std::vector<engine::TokenId> prompt;
    std::string prompt_text;
    if (!o.render_chat.empty() || (o.has_prompt && !o.raw)) {
        engine::ChatInput input;
        if (!o.render_chat.empty()) {
            std::ifstream in(o.render_chat, std::ios::binary);
            if (!in)
                return fail("cannot read " + o.render_chat);
            std::stringstream text;
            text << in.rdbuf();
            auto parsed = engine::chat_input_from_json_text(text.str());
            if (!parsed)
                return fail(parsed.status().with_context(o.render_chat).message());
            input = std::move(parsed).value();
        } else {
            engine::Message user;
            user.role = engine::Role::User;
            user.content = o.prompt;
            input.conversation.messages.push_back(std::move(user));
            input.options.enable_thinking = o.think == "on";
        }
        input.options.add_generation_prompt = true;
        prompt_text = engine::render_text(input.conversation, input.options);
        auto ids = engine::tokenize_prompt(tok, input.conversation, input.options);
        if (!ids)
            return fail(ids.status().message());
        prompt = std::move(ids).value();
        if (!o.render_chat.empty()) {
            if (o.json)
                std::printf("%s\n", Json{{"text", prompt_text}, {"ids", prompt}}.dump().c_str());
            else
                std::printf("%s\n", prompt_text.c_str());
            return 0;
        }
    } else if (o.has_prompt) {
        auto ids = tok.encode(o.prompt, engine::SpecialTokens::Parse);
        if (!ids)
            return fail(ids.status().message());
        prompt = std::move(ids).value();
    } else if (!o.ids.empty()) {
        if (!parse_ids(o.ids, prompt))
            return fail("--ids needs comma-separated token ids", 2);
    } else {
        return fail("nothing to do with --model: give --info, --prompt, --ids, --tokenize, "
                    "--detokenize or --render-chat (see --help)",
                    2);
    }

    auto loaded = engine::glm45_model(*files);
    if (!loaded)
        return fail(loaded.status().with_context(o.model).message());
    const engine::KvType kv_type = o.kv == "f32"    ? engine::KvType::F32
                                   : o.kv == "q8_0" ? engine::KvType::Q8_0
                                                    : engine::KvType::F16;
    if (o.backend == "cuda")
        return fail("the CUDA backend cannot run models yet (its kernels wait for a GPU to be "
                    "tested on): use --backend vulkan or --backend cpu",
                    2);
    if (o.backend == "vulkan") {
        engine::VulkanModelOptions vo;
        vo.device_index = o.vulkan_device;
        vo.kv_type = kv_type;
        vo.device_expert_layers = o.gpu_experts;
        vo.host_threads = o.threads;
        vo.host_path = o.exact ? engine::MatmulPath::Exact : engine::MatmulPath::Fast;
        auto model = engine::Glm45VulkanModel::create(loaded->dims, loaded->weights, o.ctx, vo);
        if (!model)
            return fail(model.status().with_context(o.model).message());
        if (!o.json)
            std::fprintf(stderr, "[Vulkan: %s, routed experts of %d of %d MoE layers on it]\n",
                         (*model)->device_name().c_str(), (*model)->device_expert_layers(),
                         (*model)->moe_layers());
        return run_prompt(o, tok, prompt, **model);
    }
    engine::CpuOptions cpu;
    cpu.n_threads = o.threads;
    cpu.pin_threads = o.pin;
    cpu.matmul = o.exact ? engine::MatmulPath::Exact : engine::MatmulPath::Fast;
    cpu.kv_type = kv_type;
    auto model = engine::Glm45CpuModel::create(loaded->dims, loaded->weights, o.ctx, cpu);
    if (!model)
        return fail(model.status().with_context(o.model).message());
    return run_prompt(o, tok, prompt, *model);
}

// Runs `prompt` on a loaded model (CPU or Vulkan): --dump-logits, then generation.
template <typename Model>
int run_prompt(const Options &o, const engine::Tokenizer &tok,
               const std::vector<engine::TokenId> &prompt, Model &model)
{
    using Clock = std::chrono::steady_clock;
    if (!o.dump_logits.empty()) {
        auto logits = model.forward(prompt, true);
        if (!logits)
            return fail(logits.status().message());
        std::ofstream out(o.dump_logits, std::ios::binary);
        out.write(reinterpret_cast<const char *>(logits->data()),
                  static_cast<std::streamsize>(logits->size() * sizeof(float)));
        if (!out)
            return fail("cannot write " + o.dump_logits);
        model.truncate(0);
    }

    std::vector<engine::TokenId> stop;
    for (const char *s : {"<|endoftext|>", "<|user|>", "<|observation|>"})
        if (auto id = tok.special_id(s))
            stop.push_back(*id);
    engine::Sampler sampler(o.greedy ? engine::SamplingParams::greedy_params() : o.sampling);
    engine::Detokenizer detok(tok);
    std::string text;
    std::optional<Clock::time_point> first_token;
    int emitted = 0;
    engine::GenerateOptions gen;
    gen.max_tokens = o.n;
    gen.sampler = &sampler;
    // A file without the MTP layer decodes plainly, as the Engine does, rather than failing.
    gen.draft_tokens = model.has_mtp() ? o.draft : 0;
    gen.stop_ids = stop;
    gen.on_token = [&](engine::TokenId id) {
        if (!first_token)
            first_token = Clock::now();
        ++emitted;
        const std::string piece = detok.push(id);
        text += piece;
        if (!o.json) {
            std::fputs(piece.c_str(), stdout);
            std::fflush(stdout);
        }
        return true;
    };
    const auto start = Clock::now();
    engine::GenerateResult result;
    if (o.n > 0) {
        auto r = engine::generate(model, prompt, gen);
        if (!r)
            return fail(r.status().message());
        result = std::move(r).value();
    } else if (o.dump_logits.empty()) {
        if (auto r = model.forward(prompt, false); !r)
            return fail(r.status().message());
    }
    text += detok.flush();
    const auto end = Clock::now();
    const double prefill_s =
        std::chrono::duration<double>(first_token.value_or(end) - start).count();
    const double decode_s =
        first_token ? std::chrono::duration<double>(end - *first_token).count() : 0.0;
    const double prefill_tps = prefill_s > 0 ? prompt.size() / prefill_s : 0;
    const double decode_tps = decode_s > 0 && emitted > 1 ? (emitted - 1) / decode_s : 0;
    if (o.json) {
        Json out = {{"tokens", result.tokens},
                    {"text", text},
                    {"prompt_tokens", prompt.size()},
                    {"timings",
                     {{"prefill_tokens_per_s", prefill_tps}, {"decode_tokens_per_s", decode_tps}}},
                    {"drafted", result.drafted},
                    {"accepted", result.accepted}};
        std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    } else if (emitted > 0) {
        std::printf("\n");
        std::fprintf(stderr,
                     "[%zu prompt tokens, %.1f tokens/s prefill; %d generated, %.1f tokens/s; "
                     "drafts accepted %d of %d]\n",
                     prompt.size(), prefill_tps, emitted, decode_tps, result.accepted,
                     result.drafted);
    }
    return 0;
}

int run_cli(int argc, char **argv)
{
    if (argc > 1 && std::string_view(argv[1]) == "serve") {
#ifdef GLMDESK_HAVE_SERVER
        return glmdesk::app::runServeCommand(argc - 1, argv + 1);
#else
        return fail("this glmdesk-cli was built without the server: cpp-httplib was missing when "
                    "it was configured (Debian: libcpp-httplib-dev)");
#endif
    }
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](const char *what) -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "glmdesk-cli: %s needs %s\n", argv[i], what);
                return nullptr;
            }
            return argv[++i];
        };
        auto int_value = [&](int &out) {
            const char *v = value("a number");
            if (!v || !parse_number(v, out) || out < 0) {
                if (v)
                    std::fprintf(stderr, "glmdesk-cli: %s needs a number >= 0\n", argv[i - 1]);
                return false;
            }
            return true;
        };
        auto float_value = [&](float &out) {
            const char *v = value("a number");
            if (!v)
                return false;
            try {
                out = std::stof(v);
            } catch (...) {
                std::fprintf(stderr, "glmdesk-cli: %s needs a number\n", argv[i - 1]);
                return false;
            }
            return true;
        };
        auto string_value = [&](std::string &out) {
            const char *v = value("a value");
            if (!v)
                return false;
            out = v;
            return true;
        };
        bool ok = true;
        if (arg == "--version")
            o.version = true;
        else if (arg == "--list-devices")
            o.devices = true;
        else if (arg == "--info")
            o.info = true;
        else if (arg == "--json")
            o.json = true;
        else if (arg == "--greedy")
            o.greedy = true;
        else if (arg == "--raw")
            o.raw = true;
        else if (arg == "--specials")
            o.specials = true;
        else if (arg == "--exact")
            o.exact = true;
        else if (arg == "--chat")
            o.chat = true;
        else if (arg == "--model")
            ok = string_value(o.model);
        else if (arg == "--prompt")
            ok = o.has_prompt = string_value(o.prompt);
        else if (arg == "--tokenize")
            ok = o.has_tokenize = string_value(o.tokenize);
        else if (arg == "--detokenize")
            ok = string_value(o.detokenize);
        else if (arg == "--render-chat")
            ok = string_value(o.render_chat);
        else if (arg == "--dump-logits")
            ok = string_value(o.dump_logits);
        else if (arg == "--ids")
            ok = string_value(o.ids);
        else if (arg == "--think")
            ok = string_value(o.think) && (o.think == "on" || o.think == "off");
        else if (arg == "--backend")
            ok = string_value(o.backend) &&
                 (o.backend == "cpu" || o.backend == "cuda" || o.backend == "vulkan");
        else if (arg == "--vulkan-device")
            ok = int_value(o.vulkan_device);
        else if (arg == "--gpu-experts")
            ok = int_value(o.gpu_experts);
        else if (arg == "--n")
            ok = int_value(o.n);
        else if (arg == "--threads")
            ok = int_value(o.threads);
        else if (arg == "--pin")
            o.pin = true;
        else if (arg == "--kv")
            ok = string_value(o.kv) && (o.kv == "f16" || o.kv == "f32" || o.kv == "q8_0");
        else if (arg == "--ctx")
            ok = int_value(o.ctx) && o.ctx > 0;
        else if (arg == "--draft")
            ok = int_value(o.draft) && o.draft <= 8;
        else if (arg == "--temp")
            ok = float_value(o.sampling.temperature);
        else if (arg == "--top-p")
            ok = float_value(o.sampling.top_p);
        else if (arg == "--top-k")
            ok = int_value(o.sampling.top_k);
        else if (arg == "--seed") {
            int seed = 0;
            ok = int_value(seed);
            o.sampling.seed = static_cast<std::uint64_t>(seed);
        } else if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            return 0;
        } else {
            return fail("unknown option '" + std::string(arg) + "' (see --help)", 2);
        }
        if (!ok)
            return fail("bad value for " + std::string(arg) + " (see --help)", 2);
    }
    if (o.version) {
        if (o.json)
            std::printf("%s\n", engine::capabilities_json("glmdesk-cli").c_str());
        else
            std::printf("%s\n", engine::version_line("glmdesk-cli").c_str());
        return 0;
    }
    if ((o.vulkan_device >= 0 || o.gpu_experts >= 0) && o.backend != "vulkan")
        return fail("--vulkan-device and --gpu-experts need --backend vulkan", 2);
    // A device index past the last device is a usage error, reported before any model loads.
    if (o.backend == "vulkan")
        if (engine::Status s = engine::check_vulkan_device(o.vulkan_device); !s.ok())
            return fail(s.message(), s.code() == engine::StatusCode::InvalidArgument ? 2 : 1);
    if (o.devices)
        return list_devices(o.json);
    if (o.info) {
        if (o.model.empty())
            return fail("--info needs --model PATH", 2);
        auto files = engine::ModelFiles::open(o.model);
        if (!files)
            return fail(files.status().message());
        const auto info = engine::summarize_model(*files);
        if (o.json)
            std::printf("%s\n", engine::model_info_json(info).c_str());
        else
            std::fputs(engine::model_info_text(info).c_str(), stdout);
        return 0;
    }
    if (o.chat) {
        if (o.model.empty())
            return fail("--chat needs --model PATH", 2);
        return run_chat(o);
    }
    if (!o.model.empty())
        return run_with_model(o);
    print_usage(stderr);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    // The engine reports errors as values; what can still throw here is the standard library
    // (allocation, JSON output). A script gets a message and a status, never an abort.
    try {
        return run_cli(argc, argv);
    } catch (const std::exception &e) {
        return fail(std::string("internal error: ") + e.what());
    } catch (...) {
        return fail("internal error");
    }
}
