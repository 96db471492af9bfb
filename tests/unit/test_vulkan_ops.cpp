// Vulkan ops against the CPU reference, on random data. Runs on Mesa's lavapipe where there is no
// GPU, so CI checks the real shader, the real descriptor plumbing and the real driver.
#include "engine/backend/vulkan/vulkan_context.h"
#include "kernels/cpu/reference_ops.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

using namespace glmdesk::engine;

class VulkanOps : public ::testing::Test
{
protected:
    void SetUp() override
    {
        auto ctx = VulkanContext::create();
        if (!ctx)
            GTEST_SKIP() << "no Vulkan device: " << ctx.status().message();
        m_ctx = std::move(ctx).value();
        std::printf("Vulkan device: %s\n", m_ctx->device_name().c_str());
    }
    std::unique_ptr<VulkanContext> m_ctx;
};

struct RmsShape
{
    int rows;
    int cols;
};

class VulkanRmsNorm : public VulkanOps, public ::testing::WithParamInterface<RmsShape>
{};

TEST_P(VulkanRmsNorm, MatchesCpuReference)
{
    const auto [rows, cols] = GetParam();
    const auto x = glmdesk::test::random_floats(size_t(rows) * cols, 11 + rows, -4.0f, 4.0f);
    const auto w = glmdesk::test::random_floats(cols, 12 + cols, 0.2f, 1.8f);
    std::vector<float> ref(x.size());
    glmdesk::kernels::cpu::rms_norm_reference(x.data(), w.data(), ref.data(), rows, cols, 1e-5f);
    auto y = m_ctx->rms_norm(x, w, rows, cols, 1e-5f);
    ASSERT_TRUE(y) << y.status().to_string();
    EXPECT_LT(glmdesk::test::max_rel_error(*y, ref), 1e-5);
}

// GLM-4.5-Air's hidden size (4096), head_dim (128), a size that is not a multiple of the
// workgroup (1000), and several rows as in prefill.
INSTANTIATE_TEST_SUITE_P(Shapes, VulkanRmsNorm,
                         ::testing::Values(RmsShape{1, 4096}, RmsShape{7, 128}, RmsShape{3, 1000},
                                           RmsShape{64, 256}));

TEST_F(VulkanOps, RejectsMismatchedShapes)
{
    const std::vector<float> x(10), w(5);
    auto y = m_ctx->rms_norm(x, w, 3, 5, 1e-5f);
    ASSERT_FALSE(y);
    EXPECT_EQ(y.status().code(), StatusCode::InvalidArgument);
}
