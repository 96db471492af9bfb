// Synthetic GLM-4.5 models: valid random blocks of the intended scale, deterministic from the seed
// whatever the thread count, a forward pass that stays finite and routes over many experts, the
// llama-quantize Q4_K_M rule (checked against the air-mini fixture when it is here), and a GGUF
// written from the model that the engine's own loader turns into bit-identical logits.
#include "engine/io/gguf_reader.h"
#include "engine/io/gguf_writer.h"
#include "engine/io/model_info.h"
#include "engine/model/glm45_loader.h"
#include "engine/model/synthetic_model.h"
#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"
#include "engine/tokenizer/gguf_vocab.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>

namespace glmdesk::test {
namespace {

using namespace engine;

SyntheticModel build(const std::string &format, std::uint64_t seed = 7, int threads = 2,
                     int layers = 3, bool mtp = false)
{
    SyntheticOptions o;
    o.mtp = mtp;
    o.preset = "air-mini";
    o.format = format;
    o.seed = seed;
    o.n_threads = threads;
    o.n_layers = layers;
    auto m = SyntheticModel::build(o);
    EXPECT_TRUE(m) << m.status().to_string();
    return std::move(m).value();
}

std::vector<std::int32_t> random_ids(int n, int vocab, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    for (auto &id : ids)
        id = static_cast<std::int32_t>(rng() % static_cast<std::uint32_t>(vocab));
    return ids;
}

// A scratch folder removed at the end of the test.
struct ScratchDir
{
    ScratchDir()
    {
        path = std::filesystem::temp_directory_path() /
               ("glmdesk-synthetic-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::filesystem::path path;
};

TEST(SyntheticModel, MatchesThePresetDims)
{
    const SyntheticModel m = build("q8_0");
    const Glm45Dims &d = m.dims();
    EXPECT_EQ(d.n_embd, 256);
    EXPECT_EQ(d.n_layers, 3);
    EXPECT_EQ(d.n_dense_layers, 1);
    EXPECT_EQ(d.n_heads, 8);
    EXPECT_EQ(d.n_kv_heads, 2);
    EXPECT_EQ(d.head_dim, 64);
    EXPECT_EQ(d.rotary_dim, 32);
    EXPECT_EQ(d.n_experts, 16);
    EXPECT_EQ(d.n_experts_used, 4);
    EXPECT_EQ(d.n_vocab, 1600);
    ASSERT_EQ(m.weights().layers.size(), 3u);
    EXPECT_FALSE(m.weights().layers[0].is_moe());
    EXPECT_TRUE(m.weights().layers[1].is_moe());
    EXPECT_EQ(m.weights().layers[2].exp_down.size(), 16u);
    EXPECT_EQ(m.weights().layers[2].exp_down[5].row_len, 256);
    EXPECT_EQ(m.weights().layers[2].exp_down[5].n_rows, 256);

    auto air = synthetic_preset_config("air");
    ASSERT_TRUE(air);
    EXPECT_EQ(air->n_embd, 4096u);
    EXPECT_EQ(air->n_head, 96u);
    EXPECT_EQ(air->n_head_kv, 8u);
    EXPECT_EQ(air->head_dim, 128u);
    EXPECT_EQ(air->n_expert, 128u);
    EXPECT_EQ(air->n_expert_used, 8u);
    EXPECT_EQ(air->n_ff_exp, 1408u);
    EXPECT_EQ(air->n_ff, 10944u);
    EXPECT_EQ(air->n_vocab, 151552u);
    EXPECT_EQ(air->n_layer, 46u);
    EXPECT_EQ(air->n_rot, 64u);
}

TEST(SyntheticModel, RefusesBadOptions)
{
    SyntheticOptions o;
    o.preset = "gpt-5";
    EXPECT_EQ(SyntheticModel::build(o).status().code(), StatusCode::InvalidArgument);
    o.preset = "air-mini";
    o.format = "q9_9";
    EXPECT_EQ(SyntheticModel::build(o).status().code(), StatusCode::InvalidArgument);
    o.format = "iq2_xxs"; // a real format the generator (and the engine) does not produce
    EXPECT_EQ(SyntheticModel::build(o).status().code(), StatusCode::InvalidArgument);
    o.format = "q8_0";
    for (const int layers : {-1, 4, 1000}) {
        o.n_layers = layers;
        const Status s = SyntheticModel::build(o).status();
        EXPECT_EQ(s.code(), StatusCode::InvalidArgument) << layers;
    }
    o.n_layers = 1; // a dense layer alone is a valid model
    auto one = SyntheticModel::build(o);
    ASSERT_TRUE(one) << one.status().to_string();
    EXPECT_EQ(one->dims().n_layers, 1);
}

TEST(SyntheticModel, IsDeterministicFromTheSeedAlone)
{
    const SyntheticModel a = build("q4_k_m", 11, 1);
    const SyntheticModel b = build("q4_k_m", 11, 2);
    const SyntheticModel c = build("q4_k_m", 12, 2);
    ASSERT_EQ(a.tensors().size(), b.tensors().size());
    std::size_t differ_from_c = 0;
    for (std::size_t i = 0; i < a.tensors().size(); ++i) {
        const auto &ta = a.tensors()[i], &tb = b.tensors()[i], &tc = c.tensors()[i];
        ASSERT_EQ(ta.data.size(), tb.data.size());
        EXPECT_EQ(std::memcmp(ta.data.data(), tb.data.data(), ta.data.size()), 0) << ta.name;
        differ_from_c += std::memcmp(ta.data.data(), tc.data.data(), ta.data.size()) != 0;
    }
    EXPECT_EQ(differ_from_c, a.tensors().size());
}

// Each matrix decodes to mean ~0 and RMS ~1/sqrt(row length) (the design target), with positive
// finite block scales; norms near 1, biases small.
TEST(SyntheticModel, WeightsHaveTheIntendedScale)
{
    for (const char *format : {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl", "q2_k", "q3_k",
                               "q4_k", "q5_k", "q6_k", "iq4_xs", "bf16", "f16", "f32"}) {
        const SyntheticModel m = build(format);
        for (const auto &t : m.tensors()) {
            std::uint64_t n = 1;
            for (auto d : t.dims)
                n *= d;
            std::vector<float> v(n);
            ASSERT_TRUE(dequantize_row(t.format, t.data.data(), n, v.data())) << t.name;
            double sum = 0, sum_sq = 0;
            for (float x : v) {
                ASSERT_TRUE(std::isfinite(x)) << t.name;
                sum += x;
                sum_sq += double(x) * x;
            }
            const double mean = sum / double(n), rms = std::sqrt(sum_sq / double(n));
            const std::string where = std::string(format) + " " + t.name;
            if (t.dims.size() == 1 && t.name.find("norm") != std::string::npos) {
                EXPECT_NEAR(mean, 1.0, 0.01) << where;
            } else if (t.dims.size() == 1) {
                EXPECT_LT(std::abs(mean), 0.02) << where;
                EXPECT_GT(rms, 0.01) << where;
                EXPECT_LT(rms, 0.1) << where;
            } else {
                const double target =
                    t.kind == WeightKind::TokenEmbd ? 1.0 : 1.0 / std::sqrt(double(t.dims[0]));
                EXPECT_NEAR(rms / target, 1.0, 0.15) << where;
                // Q4_0 and Q5_0 codes are not symmetric (q - 8 over 0..15): a mean of -0.1 RMS.
                EXPECT_LT(std::abs(mean), 0.15 * target) << where;
            }
        }
    }
    // Block scales: positive and finite (subnormal binary16 allowed, as in real files).
    const SyntheticModel m = build("q4_k");
    // The first q4_K tensor (norms and biases are f32).
    const SyntheticModel::Tensor *q = nullptr;
    for (const auto &x : m.tensors())
        if (x.format == BlockFormat::Q4_K && !q)
            q = &x;
    ASSERT_NE(q, nullptr);
    for (std::size_t b = 0; b < q->data.size() / sizeof(BlockQ4_K); ++b) {
        BlockQ4_K block;
        std::memcpy(&block, q->data.data() + b * sizeof block, sizeof block);
        const float d = fp16_to_float(block.d), dmin = fp16_to_float(block.dmin);
        ASSERT_TRUE(std::isfinite(d) && d >= 0x1p-18f) << b;
        ASSERT_TRUE(std::isfinite(dmin) && dmin > 0.0f) << b;
    }
}

TEST(SyntheticModel, ForwardStaysFiniteAndRoutesWidely)
{
    for (const char *format : {"q4_k_m", "q8_0", "iq4_xs", "bf16"}) {
        const SyntheticModel m = build(format);
        CpuOptions cpu;
        cpu.n_threads = 2;
        auto model = Glm45CpuModel::create(m.dims(), m.weights(), 64, cpu);
        ASSERT_TRUE(model) << model.status().to_string();
        std::set<int> experts;
        double max_residual = 0.0;
        ForwardTrace trace;
        trace.router = [&](int, std::span<const int> e, std::span<const float>) {
            experts.insert(e.begin(), e.end());
        };
        trace.layer_out = [&](int, std::span<const float> r) {
            for (float x : r)
                max_residual = std::max(max_residual, double(std::abs(x)));
        };
        auto logits = model->forward(random_ids(24, 1600, 3), true, &trace);
        ASSERT_TRUE(logits) << logits.status().to_string();
        ASSERT_EQ(logits->size(), 24u * 1600u);
        double max_abs = 0.0;
        for (float x : *logits) {
            ASSERT_TRUE(std::isfinite(x)) << format;
            max_abs = std::max(max_abs, double(std::abs(x)));
        }
        // Unit-scale projections: neither vanishing nor blowing up.
        EXPECT_GT(max_abs, 0.5) << format;
        EXPECT_LT(max_abs, 100.0) << format;
        EXPECT_LT(max_residual, 1000.0) << format;
        // 24 tokens x 4 of 16 experts x 2 MoE layers: a router that works touches most of them.
        EXPECT_GE(experts.size(), 12u) << format;
    }
}

TEST(SyntheticModel, FollowsLlamaQuantizeQ4KMRule)
{
    // Air's rows of 1408 and 10944 are not whole 256-blocks: llama-quantize's fallbacks.
    const auto fmt = [](WeightKind k, int layer, int n, std::uint64_t row) {
        return *synthetic_tensor_format("q4_k_m", k, layer, n, row);
    };
    EXPECT_EQ(fmt(WeightKind::ExpDown, 2, 4, 1408), BlockFormat::Q8_0); // q6_K layer
    EXPECT_EQ(fmt(WeightKind::ExpDown, 1, 4, 1408), BlockFormat::Q5_0); // q4_K layer
    EXPECT_EQ(fmt(WeightKind::ExpGate, 1, 4, 4096), BlockFormat::Q4_K);
    EXPECT_EQ(fmt(WeightKind::FfnDown, 0, 47, 10944), BlockFormat::Q8_0);
    EXPECT_EQ(fmt(WeightKind::Output, -1, 4, 4096), BlockFormat::Q6_K);
    EXPECT_EQ(fmt(WeightKind::Router, 1, 4, 4096), BlockFormat::F32);
    EXPECT_EQ(*synthetic_tensor_format("iq4_xs", WeightKind::ExpDown, 1, 4, 1408),
              BlockFormat::IQ4_NL);
    EXPECT_EQ(*synthetic_tensor_format("q6_k", WeightKind::ExpDown, 1, 4, 1408), BlockFormat::Q8_0);
    EXPECT_FALSE(synthetic_tensor_format("q7_k", WeightKind::ExpDown, 1, 4, 1408));

    // llama-quantize's own air-mini Q4_K_M (3 layers + the MTP layer, i.e. 4 blocks): every
    // tensor has the format the rule gives for 4 blocks.
    const auto fixtures = shared_fixtures_dir();
    if (!fixtures)
        GTEST_SKIP() << "../shared/fixtures is absent: the rule is checked on its own only";
    auto r = GgufReader::open(*fixtures / "air-mini" / "gguf" / "air-mini-q4_k_m.gguf");
    ASSERT_TRUE(r) << r.status().to_string();
    auto cfg = synthetic_preset_config("air-mini");
    ASSERT_TRUE(cfg);
    int checked = 0;
    for (const GgufTensor &t : r->tensors()) {
        int layer = -1;
        if (t.name.starts_with("blk."))
            layer = std::stoi(t.name.substr(4));
        bool found = false;
        for (int k = 0; k <= static_cast<int>(WeightKind::NextnSharedHeadHead); ++k) {
            const auto kind = static_cast<WeightKind>(k);
            if (gguf_weight_name(kind, layer) != t.name)
                continue;
            found = true;
            EXPECT_EQ(fmt(kind, layer, 4, t.dims[0]), t.format) << t.name;
            ++checked;
        }
        EXPECT_TRUE(found) << t.name;
    }
    EXPECT_EQ(checked, static_cast<int>(r->tensors().size()));
}

TEST(SyntheticModel, ByteVocabularyTokenizes)
{
    for (const std::uint32_t n : {1600u, 151552u}) {
        auto v = synthetic_byte_vocab(n);
        ASSERT_TRUE(v) << v.status().to_string();
        ASSERT_EQ(v->tokens.size(), n);
        auto tok = Tokenizer::from_vocab(v->tokens, v->token_types, v->merges, v->pre);
        ASSERT_TRUE(tok) << tok.status().to_string();
        const std::uint32_t first = n == 151552u ? 151329u : n - 36u;
        EXPECT_EQ(tok->special_id("<|endoftext|>"), static_cast<TokenId>(first));
        EXPECT_EQ(tok->special_id("<|user|>"), static_cast<TokenId>(first + 7));
        EXPECT_EQ(tok->special_id("<|video|>"), static_cast<TokenId>(first + 35));
        const std::string text = "héllo, 世界\n";
        auto ids = tok->encode(text, SpecialTokens::AsText);
        ASSERT_TRUE(ids);
        EXPECT_EQ(ids->size(), text.size()); // one token per byte: no merges
        EXPECT_EQ(tok->decode(*ids), text);
    }
    EXPECT_EQ(synthetic_byte_vocab(291).status().code(), StatusCode::InvalidArgument);
}

// The in-memory model and the engine's loader on the GGUF written from it: same logits, bit for
// bit, for a mix of formats; the file carries a working tokenizer.
TEST(SyntheticModel, WrittenGgufLoadsToIdenticalLogits)
{
    ScratchDir dir;
    for (const char *format : {"q4_k_m", "q8_0", "bf16"}) {
        const bool mtp = std::string(format) != "bf16"; // with and without the MTP layer
        const SyntheticModel m = build(format, 5, 2, 3, mtp);
        GgufWriter w;
        ASSERT_TRUE(m.add_to_gguf(w));
        auto vocab = synthetic_byte_vocab(1600);
        ASSERT_TRUE(vocab);
        ASSERT_TRUE(add_vocab_to_gguf(w, *vocab));
        const auto path = dir.path / (std::string(format) + ".gguf");
        ASSERT_TRUE(w.write(path));

        auto files = ModelFiles::open(path);
        ASSERT_TRUE(files) << files.status().to_string();
        EXPECT_EQ(files->config().n_layer, 3u);
        EXPECT_EQ(files->config().n_expert, 16u);
        EXPECT_EQ(files->config().n_rot, 32u);
        EXPECT_EQ(files->config().rope_theta, 1.0e6f);
        auto loaded = glm45_model(*files);
        ASSERT_TRUE(loaded) << loaded.status().to_string();
        auto tok = tokenizer_from_gguf(*files->gguf());
        ASSERT_TRUE(tok) << tok.status().to_string();
        EXPECT_TRUE(tok->special_id("[gMASK]").has_value());
        EXPECT_EQ(*files->gguf()->get_string("general.architecture"), "glm4moe");
        EXPECT_EQ(*files->gguf()->get_u32("glm4moe.block_count"), mtp ? 4u : 3u);
        EXPECT_EQ(files->config().n_nextn, mtp ? 1u : 0u);

        CpuOptions cpu;
        cpu.n_threads = 2;
        auto a = Glm45CpuModel::create(m.dims(), m.weights(), 64, cpu);
        auto b = Glm45CpuModel::create(loaded->dims, loaded->weights, 64, cpu);
        ASSERT_TRUE(a) << a.status().to_string();
        ASSERT_TRUE(b) << b.status().to_string();
        const auto ids = random_ids(12, 1600, 9);
        auto la = a->forward(ids, true);
        auto lb = b->forward(ids, true);
        ASSERT_TRUE(la && lb);
        ASSERT_EQ(la->size(), lb->size());
        EXPECT_EQ(std::memcmp(la->data(), lb->data(), la->size() * sizeof(float)), 0) << format;
        // And a decode step after the prompt.
        const std::int32_t next = 42;
        auto da = a->forward(std::span(&next, 1), false);
        auto db = b->forward(std::span(&next, 1), false);
        ASSERT_TRUE(da && db);
        EXPECT_EQ(std::memcmp(da->data(), db->data(), da->size() * sizeof(float)), 0) << format;
        ASSERT_EQ(a->has_mtp(), mtp);
        ASSERT_EQ(b->has_mtp(), mtp);
        if (mtp) { // the MTP layer's draft logits, from the same hidden state and token
            const std::vector<float> hidden = a->last_hidden();
            const std::int32_t draft_input = 7;
            auto ma = a->mtp_forward(hidden, std::span(&draft_input, 1), false);
            auto mb = b->mtp_forward(hidden, std::span(&draft_input, 1), false);
            ASSERT_TRUE(ma) << ma.status().to_string();
            ASSERT_TRUE(mb) << mb.status().to_string();
            ASSERT_EQ(ma->size(), 1600u);
            for (float x : *ma)
                ASSERT_TRUE(std::isfinite(x));
            EXPECT_EQ(std::memcmp(ma->data(), mb->data(), ma->size() * sizeof(float)), 0);
        }
    }
}

} // namespace
} // namespace glmdesk::test
