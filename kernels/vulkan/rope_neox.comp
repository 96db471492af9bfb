#version 450
// Partial RoPE, NEOX pairing (GLM45_SPEC.md): in each head, dims i and i + d/2 (i < d/2, d the
// rotary dim) rotate by position * theta^(-2i/d); dims d.. pass through. In place, over n_tokens
// rows of n_heads heads; row t sits at position (first position) + t. The first position is read
// from a buffer, not a push constant, so a decode sequence recorded once is replayed for every
// token after the host rewrites that one word.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { uint position; };

layout(push_constant) uniform Params {
    uint n_heads; // per token
    uint n_tokens;
    uint head_dim;
    uint rotary_dim;
    float log2_theta;
} p;

void main()
{
    const uint half_dim = p.rotary_dim / 2u;
    const uint id = gl_GlobalInvocationID.x;
    if (id >= p.n_tokens * p.n_heads * half_dim)
        return;
    const uint head = id / half_dim; // counted over all tokens
    const uint i = id % half_dim;
    const float inv_freq = exp2(-float(2u * i) / float(p.rotary_dim) * p.log2_theta);
    const float angle = float(position + head / p.n_heads) * inv_freq;
    const float c = cos(angle);
    const float s = sin(angle);
    const uint base = head * p.head_dim;
    const float a = x[base + i];
    const float b = x[base + i + half_dim];
    x[base + i] = a * c - b * s;
    x[base + i + half_dim] = b * c + a * s;
}
