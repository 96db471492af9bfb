#version 450
// Appends n_tokens rows of K and V (float32) to the KV cache at slots pos0 .. pos0 + n_tokens - 1,
// pos0 read from the position buffer (decode replays one recorded sequence per token). The cache
// is f32, f16 (pairs packed into one word) or q8_0 (ggml's block: f16 scale rounded first, then
// the codes from the rounded scale, as the CPU model stores them). Each invocation owns whole
// 32-bit words of the cache, so none races another: a q8_0 invocation writes two 34-byte blocks
// (17 words), which is why q8_0 rows must be a multiple of 64 values.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) writeonly buffer KC { uint k_cache[]; };
layout(std430, binding = 3) writeonly buffer VC { uint v_cache[]; };
layout(std430, binding = 4) readonly buffer Pos { uint position; };

layout(push_constant) uniform Params {
    uint n_tokens;
    uint kv_width;
    uint n_ctx;
    uint type; // 0 f32, 1 f16, 2 q8_0
} p;

// unpackHalf2x16(packHalf2x16(v)) would do, but a compiler may fold that pair back to v (Mesa's
// does), skipping the rounding the stored scale has; decoding the bits by hand cannot be folded.
float f16_bits_to_float(uint h)
{
    const uint e = (h >> 10) & 31u;
    const uint m = h & 1023u;
    if (e == 0u)
        return float(m) * exp2(-24.0); // d >= 0: no sign; subnormal scales of tiny blocks
    return uintBitsToFloat(((e + 112u) << 23) | (m << 13));
}

// Two q8_0 blocks of row values [base, base + 64) of `src_is_k`'s row t, as 17 words.
void q8_pair(const bool src_is_k, uint t, uint base, inout uint words[17])
{
    for (uint i = 0u; i < 17u; ++i)
        words[i] = 0u;
    for (uint b = 0u; b < 2u; ++b) {
        const uint first = t * p.kv_width + base + 32u * b;
        float amax = 0.0;
        for (uint i = 0u; i < 32u; ++i) {
            const float x = src_is_k ? k[first + i] : v[first + i];
            amax = max(amax, abs(x)); // max() ignores a NaN operand on every conformant device
        }
        const uint dh = packHalf2x16(vec2(amax / 127.0, 0.0)) & 0xffffu;
        const float d = f16_bits_to_float(dh);
        const float inv = d > 0.0 ? 1.0 / d : 0.0;
        const uint off = 34u * b;
        words[off >> 2] |= dh << ((off & 3u) * 8u);
        for (uint i = 0u; i < 32u; ++i) {
            const float x = src_is_k ? k[first + i] : v[first + i];
            float q = roundEven(x * inv);
            // Drivers may compute 1 / d with a fast reciprocal (lavapipe's is off by ~1e-4), which
            // moves codes near a half-way point. q * d is exact (a 7-bit code times an f16), so
            // the code nearest x is picked by comparing the neighbours: the CPU cache's code.
            if (abs(x - (q - 1.0) * d) < abs(x - q * d))
                q -= 1.0;
            else if (abs(x - (q + 1.0) * d) < abs(x - q * d))
                q += 1.0;
            q = isnan(q) ? 0.0 : clamp(q, -127.0, 127.0);
            const uint byte_off = off + 2u + i;
            words[byte_off >> 2] |= (uint(int(q)) & 0xffu) << ((byte_off & 3u) * 8u);
        }
    }
}

void main()
{
    const uint units = p.type == 0u ? p.kv_width : (p.type == 1u ? p.kv_width / 2u : p.kv_width / 64u);
    const uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * 65535u * 64u;
    if (id >= p.n_tokens * units)
        return;
    const uint t = id / units;
    const uint u = id % units;
    if (position >= p.n_ctx || t >= p.n_ctx - position)
        return; // a replay past the end of the cache writes nothing
    const uint slot = position + t;
    if (p.type == 0u) {
        k_cache[slot * p.kv_width + u] = floatBitsToUint(k[t * p.kv_width + u]);
        v_cache[slot * p.kv_width + u] = floatBitsToUint(v[t * p.kv_width + u]);
    } else if (p.type == 1u) {
        const uint src = t * p.kv_width + 2u * u;
        k_cache[slot * (p.kv_width / 2u) + u] = packHalf2x16(vec2(k[src], k[src + 1u]));
        v_cache[slot * (p.kv_width / 2u) + u] = packHalf2x16(vec2(v[src], v[src + 1u]));
    } else {
        const uint row_words = p.kv_width / 64u * 17u;
        uint words[17];
        q8_pair(true, t, 64u * u, words);
        for (uint i = 0u; i < 17u; ++i)
            k_cache[slot * row_words + 17u * u + i] = words[i];
        q8_pair(false, t, 64u * u, words);
        for (uint i = 0u; i < 17u; ++i)
            v_cache[slot * row_words + 17u * u + i] = words[i];
    }
}
