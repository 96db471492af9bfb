#include "kernels/vulkan/spirv_blobs.h"

namespace glmdesk::kernels::vulkan {
namespace {

const std::uint32_t k_rms_norm_f32[] = {
#include "rms_norm_f32.inc"
};
const std::uint32_t k_matvec_q8_0[] = {
#include "matvec_q8_0.inc"
};
const std::uint32_t k_matvec_q4_k[] = {
#include "matvec_q4_k.inc"
};
const std::uint32_t k_matvec_q5_k[] = {
#include "matvec_q5_k.inc"
};
const std::uint32_t k_matvec_q6_k[] = {
#include "matvec_q6_k.inc"
};
const std::uint32_t k_matvec_iq4_xs[] = {
#include "matvec_iq4_xs.inc"
};
const std::uint32_t k_matvec_bf16[] = {
#include "matvec_bf16.inc"
};
const std::uint32_t k_matmul_q8_0[] = {
#include "matmul_q8_0.inc"
};
const std::uint32_t k_matmul_q4_k[] = {
#include "matmul_q4_k.inc"
};
const std::uint32_t k_matmul_q5_k[] = {
#include "matmul_q5_k.inc"
};
const std::uint32_t k_matmul_q6_k[] = {
#include "matmul_q6_k.inc"
};
const std::uint32_t k_matmul_iq4_xs[] = {
#include "matmul_iq4_xs.inc"
};
const std::uint32_t k_matmul_bf16[] = {
#include "matmul_bf16.inc"
};
const std::uint32_t k_rope_neox[] = {
#include "rope_neox.inc"
};
const std::uint32_t k_swiglu[] = {
#include "swiglu.inc"
};
const std::uint32_t k_add_f32[] = {
#include "add_f32.inc"
};
const std::uint32_t k_matvec_q4_0[] = {
#include "matvec_q4_0.inc"
};
const std::uint32_t k_matmul_q4_0[] = {
#include "matmul_q4_0.inc"
};
const std::uint32_t k_matvec_q4_1[] = {
#include "matvec_q4_1.inc"
};
const std::uint32_t k_matmul_q4_1[] = {
#include "matmul_q4_1.inc"
};
const std::uint32_t k_matvec_q5_0[] = {
#include "matvec_q5_0.inc"
};
const std::uint32_t k_matmul_q5_0[] = {
#include "matmul_q5_0.inc"
};
const std::uint32_t k_matvec_q5_1[] = {
#include "matvec_q5_1.inc"
};
const std::uint32_t k_matmul_q5_1[] = {
#include "matmul_q5_1.inc"
};
const std::uint32_t k_matvec_iq4_nl[] = {
#include "matvec_iq4_nl.inc"
};
const std::uint32_t k_matmul_iq4_nl[] = {
#include "matmul_iq4_nl.inc"
};
const std::uint32_t k_matvec_q2_k[] = {
#include "matvec_q2_k.inc"
};
const std::uint32_t k_matmul_q2_k[] = {
#include "matmul_q2_k.inc"
};
const std::uint32_t k_matvec_q3_k[] = {
#include "matvec_q3_k.inc"
};
const std::uint32_t k_matmul_q3_k[] = {
#include "matmul_q3_k.inc"
};
const std::uint32_t k_matvec_f16[] = {
#include "matvec_f16.inc"
};
const std::uint32_t k_matmul_f16[] = {
#include "matmul_f16.inc"
};
const std::uint32_t k_matvec_f32[] = {
#include "matvec_f32.inc"
};
const std::uint32_t k_matmul_f32[] = {
#include "matmul_f32.inc"
};

} // namespace

std::span<const std::uint32_t> rms_norm_f32_spirv()
{
    return k_rms_norm_f32;
}

std::span<const std::uint32_t> matvec_q8_0_spirv()
{
    return k_matvec_q8_0;
}

std::span<const std::uint32_t> matvec_q4_k_spirv()
{
    return k_matvec_q4_k;
}

std::span<const std::uint32_t> matvec_q5_k_spirv()
{
    return k_matvec_q5_k;
}

std::span<const std::uint32_t> matvec_q6_k_spirv()
{
    return k_matvec_q6_k;
}

std::span<const std::uint32_t> matvec_iq4_xs_spirv()
{
    return k_matvec_iq4_xs;
}

std::span<const std::uint32_t> matvec_bf16_spirv()
{
    return k_matvec_bf16;
}

std::span<const std::uint32_t> matmul_q8_0_spirv()
{
    return k_matmul_q8_0;
}

std::span<const std::uint32_t> matmul_q4_k_spirv()
{
    return k_matmul_q4_k;
}

std::span<const std::uint32_t> matmul_q5_k_spirv()
{
    return k_matmul_q5_k;
}

std::span<const std::uint32_t> matmul_q6_k_spirv()
{
    return k_matmul_q6_k;
}

std::span<const std::uint32_t> matmul_iq4_xs_spirv()
{
    return k_matmul_iq4_xs;
}

std::span<const std::uint32_t> matmul_bf16_spirv()
{
    return k_matmul_bf16;
}

std::span<const std::uint32_t> rope_neox_spirv()
{
    return k_rope_neox;
}

std::span<const std::uint32_t> swiglu_spirv()
{
    return k_swiglu;
}

std::span<const std::uint32_t> add_f32_spirv()
{
    return k_add_f32;
}

std::span<const std::uint32_t> matvec_q4_0_spirv()
{
    return k_matvec_q4_0;
}

std::span<const std::uint32_t> matmul_q4_0_spirv()
{
    return k_matmul_q4_0;
}

std::span<const std::uint32_t> matvec_q4_1_spirv()
{
    return k_matvec_q4_1;
}

std::span<const std::uint32_t> matmul_q4_1_spirv()
{
    return k_matmul_q4_1;
}

std::span<const std::uint32_t> matvec_q5_0_spirv()
{
    return k_matvec_q5_0;
}

std::span<const std::uint32_t> matmul_q5_0_spirv()
{
    return k_matmul_q5_0;
}

std::span<const std::uint32_t> matvec_q5_1_spirv()
{
    return k_matvec_q5_1;
}

std::span<const std::uint32_t> matmul_q5_1_spirv()
{
    return k_matmul_q5_1;
}

std::span<const std::uint32_t> matvec_iq4_nl_spirv()
{
    return k_matvec_iq4_nl;
}

std::span<const std::uint32_t> matmul_iq4_nl_spirv()
{
    return k_matmul_iq4_nl;
}

std::span<const std::uint32_t> matvec_q2_k_spirv()
{
    return k_matvec_q2_k;
}

std::span<const std::uint32_t> matmul_q2_k_spirv()
{
    return k_matmul_q2_k;
}

std::span<const std::uint32_t> matvec_q3_k_spirv()
{
    return k_matvec_q3_k;
}

std::span<const std::uint32_t> matmul_q3_k_spirv()
{
    return k_matmul_q3_k;
}

std::span<const std::uint32_t> matvec_f16_spirv()
{
    return k_matvec_f16;
}

std::span<const std::uint32_t> matmul_f16_spirv()
{
    return k_matmul_f16;
}

std::span<const std::uint32_t> matvec_f32_spirv()
{
    return k_matvec_f32;
}

std::span<const std::uint32_t> matmul_f32_spirv()
{
    return k_matmul_f32;
}

} // namespace glmdesk::kernels::vulkan
