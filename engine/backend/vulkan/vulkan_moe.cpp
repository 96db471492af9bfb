#include "engine/backend/vulkan/vulkan_moe.h"

#include "engine/backend/vulkan/vulkan_op_support.h"

#include <array>

namespace glmdesk::engine {

using namespace vulkan_detail;

Status record_router(VulkanSequence &seq, const VulkanBuffer &x, const VulkanBuffer &router_w,
                     const VulkanBuffer &bias, const VulkanBuffer &ids, const VulkanBuffer &weights,
                     std::int64_t n_tokens, std::int64_t n_embd, std::int64_t n_experts,
                     std::int64_t k, bool norm_topk_prob, float routed_scaling_factor)
{
    // The shader keeps 256 scores in shared memory and chooses into 16 registers.
    if (n_tokens <= 0 || n_tokens > k_grid_x || n_embd <= 0 || n_experts <= 0 || n_experts > 256 ||
        k <= 0 || k > 16 || k > n_experts || n_embd > k_u32_max / n_experts ||
        n_tokens > k_u32_max / n_embd)
        return bad("router", "bad shape");
    if (!fits(x, n_tokens * n_embd * 4) || !fits(router_w, n_experts * n_embd * 4) ||
        !fits(bias, n_experts * 4) || !fits(ids, n_tokens * k * 4) ||
        !fits(weights, n_tokens * k * 4))
        return bad("router", "buffer sizes do not match the shape");
    struct Push
    {
        std::uint32_t n_embd, n_experts, k, norm_topk_prob;
        float scaling;
    } push{static_cast<std::uint32_t>(n_embd), static_cast<std::uint32_t>(n_experts),
           static_cast<std::uint32_t>(k), norm_topk_prob ? 1u : 0u, routed_scaling_factor};
    const std::array<const VulkanBuffer *, 5> buffers = {&x, &router_w, &bias, &ids, &weights};
    return seq.dispatch(VulkanShader::Router, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(n_tokens));
}

Status record_matmul_id(VulkanSequence &seq, BlockFormat format, const VulkanBuffer &w_stacked,
                        std::uint64_t expert_bytes, std::int64_t n_experts, const VulkanBuffer &x,
                        const VulkanBuffer &ids, const VulkanBuffer &y, std::int64_t rows,
                        std::int64_t cols, std::int64_t n_tokens, std::int64_t k, bool x_per_slot)
{
    const WeightShaders *f = weight_shaders(format);
    if (f == nullptr)
        return error(StatusCode::Unsupported, "Vulkan experts: no shader for weight format " +
                                                  std::string(block_format_name(format)));
    const BlockFormatInfo info = block_format_info(format);
    if (rows <= 0 || cols <= 0 || n_experts <= 0 || n_tokens <= 0 || k <= 0 ||
        rows > k_grid_x * k_grid_x || cols % info.block_size != 0)
        return bad("experts", "bad shape");
    const std::int64_t slots = n_tokens * k;
    const std::int64_t row_bytes = cols / info.block_size * info.type_size;
    if (slots > k_grid_x)
        return bad("experts", "too many tokens x experts for one dispatch");
    if (expert_bytes < static_cast<std::uint64_t>(rows * row_bytes))
        return bad("experts", "an expert is larger than the stride between experts");
    // The shader addresses the stack's bytes with 32 bits.
    if (expert_bytes * static_cast<std::uint64_t>(n_experts) >
        static_cast<std::uint64_t>(k_u32_max))
        return bad("experts", "a layer's stacked experts pass 4 GiB");
    if (slots > k_u32_max / cols || slots > k_u32_max / rows)
        return bad("experts", "too large for 32-bit indexing");
    if (!fits(w_stacked, static_cast<std::int64_t>(expert_bytes) * n_experts) ||
        !fits(x, (x_per_slot ? slots : n_tokens) * cols * 4) || !fits(ids, slots * 4) ||
        !fits(y, slots * rows * 4))
        return bad("experts", "buffer sizes do not match the shape");
    struct Push
    {
        std::uint32_t rows, cols, n_cols, row_bytes, expert_bytes, n_experts, k, x_per_slot;
    } push{static_cast<std::uint32_t>(rows),
           static_cast<std::uint32_t>(cols),
           static_cast<std::uint32_t>(slots),
           static_cast<std::uint32_t>(row_bytes),
           static_cast<std::uint32_t>(expert_bytes),
           static_cast<std::uint32_t>(n_experts),
           static_cast<std::uint32_t>(k),
           x_per_slot ? 1u : 0u};
    const std::array<const VulkanBuffer *, 4> buffers = {&w_stacked, &x, &y, &ids};
    return seq.dispatch(f->matvec_id, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(std::min(rows, k_grid_x)),
                        static_cast<std::uint32_t>(slots),
                        static_cast<std::uint32_t>((rows + k_grid_x - 1) / k_grid_x));
}

Status record_moe_combine(VulkanSequence &seq, const VulkanBuffer &y, const VulkanBuffer &weights,
                          const VulkanBuffer &out, std::int64_t n_tokens, std::int64_t k,
                          std::int64_t width)
{
    if (n_tokens <= 0 || k <= 0 || width <= 0 || n_tokens * k > k_u32_max / width)
        return bad("moe_combine", "bad shape");
    if (!fits(y, n_tokens * k * width * 4) || !fits(weights, n_tokens * k * 4) ||
        !fits(out, n_tokens * width * 4))
        return bad("moe_combine", "buffer sizes do not match the shape");
    const std::int64_t groups = (n_tokens * width + 255) / 256;
    if (groups > k_grid_x * k_grid_x)
        return bad("moe_combine", "too large");
    const std::array<std::uint32_t, 3> push = {static_cast<std::uint32_t>(n_tokens),
                                               static_cast<std::uint32_t>(k),
                                               static_cast<std::uint32_t>(width)};
    const std::array<const VulkanBuffer *, 3> buffers = {&y, &weights, &out};
    return seq.dispatch(VulkanShader::MoeCombine, buffers, std::as_bytes(std::span(push)),
                        static_cast<std::uint32_t>(std::min(groups, k_grid_x)),
                        static_cast<std::uint32_t>((groups + k_grid_x - 1) / k_grid_x));
}

} // namespace glmdesk::engine
