// The one list of the Vulkan compute shaders compiled into the binary. The engine's VulkanShader
// enum and its pipeline table are generated from it; kernels/CMakeLists.txt compiles the blobs
// (its format list must match GLMDESK_VULKAN_WEIGHT_FORMATS; a unit test checks every shader
// here has its blob).
#pragma once

// X(enum name, blob symbol, storage buffers bound)
#define GLMDESK_VULKAN_FIXED_SHADERS(X)                                                            \
    X(RmsNorm, rms_norm_f32, 3)                                                                    \
    X(RopeNeox, rope_neox, 2)                                                                      \
    X(Swiglu, swiglu, 3)                                                                           \
    X(Add, add_f32, 2)                                                                             \
    X(KvStore, kv_store, 5)                                                                        \
    X(Attention, attention, 5)                                                                     \
    X(Router, router, 5)                                                                           \
    X(MoeCombine, moe_combine, 3)

// F(BlockFormat name, blob suffix): each has matvec_<suffix> (decode), matmul_<suffix> (prefill,
// 8 columns a workgroup) and matvec_id_<suffix> (routed experts, ids read on the device).
#define GLMDESK_VULKAN_WEIGHT_FORMATS(F)                                                           \
    F(Q8_0, q8_0)                                                                                  \
    F(Q4_K, q4_k)                                                                                  \
    F(Q5_K, q5_k)                                                                                  \
    F(Q6_K, q6_k)                                                                                  \
    F(IQ4_XS, iq4_xs)                                                                              \
    F(BF16, bf16)                                                                                  \
    F(Q4_0, q4_0)                                                                                  \
    F(Q4_1, q4_1)                                                                                  \
    F(Q5_0, q5_0)                                                                                  \
    F(Q5_1, q5_1)                                                                                  \
    F(IQ4_NL, iq4_nl)                                                                              \
    F(Q2_K, q2_k)                                                                                  \
    F(Q3_K, q3_k)                                                                                  \
    F(F16, f16)                                                                                    \
    F(F32, f32)
