// The CPU forward pass on tests/data/model/glm45-shape, a tiny random model with GLM-4.5 (full)'s
// shape features that air-mini lacks: QK-norm, routed_scaling_factor 2.5, three leading dense
// layers, a head size that is not hidden / heads, and an MTP layer without its own embedding and
// head. The oracle is transformers in float64 (tools/gen_fixtures/gen_glm45_shape.py); the data
// is in the repository, so these tests run everywhere, CI included.
#include "engine/io/model_info.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/glm45_loader.h"
#include "tests/support/reference_tensors.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>

using namespace glmdesk::engine;
using glmdesk::test::ReferenceTensor;

namespace {

const std::filesystem::path k_dir = std::filesystem::path(GLMDESK_TEST_DATA) / "model/glm45-shape";

double max_rel(std::span<const float> got, std::span<const float> want)
{
    return glmdesk::test::max_rel_error(got, want);
}

int argmax(std::span<const float> row)
{
    return static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
}

// Whether a reference row's winner is clear of float32 rounding: its top-2 gap is at least 1e-3
// of its largest magnitude (reference.json lists the smallest gaps; one `random` position is 1e-4).
bool clear_winner(std::span<const float> row)
{
    std::vector<float> v(row.begin(), row.end());
    std::nth_element(v.begin(), v.begin() + 1, v.end(), std::greater<>());
    float scale = 0.0f;
    for (float x : row)
        scale = std::max(scale, std::fabs(x));
    return v[0] - v[1] >= 1e-3f * scale;
}

class ForwardShape : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        for (const char *source : {"glm45-shape-bf16.gguf", "hf"}) {
            auto files = ModelFiles::open(k_dir / source);
            ASSERT_TRUE(files) << files.status().to_string();
            auto model = glm45_model(*files);
            ASSERT_TRUE(model) << model.status().to_string();
            s_files.push_back(std::make_unique<ModelFiles>(std::move(files).value()));
            s_models.push_back(std::make_unique<Glm45Model>(std::move(model).value()));
        }
        auto ref = glmdesk::test::load_reference_tensors(k_dir / "reference.safetensors");
        ASSERT_TRUE(ref);
        s_ref = std::make_unique<std::map<std::string, ReferenceTensor>>(std::move(*ref));
    }
    static void TearDownTestSuite()
    {
        s_models.clear();
        s_files.clear();
        s_ref.reset();
    }

    // source 0: the bf16 GGUF; 1: the Hugging Face folder.
    static Glm45CpuModel make_model(int source, int n_ctx = 256, KvType kv = KvType::F16,
                                    MatmulPath path = MatmulPath::Exact, int max_batch = 512)
    {
        const Glm45Model &m = *s_models.at(static_cast<std::size_t>(source));
        CpuOptions options;
        options.kv_type = kv;
        options.max_batch = max_batch;
        options.matmul = path;
        options.n_threads = 2;
        auto model = Glm45CpuModel::create(m.dims, m.weights, n_ctx, options);
        EXPECT_TRUE(model) << model.status().to_string();
        return std::move(model).value();
    }

    static const ReferenceTensor &ref(const std::string &name)
    {
        const auto it = s_ref->find(name);
        if (it == s_ref->end()) {
            ADD_FAILURE() << "reference tensor " << name << " missing";
            static const ReferenceTensor empty;
            return empty;
        }
        return it->second;
    }

    static inline std::vector<std::unique_ptr<ModelFiles>> s_files;
    static inline std::vector<std::unique_ptr<Glm45Model>> s_models;
    static inline std::unique_ptr<std::map<std::string, ReferenceTensor>> s_ref;
};

class ForwardShapeSource : public ForwardShape, public ::testing::WithParamInterface<int>
{};

class ForwardShapePrompt : public ForwardShape,
                           public ::testing::WithParamInterface<std::tuple<const char *, int>>
{};

} // namespace

// Both files say what the generator wrote: the features under test are really switched on.
TEST_P(ForwardShapeSource, LoaderReadsTheShapeFeatures)
{
    const Glm45Dims &d = s_models.at(static_cast<std::size_t>(GetParam()))->dims;
    EXPECT_TRUE(d.use_qk_norm);
    EXPECT_EQ(d.n_dense_layers, 3);
    EXPECT_EQ(d.n_layers, 5);
    EXPECT_FLOAT_EQ(d.routed_scaling_factor, 2.5f);
    EXPECT_EQ(d.head_dim, 32);
    EXPECT_EQ(d.n_heads * d.head_dim, 2 * d.n_embd);
    EXPECT_EQ(d.rotary_dim, 16);
    EXPECT_EQ(d.n_experts, 8);
    EXPECT_EQ(d.n_experts_used, 2);
    const Glm45Weights &w = s_models.at(static_cast<std::size_t>(GetParam()))->weights;
    ASSERT_TRUE(w.mtp.has_value());
    EXPECT_FALSE(w.mtp->embed.present()) << "the fixture's MTP layer has no embedding of its own";
    EXPECT_TRUE(w.layers[2].ffn_gate.present());
    EXPECT_FALSE(w.layers[2].is_moe());
    EXPECT_TRUE(w.layers[3].is_moe());
    EXPECT_TRUE(make_model(GetParam()).has_mtp());
}

TEST_P(ForwardShapePrompt, MatchesTransformers)
{
    const std::string p = std::get<0>(GetParam());
    const std::vector<std::int32_t> ids = ref(p + ".ids").i32;
    ASSERT_FALSE(ids.empty());
    Glm45CpuModel model = make_model(std::get<1>(GetParam()));
    const auto V = static_cast<std::size_t>(model.dims().n_vocab);
    std::map<int, std::vector<float>> layer_out;
    std::map<int, std::pair<std::vector<int>, std::vector<float>>> routes;
    std::vector<float> final_norm;
    ForwardTrace trace;
    trace.layer_out = [&](int l, std::span<const float> x) {
        layer_out[l].assign(x.begin(), x.end());
    };
    trace.router = [&](int l, std::span<const int> e, std::span<const float> w) {
        routes[l] = {{e.begin(), e.end()}, {w.begin(), w.end()}};
    };
    trace.final_norm = [&](std::span<const float> h) { final_norm.assign(h.begin(), h.end()); };
    auto logits = model.forward(ids, true, &trace);
    ASSERT_TRUE(logits) << logits.status().to_string();
    ASSERT_EQ(logits->size(), ids.size() * V);

    const auto &want = ref(p + ".logits").f32;
    ASSERT_EQ(want.size(), logits->size());
    const auto &want_argmax = ref(p + ".argmax").i32;
    int clear = 0;
    for (std::size_t t = 0; t < ids.size(); ++t) {
        const std::span<const float> g(logits->data() + t * V, V), w(want.data() + t * V, V);
        EXPECT_LT(max_rel(g, w), 1e-3) << "position " << t;
        if (clear_winner(w)) {
            EXPECT_EQ(argmax(g), want_argmax[t]) << "position " << t;
            ++clear;
        }
    }
    EXPECT_GE(clear, static_cast<int>(ids.size()) - 1);
    ASSERT_EQ(layer_out.size(), 5u);
    for (const auto &[l, x] : layer_out)
        EXPECT_LT(max_rel(x, ref(p + ".layer_out." + std::to_string(l)).f32), 1e-3)
            << "layer " << l;
    EXPECT_LT(max_rel(final_norm, ref(p + ".final_norm").f32), 1e-3);
    ASSERT_EQ(routes.size(), 2u) << "layers 3 and 4 are the MoE layers";
    for (const auto &[l, r] : routes) {
        EXPECT_EQ(r.first, ref(p + ".router_idx." + std::to_string(l)).i32) << "layer " << l;
        // The weights carry routed_scaling_factor: with top-2 normalised they sum to 2.5.
        EXPECT_LT(max_rel(r.second, ref(p + ".router_w." + std::to_string(l)).f32), 1e-3);
        EXPECT_NEAR(r.second[0] + r.second[1], 2.5f, 1e-4);
    }
}

TEST_P(ForwardShapePrompt, GreedyMatchesTransformers)
{
    const std::string p = std::get<0>(GetParam());
    const std::vector<std::int32_t> ids = ref(p + ".ids").i32;
    const std::vector<std::int32_t> &want = ref(p + ".greedy").i32;
    ASSERT_EQ(want.size(), 32u);
    Glm45CpuModel model = make_model(std::get<1>(GetParam()));
    auto logits = model.forward(ids, false);
    ASSERT_TRUE(logits) << logits.status().to_string();
    std::vector<std::int32_t> got;
    for (std::size_t i = 0; i < want.size(); ++i) {
        got.push_back(argmax(*logits));
        logits = model.forward(std::span(&got.back(), 1), false);
        ASSERT_TRUE(logits) << logits.status().to_string();
    }
    EXPECT_EQ(got, want);
}

// The long prompt keeps only its last 8 logit rows in the fixture.
TEST_P(ForwardShapeSource, LongPromptTailMatchesTransformers)
{
    const std::vector<std::int32_t> ids = ref("long.ids").i32;
    Glm45CpuModel model = make_model(GetParam());
    auto logits = model.forward(ids, true);
    ASSERT_TRUE(logits) << logits.status().to_string();
    const auto V = static_cast<std::size_t>(model.dims().n_vocab);
    const std::span<const float> tail(logits->data() + (ids.size() - 8) * V, 8 * V);
    EXPECT_LT(max_rel(tail, ref("long.logits_tail").f32), 1e-3);
    const auto &want_argmax = ref("long.argmax").i32;
    for (std::size_t t = 0; t < ids.size(); ++t)
        EXPECT_EQ(argmax(std::span<const float>(logits->data() + t * V, V)), want_argmax[t])
            << "position " << t;
}

// The MTP layer (its embedding and head fall back to the main ones) against transformers' own
// decoder-layer module fed the same pairs.
TEST_P(ForwardShapePrompt, MtpDraftMatchesTransformersLayer)
{
    const std::string p = std::get<0>(GetParam());
    const std::vector<std::int32_t> ids = ref(p + ".ids").i32;
    const auto &want = ref(p + ".mtp_logits").f32;
    Glm45CpuModel model = make_model(std::get<1>(GetParam()));
    ASSERT_TRUE(model.forward(ids, false));
    const std::vector<float> hidden = model.last_hidden();
    const auto T = ids.size(), H = static_cast<std::size_t>(model.dims().n_embd);
    const auto V = static_cast<std::size_t>(model.dims().n_vocab);
    auto draft =
        model.mtp_forward(std::span(hidden).first((T - 1) * H), std::span(ids).subspan(1), true);
    ASSERT_TRUE(draft) << draft.status().to_string();
    ASSERT_EQ(draft->size(), want.size());
    for (std::size_t r = 0; r + 1 < T; ++r)
        EXPECT_LT(max_rel(std::span<const float>(draft->data() + r * V, V),
                          std::span<const float>(want.data() + r * V, V)),
                  1e-3)
            << "row " << r;
}

INSTANTIATE_TEST_SUITE_P(Sources, ForwardShapeSource, ::testing::Values(0, 1),
                         [](const auto &param_info) {
                             return param_info.param == 0 ? "gguf" : "hf";
                         });

INSTANTIATE_TEST_SUITE_P(Prompts, ForwardShapePrompt,
                         ::testing::Combine(::testing::Values("short", "random"),
                                            ::testing::Values(0, 1)),
                         [](const auto &param_info) {
                             return std::string(std::get<0>(param_info.param)) +
                                    (std::get<1>(param_info.param) == 0 ? "_gguf" : "_hf");
                         });

// Greedy on the long prompt too (its KV cache is the longest the fixture has).
TEST_F(ForwardShape, LongGreedyMatchesTransformers)
{
    const std::vector<std::int32_t> ids = ref("long.ids").i32;
    Glm45CpuModel model = make_model(0);
    auto logits = model.forward(ids, false);
    ASSERT_TRUE(logits);
    std::vector<std::int32_t> got;
    for (int i = 0; i < 32; ++i) {
        got.push_back(argmax(*logits));
        logits = model.forward(std::span(&got.back(), 1), false);
        ASSERT_TRUE(logits);
    }
    EXPECT_EQ(got, ref("long.greedy").i32);
}

// ------------------------------------------------------------------------------- KV cache types

// The bytes per position each cache type costs, from the widths alone: K and V, 2 KV heads of
// 32 values, in 5 decoder layers plus the MTP layer. q8_0 stores 32 values in 34 bytes.
TEST_F(ForwardShape, KvBytesPerTokenOfEachType)
{
    const std::uint64_t rows = 2 * 6 * 2; // K and V, 6 layers, 2 KV heads
    const std::pair<KvType, std::uint64_t> cases[] = {
        {KvType::F32, rows * 32 * 4}, {KvType::F16, rows * 32 * 2}, {KvType::Q8_0, rows * 34}};
    for (const auto &[type, bytes] : cases) {
        const Glm45CpuModel model = make_model(0, 64, type);
        EXPECT_EQ(model.kv_type(), type);
        EXPECT_EQ(model.kv_bytes_per_token(), bytes);
        EXPECT_EQ(kv_bytes_per_token(model.dims(), type, 6), bytes);
    }
    // GLM-4.5-Air: 46 layers + MTP, 8 KV heads of 128: f16 is GLM45_SPEC's 184 KiB (+ MTP).
    Glm45Dims air;
    air.n_kv_heads = 8;
    air.head_dim = 128;
    EXPECT_EQ(kv_bytes_per_token(air, KvType::F16, 46), 184u * 1024u);
    EXPECT_EQ(kv_bytes_per_token(air, KvType::Q8_0, 46), 46u * 2 * 8 * 4 * 34);
}

// q8_0 and f16 caches against f32 over the long prompt and its greedy continuation, prefill then
// decode (the cache is written and read both ways). q8_0 rounds each value to 1/254 of its block's
// largest magnitude, about 20 times f16's error; measured on this fixture (Exact path):
//   residual after layer 0 (the first read of the cache): f16 1.8e-4, q8_0 3.6e-3
//   logits, per row: q8_0 median 4.8e-3, 90th percentile 8.0e-3; argmax 127 of 128 rows
//   logits, whole run: f16 3.3e-4; q8_0 0.31, because at one position an MoE layer's router sits
//   at a near-tie that the perturbation tips to another expert (a jump, not a drift)
// The bounds are about twice the measurements. The maximum over rows is not bounded for q8_0:
// any KV perturbation can tip a near-tie, so it says nothing about the cache's accuracy.
TEST_F(ForwardShape, KvCacheQ8StaysCloseToF32)
{
    std::vector<std::int32_t> ids = ref("long.ids").i32;
    const std::vector<std::int32_t> &greedy = ref("long.greedy").i32;
    ids.insert(ids.end(), greedy.begin(), greedy.end());
    std::map<KvType, std::vector<float>> rows;
    std::map<KvType, std::vector<float>> layer0;
    for (KvType type : {KvType::F32, KvType::F16, KvType::Q8_0}) {
        Glm45CpuModel model = make_model(0, 256, type);
        ForwardTrace trace;
        trace.layer_out = [&](int l, std::span<const float> x) {
            if (l == 0)
                layer0[type].assign(x.begin(), x.end());
        };
        const std::size_t prefill = ids.size() - 16;
        auto first = model.forward(std::span(ids).first(prefill), true, &trace);
        ASSERT_TRUE(first);
        std::vector<float> all = std::move(first).value();
        for (std::size_t i = prefill; i < ids.size(); ++i) {
            auto one = model.forward(std::span(ids).subspan(i, 1), false);
            ASSERT_TRUE(one);
            all.insert(all.end(), one->begin(), one->end());
        }
        rows[type] = std::move(all);
    }
    const double layer0_f16 = max_rel(layer0[KvType::F16], layer0[KvType::F32]);
    const double layer0_q8 = max_rel(layer0[KvType::Q8_0], layer0[KvType::F32]);
    const auto V = static_cast<std::size_t>(s_models[0]->dims.n_vocab);
    std::vector<double> row_err;
    int agree = 0;
    for (std::size_t t = 0; t + V <= rows[KvType::F32].size(); t += V) {
        const std::span<const float> q8(rows[KvType::Q8_0].data() + t, V),
            f32(rows[KvType::F32].data() + t, V);
        row_err.push_back(max_rel(q8, f32));
        agree += argmax(q8) == argmax(f32);
    }
    std::sort(row_err.begin(), row_err.end());
    const double median = row_err[row_err.size() / 2], p90 = row_err[row_err.size() * 9 / 10];
    const double f16 = max_rel(rows[KvType::F16], rows[KvType::F32]);
    std::printf("KV cache vs f32 over %zu positions: layer 0 f16 %.2e q8_0 %.2e; logits f16 %.2e, "
                "q8_0 per row median %.2e p90 %.2e max %.2e, argmax %d/%zu\n",
                ids.size(), layer0_f16, layer0_q8, f16, median, p90, row_err.back(), agree,
                row_err.size());
    EXPECT_GT(layer0_q8, 4 * layer0_f16) << "q8_0 should round far more coarsely than f16";
    EXPECT_LT(layer0_q8, 8e-3);
    EXPECT_LT(f16, 7e-4);
    EXPECT_LT(median, 1e-2);
    EXPECT_LT(p90, 1.6e-2);
    EXPECT_GE(agree, static_cast<int>(row_err.size()) - 4);
}

TEST_F(ForwardShape, KvQ8NeedsWholeBlocksPerHead)
{
    Glm45Dims d = s_models[0]->dims;
    d.head_dim = 48; // not a multiple of 32
    d.rotary_dim = 24;
    CpuOptions options;
    options.kv_type = KvType::Q8_0;
    auto model = Glm45CpuModel::create(d, s_models[0]->weights, 64, options);
    ASSERT_FALSE(model);
    EXPECT_EQ(model.status().code(), StatusCode::Unsupported);
}

// ------------------------------------------------------------------------ batches of a long prompt

// A prompt longer than CpuOptions::max_batch runs in batches (64 here, to keep the test quick; 512
// by default); the result equals feeding the same tokens in small calls (float rounding aside),
// and a trace still sees whole-prompt tensors.
TEST_F(ForwardShape, LongPromptRunsInBatches)
{
    const int batch = 64, n = 3 * batch + 17;
    std::mt19937 rng(7);
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    for (auto &t : ids)
        t = static_cast<std::int32_t>(rng() % 250);
    Glm45CpuModel one_call = make_model(0, 256, KvType::F32, MatmulPath::Exact, batch);
    EXPECT_EQ(one_call.max_batch(), batch);
    std::size_t traced_layer_rows = 0, traced_routes = 0, traced_norm = 0;
    ForwardTrace trace;
    trace.layer_out = [&](int l, std::span<const float> x) {
        if (l == 4)
            traced_layer_rows = x.size();
    };
    trace.router = [&](int l, std::span<const int> e, std::span<const float>) {
        if (l == 3)
            traced_routes = e.size();
    };
    trace.final_norm = [&](std::span<const float> h) { traced_norm = h.size(); };
    auto batched = one_call.forward(ids, true, &trace);
    ASSERT_TRUE(batched) << batched.status().to_string();
    const auto H = static_cast<std::size_t>(one_call.dims().n_embd);
    EXPECT_EQ(traced_layer_rows, ids.size() * H);
    EXPECT_EQ(traced_routes, ids.size() * 2);
    EXPECT_EQ(traced_norm, ids.size() * H);
    EXPECT_EQ(one_call.n_past(), n);

    Glm45CpuModel pieces = make_model(0, 256, KvType::F32);
    std::vector<float> fed;
    for (int b = 0; b < n; b += 50) {
        const auto len = static_cast<std::size_t>(std::min(50, n - b));
        auto part = pieces.forward(std::span(ids).subspan(static_cast<std::size_t>(b), len), true);
        ASSERT_TRUE(part);
        fed.insert(fed.end(), part->begin(), part->end());
    }
    ASSERT_EQ(fed.size(), batched->size());
    EXPECT_LT(max_rel(*batched, fed), 1e-5);

    // Last row only: the same numbers as the last row of all of them.
    Glm45CpuModel last = make_model(0, 256, KvType::F32, MatmulPath::Exact, batch);
    auto tail = last.forward(ids, false);
    ASSERT_TRUE(tail);
    const auto V = static_cast<std::size_t>(last.dims().n_vocab);
    ASSERT_EQ(tail->size(), V);
    EXPECT_LT(max_rel(*tail, std::span<const float>(batched->data() + (ids.size() - 1) * V, V)),
              1e-6);

    // The MTP layer batches the same way.
    auto drafts_once =
        one_call.mtp_forward(std::span(one_call.last_hidden()).first((ids.size() - 1) * H),
                             std::span(ids).subspan(1), true);
    ASSERT_TRUE(drafts_once) << drafts_once.status().to_string();
    EXPECT_EQ(drafts_once->size(), (ids.size() - 1) * V);
    EXPECT_EQ(one_call.mtp_n_past(), n - 1);
}

// Generation's prefill keeps one hidden row and runs the prompt's MTP pairs batch by batch; the
// caches it leaves must be the ones forward() + mtp_forward() over the whole prompt leave: the
// same next logits, the same next draft. A cancelled prefill leaves both caches untouched.
TEST_F(ForwardShape, PrefillFeedsTheMtpLayerBatchByBatch)
{
    const int batch = 32, n = 3 * batch + 5;
    std::mt19937 rng(11);
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    for (auto &t : ids)
        t = static_cast<std::int32_t>(rng() % 250);
    Glm45CpuModel whole = make_model(0, 256, KvType::F32, MatmulPath::Exact, 1024);
    const auto H = static_cast<std::size_t>(whole.dims().n_embd);
    auto want = whole.forward(ids, false);
    ASSERT_TRUE(want);
    const std::vector<float> hidden = whole.last_hidden();
    ASSERT_TRUE(whole.mtp_forward(std::span(hidden).first((ids.size() - 1) * H),
                                  std::span(ids).subspan(1), false));

    Glm45CpuModel pre = make_model(0, 256, KvType::F32, MatmulPath::Exact, batch);
    auto got = pre.prefill(ids, true);
    ASSERT_TRUE(got) << got.status().to_string();
    EXPECT_LT(max_rel(*got, *want), 1e-5);
    ASSERT_EQ(pre.last_hidden().size(), H);
    EXPECT_LT(max_rel(pre.last_hidden(), std::span(hidden).last(H)), 1e-5);
    EXPECT_EQ(pre.n_past(), n);
    EXPECT_EQ(pre.mtp_n_past(), n - 1);

    // The next draft reads the whole MTP cache: equal drafts mean equal caches.
    const std::int32_t next = 17;
    auto draft_whole = whole.mtp_forward(std::span(hidden).last(H), std::span(&next, 1), false);
    auto draft_pre = pre.mtp_forward(pre.last_hidden(), std::span(&next, 1), false);
    ASSERT_TRUE(draft_whole && draft_pre);
    EXPECT_LT(max_rel(*draft_pre, *draft_whole), 1e-5);

    // Without MTP feeding the MTP cache stays where it was.
    Glm45CpuModel plain = make_model(0, 256, KvType::F32, MatmulPath::Exact, batch);
    ASSERT_TRUE(plain.prefill(ids, false));
    EXPECT_EQ(plain.mtp_n_past(), 0);
    EXPECT_EQ(plain.last_hidden().size(), H);

    // Cancelled before its first layer: nothing moves.
    Glm45CpuModel cancelled = make_model(0, 256, KvType::F32, MatmulPath::Exact, batch);
    const std::atomic<bool> stop{true};
    auto none = cancelled.prefill(ids, true, &stop);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.status().code(), StatusCode::Cancelled);
    EXPECT_EQ(cancelled.n_past(), 0);
    EXPECT_EQ(cancelled.mtp_n_past(), 0);
    // MTP feeding needs the MTP cache to end where the main one does.
    ASSERT_TRUE(cancelled.forward(std::span(ids).first(3), false));
    EXPECT_FALSE(cancelled.prefill(std::span(ids).subspan(3), true));
}
