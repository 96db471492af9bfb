#version 450
// out = silu(gate) * up, elementwise: the MLP and expert activation.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer G { float gate[]; };
layout(std430, binding = 1) readonly buffer U { float up[]; };
layout(std430, binding = 2) writeonly buffer O { float result[]; };

layout(push_constant) uniform Params {
    uint n;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n)
        return;
    const float g = gate[i];
    result[i] = g / (1.0 + exp(-g)) * up[i];
}
