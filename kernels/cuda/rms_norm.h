// Host-callable launchers for the CUDA kernels. Plain pointers and an opaque stream keep this
// header free of CUDA types, so C++ code compiled by g++ (backend, tests) can include it.
#pragma once

#include <cstdint>

namespace glmdesk::kernels::cuda {

// y = rms_norm(x) * weight over `rows` rows of `cols` floats; all pointers are device memory.
// Returns the cudaError_t of the launch as an int (0 = success).
int launch_rms_norm_f32(const float *x, const float *weight, float *y, std::int64_t rows,
                        std::int64_t cols, float eps, void *stream);

} // namespace glmdesk::kernels::cuda
