// What every Vulkan op's host side shares: shape errors, buffer-size checks, push-constant bytes
// and the grid limit. Internal to engine/backend/vulkan.
#pragma once

#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/quant/block_formats.h"

#include <cstdint>
#include <limits>
#include <span>
#include <string>

namespace glmdesk::engine::vulkan_detail {

inline constexpr std::int64_t k_u32_max = std::numeric_limits<std::uint32_t>::max();
// Workgroups past this go to the grid's next dimension (65535 is every device's minimum).
inline constexpr std::int64_t k_grid_x = 65535;

template <typename T> std::span<const std::byte> push_bytes(const T &value)
{
    return std::as_bytes(std::span<const T, 1>(&value, 1));
}

inline Status bad(const char *op, const std::string &what)
{
    return error(StatusCode::InvalidArgument, std::string(op) + ": " + what);
}

inline bool fits(const VulkanBuffer &b, std::int64_t bytes)
{
    return bytes >= 0 && static_cast<std::uint64_t>(bytes) <= b.bytes();
}

// The three shaders of a weight format; null for a format no shader reads.
struct WeightShaders
{
    BlockFormat format;
    VulkanShader matvec, matmul, matvec_id;
};
const WeightShaders *weight_shaders(BlockFormat format);

} // namespace glmdesk::engine::vulkan_detail
