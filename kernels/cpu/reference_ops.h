// Plain scalar reference ops: the oracle every SIMD, CUDA and Vulkan kernel is tested against.
// Written for clarity over speed; accumulation in double where the GPU kernels use float.
#pragma once

#include <cstdint>

namespace glmdesk::kernels::cpu {

// y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * weight   (GLM-4.5 RMSNorm, eps 1e-5)
void rms_norm_reference(const float *x, const float *weight, float *y, std::int64_t rows,
                        std::int64_t cols, float eps);

} // namespace glmdesk::kernels::cpu
