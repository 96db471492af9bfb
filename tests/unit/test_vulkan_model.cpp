// The Vulkan forward pass against the CPU model (the oracle the fixtures hold to transformers), on
// Mesa's lavapipe where there is no GPU: synthetic air-mini models in every weight format the
// shaders read, prefill in several batches, decode replaying one recorded sequence, truncation, the
// router's choices; and, where ../shared/fixtures exists, the air-mini files against transformers.
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/backend/vulkan/vulkan_model.h"
#include "engine/io/model_info.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/glm45_loader.h"
#include "engine/model/synthetic_model.h"
#include "tests/support/reference_tensors.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace glmdesk::engine;

namespace {

bool have_vulkan(std::string &why)
{
    auto ctx = VulkanContext::create();
    if (!ctx)
        why = ctx.status().message();
    return static_cast<bool>(ctx);
}

std::vector<std::int32_t> random_tokens(int n, int n_vocab, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pick(0, n_vocab - 1);
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    for (auto &id : ids)
        id = pick(rng);
    return ids;
}

int argmax_row(std::span<const float> logits)
{
    return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

double max_rel(std::span<const float> got, std::span<const float> want)
{
    return glmdesk::test::max_rel_error(got, want);
}

Glm45CpuModel cpu_model(const Glm45Dims &dims, const Glm45Weights &weights, int n_ctx, KvType kv)
{
    CpuOptions options;
    options.matmul = MatmulPath::Exact;
    options.kv_type = kv;
    options.n_threads = 2;
    auto model = Glm45CpuModel::create(dims, weights, n_ctx, options);
    EXPECT_TRUE(model) << model.status().to_string();
    return std::move(model).value();
}

std::unique_ptr<Glm45VulkanModel> vulkan_model(const Glm45Dims &dims, const Glm45Weights &weights,
                                               int n_ctx, KvType kv, int max_batch)
{
    VulkanModelOptions options;
    options.kv_type = kv;
    options.max_batch = max_batch;
    auto model = Glm45VulkanModel::create(dims, weights, n_ctx, options);
    EXPECT_TRUE(model) << model.status().to_string();
    return model ? std::move(model).value() : nullptr;
}

class VulkanModelFormats : public ::testing::TestWithParam<const char *>
{
protected:
    void SetUp() override
    {
        std::string why;
        if (!have_vulkan(why))
            GTEST_SKIP() << "no Vulkan device: " << why;
    }
};

} // namespace

// A 29-token prompt in batches of 8 (three full, one partial), then five greedy decode steps on
// the replayed decode sequence, a truncation and a re-run: every logit row within 2e-3 of the
// CPU model's, and the same argmax.
TEST_P(VulkanModelFormats, MatchesTheCpuModel)
{
    SyntheticOptions so;
    so.preset = "air-mini";
    so.format = GetParam();
    so.seed = 5;
    auto synth = SyntheticModel::build(so);
    ASSERT_TRUE(synth) << synth.status().to_string();
    const Glm45Dims &dims = synth->dims();
    const auto V = static_cast<std::size_t>(dims.n_vocab);

    Glm45CpuModel cpu = cpu_model(dims, synth->weights(), 64, KvType::F32);
    auto gpu = vulkan_model(dims, synth->weights(), 64, KvType::F32, 8);
    ASSERT_TRUE(gpu);
    std::printf("device %s, %.1f MB on the device\n", gpu->device_name().c_str(),
                static_cast<double>(gpu->device_bytes()) / 1e6);

    const auto prompt = random_tokens(29, dims.n_vocab, 17);
    auto want = cpu.forward(prompt, true);
    auto got = gpu->forward(prompt, true);
    ASSERT_TRUE(want && got) << got.status().to_string();
    ASSERT_EQ(got->size(), want->size());
    int agree = 0;
    for (std::size_t t = 0; t < prompt.size(); ++t) {
        const std::span<const float> g(got->data() + t * V, V), w(want->data() + t * V, V);
        EXPECT_LT(max_rel(g, w), 2e-3) << "prompt row " << t;
        agree += argmax_row(g) == argmax_row(w);
    }
    EXPECT_GE(agree, 28);
    EXPECT_EQ(gpu->n_past(), 29);

    auto decode = [&](int steps) {
        std::int32_t token = argmax_row(std::span(want->data() + want->size() - V, V));
        for (int i = 0; i < steps; ++i) {
            want = cpu.forward(std::span(&token, 1), false);
            got = gpu->forward(std::span(&token, 1), false);
            ASSERT_TRUE(want && got) << got.status().to_string();
            EXPECT_LT(max_rel(*got, *want), 2e-3) << "decode step " << i;
            token = argmax_row(*want);
        }
    };
    decode(5);
    EXPECT_EQ(gpu->n_past(), 34);

    // Forget the last 14 positions and run different tokens there: the stale slots must not leak.
    cpu.truncate(20);
    gpu->truncate(20);
    const auto other = random_tokens(3, dims.n_vocab, 99);
    want = cpu.forward(other, true);
    got = gpu->forward(other, true);
    ASSERT_TRUE(want && got) << got.status().to_string();
    EXPECT_LT(max_rel(*got, *want), 2e-3);
    decode(2);
}

INSTANTIATE_TEST_SUITE_P(Formats, VulkanModelFormats,
                         ::testing::Values("q8_0", "q4_k_m", "bf16", "q6_k", "q5_k", "iq4_xs",
                                           "q2_k", "q3_k", "q4_0", "q5_1", "iq4_nl", "f16"));

// f16 and q8_0 caches round K and V as the CPU model's caches do.
TEST(VulkanModel, CacheTypesMatchTheCpuModel)
{
    std::string why;
    if (!have_vulkan(why))
        GTEST_SKIP() << "no Vulkan device: " << why;
    SyntheticOptions so;
    so.preset = "air-mini";
    auto synth = SyntheticModel::build(so);
    ASSERT_TRUE(synth) << synth.status().to_string();
    const auto prompt = random_tokens(12, synth->dims().n_vocab, 3);
    for (KvType kv : {KvType::F16, KvType::Q8_0}) {
        Glm45CpuModel cpu = cpu_model(synth->dims(), synth->weights(), 32, kv);
        auto gpu = vulkan_model(synth->dims(), synth->weights(), 32, kv, 16);
        ASSERT_TRUE(gpu);
        auto want = cpu.forward(prompt, true);
        auto got = gpu->forward(prompt, true);
        ASSERT_TRUE(want && got) << got.status().to_string();
        EXPECT_LT(max_rel(*got, *want), 2e-3) << "kv type " << static_cast<int>(kv);
    }
}

// Experts left in host memory (the planner's split when the device is small): none, one or both
// MoE layers' routed experts on the device give the CPU model's logits, prefill and decode, and
// the device holds less.
TEST(VulkanModel, HostExpertsMatchTheCpuModel)
{
    std::string why;
    if (!have_vulkan(why))
        GTEST_SKIP() << "no Vulkan device: " << why;
    SyntheticOptions so;
    so.preset = "air-mini";
    so.format = "q4_k_m";
    auto synth = SyntheticModel::build(so);
    ASSERT_TRUE(synth) << synth.status().to_string();
    const Glm45Dims &dims = synth->dims();
    const auto prompt = random_tokens(19, dims.n_vocab, 23);
    Glm45CpuModel cpu = cpu_model(dims, synth->weights(), 32, KvType::F32);
    auto want = cpu.forward(prompt, true);
    ASSERT_TRUE(want);
    const std::int32_t next = 7;
    auto want_next = cpu.forward(std::span(&next, 1), false);
    ASSERT_TRUE(want_next);
    std::uint64_t all_bytes = 0;
    for (const int on_device : {-1, 1, 0}) {
        VulkanModelOptions options;
        options.kv_type = KvType::F32;
        options.max_batch = 8;
        options.device_expert_layers = on_device;
        options.host_threads = 2;
        options.host_path = MatmulPath::Exact;
        auto gpu = Glm45VulkanModel::create(dims, synth->weights(), 32, options);
        ASSERT_TRUE(gpu) << gpu.status().to_string();
        EXPECT_EQ((*gpu)->moe_layers(), dims.n_layers - dims.n_dense_layers);
        EXPECT_EQ((*gpu)->device_expert_layers(), on_device < 0 ? (*gpu)->moe_layers() : on_device);
        if (on_device < 0)
            all_bytes = (*gpu)->device_bytes();
        else
            EXPECT_LT((*gpu)->device_bytes(), all_bytes);
        auto got = (*gpu)->forward(prompt, true);
        ASSERT_TRUE(got) << got.status().to_string();
        EXPECT_LT(max_rel(*got, *want), 2e-3) << on_device << " expert layers on the device";
        auto got_next = (*gpu)->forward(std::span(&next, 1), false);
        ASSERT_TRUE(got_next) << got_next.status().to_string();
        EXPECT_LT(max_rel(*got_next, *want_next), 2e-3) << on_device;
    }
}

// The router's choices read back through the trace equal the CPU model's, token by token.
TEST(VulkanModel, RouterChoosesTheCpuModelsExperts)
{
    std::string why;
    if (!have_vulkan(why))
        GTEST_SKIP() << "no Vulkan device: " << why;
    SyntheticOptions so;
    so.preset = "air-mini";
    so.format = "bf16";
    auto synth = SyntheticModel::build(so);
    ASSERT_TRUE(synth) << synth.status().to_string();
    const auto prompt = random_tokens(10, synth->dims().n_vocab, 8);
    auto collect = [](std::map<int, std::vector<int>> &routes,
                      std::map<int, std::vector<float>> &layers) {
        ForwardTrace trace;
        trace.router = [&routes](int l, std::span<const int> e, std::span<const float>) {
            routes[l].assign(e.begin(), e.end());
        };
        trace.layer_out = [&layers](int l, std::span<const float> x) {
            layers[l].assign(x.begin(), x.end());
        };
        return trace;
    };
    std::map<int, std::vector<int>> cpu_routes, gpu_routes;
    std::map<int, std::vector<float>> cpu_layers, gpu_layers;
    const ForwardTrace cpu_trace = collect(cpu_routes, cpu_layers);
    const ForwardTrace gpu_trace = collect(gpu_routes, gpu_layers);
    Glm45CpuModel cpu = cpu_model(synth->dims(), synth->weights(), 32, KvType::F32);
    auto gpu = vulkan_model(synth->dims(), synth->weights(), 32, KvType::F32, 4);
    ASSERT_TRUE(gpu);
    ASSERT_TRUE(cpu.forward(prompt, false, &cpu_trace));
    ASSERT_TRUE(gpu->forward(prompt, false, &gpu_trace));
    ASSERT_FALSE(cpu_routes.empty());
    EXPECT_EQ(gpu_routes, cpu_routes);
    ASSERT_EQ(gpu_layers.size(), cpu_layers.size());
    for (const auto &[l, x] : cpu_layers)
        EXPECT_LT(max_rel(gpu_layers[l], x), 1e-3) << "layer " << l;
}

TEST(VulkanModel, RefusesWhatItCannotRun)
{
    std::string why;
    if (!have_vulkan(why))
        GTEST_SKIP() << "no Vulkan device: " << why;
    SyntheticOptions so;
    so.preset = "air-mini";
    auto ok = SyntheticModel::build(so);
    ASSERT_TRUE(ok) << ok.status().to_string();
    Glm45Weights iq2 = ok->weights();
    iq2.layers[0].attn_q.format = BlockFormat::IQ2_XXS; // no shader reads it
    auto unsupported = Glm45VulkanModel::create(ok->dims(), iq2, 16);
    ASSERT_FALSE(unsupported);
    EXPECT_EQ(unsupported.status().code(), StatusCode::Unsupported);
    EXPECT_NE(unsupported.status().message().find("iq2_xxs"), std::string::npos)
        << unsupported.status().message();

    Glm45Dims wrong = ok->dims();
    wrong.n_embd += 32;
    EXPECT_EQ(Glm45VulkanModel::create(wrong, ok->weights(), 16).status().code(),
              StatusCode::InvalidArgument);

    auto model = vulkan_model(ok->dims(), ok->weights(), 8, KvType::F16, 4);
    ASSERT_TRUE(model);
    const std::vector<std::int32_t> too_many(9, 1);
    EXPECT_EQ(model->forward(too_many, false).status().code(), StatusCode::InvalidArgument);
    const std::vector<std::int32_t> bad_id = {1, ok->dims().n_vocab};
    EXPECT_EQ(model->forward(bad_id, false).status().code(), StatusCode::InvalidArgument);
    EXPECT_EQ(model->n_past(), 0);
    std::atomic<bool> cancel{true};
    EXPECT_EQ(
        model->forward(std::vector<std::int32_t>{1, 2}, false, nullptr, &cancel).status().code(),
        StatusCode::Cancelled);
    EXPECT_EQ(model->n_past(), 0);
}

// The air-mini files against transformers (float64 from the bf16 weights): the bf16 GGUF and the
// Hugging Face folder within 1e-3 on every logit row, and the 32 greedy tokens.
TEST(VulkanModelFixtures, AirMiniMatchesTransformers)
{
    std::string why;
    if (!have_vulkan(why))
        GTEST_SKIP() << "no Vulkan device: " << why;
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    if (!fixtures)
        GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run the oracle)";
    auto ref = glmdesk::test::load_reference_tensors(*fixtures / "air-mini/reference.safetensors");
    ASSERT_TRUE(ref);
    const auto &ids = ref->at("chat.ids").i32;
    const auto &want = ref->at("chat.logits").f32;
    const auto &greedy = ref->at("chat.greedy").i32;
    for (const char *source : {"gguf/air-mini-bf16.gguf", "hf"}) {
        auto files = ModelFiles::open(*fixtures / "air-mini" / source);
        ASSERT_TRUE(files) << files.status().to_string();
        auto loaded = glm45_model(*files);
        ASSERT_TRUE(loaded) << loaded.status().to_string();
        const auto V = static_cast<std::size_t>(loaded->dims.n_vocab);
        auto gpu = vulkan_model(loaded->dims, loaded->weights, 256, KvType::F32, 64);
        ASSERT_TRUE(gpu);
        auto logits = gpu->forward(ids, true);
        ASSERT_TRUE(logits) << logits.status().to_string();
        for (std::size_t t = 0; t < ids.size(); ++t)
            EXPECT_LT(
                max_rel(std::span(logits->data() + t * V, V), std::span(want.data() + t * V, V)),
                1e-3)
                << source << " position " << t;
        std::int32_t token = argmax_row(std::span(logits->data() + logits->size() - V, V));
        std::vector<std::int32_t> generated;
        for (std::size_t i = 0; i < greedy.size(); ++i) {
            generated.push_back(token);
            auto next = gpu->forward(std::span(&token, 1), false);
            ASSERT_TRUE(next) << next.status().to_string();
            token = argmax_row(*next);
        }
        EXPECT_EQ(generated, greedy) << source;
    }
}

// The quantized air-mini files against the CPU model on the same file.
TEST(VulkanModelFixtures, QuantizedFilesMatchTheCpuModel)
{
    std::string why;
    if (!have_vulkan(why))
        GTEST_SKIP() << "no Vulkan device: " << why;
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    if (!fixtures)
        GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run the oracle)";
    auto ref = glmdesk::test::load_reference_tensors(*fixtures / "air-mini/reference.safetensors");
    ASSERT_TRUE(ref);
    const auto &ids = ref->at("chat.ids").i32;
    for (const char *file : {"air-mini-q8_0.gguf", "air-mini-q6_k.gguf", "air-mini-q4_k_m.gguf",
                             "air-mini-iq4_xs.gguf"}) {
        auto files = ModelFiles::open(*fixtures / "air-mini/gguf" / file);
        ASSERT_TRUE(files) << files.status().to_string();
        auto loaded = glm45_model(*files);
        ASSERT_TRUE(loaded) << loaded.status().to_string();
        Glm45CpuModel cpu = cpu_model(loaded->dims, loaded->weights, 256, KvType::F16);
        auto gpu = vulkan_model(loaded->dims, loaded->weights, 256, KvType::F16, 64);
        ASSERT_TRUE(gpu);
        auto want = cpu.forward(ids, true);
        auto got = gpu->forward(ids, true);
        ASSERT_TRUE(want && got) << got.status().to_string();
        EXPECT_LT(max_rel(*got, *want), 2e-3) << file;
    }
}
