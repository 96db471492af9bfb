// Vulkan KV cache and attention against a plain double-precision reference on random data, on
// Mesa's lavapipe where there is no GPU. The reference rounds K and V as the cache stores them
// (f16: nearest even; q8_0: the scale rounded to f16 first, codes from the rounded scale), so the
// comparison measures the shaders, not the cache format.
#include "engine/backend/vulkan/vulkan_attention.h"
#include "engine/quant/block_layouts.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace glmdesk::engine;

namespace {

struct Shape
{
    int n_heads, n_kv_heads, head_dim;
};

// What the cache gives back for a row of values.
std::vector<float> cache_round(VulkanKvType type, std::vector<float> row)
{
    if (type == VulkanKvType::F16)
        for (float &v : row)
            v = fp16_to_float(float_to_fp16(v));
    if (type == VulkanKvType::Q8_0)
        for (std::size_t b = 0; b < row.size() / 32; ++b) {
            float amax = 0.0f;
            for (std::size_t i = 0; i < 32; ++i)
                amax = std::max(amax, std::fabs(row[b * 32 + i]));
            const float d = fp16_to_float(float_to_fp16(amax / 127.0f));
            const float inv = d > 0.0f ? 1.0f / d : 0.0f;
            for (std::size_t i = 0; i < 32; ++i)
                row[b * 32 + i] =
                    d * std::clamp(std::nearbyint(row[b * 32 + i] * inv), -127.0f, 127.0f);
        }
    return row;
}

class VulkanAttention : public ::testing::TestWithParam<std::tuple<VulkanKvType, Shape>>
{
protected:
    void SetUp() override
    {
        auto ctx = VulkanContext::create();
        if (!ctx)
            GTEST_SKIP() << "no Vulkan device: " << ctx.status().message();
        m_ctx = std::move(ctx).value();
    }
    std::unique_ptr<VulkanBuffer> buffer(std::size_t bytes)
    {
        return std::move(m_ctx->create_buffer(bytes)).value();
    }
    std::unique_ptr<VulkanContext> m_ctx;
};

} // namespace

std::string
attention_case_name(const ::testing::TestParamInfo<std::tuple<VulkanKvType, Shape>> &info)
{
    const VulkanKvType type = std::get<0>(info.param);
    const Shape shape = std::get<1>(info.param);
    const char *names[] = {"f32", "f16", "q8_0"};
    return std::string(names[static_cast<int>(type)]) + "_" + std::to_string(shape.n_heads) + "h" +
           std::to_string(shape.n_kv_heads) + "kv" + std::to_string(shape.head_dim);
}

// Fill the cache through record_kv_store in several batches (a prompt, then decode steps), then
// attend from a batch of queries at the end: every output within float rounding of the reference.
TEST_P(VulkanAttention, MatchesTheReference)
{
    const auto [type, shape] = GetParam();
    const auto [nh, nkv, hd] = shape;
    const int width = nkv * hd, q_width = nh * hd, group = nh / nkv;
    constexpr int n_ctx = 160;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    // Batches of 37, 1, 1 and 64 tokens: slots 0..102.
    const std::vector<int> batches = {37, 1, 1, 64};
    auto kc = buffer(vulkan_kv_row_bytes(type, width) * n_ctx);
    auto vc = buffer(vulkan_kv_row_bytes(type, width) * n_ctx);
    auto pos = buffer(4);
    auto kb = buffer(64u * width * 4), vb = buffer(64u * width * 4);
    auto qb = buffer(64u * q_width * 4), ob = buffer(64u * q_width * 4);
    std::vector<std::vector<float>> keys, values; // cache-rounded, by slot
    std::uint32_t p0 = 0;
    unsigned seed = 100;
    for (const int m : batches) {
        const auto k = glmdesk::test::random_floats(std::size_t(m) * width, ++seed, -2.0f, 2.0f);
        const auto v = glmdesk::test::random_floats(std::size_t(m) * width, ++seed, -2.0f, 2.0f);
        const auto q = glmdesk::test::random_floats(std::size_t(m) * q_width, ++seed, -2.0f, 2.0f);
        for (int t = 0; t < m; ++t) {
            keys.push_back(cache_round(type, {k.begin() + t * width, k.begin() + (t + 1) * width}));
            values.push_back(
                cache_round(type, {v.begin() + t * width, v.begin() + (t + 1) * width}));
        }
        ASSERT_TRUE(m_ctx->upload(*kb, std::as_bytes(std::span(k))).ok());
        ASSERT_TRUE(m_ctx->upload(*vb, std::as_bytes(std::span(v))).ok());
        ASSERT_TRUE(m_ctx->upload(*qb, std::as_bytes(std::span(q))).ok());
        ASSERT_TRUE(m_ctx->upload(*pos, std::as_bytes(std::span(&p0, 1))).ok());
        auto seq = std::move(m_ctx->create_sequence()).value();
        ASSERT_TRUE(record_kv_store(*seq, type, *kb, *vb, *kc, *vc, *pos, m, width, n_ctx).ok());
        ASSERT_TRUE(
            record_attention(*seq, type, *qb, *kc, *vc, *pos, *ob, m, nh, nkv, hd, n_ctx, scale)
                .ok());
        ASSERT_TRUE(seq->finish().ok());
        ASSERT_TRUE(seq->run().ok());
        std::vector<float> got(std::size_t(m) * q_width);
        ASSERT_TRUE(m_ctx->download(*ob, std::as_writable_bytes(std::span(got))).ok());

        double worst = 0.0;
        for (int t = 0; t < m; ++t)
            for (int h = 0; h < nh; ++h) {
                const int kvh = h / group;
                const float *qh = q.data() + (std::size_t(t) * nh + h) * hd;
                const int n_keys = static_cast<int>(p0) + t + 1;
                std::vector<double> s(static_cast<std::size_t>(n_keys));
                for (int j = 0; j < n_keys; ++j) {
                    double dot = 0.0;
                    for (int i = 0; i < hd; ++i)
                        dot += double(qh[i]) * keys[std::size_t(j)][std::size_t(kvh * hd + i)];
                    s[std::size_t(j)] = dot * scale;
                }
                const double mx = *std::max_element(s.begin(), s.end());
                double sum = 0.0;
                for (double &x : s)
                    sum += (x = std::exp(x - mx));
                for (int i = 0; i < hd; ++i) {
                    double want = 0.0;
                    for (int j = 0; j < n_keys; ++j)
                        want += s[std::size_t(j)] / sum *
                                values[std::size_t(j)][std::size_t(kvh * hd + i)];
                    const double g = got[(std::size_t(t) * nh + h) * hd + std::size_t(i)];
                    worst = std::max(worst, std::fabs(g - want));
                }
            }
        // Outputs are convex combinations of values in [-2, 2].
        EXPECT_LT(worst, 2e-5) << "batch at slot " << p0 << " of " << m;
        p0 += static_cast<std::uint32_t>(m);
    }
}

INSTANTIATE_TEST_SUITE_P(
    TypesAndShapes, VulkanAttention,
    ::testing::Combine(::testing::Values(VulkanKvType::F32, VulkanKvType::F16, VulkanKvType::Q8_0),
                       ::testing::Values(Shape{8, 2, 64}, Shape{6, 2, 128}, Shape{4, 4, 256},
                                         Shape{96, 8, 128})), // the last: GLM-4.5-Air
    attention_case_name);

// A sequence recorded once replays at new positions (decode): the same outputs as recording anew.
TEST_F(VulkanAttention, ReplayAtNewPositionsEqualsRecordingAnew)
{
    constexpr int nh = 8, nkv = 2, hd = 128, width = nkv * hd, n_ctx = 300;
    auto kc = buffer(width * 2 * n_ctx), vc = buffer(width * 2 * n_ctx), pos = buffer(4);
    auto kb = buffer(width * 4), vb = buffer(width * 4), qb = buffer(nh * hd * 4),
         ob = buffer(nh * hd * 4);
    auto replayed = std::move(m_ctx->create_sequence()).value();
    const auto type = VulkanKvType::F16;
    ASSERT_TRUE(record_kv_store(*replayed, type, *kb, *vb, *kc, *vc, *pos, 1, width, n_ctx).ok());
    ASSERT_TRUE(
        record_attention(*replayed, type, *qb, *kc, *vc, *pos, *ob, 1, nh, nkv, hd, n_ctx, 0.1f)
            .ok());
    ASSERT_TRUE(replayed->finish().ok());
    for (std::uint32_t p = 0; p < 260; ++p) {
        const auto k = glmdesk::test::random_floats(width, 1000 + p);
        const auto v = glmdesk::test::random_floats(width, 2000 + p);
        const auto q = glmdesk::test::random_floats(nh * hd, 3000 + p);
        ASSERT_TRUE(m_ctx->upload(*kb, std::as_bytes(std::span(k))).ok());
        ASSERT_TRUE(m_ctx->upload(*vb, std::as_bytes(std::span(v))).ok());
        ASSERT_TRUE(m_ctx->upload(*qb, std::as_bytes(std::span(q))).ok());
        ASSERT_TRUE(m_ctx->upload(*pos, std::as_bytes(std::span(&p, 1))).ok());
        ASSERT_TRUE(replayed->run().ok());
        if (p % 64 != 63)
            continue; // compare at a few positions, past the 64-key chunk boundaries
        std::vector<float> a(nh * hd), b(nh * hd);
        ASSERT_TRUE(m_ctx->download(*ob, std::as_writable_bytes(std::span(a))).ok());
        auto fresh = std::move(m_ctx->create_sequence()).value();
        ASSERT_TRUE(
            record_attention(*fresh, type, *qb, *kc, *vc, *pos, *ob, 1, nh, nkv, hd, n_ctx, 0.1f)
                .ok());
        ASSERT_TRUE(fresh->finish().ok());
        ASSERT_TRUE(fresh->run().ok());
        ASSERT_TRUE(m_ctx->download(*ob, std::as_writable_bytes(std::span(b))).ok());
        EXPECT_EQ(a, b) << "position " << p;
    }
}

// Bad shapes are refused before recording; a replay past the end of the cache neither writes nor
// reads out of bounds.
TEST_F(VulkanAttention, RefusesBadShapesAndStaysInBounds)
{
    auto kc = buffer(64 * 4 * 8), vc = buffer(64 * 4 * 8), pos = buffer(4);
    auto kb = buffer(64 * 4), vb = buffer(64 * 4), qb = buffer(128 * 4), ob = buffer(128 * 4);
    // Slots this test never stores are read: zero them (device memory starts undefined).
    const std::vector<float> zeros(64 * 8, 0.0f);
    ASSERT_TRUE(m_ctx->upload(*kc, std::as_bytes(std::span(zeros))).ok());
    ASSERT_TRUE(m_ctx->upload(*vc, std::as_bytes(std::span(zeros))).ok());
    auto seq = std::move(m_ctx->create_sequence()).value();
    const auto f32 = VulkanKvType::F32;
    EXPECT_EQ(record_attention(*seq, f32, *qb, *kc, *vc, *pos, *ob, 1, 3, 2, 64, 8, 0.1f).code(),
              StatusCode::InvalidArgument); // 3 heads over 2 KV heads
    EXPECT_EQ(record_attention(*seq, f32, *qb, *kc, *vc, *pos, *ob, 1, 2, 1, 64, 9, 0.1f).code(),
              StatusCode::InvalidArgument); // the caches hold 8 rows
    EXPECT_EQ(record_kv_store(*seq, VulkanKvType::Q8_0, *kb, *vb, *kc, *vc, *pos, 1, 32, 8).code(),
              StatusCode::InvalidArgument); // q8_0 rows are whole pairs of blocks
    EXPECT_EQ(record_kv_store(*seq, f32, *kb, *vb, *kc, *vc, *pos, 2, 64, 8).code(),
              StatusCode::InvalidArgument); // k holds one row
    ASSERT_TRUE(record_kv_store(*seq, f32, *kb, *vb, *kc, *vc, *pos, 1, 64, 8).ok());
    ASSERT_TRUE(record_attention(*seq, f32, *qb, *kc, *vc, *pos, *ob, 1, 2, 1, 64, 8, 0.1f).ok());
    ASSERT_TRUE(seq->finish().ok());
    const auto k = glmdesk::test::random_floats(64, 5);
    ASSERT_TRUE(m_ctx->upload(*kb, std::as_bytes(std::span(k))).ok());
    ASSERT_TRUE(m_ctx->upload(*vb, std::as_bytes(std::span(k))).ok());
    const auto q = glmdesk::test::random_floats(128, 6);
    ASSERT_TRUE(m_ctx->upload(*qb, std::as_bytes(std::span(q))).ok());
    for (const std::uint32_t p : {7u, 8u, 1000u, 0xffffffffu}) {
        ASSERT_TRUE(m_ctx->upload(*pos, std::as_bytes(std::span(&p, 1))).ok());
        ASSERT_TRUE(seq->run().ok()) << p;
        std::vector<float> out(128);
        ASSERT_TRUE(m_ctx->download(*ob, std::as_writable_bytes(std::span(out))).ok());
        for (const float o : out)
            ASSERT_TRUE(std::isfinite(o)) << "position " << p;
    }
}
