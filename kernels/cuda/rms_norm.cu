// RMSNorm, one block per row: the hidden state of a decode step is one row of 4096 floats, so a
// 256-thread block reads it with coalesced loads and reduces in registers and shared memory.
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/rms_norm.h"

namespace glmdesk::kernels::cuda {
namespace {

__global__ void rms_norm_f32_kernel(const float *__restrict__ x, const float *__restrict__ weight,
                                    float *__restrict__ y, long long cols, float eps)
{
    const long long row = blockIdx.x;
    const float *xr = x + row * cols;
    float *yr = y + row * cols;
    float sum_sq = 0.0f;
    for (long long c = threadIdx.x; c < cols; c += blockDim.x)
        sum_sq += xr[c] * xr[c];
    sum_sq = block_sum(sum_sq);
    const float scale = rsqrtf(sum_sq / static_cast<float>(cols) + eps);
    for (long long c = threadIdx.x; c < cols; c += blockDim.x)
        yr[c] = xr[c] * scale * weight[c];
}

} // namespace

int launch_rms_norm_f32(const float *x, const float *weight, float *y, std::int64_t rows,
                        std::int64_t cols, float eps, void *stream)
{
    if (rows <= 0 || cols <= 0 || rows > 0x7fffffff)
        return static_cast<int>(cudaErrorInvalidValue);
    constexpr int threads = 256;
    rms_norm_f32_kernel<<<static_cast<unsigned>(rows), threads, 0,
                          static_cast<cudaStream_t>(stream)>>>(x, weight, y, cols, eps);
    return static_cast<int>(cudaGetLastError());
}

} // namespace glmdesk::kernels::cuda
