// The CPU forward pass against Hugging Face transformers (fixtures/air-mini/reference.safetensors,
// float64 from the bf16 weights): logits, the residual stream after every layer, the final norm,
// the router's choices and weights, and 32 greedy tokens, for the three reference prompts.
#include "engine/io/model_info.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/glm45_loader.h"
#include "tests/support/reference_tensors.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

using namespace glmdesk::engine;
using glmdesk::test::ReferenceTensor;

namespace {

class ForwardAirMini : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        const auto fixtures = glmdesk::test::shared_fixtures_dir();
        if (!fixtures)
            return;
        for (const char *source : {"gguf/air-mini-bf16.gguf", "hf"}) {
            auto files = ModelFiles::open(*fixtures / "air-mini" / source);
            ASSERT_TRUE(files) << files.status().to_string();
            auto model = glm45_model(*files);
            ASSERT_TRUE(model) << model.status().to_string();
            s_files.push_back(new ModelFiles(std::move(files).value()));
            s_models.push_back(new Glm45Model(std::move(model).value()));
        }
        auto ref =
            glmdesk::test::load_reference_tensors(*fixtures / "air-mini/reference.safetensors");
        ASSERT_TRUE(ref);
        s_ref = new std::map<std::string, ReferenceTensor>(std::move(*ref));
    }
    static void TearDownTestSuite()
    {
        for (auto *m : s_models)
            delete m;
        for (auto *f : s_files)
            delete f;
        s_models.clear();
        s_files.clear();
        delete s_ref;
        s_ref = nullptr;
    }
    void SetUp() override
    {
        if (s_models.empty())
            GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run the oracle)";
    }

    // source 0: the bf16 GGUF; 1: the Hugging Face folder (bf16 safetensors, per-expert tensors).
    // The oracle comparisons run the Exact path (SIMD, float32 activations); see
    // MatmulPathsAgree for Reference and Fast.
    static Glm45CpuModel make_model(int n_ctx, int source = 0, KvType kv_type = KvType::F16,
                                    MatmulPath path = MatmulPath::Exact)
    {
        const Glm45Model &m = *s_models.at(static_cast<std::size_t>(source));
        CpuOptions options;
        options.kv_type = kv_type;
        options.matmul = path;
        auto model = Glm45CpuModel::create(m.dims, m.weights, n_ctx, options);
        EXPECT_TRUE(model) << model.status().to_string();
        return std::move(model).value();
    }

    static const ReferenceTensor &ref(const std::string &name)
    {
        const auto it = s_ref->find(name);
        EXPECT_NE(it, s_ref->end()) << name;
        return it->second;
    }

    static inline std::vector<ModelFiles *> s_files;
    static inline std::vector<Glm45Model *> s_models;
    static inline std::map<std::string, ReferenceTensor> *s_ref = nullptr;
};

// (prompt, source): source 0 = bf16 GGUF, 1 = Hugging Face folder.
class ForwardAirMiniPrompt : public ForwardAirMini,
                             public ::testing::WithParamInterface<std::tuple<const char *, int>>
{};

double max_rel(std::span<const float> got, std::span<const float> want)
{
    return glmdesk::test::max_rel_error(got, want);
}

} // namespace

TEST_P(ForwardAirMiniPrompt, PromptMatchesTransformers)
{
    const std::string p = std::get<0>(GetParam());
    const std::vector<std::int32_t> ids = ref(p + ".ids").i32;
    Glm45CpuModel model = make_model(1024, std::get<1>(GetParam()));
    const int H = model.dims().n_embd, V = model.dims().n_vocab;

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
    const int T = static_cast<int>(ids.size());
    ASSERT_EQ(logits->size(), static_cast<std::size_t>(T) * V);
    EXPECT_EQ(model.n_past(), T);

    if (p == "long") {
        // Only the last 8 rows are stored for the long prompt.
        const auto &tail = ref("long.logits_tail").f32;
        const std::span<const float> got(logits->data() + static_cast<std::size_t>(T - 8) * V,
                                         8 * static_cast<std::size_t>(V));
        EXPECT_LT(max_rel(got, tail), 1e-3);
    } else {
        const auto &want = ref(p + ".logits").f32;
        for (int t = 0; t < T; ++t) {
            const std::span<const float> g(logits->data() + std::size_t(t) * V, V);
            const std::span<const float> w(want.data() + std::size_t(t) * V, V);
            EXPECT_LT(max_rel(g, w), 1e-3) << "position " << t;
        }
        for (const auto &[l, x] : layer_out)
            EXPECT_LT(max_rel(x, ref(p + ".layer_out." + std::to_string(l)).f32), 1e-3)
                << "layer " << l;
        EXPECT_LT(max_rel(final_norm, ref(p + ".final_norm").f32), 1e-3);
        for (const auto &[l, r] : routes) {
            const auto &want_idx = ref(p + ".router_idx." + std::to_string(l)).i32;
            const auto &want_w = ref(p + ".router_w." + std::to_string(l)).f32;
            ASSERT_EQ(r.first.size(), want_idx.size());
            int differing = 0;
            for (std::size_t i = 0; i < want_idx.size(); ++i)
                differing += r.first[i] != want_idx[i];
            EXPECT_EQ(differing, 0) << "layer " << l;
            EXPECT_LT(max_rel(r.second, want_w), 1e-3) << "layer " << l;
        }
    }
    // The argmax agrees wherever the reference's top-2 gap is clear (fixtures README).
    const auto &argmax = ref(p + ".argmax").i32;
    int checked = 0;
    for (int t = (p == "long" ? T - 8 : 0); t < T; ++t) {
        const float *row = logits->data() + std::size_t(t) * V;
        const int got = static_cast<int>(std::max_element(row, row + V) - row);
        std::vector<float> sorted(row, row + V);
        std::nth_element(sorted.begin(), sorted.begin() + 1, sorted.end(), std::greater<>());
        if (sorted[0] - sorted[1] > 1e-2f) {
            EXPECT_EQ(got, argmax[static_cast<std::size_t>(t)]) << "position " << t;
            ++checked;
        }
    }
    EXPECT_GT(checked, 0);
    (void)H;
}

TEST_P(ForwardAirMiniPrompt, GreedyContinuationMatchesTransformers)
{
    const std::string p = std::get<0>(GetParam());
    const std::vector<std::int32_t> ids = ref(p + ".ids").i32;
    const std::vector<std::int32_t> &want = ref(p + ".greedy").i32;
    Glm45CpuModel model = make_model(1024, std::get<1>(GetParam()));
    auto logits = model.forward(ids, false);
    ASSERT_TRUE(logits) << logits.status().to_string();
    std::vector<std::int32_t> got;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto next = static_cast<std::int32_t>(
            std::max_element(logits->begin(), logits->end()) - logits->begin());
        got.push_back(next);
        if (i + 1 < want.size()) {
            logits = model.forward(std::span(&got.back(), 1), false);
            ASSERT_TRUE(logits) << logits.status().to_string();
        }
    }
    EXPECT_EQ(got, want);
}

// The MTP layer against tools/gen_fixtures/gen_mtp_reference.py (numpy, float64, whose decoder
// layer reproduces transformers to 5e-7), fed the chat prompt as speculative decoding feeds it.
TEST_F(ForwardAirMini, MtpDraftMatchesNumpyReference)
{
    std::ifstream in(std::string(GLMDESK_TEST_DATA) + "/model/mtp_chat.bin", std::ios::binary);
    ASSERT_TRUE(in) << "tests/data/model/mtp_chat.bin missing";
    std::int32_t rows = 0, vocab = 0;
    in.read(reinterpret_cast<char *>(&rows), 4).read(reinterpret_cast<char *>(&vocab), 4);
    std::map<int, std::vector<float>> want;
    for (int r = 0; r < rows; ++r) {
        std::int32_t pos = 0;
        std::vector<float> row(static_cast<std::size_t>(vocab));
        in.read(reinterpret_cast<char *>(&pos), 4);
        in.read(reinterpret_cast<char *>(row.data()), static_cast<std::streamsize>(vocab) * 4);
        want[pos] = std::move(row);
    }
    ASSERT_TRUE(in);

    const std::vector<std::int32_t> ids = ref("chat.ids").i32;
    Glm45CpuModel model = make_model(256);
    ASSERT_TRUE(model.has_mtp());
    ASSERT_EQ(vocab, model.dims().n_vocab);
    ASSERT_TRUE(model.forward(ids, false));
    const std::vector<float> hidden = model.last_hidden();
    const int T = static_cast<int>(ids.size()), H = model.dims().n_embd;

    // Batch: rows for positions 1 .. T-1.
    auto draft = model.mtp_forward(std::span(hidden).first(std::size_t(T - 1) * H),
                                   std::span(ids).subspan(1), true);
    ASSERT_TRUE(draft) << draft.status().to_string();
    EXPECT_EQ(model.mtp_n_past(), T - 1);
    for (const auto &[pos, w] : want) {
        const std::span<const float> got(draft->data() + std::size_t(pos - 1) * vocab, vocab);
        EXPECT_LT(max_rel(got, w), 1e-3) << "position " << pos;
    }

    // One position at a time (as decoding runs it) gives the same drafts.
    model.truncate(1);
    EXPECT_EQ(model.mtp_n_past(), 0);
    for (int p = 1; p < T; ++p) {
        auto one = model.mtp_forward(std::span(hidden).subspan(std::size_t(p - 1) * H, H),
                                     std::span(ids).subspan(std::size_t(p), 1), false);
        ASSERT_TRUE(one) << one.status().to_string();
        if (want.count(p)) {
            EXPECT_LT(max_rel(*one, want[p]), 1e-3) << "position " << p;
        }
    }
}

TEST_F(ForwardAirMini, BadInputsAreErrorsAndLeaveTheCacheAlone)
{
    Glm45CpuModel model = make_model(16);
    const std::vector<std::int32_t> too_big = {1, model.dims().n_vocab};
    EXPECT_EQ(model.forward(too_big, false).status().code(), StatusCode::InvalidArgument);
    const std::vector<std::int32_t> negative = {-1};
    EXPECT_FALSE(model.forward(negative, false));
    EXPECT_FALSE(model.forward({}, false));
    std::vector<std::int32_t> long_prompt(17, 5);
    EXPECT_FALSE(model.forward(long_prompt, false)); // the context holds 16
    EXPECT_EQ(model.n_past(), 0);
    std::atomic<bool> cancel{true};
    const std::vector<std::int32_t> ok = {1, 2, 3};
    EXPECT_EQ(model.forward(ok, false, nullptr, &cancel).status().code(), StatusCode::Cancelled);
    EXPECT_EQ(model.n_past(), 0);
    EXPECT_TRUE(model.forward(ok, false));
    EXPECT_EQ(model.n_past(), 3);
    const std::vector<float> wrong_hidden(5);
    EXPECT_FALSE(model.mtp_forward(wrong_hidden, ok, false));
}

// Re-running a prompt after truncate() gives the same logits as a cold run (prefix reuse).
TEST_F(ForwardAirMini, TruncateAndRerunEqualsColdRun)
{
    const std::vector<std::int32_t> ids = ref("random.ids").i32;
    Glm45CpuModel cold = make_model(128);
    auto want = cold.forward(ids, false);
    ASSERT_TRUE(want);
    Glm45CpuModel warm = make_model(128);
    ASSERT_TRUE(warm.forward(std::span(ids).first(20), false));
    const std::vector<std::int32_t> junk = {7, 8, 9};
    ASSERT_TRUE(warm.forward(junk, false));
    warm.truncate(20);
    auto got = warm.forward(std::span(ids).subspan(20), false);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, *want); // same arithmetic in the same order: bit-identical
}

// The f16 KV cache (the default) stays as close to transformers as the f32 one.
TEST_F(ForwardAirMini, KvCacheTypesBothMatchTheReference)
{
    const std::vector<std::int32_t> ids = ref("long.ids").i32;
    const auto &tail = ref("long.logits_tail").f32;
    for (KvType type : {KvType::F32, KvType::F16}) {
        auto model = make_model(1024, 0, type);
        auto logits = model.forward(ids, true);
        ASSERT_TRUE(logits);
        const auto V = static_cast<std::size_t>(model.dims().n_vocab);
        const std::span<const float> got(logits->data() + (ids.size() - 8) * V, 8 * V);
        EXPECT_LT(max_rel(got, tail), 1e-3) << (type == KvType::F32 ? "f32" : "f16");
    }
}

// The q8_0 KV cache (8-bit blocks of 32 per head row, f16 scale) on the 700-token prompt against
// the f32 cache and transformers. Measured when the cache type was written (Exact path):
//   residual after layer 0 (the first read of the cache): q8_0 7.2e-3, f16 3.0e-4
//   logits per row: median 1.05e-2, 90th percentile 1.7e-2; argmax 682 of 700
//   last 8 rows vs transformers: 1.0e-2 (f16 and f32 caches: < 1e-3)
// q8_0 rounds each value to 1/254 of its block's largest magnitude (~20x f16's error), and
// air-mini's random weights amplify a perturbation about a thousandfold over three layers (see
// MatmulPathsAgree), besides tipping near-tied router choices; the bounds are about twice the
// measurements, the maximum over rows is left unbounded for that reason.
TEST_F(ForwardAirMini, KvCacheQ8StaysCloseToF32)
{
    const std::vector<std::int32_t> ids = ref("long.ids").i32;
    const auto &tail = ref("long.logits_tail").f32;
    std::map<KvType, std::vector<float>> got, layer0;
    for (KvType type : {KvType::F32, KvType::F16, KvType::Q8_0}) {
        auto model = make_model(1024, 0, type);
        ForwardTrace trace;
        trace.layer_out = [&](int l, std::span<const float> x) {
            if (l == 0)
                layer0[type].assign(x.begin(), x.end());
        };
        auto logits = model.forward(ids, true, &trace);
        ASSERT_TRUE(logits);
        got[type] = std::move(logits).value();
    }
    const auto V = static_cast<std::size_t>(s_models[0]->dims.n_vocab);
    const double l0_q8 = max_rel(layer0[KvType::Q8_0], layer0[KvType::F32]);
    const double l0_f16 = max_rel(layer0[KvType::F16], layer0[KvType::F32]);
    const double vs_ref =
        max_rel(std::span<const float>(got[KvType::Q8_0]).subspan((ids.size() - 8) * V), tail);
    std::vector<double> row_err;
    int agree = 0;
    for (std::size_t t = 0; t < ids.size(); ++t) {
        const auto a = std::span<const float>(got[KvType::Q8_0]).subspan(t * V, V);
        const auto b = std::span<const float>(got[KvType::F32]).subspan(t * V, V);
        row_err.push_back(max_rel(a, b));
        agree += std::max_element(a.begin(), a.end()) - a.begin() ==
                 std::max_element(b.begin(), b.end()) - b.begin();
    }
    std::sort(row_err.begin(), row_err.end());
    const double median = row_err[row_err.size() / 2], p90 = row_err[row_err.size() * 9 / 10];
    std::printf("q8_0 KV over %zu positions: layer 0 %.2e (f16 %.2e); logits per row median %.2e "
                "p90 %.2e max %.2e; argmax %d/%zu; last 8 rows vs transformers %.2e\n",
                ids.size(), l0_q8, l0_f16, median, p90, row_err.back(), agree, ids.size(), vs_ref);
    EXPECT_GT(l0_q8, 4 * l0_f16) << "q8_0 should round far more coarsely than f16";
    EXPECT_LT(l0_q8, 1.5e-2);
    EXPECT_LT(median, 2e-2);
    EXPECT_LT(p90, 3.5e-2);
    EXPECT_LT(vs_ref, 2e-2);
    EXPECT_GE(agree, static_cast<int>(0.95 * static_cast<double>(ids.size())));
}

// The three matmul paths: Exact (SIMD kernels, float32 activations) equals the scalar Reference up
// to float rounding; Fast quantizes activations to int16 per block of 32 (q8_0 weights here).
// air-mini's random weights amplify any perturbation about a thousandfold over three layers (float
// rounding alone, Exact vs Reference, ends at ~8e-5): 8-bit activations landed at 0.11 relative and
// 90% argmax agreement, which is why the fast path is 16-bit. Issue #7's targets hold here.
TEST_F(ForwardAirMini, MatmulPathsAgree)
{
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    auto files = ModelFiles::open(*fixtures / "air-mini/gguf/air-mini-q8_0.gguf");
    ASSERT_TRUE(files) << files.status().to_string();
    auto loaded = glm45_model(*files);
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    std::vector<std::int32_t> ids = ref("chat.ids").i32;
    const auto &more = ref("random.ids").i32;
    ids.insert(ids.end(), more.begin(), more.end());
    auto run = [&](MatmulPath path) {
        CpuOptions options;
        options.matmul = path;
        auto model = Glm45CpuModel::create(loaded->dims, loaded->weights, 256, options);
        EXPECT_TRUE(model) << model.status().to_string();
        auto logits = model->forward(ids, true);
        EXPECT_TRUE(logits) << logits.status().to_string();
        return logits ? std::move(logits).value() : std::vector<float>{};
    };
    const std::vector<float> reference = run(MatmulPath::Reference);
    const std::vector<float> exact = run(MatmulPath::Exact);
    const std::vector<float> fast = run(MatmulPath::Fast);
    EXPECT_LT(max_rel(exact, reference), 1e-4);
    EXPECT_GT(max_rel(fast, exact), 0.0) << "the fast path did not quantize the activations";
    // Issue #7's acceptance: the fast path within 1e-2 of the exact one, the same argmax at 99%.
    EXPECT_LT(max_rel(fast, exact), 1e-2);
    const auto V = static_cast<std::size_t>(loaded->dims.n_vocab);
    int agree = 0;
    for (std::size_t t = 0; t < ids.size(); ++t) {
        auto argmax_of = [&](const std::vector<float> &l) {
            return std::max_element(l.begin() + t * V, l.begin() + (t + 1) * V) - l.begin();
        };
        agree += argmax_of(fast) == argmax_of(exact);
    }
    std::printf("exact vs reference %.2e; fast vs exact %.2e, argmax agreement %d/%zu\n",
                max_rel(exact, reference), max_rel(fast, exact), agree, ids.size());
    EXPECT_GE(agree, static_cast<int>(std::ceil(0.99 * static_cast<double>(ids.size()))));
}

// Quantized files: the argmax over the chat and random prompts agrees with transformers (bf16
// weights) at a rate that falls with the bits per weight; q8_0 must agree at >= 90%.
class ForwardQuantized : public ::testing::TestWithParam<std::pair<const char *, double>>
{};

TEST_P(ForwardQuantized, ArgmaxAgreesWithTransformers)
{
    const auto [file, min_agreement] = GetParam();
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    if (!fixtures)
        GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run the oracle)";
    auto files = ModelFiles::open(*fixtures / "air-mini/gguf" / file);
    ASSERT_TRUE(files) << files.status().to_string();
    auto refs = glmdesk::test::load_reference_tensors(*fixtures / "air-mini/reference.safetensors");
    ASSERT_TRUE(refs);
    auto loaded = glm45_model(*files);
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    const Glm45Dims &dims = loaded->dims;
    const Glm45Weights *weights = &loaded->weights;
    int agree = 0, total = 0;
    for (const char *prompt : {"chat", "random"}) {
        CpuOptions exact;
        exact.matmul = MatmulPath::Exact;
        auto model = Glm45CpuModel::create(dims, *weights, 256, exact);
        ASSERT_TRUE(model) << model.status().to_string();
        const auto &ids = refs->at(std::string(prompt) + ".ids").i32;
        const auto &argmax = refs->at(std::string(prompt) + ".argmax").i32;
        auto logits = model->forward(ids, true);
        ASSERT_TRUE(logits) << logits.status().to_string();
        const auto V = static_cast<std::size_t>(dims.n_vocab);
        for (std::size_t t = 0; t < ids.size(); ++t) {
            const float *row = logits->data() + t * V;
            agree += (std::max_element(row, row + V) - row) == argmax[t];
            ++total;
        }
    }
    const double rate = double(agree) / total;
    std::printf("%s: argmax agrees with transformers at %d of %d positions (%.1f%%)\n", file, agree,
                total, 100.0 * rate);
    EXPECT_GE(rate, min_agreement);
}

// Measured (bf16 oracle, 137 positions): q8_0 92.7%, q6_k 82.5%, q4_k_m 53.3%, iq4_xs 50.4%,
// q2_k 18.2% (random weights quantize worse than trained ones). The floors sit a little below,
// so that a real regression fails.
INSTANTIATE_TEST_SUITE_P(Files, ForwardQuantized,
                         ::testing::Values(std::pair{"air-mini-q8_0.gguf", 0.90},
                                           std::pair{"air-mini-q6_k.gguf", 0.80},
                                           std::pair{"air-mini-q4_k_m.gguf", 0.45},
                                           std::pair{"air-mini-iq4_xs.gguf", 0.42},
                                           std::pair{"air-mini-q2_k.gguf", 0.12}),
                         [](const auto &param_info) {
                             std::string name = param_info.param.first;
                             name = name.substr(9, name.size() - 14); // "air-mini-" ... ".gguf"
                             return name;
                         });

INSTANTIATE_TEST_SUITE_P(Prompts, ForwardAirMiniPrompt,
                         ::testing::Combine(::testing::Values("chat", "random", "long"),
                                            ::testing::Values(0, 1)),
                         [](const auto &param_info) {
                             return std::string(std::get<0>(param_info.param)) +
                                    (std::get<1>(param_info.param) == 0 ? "_gguf" : "_hf");
                         });
