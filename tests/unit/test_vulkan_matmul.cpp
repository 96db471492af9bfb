// The Vulkan weight-product shaders (decode matvec and prefill matmul, every supported block
// format) and the record-once/replay sequences, against the CPU reference: dequantize_row, then
// a double-precision dot. Runs on Mesa's lavapipe in CI, so the real shaders are checked.
#include "engine/backend/vulkan/vulkan_ops.h"
#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

using namespace glmdesk::engine;

namespace {

// Offsets of the fp16 scale fields in one block: random bytes there could be inf/NaN.
std::vector<std::size_t> scale_offsets(BlockFormat f)
{
    switch (f) {
    case BlockFormat::Q8_0:
    case BlockFormat::IQ4_XS:
    case BlockFormat::Q4_0:
    case BlockFormat::Q5_0:
    case BlockFormat::IQ4_NL:
        return {0};
    case BlockFormat::Q4_K:
    case BlockFormat::Q5_K:
    case BlockFormat::Q4_1:
    case BlockFormat::Q5_1:
        return {0, 2};
    case BlockFormat::Q6_K:
        return {208};
    case BlockFormat::Q2_K:
        return {80, 82};
    case BlockFormat::Q3_K:
        return {108};
    default:
        return {};
    }
}

// rows x cols weights in `f`: random codes, scales of a realistic size.
std::vector<std::byte> random_weights(BlockFormat f, std::int64_t rows, std::int64_t cols,
                                      std::uint32_t seed)
{
    const BlockFormatInfo info = block_format_info(f);
    const auto n_blocks = static_cast<std::size_t>(rows * cols / info.block_size);
    std::vector<std::byte> w(n_blocks * info.type_size);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> scale(0.002f, 0.02f);
    std::uniform_real_distribution<float> value(-2.0f, 2.0f);
    if (f == BlockFormat::BF16 || f == BlockFormat::F16 || f == BlockFormat::F32) {
        for (std::size_t i = 0; i < n_blocks; ++i) {
            const float v = value(rng);
            if (f == BlockFormat::F32) {
                std::memcpy(w.data() + 4 * i, &v, 4);
            } else {
                const std::uint16_t b =
                    f == BlockFormat::BF16 ? float_to_bf16(v) : float_to_fp16(v);
                std::memcpy(w.data() + 2 * i, &b, 2);
            }
        }
        return w;
    }
    for (auto &b : w)
        b = static_cast<std::byte>(byte(rng));
    for (std::size_t i = 0; i < n_blocks; ++i)
        for (std::size_t off : scale_offsets(f)) {
            const Fp16Bits h = float_to_fp16(scale(rng));
            std::memcpy(w.data() + i * info.type_size + off, &h, 2);
        }
    return w;
}

// Y[c][r] in double from the dequantized rows, and the scale of each sum (sum |w x|) that float
// accumulation error is proportional to.
void reference_matmul(BlockFormat f, const std::vector<std::byte> &w, std::int64_t rows,
                      std::int64_t cols, const std::vector<float> &x, std::int64_t n_cols,
                      std::vector<double> &y, std::vector<double> &magnitude)
{
    const BlockFormatInfo info = block_format_info(f);
    const auto row_bytes = static_cast<std::size_t>(cols / info.block_size * info.type_size);
    const auto nc = static_cast<std::size_t>(cols);
    std::vector<float> row(nc);
    y.assign(static_cast<std::size_t>(rows * n_cols), 0.0);
    magnitude.assign(y.size(), 0.0);
    for (std::int64_t r = 0; r < rows; ++r) {
        ASSERT_TRUE(
            dequantize_row(f, w.data() + static_cast<std::size_t>(r) * row_bytes, nc, row.data())
                .ok());
        for (std::int64_t c = 0; c < n_cols; ++c) {
            double s = 0.0, m = 0.0;
            for (std::size_t k = 0; k < nc; ++k) {
                const double p = double(row[k]) * double(x[static_cast<std::size_t>(c) * nc + k]);
                s += p;
                m += std::abs(p);
            }
            y[static_cast<std::size_t>(c * rows + r)] = s;
            magnitude[static_cast<std::size_t>(c * rows + r)] = m;
        }
    }
}

struct Case
{
    BlockFormat format;
    std::int64_t rows;
    std::int64_t cols;
    std::int64_t n_cols;
};

std::string case_name(const ::testing::TestParamInfo<Case> &info)
{
    const Case &c = info.param;
    return std::string(block_format_info(c.format).name) + "_" + std::to_string(c.rows) + "x" +
           std::to_string(c.cols) + "_n" + std::to_string(c.n_cols);
}

class VulkanMatmulTest : public ::testing::TestWithParam<Case>
{
protected:
    void SetUp() override
    {
        auto ctx = VulkanContext::create();
        if (!ctx)
            GTEST_SKIP() << "no Vulkan device: " << ctx.status().message();
        m_ctx = std::move(ctx).value();
    }
    std::unique_ptr<VulkanContext> m_ctx;
};

} // namespace

TEST_P(VulkanMatmulTest, MatchesDequantizedReference)
{
    const Case c = GetParam();
    const auto w = random_weights(c.format, c.rows, c.cols, 7 + static_cast<std::uint32_t>(c.rows));
    const auto x = glmdesk::test::random_floats(static_cast<std::size_t>(c.cols * c.n_cols),
                                                static_cast<std::uint32_t>(c.cols + c.n_cols));
    std::vector<double> ref, magnitude;
    reference_matmul(c.format, w, c.rows, c.cols, x, c.n_cols, ref, magnitude);
    auto y = vulkan_matmul(*m_ctx, c.format, w, c.rows, c.cols, x, c.n_cols);
    ASSERT_TRUE(y) << y.status().to_string();
    ASSERT_EQ(y->size(), ref.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        // float32 accumulation over `cols` products: a few ulps of the sum of magnitudes.
        const double tolerance = 2e-6 * std::sqrt(double(c.cols)) * magnitude[i] + 1e-6;
        if (!(std::abs((*y)[i] - ref[i]) <= tolerance) && bad++ < 5)
            ADD_FAILURE() << "y[" << i << "] = " << (*y)[i] << ", reference " << ref[i];
    }
    EXPECT_EQ(bad, 0u);
}

// Decode shapes (n_cols 1): one row; rows that fill no workgroup pattern; Air's 4096 x 4096
// attention output; more rows than the 65535 a grid dimension holds. Prefill shapes: column
// counts below, at and above the 8-column tile.
INSTANTIATE_TEST_SUITE_P(
    Formats, VulkanMatmulTest,
    ::testing::Values(Case{BlockFormat::Q8_0, 1, 256, 1}, Case{BlockFormat::Q8_0, 67, 96, 1},
                      Case{BlockFormat::Q8_0, 70001, 32, 1}, Case{BlockFormat::Q8_0, 37, 512, 13},
                      Case{BlockFormat::Q4_K, 1, 256, 1}, Case{BlockFormat::Q4_K, 4096, 4096, 1},
                      Case{BlockFormat::Q4_K, 37, 512, 3}, Case{BlockFormat::Q4_K, 29, 768, 16},
                      Case{BlockFormat::Q5_K, 1, 256, 1}, Case{BlockFormat::Q5_K, 67, 1024, 1},
                      Case{BlockFormat::Q5_K, 37, 512, 9}, Case{BlockFormat::Q6_K, 1, 256, 1},
                      Case{BlockFormat::Q6_K, 67, 1024, 1}, Case{BlockFormat::Q6_K, 37, 512, 8},
                      Case{BlockFormat::IQ4_XS, 1, 256, 1}, Case{BlockFormat::IQ4_XS, 67, 1024, 1},
                      Case{BlockFormat::IQ4_XS, 37, 512, 5}, Case{BlockFormat::BF16, 1, 100, 1},
                      Case{BlockFormat::BF16, 67, 4096, 1}, Case{BlockFormat::BF16, 5, 33, 11},
                      Case{BlockFormat::Q4_0, 67, 96, 1}, Case{BlockFormat::Q4_0, 37, 1408, 9},
                      Case{BlockFormat::Q4_1, 67, 96, 1}, Case{BlockFormat::Q4_1, 37, 1408, 9},
                      Case{BlockFormat::Q5_0, 67, 1408, 1}, Case{BlockFormat::Q5_0, 37, 96, 9},
                      Case{BlockFormat::Q5_1, 67, 1408, 1}, Case{BlockFormat::Q5_1, 37, 96, 9},
                      Case{BlockFormat::IQ4_NL, 67, 1408, 1}, Case{BlockFormat::IQ4_NL, 37, 96, 9},
                      Case{BlockFormat::Q2_K, 1, 256, 1}, Case{BlockFormat::Q2_K, 67, 1024, 1},
                      Case{BlockFormat::Q2_K, 37, 512, 9}, Case{BlockFormat::Q3_K, 1, 256, 1},
                      Case{BlockFormat::Q3_K, 67, 1024, 1}, Case{BlockFormat::Q3_K, 37, 512, 9},
                      Case{BlockFormat::F16, 67, 100, 1}, Case{BlockFormat::F16, 5, 33, 11},
                      Case{BlockFormat::F32, 67, 100, 1}, Case{BlockFormat::F32, 5, 33, 11}),
    case_name);

class VulkanLayer : public VulkanMatmulTest
{};

TEST_F(VulkanLayer, RejectsBadShapesAndFormats)
{
    const std::vector<std::byte> w(34 * 4);
    const std::vector<float> x(64);
    auto odd = vulkan_matmul(*m_ctx, BlockFormat::Q8_0, w, 4, 33, x, 1);
    ASSERT_FALSE(odd);
    EXPECT_EQ(odd.status().code(), StatusCode::InvalidArgument);
    auto short_w = vulkan_matmul(*m_ctx, BlockFormat::Q8_0, w, 8, 32, std::span(x).first(32), 1);
    ASSERT_FALSE(short_w);
    EXPECT_EQ(short_w.status().code(), StatusCode::InvalidArgument);
    auto iq2 = vulkan_matmul(*m_ctx, BlockFormat::IQ2_XXS, w, 1, 256, std::vector<float>(256), 1);
    ASSERT_FALSE(iq2);
    EXPECT_EQ(iq2.status().code(), StatusCode::Unsupported);

    auto seq = m_ctx->create_sequence();
    ASSERT_TRUE(seq);
    auto b = m_ctx->create_buffer(16);
    ASSERT_TRUE(b);
    const std::array<const VulkanBuffer *, 1> one = {b->get()};
    EXPECT_EQ((*seq)->dispatch(VulkanShader::Swiglu, one, {}, 1).code(),
              StatusCode::InvalidArgument);                       // swiglu binds three buffers
    EXPECT_EQ((*seq)->run().code(), StatusCode::InvalidArgument); // nothing recorded
    EXPECT_EQ(m_ctx->upload(**b, std::as_bytes(std::span(x))).code(), StatusCode::InvalidArgument);
}

// One sequence recorded once: matvec (gate) -> matvec (up) -> swiglu -> rope, replayed for
// several positions with only the position word rewritten in between, as decode does per token.
TEST_F(VulkanLayer, RecordedSequenceReplaysWithNewPositions)
{
    constexpr std::int64_t heads = 4, head_dim = 128, rotary = 64, cols = 512;
    constexpr std::int64_t n = heads * head_dim;
    constexpr float theta = 1e6f;
    const auto wg = random_weights(BlockFormat::Q4_K, n, cols, 21);
    const auto wu = random_weights(BlockFormat::Q8_0, n, cols, 22);
    const auto x = glmdesk::test::random_floats(cols, 23);
    std::vector<double> gate, up, mag;
    reference_matmul(BlockFormat::Q4_K, wg, n, cols, x, 1, gate, mag);
    reference_matmul(BlockFormat::Q8_0, wu, n, cols, x, 1, up, mag);

    auto mk = [&](std::size_t bytes) { return std::move(m_ctx->create_buffer(bytes)).value(); };
    auto bwg = mk(wg.size()), bwu = mk(wu.size()), bx = mk(cols * 4), bg = mk(n * 4),
         bu = mk(n * 4), bo = mk(n * 4), bpos = mk(4);
    ASSERT_TRUE(m_ctx->upload(*bwg, wg).ok());
    ASSERT_TRUE(m_ctx->upload(*bwu, wu).ok());
    ASSERT_TRUE(m_ctx->upload(*bx, std::as_bytes(std::span(x))).ok());
    auto seq = std::move(m_ctx->create_sequence()).value();
    ASSERT_TRUE(record_matmul(*seq, BlockFormat::Q4_K, *bwg, *bx, *bg, n, cols, 1).ok());
    ASSERT_TRUE(record_matmul(*seq, BlockFormat::Q8_0, *bwu, *bx, *bu, n, cols, 1).ok());
    ASSERT_TRUE(record_swiglu(*seq, *bg, *bu, *bo, n).ok());
    ASSERT_TRUE(record_rope_neox(*seq, *bo, *bpos, heads, head_dim, rotary, theta).ok());
    ASSERT_TRUE(seq->finish().ok());
    EXPECT_EQ(seq->dispatch_count(), 4u);

    for (std::uint32_t pos : {0u, 5u, 1000u, 0u}) {
        ASSERT_TRUE(m_ctx->upload(*bpos, std::as_bytes(std::span(&pos, 1))).ok());
        ASSERT_TRUE(seq->run().ok());
        std::vector<float> out(n);
        ASSERT_TRUE(m_ctx->download(*bo, std::as_writable_bytes(std::span(out))).ok());
        // CPU: silu(gate) * up, then the spec's partial NEOX rotation.
        std::vector<double> ref(n);
        for (std::int64_t i = 0; i < n; ++i)
            ref[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
        for (std::int64_t h = 0; h < heads; ++h)
            for (std::int64_t i = 0; i < rotary / 2; ++i) {
                const double angle =
                    pos * std::pow(double(theta), -2.0 * double(i) / double(rotary));
                const double a = ref[h * head_dim + i], b = ref[h * head_dim + i + rotary / 2];
                ref[h * head_dim + i] = a * std::cos(angle) - b * std::sin(angle);
                ref[h * head_dim + i + rotary / 2] = b * std::cos(angle) + a * std::sin(angle);
            }
        double max_ref = 0.0, max_err = 0.0;
        for (std::int64_t i = 0; i < n; ++i) {
            max_ref = std::max(max_ref, std::abs(ref[i]));
            max_err = std::max(max_err, std::abs(out[i] - ref[i]));
        }
        EXPECT_GT(max_ref, 0.0);
        EXPECT_LT(max_err / max_ref, 1e-3) << "position " << pos;
    }
}

// Information only (no assertion on speed): weight bytes streamed per second by a replayed
// 4096 x 4096 matvec, per format. Printed so CI logs show lavapipe's figure.
TEST_F(VulkanLayer, ReportsMatvecBandwidth)
{
    constexpr std::int64_t rows = 4096, cols = 4096;
    for (BlockFormat f : {BlockFormat::Q4_K, BlockFormat::Q8_0, BlockFormat::BF16}) {
        const auto w = random_weights(f, rows, cols, 5);
        const auto x = glmdesk::test::random_floats(cols, 6);
        auto bw = std::move(m_ctx->create_buffer(w.size())).value();
        auto bx = std::move(m_ctx->create_buffer(cols * 4)).value();
        auto by = std::move(m_ctx->create_buffer(rows * 4)).value();
        ASSERT_TRUE(m_ctx->upload(*bw, w).ok());
        ASSERT_TRUE(m_ctx->upload(*bx, std::as_bytes(std::span(x))).ok());
        auto seq = std::move(m_ctx->create_sequence()).value();
        ASSERT_TRUE(record_matmul(*seq, f, *bw, *bx, *by, rows, cols, 1).ok());
        ASSERT_TRUE(seq->run().ok()); // warm-up: the pipeline compiles on first use
        constexpr int reps = 3;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < reps; ++i)
            ASSERT_TRUE(seq->run().ok());
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s %s matvec 4096x4096: %.2f ms, %.2f GB/s\n", m_ctx->device_name().c_str(),
                    std::string(block_format_info(f).name).c_str(), s / reps * 1e3,
                    double(w.size()) * reps / s / 1e9);
    }
}
