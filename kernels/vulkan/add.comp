#version 450
// y[i] = (accumulate ? y[i] : 0) + b[src_offset + i % period]: the residual adds (period == n),
// the q/k/v biases (period = one row) and row copies (accumulate off, src_offset at the row), so
// one shader serves all three.
layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };

layout(push_constant) uniform Params {
    uint n;
    uint period;
    uint src_offset;
    uint accumulate;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n)
        return;
    const float v = b[p.src_offset + i % p.period];
    y[i] = p.accumulate != 0u ? y[i] + v : v;
}
