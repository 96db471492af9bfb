// The placement plan on GLM-4.5-Air's shape (byte counts from its Q4_K_M file's proportions) and
// on the air-mini fixture's real inventory.
#include "engine/io/model_info.h"
#include "engine/model/placement.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

using namespace glmdesk::engine;

namespace {

constexpr std::uint64_t GB = 1000ull * 1000 * 1000;

// 45 MoE layers of 1.25 GB of experts, 2.6 GB read by every token, f16 KV of 47 blocks.
ModelFootprint air_like()
{
    ModelFootprint fp;
    fp.shared_bytes = 2600ull * 1000 * 1000;
    fp.expert_layer_bytes.assign(45, 1250ull * 1000 * 1000);
    fp.kv_bytes_per_token = 2ull * 47 * 8 * 128 * 2;
    fp.n_params = 110ull * GB;
    return fp;
}

} // namespace

TEST(Placement, EverythingOnTheGpuWhenItFits)
{
    const ModelFootprint fp = air_like();
    const PlacementPlan plan = plan_placement(fp, 8192, {128 * GB, 80 * GB});
    EXPECT_TRUE(plan.fits);
    EXPECT_TRUE(plan.all_on_gpu);
    EXPECT_EQ(plan.gpu_expert_layers, 45);
    EXPECT_EQ(plan.host_bytes, 0u);
    EXPECT_EQ(plan.gpu_bytes, fp.weight_bytes() + plan.kv_bytes + k_working_bytes);
}

TEST(Placement, ASmallGpuTakesTheSharedBytesAndAsManyExpertLayersAsFit)
{
    const ModelFootprint fp = air_like();
    const PlacementPlan plan = plan_placement(fp, 8192, {64 * GB, 24 * GB});
    EXPECT_TRUE(plan.fits);
    EXPECT_FALSE(plan.all_on_gpu);
    // 24 GB - 2.6 GB shared - KV - working, in 1.25 GB layers.
    const std::uint64_t base = fp.shared_bytes + plan.kv_bytes + k_working_bytes;
    const int expected = static_cast<int>((24 * GB - base) / fp.expert_layer_bytes[0]);
    EXPECT_EQ(plan.gpu_expert_layers, expected);
    EXPECT_LE(plan.gpu_bytes, 24 * GB);
    EXPECT_EQ(plan.host_bytes, (45 - expected) * fp.expert_layer_bytes[0] + k_working_bytes);

    // The user's choice is honoured when smaller, clamped when larger.
    EXPECT_EQ(plan_placement(fp, 8192, {64 * GB, 24 * GB}, 3).gpu_expert_layers, 3);
    EXPECT_EQ(plan_placement(fp, 8192, {64 * GB, 24 * GB}, 99).gpu_expert_layers, expected);
    // Zero: the user keeps the GPU out of it.
    const PlacementPlan cpu = plan_placement(fp, 8192, {64 * GB, 24 * GB}, 0);
    EXPECT_EQ(cpu.gpu_bytes, 0u);
    EXPECT_EQ(cpu.host_bytes, fp.weight_bytes() + cpu.kv_bytes + k_working_bytes);
}

TEST(Placement, TooLittleMemoryGivesAdviceThatWouldFit)
{
    const ModelFootprint fp = air_like();
    const int n_ctx = 131072;
    const MemoryBudget budget{64 * GB, 0};
    const PlacementPlan plan = plan_placement(fp, n_ctx, budget);
    EXPECT_FALSE(plan.fits);
    const std::string advice = placement_advice(fp, plan, n_ctx, budget, KvType::F16);
    EXPECT_NE(advice.find(format_gigabytes(fp.weight_bytes()) + " for its weights"),
              std::string::npos)
        << advice;
    EXPECT_NE(advice.find("64.0 GB"), std::string::npos) << advice;
    // Every option the advice names must actually fit.
    const auto pos = advice.find("a context of at most ");
    ASSERT_NE(pos, std::string::npos) << advice;
    const int ctx = std::stoi(advice.substr(pos + 21));
    EXPECT_TRUE(plan_placement(fp, ctx, budget).fits) << ctx;
    EXPECT_FALSE(plan_placement(fp, ctx + 1024, budget).fits) << ctx;
    EXPECT_NE(advice.find("8-bit KV cache"), std::string::npos) << advice;
    EXPECT_NE(advice.find("a GPU with at least"), std::string::npos) << advice;
    // The file is already ~4.3 bits per weight: no smaller quantization to suggest.
    EXPECT_EQ(advice.find("Q4_K_M"), std::string::npos) << advice;

    // A bf16 file of the same model: the advice points at a 4-bit one.
    ModelFootprint bf16 = fp;
    bf16.shared_bytes *= 4;
    for (auto &b : bf16.expert_layer_bytes)
        b *= 4;
    const PlacementPlan big = plan_placement(bf16, 4096, budget);
    EXPECT_FALSE(big.fits);
    EXPECT_NE(placement_advice(bf16, big, 4096, budget, KvType::F16).find("Q4_K_M"),
              std::string::npos);
}

TEST(Placement, FootprintOfARealFileSplitsExpertsFromSharedBytes)
{
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    if (!fixtures)
        GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run it)";
    auto files = ModelFiles::open(*fixtures / "air-mini/gguf/air-mini-q4_k_m.gguf");
    ASSERT_TRUE(files) << files.status().to_string();
    const ModelFootprint fp = model_footprint(files->inventory(), files->config(), KvType::F16);
    // Two MoE layers plus the MTP layer's experts.
    EXPECT_EQ(fp.expert_layer_bytes.size(), 3u);
    EXPECT_EQ(fp.weight_bytes(), files->inventory().total_bytes());
    EXPECT_GT(fp.expert_bytes(), fp.shared_bytes / 4);
    // 4 blocks x K and V x 2 KV heads x 64 dims x 2 bytes.
    EXPECT_EQ(fp.kv_bytes_per_token, 4u * 2 * 2 * 64 * 2);
}
