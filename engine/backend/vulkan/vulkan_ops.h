// The ops of the Vulkan backend on top of the layer in vulkan_context.h. Each op has a record_*
// form that appends its dispatch to a VulkanSequence (decode records a token's ops once and
// replays them) and, where the tests need it, a one-shot form that uploads, runs and downloads.
// Shapes are checked against the buffer sizes before anything is recorded.
#pragma once

#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/quant/block_formats.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace glmdesk::engine {

// The weight formats the matvec/matmul shaders read: Q8_0, Q4_K, Q5_K, Q6_K, IQ4_XS, BF16, and
// the ones llama-quantize falls back to on rows that are not a multiple of 256 (Air's expert down
// projections: Q5_0, Q5_1, IQ4_NL) or mixes in (Q2_K, Q3_K), plus Q4_0, Q4_1, F16 and F32.
bool vulkan_matvec_supported(BlockFormat format);

// Y[c][r] = sum_k W[r][k] * X[c][k] for c < n_cols: W is rows x cols in `format` (rows stored
// one after another), X is n_cols x cols float32, Y is n_cols x rows float32. n_cols == 1 is the
// decode matvec, larger n_cols the prefill product (8 columns per workgroup).
Status record_matmul(VulkanSequence &seq, BlockFormat format, const VulkanBuffer &w,
                     const VulkanBuffer &x, const VulkanBuffer &y, std::int64_t rows,
                     std::int64_t cols, std::int64_t n_cols);
Expected<std::vector<float>> vulkan_matmul(VulkanContext &ctx, BlockFormat format,
                                           std::span<const std::byte> w, std::int64_t rows,
                                           std::int64_t cols, std::span<const float> x,
                                           std::int64_t n_cols);

// y = rms_norm(x) * weight over `rows` rows of `cols`.
Status record_rms_norm(VulkanSequence &seq, const VulkanBuffer &x, const VulkanBuffer &weight,
                       const VulkanBuffer &y, std::int64_t rows, std::int64_t cols, float eps);

// Partial NEOX RoPE in place on n_tokens x n_heads x head_dim floats, rotary_dim leading dims of
// each head. Token t is at position p + t, p the first uint32 of `position` (the host rewrites it
// between replays).
Status record_rope_neox(VulkanSequence &seq, const VulkanBuffer &x, const VulkanBuffer &position,
                        std::int64_t n_heads, std::int64_t head_dim, std::int64_t rotary_dim,
                        float theta, std::int64_t n_tokens = 1);

// out = silu(gate) * up over n floats.
Status record_swiglu(VulkanSequence &seq, const VulkanBuffer &gate, const VulkanBuffer &up,
                     const VulkanBuffer &out, std::int64_t n);

// y[i] += b[i % period] over n floats: a residual add (period == n) or a bias on every row.
Status record_add(VulkanSequence &seq, const VulkanBuffer &y, const VulkanBuffer &b, std::int64_t n,
                  std::int64_t period);
// dst[i] = src[src_offset + i] over n floats (one row out of a batch).
Status record_copy(VulkanSequence &seq, const VulkanBuffer &dst, const VulkanBuffer &src,
                   std::int64_t n, std::int64_t src_offset);

} // namespace glmdesk::engine
