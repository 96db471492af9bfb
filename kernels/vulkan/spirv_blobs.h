// SPIR-V compiled from kernels/vulkan/*.comp at build time and embedded in the binary, so the app
// never looks for shader files on disk.
#pragma once

#include <cstdint>
#include <span>

namespace glmdesk::kernels::vulkan {

std::span<const std::uint32_t> rms_norm_f32_spirv();

} // namespace glmdesk::kernels::vulkan
