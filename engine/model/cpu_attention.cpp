#include "engine/model/cpu_attention.h"

#include "engine/common/thread_pool.h"
#include "kernels/cpu/dot_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace glmdesk::engine {
namespace {

constexpr int k_chunk = 64;      // V rows converted to float together
constexpr int k_query_block = 4; // queries per prefill work item
constexpr float k_no_max = -std::numeric_limits<float>::infinity();

struct Shape
{
    const KvCacheView *kv = nullptr;
    kernels::cpu::DotF32Fn dot = nullptr;
    kernels::cpu::ToF32Fn to_f32 = nullptr;
    const float *q = nullptr;
    int n_tokens = 0, n_heads = 0, n_cached = 0, group = 0, hd = 0;
    float scale = 1.0f;

    std::size_t q_stride() const { return static_cast<std::size_t>(n_heads) * hd; }
    int n_keys(int t) const { return n_cached + t + 1; } // keys visible to query t
    const std::uint8_t *row(const std::uint8_t *base, int slot, int kvh) const
    {
        return base +
               (static_cast<std::size_t>(slot) * kv->n_kv_heads + static_cast<std::size_t>(kvh)) *
                   kv->head_bytes;
    }
};

// A running softmax state per (query, head) row: max, sum of exponentials, weighted V sum.
struct Rows
{
    std::vector<float> m, l, acc; // [rows], [rows], [rows][hd]
    void resize(int rows, int hd)
    {
        m.assign(static_cast<std::size_t>(rows), k_no_max);
        l.assign(static_cast<std::size_t>(rows), 0.0f);
        acc.assign(static_cast<std::size_t>(rows) * static_cast<std::size_t>(hd), 0.0f);
    }
};

struct Scratch
{
    std::vector<float> scores; // [rows][k_attention_segment]
    std::vector<float> v;      // [k_chunk][hd]
    Rows part;
};

// Segment `seg`'s partial softmax for queries [t0, t1) and the `group` heads of KV head kvh, into
// out (row (t - t0) * group + g). A query with no key in the segment gets the empty state.
void segment_partial(const Shape &s, int kvh, int t0, int t1, int seg, Scratch &sc, Rows &out)
{
    const int n_rows = (t1 - t0) * s.group;
    const int p0 = seg * k_attention_segment;
    const int p_last = std::min(p0 + k_attention_segment, s.n_keys(t1 - 1)); // exclusive
    out.resize(n_rows, s.hd);
    sc.scores.resize(static_cast<std::size_t>(n_rows) * k_attention_segment);
    sc.v.resize(static_cast<std::size_t>(k_chunk) * static_cast<std::size_t>(s.hd));
    const auto hd = static_cast<std::size_t>(s.hd);

    for (int t = t0; t < t1; ++t) {
        const int p_end = std::min(p0 + k_attention_segment, s.n_keys(t));
        for (int g = 0; g < s.group; ++g) {
            const int r = (t - t0) * s.group + g;
            if (p_end <= p0)
                continue;
            const float *qh = s.q + static_cast<std::size_t>(t) * s.q_stride() +
                              static_cast<std::size_t>(kvh * s.group + g) * hd;
            float *score = sc.scores.data() + static_cast<std::size_t>(r) * k_attention_segment;
            float max_score = k_no_max;
            for (int p = p0; p < p_end; ++p) {
                const float v = s.dot(s.row(s.kv->k, p, kvh), qh, s.hd) * s.scale;
                score[p - p0] = v;
                max_score = std::max(max_score, v);
            }
            float sum = 0.0f;
            for (int p = p0; p < p_end; ++p) {
                const float e = std::exp(score[p - p0] - max_score);
                score[p - p0] = e;
                sum += e;
            }
            out.m[static_cast<std::size_t>(r)] = max_score;
            out.l[static_cast<std::size_t>(r)] = sum;
        }
    }

    for (int c0 = p0; c0 < p_last; c0 += k_chunk) {
        const int c1 = std::min(c0 + k_chunk, p_last);
        for (int p = c0; p < c1; ++p)
            s.to_f32(s.row(s.kv->v, p, kvh), sc.v.data() + static_cast<std::size_t>(p - c0) * hd,
                     s.hd);
        for (int t = t0; t < t1; ++t) {
            const int p_end = std::min(c1, s.n_keys(t));
            for (int g = 0; g < s.group; ++g) {
                const int r = (t - t0) * s.group + g;
                const float *w =
                    sc.scores.data() + static_cast<std::size_t>(r) * k_attention_segment;
                float *acc = out.acc.data() + static_cast<std::size_t>(r) * hd;
                for (int p = c0; p < p_end; ++p) {
                    const float wp = w[p - p0];
                    const float *vp = sc.v.data() + static_cast<std::size_t>(p - c0) * hd;
                    for (std::size_t c = 0; c < hd; ++c)
                        acc[c] += wp * vp[c];
                }
            }
        }
    }
}

// state = merge(state, part) for one row; the empty state is the identity, so the first
// non-empty partial is taken as it is.
void merge_row(float &m, float &l, float *acc, float m2, float l2, const float *acc2, int hd)
{
    if (m2 == k_no_max)
        return;
    if (m == k_no_max) {
        m = m2;
        l = l2;
        std::memcpy(acc, acc2, static_cast<std::size_t>(hd) * sizeof(float));
        return;
    }
    const float mx = std::max(m, m2);
    const float a = std::exp(m - mx), b = std::exp(m2 - mx);
    l = l * a + l2 * b;
    for (int c = 0; c < hd; ++c)
        acc[c] = acc[c] * a + acc2[c] * b;
    m = mx;
}

void write_out(const Shape &s, int t, int h, float l, const float *acc, float *ctx)
{
    float *o = ctx + static_cast<std::size_t>(t) * s.q_stride() +
               static_cast<std::size_t>(h) * static_cast<std::size_t>(s.hd);
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    for (int c = 0; c < s.hd; ++c)
        o[c] = acc[c] * inv;
}

// fn over [0, n) on the pool (threads taking one item at a time when `dynamic`), or inline.
template <typename Fn> void for_items(ThreadPool *pool, std::int64_t n, bool dynamic, Fn &&fn)
{
    if (pool == nullptr)
        fn(std::int64_t{0}, n);
    else if (dynamic)
        pool->parallel_for_dynamic(n, 1, fn);
    else
        pool->parallel_for(n, fn);
}

int n_segments(const Shape &s, int t)
{
    return (s.n_keys(t) + k_attention_segment - 1) / k_attention_segment;
}

// Prefill: one item is a KV head and up to k_query_block queries, walking every segment.
void run_by_queries(ThreadPool *pool, const Shape &s, float *ctx)
{
    const int n_blocks = (s.n_tokens + k_query_block - 1) / k_query_block;
    const int nkv = s.kv->n_kv_heads;
    auto item = [&](std::int64_t i0, std::int64_t i1) {
        thread_local Scratch sc;
        thread_local Rows state;
        for (std::int64_t i = i0; i < i1; ++i) {
            // Latest queries first: they see the most keys, so the dynamic split ends evenly.
            const int block = n_blocks - 1 - static_cast<int>(i / nkv);
            const int kvh = static_cast<int>(i % nkv);
            const int t0 = block * k_query_block;
            const int t1 = std::min(t0 + k_query_block, s.n_tokens);
            const int n_rows = (t1 - t0) * s.group;
            state.resize(n_rows, s.hd);
            for (int seg = 0; seg < n_segments(s, t1 - 1); ++seg) {
                segment_partial(s, kvh, t0, t1, seg, sc, sc.part);
                for (int r = 0; r < n_rows; ++r) {
                    const auto ru = static_cast<std::size_t>(r);
                    const std::size_t off = ru * static_cast<std::size_t>(s.hd);
                    merge_row(state.m[ru], state.l[ru], state.acc.data() + off, sc.part.m[ru],
                              sc.part.l[ru], sc.part.acc.data() + off, s.hd);
                }
            }
            for (int r = 0; r < n_rows; ++r) {
                const auto ru = static_cast<std::size_t>(r);
                write_out(s, t0 + r / s.group, kvh * s.group + r % s.group, state.l[ru],
                          state.acc.data() + ru * static_cast<std::size_t>(s.hd), ctx);
            }
        }
    };
    for_items(pool, static_cast<std::int64_t>(n_blocks) * nkv, true, item);
}

// Decode: one item is a KV head and a segment for every query; the partials are merged after.
void run_by_segments(ThreadPool *pool, const Shape &s, float *ctx)
{
    const int nkv = s.kv->n_kv_heads;
    const int n_seg = n_segments(s, s.n_tokens - 1);
    const int rows_per_kvh = s.n_tokens * s.group;
    const auto hd = static_cast<std::size_t>(s.hd);
    // partial of (seg, kvh, row): m, l and acc at index (seg * nkv + kvh) * rows_per_kvh + row.
    const std::size_t n_parts = static_cast<std::size_t>(n_seg) * static_cast<std::size_t>(nkv) *
                                static_cast<std::size_t>(rows_per_kvh);
    std::vector<float> m(n_parts), l(n_parts), acc(n_parts * hd);
    auto item = [&](std::int64_t i0, std::int64_t i1) {
        thread_local Scratch sc;
        for (std::int64_t i = i0; i < i1; ++i) {
            const int seg = static_cast<int>(i / nkv);
            const int kvh = static_cast<int>(i % nkv);
            segment_partial(s, kvh, 0, s.n_tokens, seg, sc, sc.part);
            const auto base = static_cast<std::size_t>(i) * static_cast<std::size_t>(rows_per_kvh);
            std::copy(sc.part.m.begin(), sc.part.m.end(), m.begin() + static_cast<long>(base));
            std::copy(sc.part.l.begin(), sc.part.l.end(), l.begin() + static_cast<long>(base));
            std::copy(sc.part.acc.begin(), sc.part.acc.end(),
                      acc.begin() + static_cast<long>(base * hd));
        }
    };
    for_items(pool, static_cast<std::int64_t>(n_seg) * nkv, true, item);

    const auto merge = [&](std::int64_t r0, std::int64_t r1) {
        std::vector<float> state(hd);
        for (std::int64_t rr = r0; rr < r1; ++rr) {
            const int kvh = static_cast<int>(rr / rows_per_kvh);
            const int r = static_cast<int>(rr % rows_per_kvh);
            float sm = k_no_max, sl = 0.0f;
            std::fill(state.begin(), state.end(), 0.0f);
            for (int seg = 0; seg < n_seg; ++seg) {
                const std::size_t at =
                    (static_cast<std::size_t>(seg) * static_cast<std::size_t>(nkv) +
                     static_cast<std::size_t>(kvh)) *
                        static_cast<std::size_t>(rows_per_kvh) +
                    static_cast<std::size_t>(r);
                merge_row(sm, sl, state.data(), m[at], l[at], acc.data() + at * hd, s.hd);
            }
            write_out(s, r / s.group, kvh * s.group + r % s.group, sl, state.data(), ctx);
        }
    };
    for_items(pool, static_cast<std::int64_t>(nkv) * rows_per_kvh, false, merge);
}

} // namespace

void causal_attention(ThreadPool *pool, const KvCacheView &kv, const float *q, int n_tokens,
                      int n_heads, int n_cached, float scale, float *ctx)
{
    if (n_tokens < 1 || kv.n_kv_heads < 1 || n_heads % kv.n_kv_heads != 0)
        return;
    const kernels::cpu::FormatKernels k = kernels::cpu::kernels(kv.format);
    Shape s;
    s.kv = &kv;
    s.dot = k.dot_f32;
    s.to_f32 = k.to_f32;
    s.q = q;
    s.n_tokens = n_tokens;
    s.n_heads = n_heads;
    s.n_cached = n_cached;
    s.group = n_heads / kv.n_kv_heads;
    s.hd = kv.head_dim;
    s.scale = scale;
    if (s.dot == nullptr || s.to_f32 == nullptr)
        return;
    const int threads = pool ? pool->size() : 1;
    const int query_items = (n_tokens + k_query_block - 1) / k_query_block * kv.n_kv_heads;
    if (query_items < 2 * threads && n_segments(s, n_tokens - 1) > 1)
        run_by_segments(pool, s, ctx);
    else
        run_by_queries(pool, s, ctx);
}

} // namespace glmdesk::engine
