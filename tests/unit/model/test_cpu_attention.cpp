// engine/model/cpu_attention: causal attention over a KV cache on the CPU pool, against a plain
// double-precision softmax over the dequantized cache (random queries and cache rows in every
// cache format, GLM-4.5-Air's head layout and odd ones, contexts crossing several key segments),
// and the property the speculative decoder relies on: a query's output is bit-identical whatever
// its batch, the thread count and the work split.
#include "engine/model/cpu_attention.h"

#include "engine/common/thread_pool.h"
#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace eng = glmdesk::engine;
using eng::BlockFormat;

namespace {

struct Cache
{
    std::vector<std::uint8_t> k, v;
    eng::KvCacheView view;
};

std::size_t row_bytes(BlockFormat format, int hd)
{
    switch (format) {
    case BlockFormat::F32:
        return static_cast<std::size_t>(hd) * 4;
    case BlockFormat::F16:
        return static_cast<std::size_t>(hd) * 2;
    default:
        return static_cast<std::size_t>(hd) / 32 * sizeof(eng::BlockQ8_0);
    }
}

// One cache row of random values (|x| < 2) stored in `format`.
void random_row(BlockFormat format, int hd, std::mt19937 &rng, std::uint8_t *dst)
{
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    for (int i = 0; i < hd; ++i) {
        if (format == BlockFormat::F32) {
            const float x = u(rng);
            std::memcpy(dst + 4 * i, &x, 4);
        } else if (format == BlockFormat::F16) {
            const eng::Fp16Bits h = eng::float_to_fp16(u(rng));
            std::memcpy(dst + 2 * i, &h, 2);
        }
    }
    if (format == BlockFormat::Q8_0) {
        for (int b = 0; b < hd / 32; ++b) {
            eng::BlockQ8_0 block{};
            block.d = eng::float_to_fp16(std::uniform_real_distribution<float>(0.002f, 0.02f)(rng));
            for (std::int8_t &q : block.qs)
                q = static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127);
            std::memcpy(dst + static_cast<std::size_t>(b) * sizeof block, &block, sizeof block);
        }
    }
}

Cache random_cache(BlockFormat format, int slots, int nkv, int hd, unsigned seed)
{
    std::mt19937 rng(seed);
    Cache c;
    const std::size_t rb = row_bytes(format, hd);
    c.k.resize(static_cast<std::size_t>(slots) * nkv * rb);
    c.v.resize(c.k.size());
    for (std::size_t r = 0; r < static_cast<std::size_t>(slots) * nkv; ++r) {
        random_row(format, hd, rng, c.k.data() + r * rb);
        random_row(format, hd, rng, c.v.data() + r * rb);
    }
    c.view = {c.k.data(), c.v.data(), format, rb, nkv, hd};
    return c;
}

std::vector<float> random_queries(int n_tokens, int nh, int hd, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    std::vector<float> q(static_cast<std::size_t>(n_tokens) * nh * hd);
    for (float &x : q)
        x = n(rng);
    return q;
}

std::vector<float> row_f32(const Cache &c, const std::vector<std::uint8_t> &data, int slot, int kvh)
{
    std::vector<float> out(static_cast<std::size_t>(c.view.head_dim));
    const std::size_t at =
        (static_cast<std::size_t>(slot) * c.view.n_kv_heads + static_cast<std::size_t>(kvh)) *
        c.view.head_bytes;
    EXPECT_TRUE(eng::dequantize_row(c.view.format, data.data() + at, out.size(), out.data()).ok());
    return out;
}

// Double-precision softmax attention over the dequantized cache.
std::vector<double> reference(const Cache &c, const std::vector<float> &q, int n_tokens, int nh,
                              int n_cached, float scale)
{
    const int hd = c.view.head_dim, nkv = c.view.n_kv_heads, group = nh / nkv;
    std::vector<double> out(q.size());
    for (int t = 0; t < n_tokens; ++t)
        for (int h = 0; h < nh; ++h) {
            const float *qh = q.data() + (static_cast<std::size_t>(t) * nh + h) * hd;
            const int n_keys = n_cached + t + 1;
            std::vector<double> s(static_cast<std::size_t>(n_keys));
            double mx = -1e300;
            for (int p = 0; p < n_keys; ++p) {
                const std::vector<float> k = row_f32(c, c.k, p, h / group);
                double d = 0.0;
                for (int i = 0; i < hd; ++i)
                    d += static_cast<double>(qh[i]) * k[static_cast<std::size_t>(i)];
                s[static_cast<std::size_t>(p)] = d * scale;
                mx = std::max(mx, s[static_cast<std::size_t>(p)]);
            }
            double sum = 0.0;
            for (double &x : s)
                sum += (x = std::exp(x - mx));
            double *o = out.data() + (static_cast<std::size_t>(t) * nh + h) * hd;
            for (int p = 0; p < n_keys; ++p) {
                const std::vector<float> v = row_f32(c, c.v, p, h / group);
                for (int i = 0; i < hd; ++i)
                    o[i] += s[static_cast<std::size_t>(p)] / sum * v[static_cast<std::size_t>(i)];
            }
        }
    return out;
}

std::vector<float> run(eng::ThreadPool *pool, const Cache &c, const std::vector<float> &q,
                       int n_tokens, int nh, int n_cached, float scale)
{
    std::vector<float> ctx(q.size(), -999.0f);
    eng::causal_attention(pool, c.view, q.data(), n_tokens, nh, n_cached, scale, ctx.data());
    return ctx;
}

struct Case
{
    BlockFormat format;
    int nh, nkv, hd, n_cached, n_tokens;
};

std::string name(const Case &c)
{
    return std::string(eng::block_format_info(c.format).name) + "_" + std::to_string(c.nh) + "x" +
           std::to_string(c.nkv) + "x" + std::to_string(c.hd) + "_past" +
           std::to_string(c.n_cached) + "_n" + std::to_string(c.n_tokens);
}

class CpuAttention : public ::testing::TestWithParam<Case>
{};

TEST_P(CpuAttention, MatchesADoubleSoftmaxOverTheDequantizedCache)
{
    const Case k = GetParam();
    const Cache c = random_cache(k.format, k.n_cached + k.n_tokens, k.nkv, k.hd, 11);
    const std::vector<float> q = random_queries(k.n_tokens, k.nh, k.hd, 12);
    const float scale = 1.0f / std::sqrt(static_cast<float>(k.hd));
    const std::vector<double> ref = reference(c, q, k.n_tokens, k.nh, k.n_cached, scale);
    eng::ThreadPool pool(3);
    const std::vector<float> got = run(&pool, c, q, k.n_tokens, k.nh, k.n_cached, scale);
    // Outputs are convex combinations of V rows (|v| < 2): float rounding over a few hundred
    // keys stays far below 1e-5, a wrong mask or weight shows at 1e-2 and more.
    double worst = 0.0;
    for (std::size_t i = 0; i < ref.size(); ++i)
        worst = std::max(worst, std::fabs(got[i] - ref[i]));
    EXPECT_LT(worst, 2e-5) << name(k);
}

// Every thread count and both work splits (few queries over many segments take the per-segment
// split; one thread or many queries the per-query one) give the same bits, and so does running
// the queries one at a time as decode does.
TEST_P(CpuAttention, SameBitsWhateverTheBatchThreadsOrSplit)
{
    const Case k = GetParam();
    const Cache c = random_cache(k.format, k.n_cached + k.n_tokens, k.nkv, k.hd, 21);
    const std::vector<float> q = random_queries(k.n_tokens, k.nh, k.hd, 22);
    const float scale = 0.125f;
    const std::vector<float> base = run(nullptr, c, q, k.n_tokens, k.nh, k.n_cached, scale);
    for (int threads : {2, 3, 8}) {
        eng::ThreadPool pool(threads);
        EXPECT_EQ(run(&pool, c, q, k.n_tokens, k.nh, k.n_cached, scale), base)
            << name(k) << ", " << threads << " threads";
    }
    eng::ThreadPool pool(8);
    const std::size_t row = static_cast<std::size_t>(k.nh) * k.hd;
    for (int t = 0; t < k.n_tokens; ++t) {
        const std::vector<float> qt(q.begin() + static_cast<long>(t * row),
                                    q.begin() + static_cast<long>((t + 1) * row));
        const std::vector<float> one = run(&pool, c, qt, 1, k.nh, k.n_cached + t, scale);
        EXPECT_TRUE(std::equal(one.begin(), one.end(), base.begin() + static_cast<long>(t * row)))
            << name(k) << ", token " << t << " alone";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, CpuAttention,
    ::testing::Values(Case{BlockFormat::F16, 96, 8, 128, 0, 7},    // GLM-4.5-Air heads
                      Case{BlockFormat::F16, 96, 8, 128, 600, 2},  // three key segments
                      Case{BlockFormat::F32, 12, 4, 64, 255, 3},   // a segment's last key
                      Case{BlockFormat::Q8_0, 16, 2, 128, 513, 9}, // q8_0 cache
                      Case{BlockFormat::F16, 6, 6, 32, 1030, 1},   // no grouping, long context
                      Case{BlockFormat::F32, 8, 1, 96, 3, 37}),    // one KV head, prefill
    [](const ::testing::TestParamInfo<Case> &p) { return name(p.param); });

} // namespace
