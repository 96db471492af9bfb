#version 450
// Causal softmax attention of n_tokens query rows over the KV cache, one workgroup per (query
// head, token). The keys are taken in chunks of 64 with a running maximum and sum (online
// softmax), so any context length works with 64 floats of shared scores: in a chunk each
// invocation scores one key, then each invocation owns up to 4 output dims and folds the chunk's
// weighted values into them. The number of keys (pos0 + t + 1) comes from the position buffer at
// run time, so a decode sequence recorded once serves every position.
//
// For long contexts on a big GPU a split-K variant (several workgroups per head, each over a
// slice of the keys, merged by a second pass) would keep more of the device busy at decode.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KC { uint k_cache[]; };
layout(std430, binding = 2) readonly buffer VC { uint v_cache[]; };
layout(std430, binding = 3) readonly buffer Pos { uint position; };
layout(std430, binding = 4) writeonly buffer O { float o[]; };

layout(push_constant) uniform Params {
    uint n_tokens;
    uint n_heads;
    uint n_kv_heads;
    uint head_dim;
    uint n_ctx;
    uint type; // 0 f32, 1 f16, 2 q8_0
    float scale;
} p;

shared float q_s[256];
shared float scores[64];
shared float reduce_s[64];

uint kbyte(uint off) { return (k_cache[off >> 2] >> ((off & 3u) * 8u)) & 0xffu; }
uint vbyte(uint off) { return (v_cache[off >> 2] >> ((off & 3u) * 8u)) & 0xffu; }

// Element i of cache row `slot` (a row is n_kv_heads * head_dim values).
float load_k(uint slot, uint i)
{
    const uint width = p.n_kv_heads * p.head_dim;
    if (p.type == 0u)
        return uintBitsToFloat(k_cache[slot * width + i]);
    if (p.type == 1u) {
        const uint idx = slot * width + i;
        return unpackHalf2x16(k_cache[idx >> 1])[idx & 1u];
    }
    const uint block = slot * (width / 32u) * 34u + (i / 32u) * 34u;
    const float d = unpackHalf2x16(kbyte(block) | (kbyte(block + 1u) << 8)).x;
    return d * float(int(kbyte(block + 2u + i % 32u) << 24) >> 24);
}

float load_v(uint slot, uint i)
{
    const uint width = p.n_kv_heads * p.head_dim;
    if (p.type == 0u)
        return uintBitsToFloat(v_cache[slot * width + i]);
    if (p.type == 1u) {
        const uint idx = slot * width + i;
        return unpackHalf2x16(v_cache[idx >> 1])[idx & 1u];
    }
    const uint block = slot * (width / 32u) * 34u + (i / 32u) * 34u;
    const float d = unpackHalf2x16(vbyte(block) | (vbyte(block + 1u) << 8)).x;
    return d * float(int(vbyte(block + 2u + i % 32u) << 24) >> 24);
}

void main()
{
    const uint head = gl_WorkGroupID.x;
    const uint t = gl_WorkGroupID.y;
    const uint tid = gl_LocalInvocationID.x;
    const uint hd = p.head_dim;
    const uint kv_head = head / (p.n_heads / p.n_kv_heads);
    const uint q_base = (t * p.n_heads + head) * hd;
    for (uint i = tid; i < hd; i += 64u)
        q_s[i] = q[q_base + i];
    barrier();

    // Keys 0 .. pos0 + t; a replay past the end of the cache reads no further than it.
    const uint n_keys = min(min(position, p.n_ctx) + t + 1u, p.n_ctx);
    float running_max = uintBitsToFloat(0xff800000u); // -infinity
    float running_sum = 0.0;
    float acc[4] = float[4](0.0, 0.0, 0.0, 0.0);
    for (uint c0 = 0u; c0 < n_keys; c0 += 64u) {
        const uint key = c0 + tid;
        float s = uintBitsToFloat(0xff800000u);
        if (key < n_keys) {
            s = 0.0;
            for (uint i = 0u; i < hd; ++i)
                s += q_s[i] * load_k(key, kv_head * hd + i);
            s *= p.scale;
        }
        scores[tid] = s;
        reduce_s[tid] = s;
        barrier();
        for (uint stride = 32u; stride > 0u; stride >>= 1u) {
            if (tid < stride)
                reduce_s[tid] = max(reduce_s[tid], reduce_s[tid + stride]);
            barrier();
        }
        const float new_max = max(running_max, reduce_s[0]); // key c0 exists: finite
        const float rescale = exp(running_max - new_max);
        running_sum *= rescale;
        for (uint j = 0u; j < 4u; ++j)
            acc[j] *= rescale;
        const uint n_here = min(64u, n_keys - c0);
        for (uint k = 0u; k < n_here; ++k) {
            const float w = exp(scores[k] - new_max);
            running_sum += w;
            for (uint j = 0u; j < 4u; ++j) {
                const uint dim = tid + 64u * j;
                if (dim < hd)
                    acc[j] += w * load_v(c0 + k, kv_head * hd + dim);
            }
        }
        running_max = new_max;
        barrier(); // scores and reduce_s are rewritten by the next chunk
    }
    for (uint j = 0u; j < 4u; ++j) {
        const uint dim = tid + 64u * j;
        if (dim < hd)
            o[q_base + dim] = acc[j] / running_sum;
    }
}
