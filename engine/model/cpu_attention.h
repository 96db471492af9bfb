// Causal softmax attention of a batch of queries over one layer's KV cache, on the CPU pool: the
// part of a layer that does not read weights, and at long contexts the part that reads the most
// (GLM-4.5-Air at 8K positions: 33 MB of f16 K and V per layer and token, as much as its experts).
//
// The arithmetic of one (query, head) is fixed by the key positions alone. Keys are taken in
// segments of k_attention_segment positions (boundaries at its multiples); each segment gives a
// partial softmax (its own max, sum of exponentials and exponential-weighted sum of V rows, keys in
// ascending order), and the partials are merged in segment order. Prefill hands each thread a KV
// head and a few queries and walks the segments in order; decode, with too few (head, query) pairs
// to keep every core streaming, hands out (KV head, segment) pairs and merges afterwards. Both do
// the same operations in the same order, so a token's attention output never depends on its batch,
// on the thread count or on the path taken (the speculative decoder relies on that: a verified
// draft must score exactly as the plain step would).
//
// Scores use the CPU kernels' dot product on the cached rows as stored (f32, f16 or q8_0 blocks),
// so K is never converted; V rows are converted to float once per chunk of keys and reused by
// every query of the chunk.
#pragma once

#include "engine/quant/block_formats.h"

#include <cstddef>
#include <cstdint>

namespace glmdesk::engine {

class ThreadPool;

inline constexpr int k_attention_segment = 256; // key positions per partial softmax

struct KvCacheView
{
    const std::uint8_t *k = nullptr;       // [slot][n_kv_heads] rows of head_dim values
    const std::uint8_t *v = nullptr;       // the same layout
    BlockFormat format = BlockFormat::F32; // how a row is stored: F32, F16 or Q8_0
    std::size_t head_bytes = 0;            // bytes of one row
    int n_kv_heads = 0;
    int head_dim = 0;
};

// ctx[t, h * head_dim + c] = softmax over slots 0 .. n_cached + t of (q[t, h] . K[slot, kvh] *
// scale) applied to V[slot, kvh], where kvh = h / (n_heads / n_kv_heads): query t sits at cache
// slot n_cached + t. q and ctx are [n_tokens, n_heads * head_dim]. `pool` may be null (one thread).
// n_heads must be a multiple of kv.n_kv_heads; the caller has checked the shapes.
void causal_attention(ThreadPool *pool, const KvCacheView &kv, const float *q, int n_tokens,
                      int n_heads, int n_cached, float scale, float *ctx);

} // namespace glmdesk::engine
