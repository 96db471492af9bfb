#include "engine/backend/vulkan/vulkan_attention.h"

#include "engine/backend/vulkan/vulkan_op_support.h"

#include <array>

namespace glmdesk::engine {

using namespace vulkan_detail;

namespace {

std::uint32_t type_code(VulkanKvType type)
{
    switch (type) {
    case VulkanKvType::F32:
        return 0;
    case VulkanKvType::F16:
        return 1;
    case VulkanKvType::Q8_0:
        break;
    }
    return 2;
}

// kv_width values a cache row holds in `type` need whole words, and q8_0 whole block pairs.
bool width_allowed(VulkanKvType type, std::int64_t kv_width)
{
    switch (type) {
    case VulkanKvType::F32:
        return kv_width > 0;
    case VulkanKvType::F16:
        return kv_width > 0 && kv_width % 2 == 0;
    case VulkanKvType::Q8_0:
        break;
    }
    return kv_width > 0 && kv_width % 64 == 0;
}

} // namespace

std::size_t vulkan_kv_row_bytes(VulkanKvType type, std::int64_t kv_width)
{
    const auto n = static_cast<std::size_t>(kv_width);
    switch (type) {
    case VulkanKvType::F32:
        return n * 4;
    case VulkanKvType::F16:
        return n * 2;
    case VulkanKvType::Q8_0:
        break;
    }
    return n / 32 * 34;
}

Status record_kv_store(VulkanSequence &seq, VulkanKvType type, const VulkanBuffer &k,
                       const VulkanBuffer &v, const VulkanBuffer &k_cache,
                       const VulkanBuffer &v_cache, const VulkanBuffer &position,
                       std::int64_t n_tokens, std::int64_t kv_width, std::int64_t n_ctx)
{
    if (!width_allowed(type, kv_width))
        return bad("kv_store", "a cache row of " + std::to_string(kv_width) +
                                   " values does not fit this cache type");
    if (n_tokens <= 0 || n_ctx <= 0 || n_tokens > n_ctx || n_ctx > k_u32_max / kv_width)
        return bad("kv_store", "bad shape");
    const auto row_bytes = static_cast<std::int64_t>(vulkan_kv_row_bytes(type, kv_width));
    if (!fits(k, n_tokens * kv_width * 4) || !fits(v, n_tokens * kv_width * 4) ||
        !fits(k_cache, n_ctx * row_bytes) || !fits(v_cache, n_ctx * row_bytes) ||
        !fits(position, 4))
        return bad("kv_store", "buffer sizes do not match the shape");
    const std::int64_t units = type == VulkanKvType::F32
                                   ? kv_width
                                   : (type == VulkanKvType::F16 ? kv_width / 2 : kv_width / 64);
    const std::int64_t groups = (n_tokens * units + 63) / 64;
    if (groups > k_grid_x * k_grid_x)
        return bad("kv_store", "too many tokens");
    const std::array<std::uint32_t, 4> push = {static_cast<std::uint32_t>(n_tokens),
                                               static_cast<std::uint32_t>(kv_width),
                                               static_cast<std::uint32_t>(n_ctx), type_code(type)};
    const std::array<const VulkanBuffer *, 5> buffers = {&k, &v, &k_cache, &v_cache, &position};
    return seq.dispatch(VulkanShader::KvStore, buffers, std::as_bytes(std::span(push)),
                        static_cast<std::uint32_t>(std::min(groups, k_grid_x)),
                        static_cast<std::uint32_t>((groups + k_grid_x - 1) / k_grid_x));
}

Status record_attention(VulkanSequence &seq, VulkanKvType type, const VulkanBuffer &q,
                        const VulkanBuffer &k_cache, const VulkanBuffer &v_cache,
                        const VulkanBuffer &position, const VulkanBuffer &out,
                        std::int64_t n_tokens, std::int64_t n_heads, std::int64_t n_kv_heads,
                        std::int64_t head_dim, std::int64_t n_ctx, float scale)
{
    // The shader keeps a head of q in 256 floats of shared memory and gives each of its 64
    // invocations at most 4 output dims.
    if (n_heads <= 0 || n_kv_heads <= 0 || n_heads % n_kv_heads != 0 || head_dim <= 0 ||
        head_dim > 256 || n_heads > k_grid_x || n_tokens <= 0 || n_tokens > k_grid_x ||
        n_tokens > n_ctx || !(scale > 0.0f))
        return bad("attention", "bad shape");
    const std::int64_t kv_width = n_kv_heads * head_dim;
    if (!width_allowed(type, kv_width) || (type == VulkanKvType::Q8_0 && head_dim % 32 != 0))
        return bad("attention", "a cache row of " + std::to_string(kv_width) +
                                    " values does not fit this cache type");
    if (n_ctx > k_u32_max / kv_width || n_tokens * n_heads > k_u32_max / head_dim)
        return bad("attention", "too large for 32-bit indexing");
    const auto row_bytes = static_cast<std::int64_t>(vulkan_kv_row_bytes(type, kv_width));
    const std::int64_t q_bytes = n_tokens * n_heads * head_dim * 4;
    if (!fits(q, q_bytes) || !fits(out, q_bytes) || !fits(k_cache, n_ctx * row_bytes) ||
        !fits(v_cache, n_ctx * row_bytes) || !fits(position, 4))
        return bad("attention", "buffer sizes do not match the shape");
    struct Push
    {
        std::uint32_t n_tokens, n_heads, n_kv_heads, head_dim, n_ctx, type;
        float scale;
    } push{static_cast<std::uint32_t>(n_tokens),
           static_cast<std::uint32_t>(n_heads),
           static_cast<std::uint32_t>(n_kv_heads),
           static_cast<std::uint32_t>(head_dim),
           static_cast<std::uint32_t>(n_ctx),
           type_code(type),
           scale};
    const std::array<const VulkanBuffer *, 5> buffers = {&q, &k_cache, &v_cache, &position, &out};
    return seq.dispatch(VulkanShader::Attention, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(n_heads), static_cast<std::uint32_t>(n_tokens));
}

} // namespace glmdesk::engine
