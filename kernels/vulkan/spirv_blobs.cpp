#include "kernels/vulkan/spirv_blobs.h"

namespace glmdesk::kernels::vulkan {
namespace {

const std::uint32_t k_rms_norm_f32[] = {
#include "rms_norm_f32.inc"
};

} // namespace

std::span<const std::uint32_t> rms_norm_f32_spirv()
{
    return k_rms_norm_f32;
}

} // namespace glmdesk::kernels::vulkan
