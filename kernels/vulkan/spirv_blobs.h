// SPIR-V compiled from kernels/vulkan/*.comp at build time and embedded in the binary, so the app
// never looks for shader files on disk.
#pragma once

#include <cstdint>
#include <span>

namespace glmdesk::kernels::vulkan {

std::span<const std::uint32_t> rms_norm_f32_spirv();
std::span<const std::uint32_t> matvec_q8_0_spirv();
std::span<const std::uint32_t> matvec_q4_k_spirv();
std::span<const std::uint32_t> matvec_q5_k_spirv();
std::span<const std::uint32_t> matvec_q6_k_spirv();
std::span<const std::uint32_t> matvec_iq4_xs_spirv();
std::span<const std::uint32_t> matvec_bf16_spirv();
std::span<const std::uint32_t> matmul_q8_0_spirv();
std::span<const std::uint32_t> matmul_q4_k_spirv();
std::span<const std::uint32_t> matmul_q5_k_spirv();
std::span<const std::uint32_t> matmul_q6_k_spirv();
std::span<const std::uint32_t> matmul_iq4_xs_spirv();
std::span<const std::uint32_t> matmul_bf16_spirv();
std::span<const std::uint32_t> rope_neox_spirv();
std::span<const std::uint32_t> swiglu_spirv();
std::span<const std::uint32_t> add_f32_spirv();
std::span<const std::uint32_t> matvec_q4_0_spirv();
std::span<const std::uint32_t> matmul_q4_0_spirv();
std::span<const std::uint32_t> matvec_q4_1_spirv();
std::span<const std::uint32_t> matmul_q4_1_spirv();
std::span<const std::uint32_t> matvec_q5_0_spirv();
std::span<const std::uint32_t> matmul_q5_0_spirv();
std::span<const std::uint32_t> matvec_q5_1_spirv();
std::span<const std::uint32_t> matmul_q5_1_spirv();
std::span<const std::uint32_t> matvec_iq4_nl_spirv();
std::span<const std::uint32_t> matmul_iq4_nl_spirv();
std::span<const std::uint32_t> matvec_q2_k_spirv();
std::span<const std::uint32_t> matmul_q2_k_spirv();
std::span<const std::uint32_t> matvec_q3_k_spirv();
std::span<const std::uint32_t> matmul_q3_k_spirv();
std::span<const std::uint32_t> matvec_f16_spirv();
std::span<const std::uint32_t> matmul_f16_spirv();
std::span<const std::uint32_t> matvec_f32_spirv();
std::span<const std::uint32_t> matmul_f32_spirv();

} // namespace glmdesk::kernels::vulkan
