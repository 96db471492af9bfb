#version 450
// RMSNorm, one workgroup per row (same shape as kernels/cuda/rms_norm.cu): each invocation sums
// squares over a strided slice, a shared-memory tree reduces them, then every invocation scales.
layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Params {
    uint cols;
    float eps;
} p;

shared float partial[128];

void main()
{
    const uint row = gl_WorkGroupID.x;
    const uint tid = gl_LocalInvocationID.x;
    const uint base = row * p.cols;

    float sum_sq = 0.0;
    for (uint c = tid; c < p.cols; c += 128u)
        sum_sq += x[base + c] * x[base + c];
    partial[tid] = sum_sq;
    barrier();
    for (uint stride = 64u; stride > 0u; stride >>= 1u) {
        if (tid < stride)
            partial[tid] += partial[tid + stride];
        barrier();
    }
    const float scale = inversesqrt(partial[0] / float(p.cols) + p.eps);
    for (uint c = tid; c < p.cols; c += 128u)
        y[base + c] = x[base + c] * scale * w[c];
}
