// Attention over a KV cache in device memory: storing a batch's K and V rows, and causal softmax
// attention of its queries over every cached slot. The first slot of the batch (pos0) is read on
// the device from the position buffer the RoPE shader reads too, so a decode sequence recorded
// once is replayed for every token with only that word rewritten. The cache formats are the CPU
// model's (f32, f16, q8_0 blocks), rounded the same way, so the two backends hold the same cache.
#pragma once

#include "engine/backend/vulkan/vulkan_context.h"

#include <cstddef>
#include <cstdint>

namespace glmdesk::engine {

enum class VulkanKvType : std::uint8_t { F32, F16, Q8_0 };

// Bytes of one cache row of kv_width values (q8_0: 34 bytes per 32 values, which needs kv_width
// to be a multiple of 64 on the device so that rows and block pairs start on whole words).
std::size_t vulkan_kv_row_bytes(VulkanKvType type, std::int64_t kv_width);

// Writes n_tokens rows of k and v (float32, [n_tokens][kv_width]) to the caches at slots
// pos0 .. pos0 + n_tokens - 1, pos0 being word 0 of `position`. The caches hold n_ctx rows; a
// replay whose slots pass n_ctx writes none of those.
Status record_kv_store(VulkanSequence &seq, VulkanKvType type, const VulkanBuffer &k,
                       const VulkanBuffer &v, const VulkanBuffer &k_cache,
                       const VulkanBuffer &v_cache, const VulkanBuffer &position,
                       std::int64_t n_tokens, std::int64_t kv_width, std::int64_t n_ctx);

// out[t][h * head_dim + i] = sum_s softmax_s(scale * q[t][h] . K[s][h / group]) V[s][h / group][i]
// over slots s = 0 .. pos0 + t (token t is at slot pos0 + t, already stored), group =
// n_heads / n_kv_heads. q and out are [n_tokens][n_heads * head_dim] float32.
Status record_attention(VulkanSequence &seq, VulkanKvType type, const VulkanBuffer &q,
                        const VulkanBuffer &k_cache, const VulkanBuffer &v_cache,
                        const VulkanBuffer &position, const VulkanBuffer &out,
                        std::int64_t n_tokens, std::int64_t n_heads, std::int64_t n_kv_heads,
                        std::int64_t head_dim, std::int64_t n_ctx, float scale);

} // namespace glmdesk::engine
