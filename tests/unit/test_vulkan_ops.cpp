// Vulkan ops against the CPU reference, on random data. Runs on Mesa's lavapipe where there is no
// GPU, so CI checks the real shader, the real descriptor plumbing and the real driver.
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/backend/vulkan/vulkan_ops.h"
#include "kernels/cpu/reference_ops.h"
#include "kernels/vulkan/spirv_blobs.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>

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

// Prefill rotates a batch in one dispatch: token t at position p + t, exactly as t one-token
// replays at p, p + 1, ... would, and as the double-precision NEOX rule says.
TEST_F(VulkanOps, RopeBatchRotatesEachTokenAtItsOwnPosition)
{
    constexpr std::int64_t tokens = 5, heads = 3, head_dim = 64, rotary = 32;
    constexpr float theta = 1e6f;
    constexpr std::uint32_t p0 = 1000;
    const auto x = glmdesk::test::random_floats(tokens * heads * head_dim, 41, -2.0f, 2.0f);
    std::vector<float> want = x;
    for (std::int64_t t = 0; t < tokens; ++t)
        for (std::int64_t h = 0; h < heads; ++h) {
            float *v = want.data() + (t * heads + h) * head_dim;
            for (std::int64_t i = 0; i < rotary / 2; ++i) {
                const double freq = std::pow(double(theta), -2.0 * double(i) / double(rotary));
                const double angle = double(p0 + t) * freq;
                const double a = v[i], b = v[i + rotary / 2];
                v[i] = float(a * std::cos(angle) - b * std::sin(angle));
                v[i + rotary / 2] = float(b * std::cos(angle) + a * std::sin(angle));
            }
        }
    auto bx = std::move(m_ctx->create_buffer(x.size() * 4)).value();
    auto bpos = std::move(m_ctx->create_buffer(4)).value();
    ASSERT_TRUE(m_ctx->upload(*bx, std::as_bytes(std::span(x))).ok());
    ASSERT_TRUE(m_ctx->upload(*bpos, std::as_bytes(std::span(&p0, 1))).ok());
    auto seq = std::move(m_ctx->create_sequence()).value();
    ASSERT_TRUE(record_rope_neox(*seq, *bx, *bpos, heads, head_dim, rotary, theta, tokens).ok());
    ASSERT_TRUE(seq->finish().ok());
    ASSERT_TRUE(seq->run().ok());
    std::vector<float> got(x.size());
    ASSERT_TRUE(m_ctx->download(*bx, std::as_writable_bytes(std::span(got))).ok());
    // float angles at position ~1000: a few ulps of the angle.
    EXPECT_LT(glmdesk::test::max_rel_error(got, want), 1e-4);
    // The unrotated half of every head is untouched.
    for (std::int64_t r = 0; r < tokens * heads; ++r)
        for (std::int64_t i = rotary; i < head_dim; ++i)
            ASSERT_EQ(got[r * head_dim + i], x[r * head_dim + i]);
    EXPECT_EQ(record_rope_neox(*seq, *bx, *bpos, heads, head_dim, rotary, theta, tokens + 1).code(),
              StatusCode::InvalidArgument); // the buffer holds `tokens` rows
}

// The add shader's three uses: residual add, a bias on every row, a row copied out of a batch.
TEST_F(VulkanOps, AddBiasAndCopy)
{
    constexpr std::int64_t rows = 7, cols = 300;
    const auto y = glmdesk::test::random_floats(rows * cols, 51);
    const auto r = glmdesk::test::random_floats(rows * cols, 52);
    const auto bias = glmdesk::test::random_floats(cols, 53);
    auto mk = [&](std::size_t bytes) { return std::move(m_ctx->create_buffer(bytes)).value(); };
    auto by = mk(y.size() * 4), br = mk(r.size() * 4), bb = mk(bias.size() * 4),
         brow = mk(cols * 4);
    ASSERT_TRUE(m_ctx->upload(*by, std::as_bytes(std::span(y))).ok());
    ASSERT_TRUE(m_ctx->upload(*br, std::as_bytes(std::span(r))).ok());
    ASSERT_TRUE(m_ctx->upload(*bb, std::as_bytes(std::span(bias))).ok());
    auto seq = std::move(m_ctx->create_sequence()).value();
    ASSERT_TRUE(record_add(*seq, *by, *br, rows * cols, rows * cols).ok());
    ASSERT_TRUE(record_add(*seq, *by, *bb, rows * cols, cols).ok());
    ASSERT_TRUE(record_copy(*seq, *brow, *by, cols, 4 * cols).ok());
    ASSERT_TRUE(seq->finish().ok());
    ASSERT_TRUE(seq->run().ok());
    std::vector<float> got(y.size()), row(cols);
    ASSERT_TRUE(m_ctx->download(*by, std::as_writable_bytes(std::span(got))).ok());
    ASSERT_TRUE(m_ctx->download(*brow, std::as_writable_bytes(std::span(row))).ok());
    for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_FLOAT_EQ(got[i], (y[i] + r[i]) + bias[i % cols]) << i;
    for (std::int64_t i = 0; i < cols; ++i)
        ASSERT_EQ(row[i], got[4 * cols + i]);
    EXPECT_EQ(record_add(*seq, *by, *bb, rows * cols, cols + 1).code(),
              StatusCode::InvalidArgument); // n is not a whole number of periods
    EXPECT_EQ(record_copy(*seq, *brow, *by, cols, rows * cols).code(),
              StatusCode::InvalidArgument); // past the end of the source
}

// The shader list (kernels/vulkan/shader_list.h) and the blobs the build compiles agree: every
// shader the engine can ask for has its SPIR-V.
TEST_F(VulkanOps, EveryShaderHasItsBlob)
{
    for (int i = 0; i < static_cast<int>(VulkanShader::Count); ++i) {
        const auto shader = static_cast<VulkanShader>(i);
        const std::string blob = vulkan_shader_blob(shader);
        ASSERT_FALSE(blob.empty()) << "shader " << i;
        EXPECT_FALSE(glmdesk::kernels::vulkan::spirv_blob(blob).empty()) << blob;
    }
    EXPECT_TRUE(glmdesk::kernels::vulkan::spirv_blob("no_such_shader").empty());
}
