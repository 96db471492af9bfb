#version 450
// out[t][i] += sum_j weights[t][j] * y[t][j][i]: the routed experts' outputs, weighted by the
// router, added to the shared expert's output already in `out`.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Weights { float weights[]; };
layout(std430, binding = 2) buffer O { float o[]; };

layout(push_constant) uniform Params {
    uint n_tokens;
    uint k;
    uint width;
} p;

void main()
{
    const uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * 65535u * 256u;
    if (id >= p.n_tokens * p.width)
        return;
    const uint t = id / p.width;
    const uint i = id % p.width;
    float sum = 0.0;
    for (uint j = 0u; j < p.k; ++j)
        sum += weights[t * p.k + j] * y[(t * p.k + j) * p.width + i];
    o[id] += sum;
}
