// The MoE half of a GLM-4.5 layer on Vulkan: the router (fused logits, sigmoid, biased top-k,
// weights) writes each token's expert ids and weights to device buffers, and the experts' products
// read those ids on the device, so a decode step needs no round trip to the host between the
// router and the experts. A layer's experts are one stacked buffer (GGUF stores them so), and an
// expert is an offset into it.
#pragma once

#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/quant/block_formats.h"

#include <cstdint>

namespace glmdesk::engine {

// For each of n_tokens rows of x ([n_tokens][n_embd] f32): router logits from router_w
// ([n_experts][n_embd] f32), the selection of Glm45CpuModel (sigmoid scores, top k by score +
// bias, ties to the lower id), written as ids [n_tokens][k] (uint32, ascending) and weights
// [n_tokens][k] (f32). n_experts <= 256, k <= 16.
Status record_router(VulkanSequence &seq, const VulkanBuffer &x, const VulkanBuffer &router_w,
                     const VulkanBuffer &bias, const VulkanBuffer &ids, const VulkanBuffer &weights,
                     std::int64_t n_tokens, std::int64_t n_embd, std::int64_t n_experts,
                     std::int64_t k, bool norm_topk_prob, float routed_scaling_factor);

// Expert e's rows (rows x cols in `format`) start at byte e * expert_bytes of w_stacked (the
// whole stack under 4 GiB: the shader addresses bytes with 32 bits). For token t and slot j < k,
// with e = ids[t][j]:
//   y[t][j][r] = sum_c W_e[r][c] * x_row[c],  x_row = x[t] (x is [n_tokens][cols]), or x[t][j]
//   with x_per_slot (x is [n_tokens][k][cols]).
// y is [n_tokens][k][rows]. An id >= n_experts yields zeros.
Status record_matmul_id(VulkanSequence &seq, BlockFormat format, const VulkanBuffer &w_stacked,
                        std::uint64_t expert_bytes, std::int64_t n_experts, const VulkanBuffer &x,
                        const VulkanBuffer &ids, const VulkanBuffer &y, std::int64_t rows,
                        std::int64_t cols, std::int64_t n_tokens, std::int64_t k, bool x_per_slot);

// out[t][i] += sum_j weights[t][j] * y[t][j][i]; out already holds the shared expert's output.
Status record_moe_combine(VulkanSequence &seq, const VulkanBuffer &y, const VulkanBuffer &weights,
                          const VulkanBuffer &out, std::int64_t n_tokens, std::int64_t k,
                          std::int64_t width);

} // namespace glmdesk::engine
