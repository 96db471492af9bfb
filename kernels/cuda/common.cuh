// Shared device helpers: warp and block reductions used by every row-wise kernel.
#pragma once

#include <cuda_runtime.h>

namespace glmdesk::kernels::cuda {

constexpr int kWarpSize = 32;

__device__ __forceinline__ float warp_sum(float v)
{
#pragma unroll
    for (int offset = kWarpSize / 2; offset > 0; offset >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// Sum over the whole block; every thread gets the result. blockDim.x must be a multiple of 32.
__device__ __forceinline__ float block_sum(float v)
{
    __shared__ float partial[32];
    const int lane = threadIdx.x % kWarpSize;
    const int warp = threadIdx.x / kWarpSize;
    v = warp_sum(v);
    if (lane == 0)
        partial[warp] = v;
    __syncthreads();
    const int n_warps = blockDim.x / kWarpSize;
    v = lane < n_warps ? partial[lane] : 0.0f;
    v = warp_sum(v);
    __syncthreads(); // partial[] may be reused by the next call
    return v;
}

} // namespace glmdesk::kernels::cuda
