// glmdesk-bench: speed measurements without Qt. Every speed we report is a fraction of a limit
// measured on the same machine and in the same process: --membw measures the CPU side of that
// limit, --synthetic runs a GLM-4.5 model at real dimensions (random weights in a chosen format,
// engine/model/synthetic_model.h) and reports prefill and decode speed against it. Decode is
// memory-bound: its limit is the bytes a token must read (attention, dense and shared layers, the
// router's choice of experts, the lm_head) divided by the measured read bandwidth.
#include "app/bench/memory_bandwidth.h"
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/backend/vulkan/vulkan_model.h"
#include "engine/engine.h"
#include "engine/io/gguf_writer.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/synthetic_model.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace engine = glmdesk::engine;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// tests/data/tokenizer/air_mini_gguf_vocab.json, compiled in (see app/CMakeLists.txt).
extern const unsigned char glmdesk_air_mini_vocab_json[];
extern const std::size_t glmdesk_air_mini_vocab_json_size;

namespace {

void print_usage(std::FILE *out)
{
    std::fputs(
        "usage: glmdesk-bench [options]\n"
        "  --version          print the version and the backends compiled in\n"
        "memory bandwidth\n"
        "  --membw            measure host memory read bandwidth (GB/s) and stop\n"
        "  --mib N            buffer size for the bandwidth test in MiB (default 2048)\n"
        "  --reps N           repetitions of the bandwidth test (default 5)\n"
        "synthetic GLM-4.5 model (random weights at real dimensions)\n"
        "  --synthetic NAME   air (GLM-4.5-Air) or air-mini (the test model's dims)\n"
        "  --layers N         the first N layers: 1 dense + N-1 MoE (default: all)\n"
        "  --format F         q4_k_m (default), q8_0, q4_k, q6_k, iq4_xs, bf16, ... (see below)\n"
        "  --seed S           weights and prompt ids (default 1)\n"
        "  --prefill N        prompt tokens to prefill (default 512; 0 = none)\n"
        "  --decode N         tokens to decode one at a time (default 128; 0 = none)\n"
        "  --exact            float32 activations (default: the fast path, activations made\n"
        "                     16-bit once per token; bf16 for BF16 weights on AVX512-BF16)\n"
        "  --write-gguf PATH  also write the model as GGUF (with a tokenizer)\n"
        "  --mtp              add the MTP (nextn) layer, as the real model has; the prefill\n"
        "                     then also runs its pairs, as generation with drafts does\n"
        "  --backend B        cpu (default) or vulkan (every weight on the device; no MTP)\n"
        "  --vulkan-device N  with --backend vulkan: the device (index as in --version --json;\n"
        "                     default the first discrete GPU)\n"
        "common\n"
        "  --threads N        threads (default: all hardware threads)\n"
        "  --pin              bind each thread to one core\n"
        "  --json             one JSON object on stdout\n"
        "  -h, --help         this help\n"
        "formats:",
        out);
    for (std::string_view f : engine::synthetic_format_names())
        std::fprintf(out, " %.*s", static_cast<int>(f.size()), f.data());
    std::fputs("\n", out);
}

bool parse_int(std::string_view text, int &out, int min_value)
{
    const auto *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && out >= min_value;
}

int fail(const std::string &message, int code = 1)
{
    std::fprintf(stderr, "glmdesk-bench: %s\n", message.c_str());
    return code;
}

struct Options
{
    bool json = false, membw = false, version = false, exact = false, mtp = false, pin = false;
    int mib = 2048, reps = 5;
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    std::string synthetic, format = "q4_k_m", write_gguf, backend = "cpu";
    int layers = 0, prefill = 512, decode = 128;
    int vulkan_device = -1; // < 0: the default device (discrete GPU first)
    std::uint64_t seed = 1;
};

// Resident and peak resident memory of this process in bytes (Linux /proc; 0 elsewhere).
std::pair<std::uint64_t, std::uint64_t> resident_bytes()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    std::uint64_t rss = 0, peak = 0;
    while (std::getline(in, line)) {
        auto kib = [&](std::string_view key) -> std::optional<std::uint64_t> {
            if (!line.starts_with(key))
                return std::nullopt;
            return std::stoull(line.substr(key.size())) * 1024;
        };
        if (auto v = kib("VmRSS:"))
            rss = *v;
        else if (auto p = kib("VmHWM:"))
            peak = *p;
    }
    return {rss, peak};
}

std::uint64_t view_bytes(const engine::WeightView &w)
{
    return w.present() ? w.row_bytes() * static_cast<std::uint64_t>(w.n_rows) : 0;
}

// Bytes every decoded token reads whatever the router chooses: one embedding row, every layer's
// attention, norms and biases, the dense MLP or the router and shared expert, the lm_head.
std::uint64_t fixed_bytes_per_token(const engine::Glm45Weights &w)
{
    std::uint64_t n = w.token_embd.row_bytes() + view_bytes(w.output_norm) + view_bytes(w.output);
    for (const auto &l : w.layers) {
        for (const auto *v :
             {&l.attn_norm, &l.attn_q, &l.attn_q_bias, &l.attn_k, &l.attn_k_bias, &l.attn_v,
              &l.attn_v_bias, &l.attn_output, &l.attn_q_norm, &l.attn_k_norm,
              &l.post_attention_norm, &l.ffn_gate, &l.ffn_up, &l.ffn_down, &l.router,
              &l.router_bias, &l.shexp_gate, &l.shexp_up, &l.shexp_down})
            n += view_bytes(*v);
    }
    return n;
}

// The vocabulary for a written GGUF: air-mini's real one when the model has exactly its size,
// else a byte-level one of the model's size.
engine::Expected<std::pair<engine::GgufVocab, std::string>> vocab_for(std::uint32_t n_vocab)
{
    const auto j =
        Json::parse(glmdesk_air_mini_vocab_json,
                    glmdesk_air_mini_vocab_json + glmdesk_air_mini_vocab_json_size, nullptr, false);
    if (!j.is_discarded() && j.contains("tokens") && j["tokens"].size() == n_vocab) {
        engine::GgufVocab v;
        v.model = j.value("model", "gpt2");
        v.pre = j.value("pre", "glm4");
        v.tokens = j["tokens"].get<std::vector<std::string>>();
        v.token_types = j["token_type"].get<std::vector<std::int32_t>>();
        v.merges = j["merges"].get<std::vector<std::string>>();
        return std::pair{std::move(v), std::string("air-mini")};
    }
    auto v = engine::synthetic_byte_vocab(n_vocab);
    if (!v)
        return v.status();
    return std::pair{std::move(v).value(), std::string("synthetic-byte-level")};
}

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The Vulkan model on the same synthetic weights: prefill as one forward() of the prompt (batches
// of 256), decode one token at a time replaying the recorded decode sequence. Every token reads
// exactly n_experts_used experts per MoE layer, all of one size, so the bytes a token reads follow
// from the shapes without the router trace (which would split the submission per layer).
engine::Status run_vulkan(const Options &o, const engine::SyntheticModel &model, Json &out)
{
    const engine::Glm45Dims &d = model.dims();
    engine::VulkanModelOptions vo;
    vo.device_index = o.vulkan_device;
    auto t0 = Clock::now();
    auto vk = engine::Glm45VulkanModel::create(d, model.weights(), o.prefill + o.decode + 1, vo);
    if (!vk)
        return vk.status();
    out["backend"] = {{"name", "vulkan"},
                      {"device", (*vk)->device_name()},
                      {"device_bytes", (*vk)->device_bytes()},
                      {"upload_s", seconds_since(t0)}};
    std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ull);
    auto random_id = [&] {
        return static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(d.n_vocab));
    };
    if (o.prefill > 0) {
        std::vector<std::int32_t> prompt(static_cast<std::size_t>(o.prefill));
        for (auto &id : prompt)
            id = random_id();
        t0 = Clock::now();
        auto logits = (*vk)->forward(prompt, false);
        const double s = seconds_since(t0);
        if (!logits)
            return logits.status();
        out["prefill"] = {{"tokens", o.prefill}, {"seconds", s}, {"tokens_per_s", o.prefill / s}};
    }
    if (o.decode > 0) {
        double decode_s = 0.0;
        for (int i = 0; i < o.decode; ++i) {
            const std::int32_t id = random_id();
            t0 = Clock::now();
            auto logits = (*vk)->forward(std::span(&id, 1), false);
            decode_s += seconds_since(t0);
            if (!logits)
                return logits.status();
        }
        std::uint64_t routed = 0;
        for (const auto &l : model.weights().layers)
            if (l.is_moe() && !l.exp_gate.empty())
                routed += static_cast<std::uint64_t>(d.n_experts_used) *
                          (view_bytes(l.exp_gate[0]) + view_bytes(l.exp_up[0]) +
                           view_bytes(l.exp_down[0]));
        const double tps = o.decode / decode_s;
        const auto active = static_cast<double>(fixed_bytes_per_token(model.weights()) + routed);
        out["decode"] = {{"tokens", o.decode},
                         {"seconds", decode_s},
                         {"tokens_per_s", tps},
                         {"active_bytes_per_token", static_cast<std::uint64_t>(active)},
                         {"gb_per_s", tps * active / 1e9}};
    }
    return {};
}

int run_synthetic(const Options &o)
{
    Json out;
    out["threads"] = o.threads;
    out["pinned"] = o.pin;
    const bool run_model = o.prefill > 0 || o.decode > 0;
    std::optional<glmdesk::bench::BandwidthResult> bw;
    if (run_model) { // measured first, before the model takes its memory
        bw = glmdesk::bench::measure_read_bandwidth(static_cast<std::size_t>(o.mib) << 20,
                                                    o.threads, o.reps);
        out["membw"] = {{"best_gb_per_s", bw->best_gb_per_s},
                        {"median_gb_per_s", bw->median_gb_per_s},
                        {"bytes", bw->bytes}};
    }

    engine::SyntheticOptions so;
    so.preset = o.synthetic;
    so.n_layers = o.layers;
    so.format = o.format;
    so.seed = o.seed;
    so.n_threads = o.threads;
    so.mtp = o.mtp;
    auto t0 = Clock::now();
    auto model = engine::SyntheticModel::build(so);
    if (!model)
        return fail(model.status().to_string());
    const double build_s = seconds_since(t0);
    const engine::Glm45Dims &d = model->dims();
    out["model"] = {{"preset", o.synthetic},
                    {"layers", d.n_layers},
                    {"moe_layers", d.n_layers - d.n_dense_layers},
                    {"mtp", o.mtp},
                    {"format", model->options().format},
                    {"seed", o.seed},
                    {"tensors", model->tensors().size()},
                    {"bytes", model->total_bytes()},
                    {"generate_s", build_s}};
    if (!o.json)
        std::fprintf(stderr, "synthetic %s: %d layers, %s, %.2f GB generated in %.2f s\n",
                     o.synthetic.c_str(), d.n_layers, model->options().format.c_str(),
                     model->total_bytes() / 1e9, build_s);

    if (!o.write_gguf.empty()) {
        t0 = Clock::now();
        auto vocab = vocab_for(static_cast<std::uint32_t>(d.n_vocab));
        if (!vocab)
            return fail(vocab.status().to_string());
        engine::GgufWriter writer;
        if (engine::Status s = model->add_to_gguf(writer); !s)
            return fail(s.to_string());
        if (engine::Status s = engine::add_vocab_to_gguf(writer, vocab->first); !s)
            return fail(s.to_string());
        if (engine::Status s = writer.write(o.write_gguf); !s)
            return fail(s.to_string());
        out["gguf"] = {{"path", o.write_gguf},
                       {"bytes", writer.file_size()},
                       {"vocab", vocab->second},
                       {"write_s", seconds_since(t0)}};
        if (!o.json)
            std::fprintf(stderr, "wrote %s (%.2f GB, %s vocabulary)\n", o.write_gguf.c_str(),
                         writer.file_size() / 1e9, vocab->second.c_str());
    }

    std::uint64_t kv_bytes = 0;
    if (run_model && o.backend == "vulkan") {
        if (engine::Status s = run_vulkan(o, *model, out); !s.ok())
            return fail(s.to_string());
    } else if (run_model) {
        engine::CpuOptions cpu;
        cpu.n_threads = o.threads;
        cpu.pin_threads = o.pin;
        cpu.matmul = o.exact ? engine::MatmulPath::Exact : engine::MatmulPath::Fast;
        auto cpu_model =
            engine::Glm45CpuModel::create(d, model->weights(), o.prefill + o.decode + 1, cpu);
        if (!cpu_model)
            return fail(cpu_model.status().to_string());
        kv_bytes = cpu_model->kv_bytes_per_token() * static_cast<std::uint64_t>(cpu_model->n_ctx());
        std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ull);
        auto random_id = [&] {
            return static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(d.n_vocab));
        };
        out["path"] = o.exact ? "exact" : "fast";

        double prefill_s = 0.0;
        if (o.prefill > 0) {
            std::vector<std::int32_t> prompt(static_cast<std::size_t>(o.prefill));
            for (auto &id : prompt)
                id = random_id();
            t0 = Clock::now();
            // As generation runs a prompt: the last hidden row only, batch by batch, and with
            // the MTP layer its pairs too (what decoding with drafts needs).
            auto logits = cpu_model->prefill(prompt, cpu_model->has_mtp());
            prefill_s = seconds_since(t0);
            if (!logits)
                return fail(logits.status().to_string());
            out["prefill"] = {{"tokens", o.prefill},
                              {"seconds", prefill_s},
                              {"tokens_per_s", o.prefill / prefill_s}};
        }

        if (o.decode > 0) {
            // The experts each decoded token actually reads, from the router's own choices.
            const auto &layers = model->weights().layers;
            std::uint64_t routed_bytes = 0;
            engine::ForwardTrace trace;
            trace.router = [&](int layer, std::span<const int> experts, std::span<const float>) {
                const auto &l = layers[static_cast<std::size_t>(layer)];
                for (const int e : experts) {
                    const auto i = static_cast<std::size_t>(e);
                    routed_bytes += view_bytes(l.exp_gate[i]) + view_bytes(l.exp_up[i]) +
                                    view_bytes(l.exp_down[i]);
                }
            };
            double decode_s = 0.0;
            for (int i = 0; i < o.decode; ++i) {
                const std::int32_t id = random_id();
                t0 = Clock::now();
                auto logits = cpu_model->forward(std::span(&id, 1), false, &trace);
                decode_s += seconds_since(t0);
                if (!logits)
                    return fail(logits.status().to_string());
            }
            const double tps = o.decode / decode_s;
            const double active = static_cast<double>(fixed_bytes_per_token(model->weights())) +
                                  static_cast<double>(routed_bytes) / o.decode;
            const double gbps = tps * active / 1e9;
            out["decode"] = {{"tokens", o.decode},
                             {"seconds", decode_s},
                             {"tokens_per_s", tps},
                             {"active_bytes_per_token", static_cast<std::uint64_t>(active)},
                             {"gb_per_s", gbps},
                             {"fraction_of_membw", gbps / bw->best_gb_per_s}};
        }
    }
    const auto [rss, peak] = resident_bytes();
    out["memory"] = {{"rss_bytes", rss}, {"peak_rss_bytes", peak}};
    // What the run needed beyond the weights and the KV cache: the working buffers plus the
    // process's own baseline (the budget for working buffers is 200 MB).
    if (kv_bytes > 0 && peak > 0)
        out["memory"]["peak_beyond_weights_and_kv_bytes"] =
            static_cast<std::int64_t>(peak) - static_cast<std::int64_t>(model->total_bytes()) -
            static_cast<std::int64_t>(kv_bytes);

    if (o.json) {
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }
    if (bw)
        std::printf("memory read bandwidth: %.2f GB/s best, %.2f GB/s median (%d threads)\n",
                    bw->best_gb_per_s, bw->median_gb_per_s, o.threads);
    if (out.contains("prefill"))
        std::printf("prefill: %d tokens in %.2f s = %.2f tokens/s\n", o.prefill,
                    out["prefill"]["seconds"].get<double>(),
                    out["prefill"]["tokens_per_s"].get<double>());
    if (out.contains("backend"))
        std::printf("backend: vulkan on %s, %.2f GB on the device\n",
                    out["backend"]["device"].get<std::string>().c_str(),
                    out["backend"]["device_bytes"].get<double>() / 1e9);
    if (out.contains("decode") && !out["decode"].contains("fraction_of_membw"))
        std::printf("decode: %d tokens in %.2f s = %.2f tokens/s; %.1f MB read per token = %.2f "
                    "GB/s (no device bandwidth test yet)\n",
                    o.decode, out["decode"]["seconds"].get<double>(),
                    out["decode"]["tokens_per_s"].get<double>(),
                    out["decode"]["active_bytes_per_token"].get<double>() / 1e6,
                    out["decode"]["gb_per_s"].get<double>());
    else if (out.contains("decode"))
        std::printf("decode: %d tokens in %.2f s = %.2f tokens/s; %.1f MB read per token = %.2f "
                    "GB/s = %.1f%% of the measured bandwidth\n",
                    o.decode, out["decode"]["seconds"].get<double>(),
                    out["decode"]["tokens_per_s"].get<double>(),
                    out["decode"]["active_bytes_per_token"].get<double>() / 1e6,
                    out["decode"]["gb_per_s"].get<double>(),
                    100.0 * out["decode"]["fraction_of_membw"].get<double>());
    std::printf("memory: %.2f GB resident, %.2f GB peak (model %.2f GB, KV cache %.2f GB)\n",
                rss / 1e9, peak / 1e9, model->total_bytes() / 1e9, kv_bytes / 1e9);
    if (out["memory"].contains("peak_beyond_weights_and_kv_bytes"))
        std::printf("peak beyond weights and KV cache: %.0f MB\n",
                    out["memory"]["peak_beyond_weights_and_kv_bytes"].get<double>() / 1e6);
    return 0;
}

int run(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto int_value = [&](int &out, int min_value) {
            if (i + 1 >= argc || !parse_int(argv[i + 1], out, min_value)) {
                std::fprintf(stderr, "glmdesk-bench: %s needs an integer >= %d\n", argv[i],
                             min_value);
                return false;
            }
            ++i;
            return true;
        };
        auto string_value = [&](std::string &out) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "glmdesk-bench: %s needs a value\n", argv[i]);
                return false;
            }
            out = argv[++i];
            return true;
        };
        bool ok = true;
        if (arg == "--version") {
            o.version = true;
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "--membw") {
            o.membw = true;
        } else if (arg == "--exact") {
            o.exact = true;
        } else if (arg == "--mtp") {
            o.mtp = true;
        } else if (arg == "--pin") {
            o.pin = true;
        } else if (arg == "--mib") {
            ok = int_value(o.mib, 1);
        } else if (arg == "--threads") {
            ok = int_value(o.threads, 1);
        } else if (arg == "--reps") {
            ok = int_value(o.reps, 1);
        } else if (arg == "--synthetic") {
            ok = string_value(o.synthetic);
        } else if (arg == "--format") {
            ok = string_value(o.format);
        } else if (arg == "--backend") {
            ok = string_value(o.backend);
            if (ok && o.backend != "cpu" && o.backend != "vulkan")
                return fail("--backend is cpu or vulkan", 2);
        } else if (arg == "--vulkan-device") {
            ok = int_value(o.vulkan_device, 0);
        } else if (arg == "--write-gguf") {
            ok = string_value(o.write_gguf);
        } else if (arg == "--layers") {
            ok = int_value(o.layers, 1);
        } else if (arg == "--prefill") {
            ok = int_value(o.prefill, 0);
        } else if (arg == "--decode") {
            ok = int_value(o.decode, 0);
        } else if (arg == "--seed") {
            int seed = 0;
            ok = int_value(seed, 0);
            o.seed = static_cast<std::uint64_t>(seed);
        } else if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            return 0;
        } else {
            return fail("unknown option '" + std::string(arg) + "' (see --help)", 2);
        }
        if (!ok)
            return 2;
    }
    if (o.version) {
        if (o.json)
            std::printf("%s\n", engine::capabilities_json("glmdesk-bench").c_str());
        else
            std::printf("%s\n", engine::version_line("glmdesk-bench").c_str());
        return 0;
    }
    if (o.vulkan_device >= 0 && o.backend != "vulkan")
        return fail("--vulkan-device needs --backend vulkan", 2);
    // A device index past the last device is a usage error, reported before any weights are made.
    if (o.backend == "vulkan")
        if (engine::Status s = engine::check_vulkan_device(o.vulkan_device); !s.ok())
            return fail(s.message(), s.code() == engine::StatusCode::InvalidArgument ? 2 : 1);
    if (!o.synthetic.empty())
        return run_synthetic(o);
    if (!o.membw) {
        print_usage(stderr);
        return 2;
    }
    const auto r = glmdesk::bench::measure_read_bandwidth(static_cast<std::size_t>(o.mib) << 20,
                                                          o.threads, o.reps);
    if (o.json) {
        std::printf("{\"membw\":{\"best_gb_per_s\":%.2f,\"median_gb_per_s\":%.2f,\"bytes\":%zu,"
                    "\"threads\":%d}}\n",
                    r.best_gb_per_s, r.median_gb_per_s, r.bytes, r.threads);
    } else {
        std::printf("host memory read bandwidth: %.2f GB/s best, %.2f GB/s median "
                    "(%zu MiB, %d threads, %d reps)\n",
                    r.best_gb_per_s, r.median_gb_per_s, r.bytes >> 20, r.threads, o.reps);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    // The engine reports errors as values; what can still throw is the standard library
    // (allocation, JSON): a script gets a message and a status, never an abort.
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        return fail(std::string("internal error: ") + e.what());
    } catch (...) {
        return fail("internal error");
    }
}
