#version 450
// y = W x for W stored in one GGUF block format (FMT_* define) and x float32; with TILE > 1 it
// is the prefill product Y = W X over TILE columns of X at once, so each dequantized chunk of W
// is reused TILE times. One workgroup per row of W (rows beyond 65535 wrap into gl_WorkGroupID.z,
// the grid limit every device has). Each invocation takes 32-weight chunks (a Q8_0 block, or a
// sub-block of a 256-weight super-block), dequantizes them once and accumulates in float32; a
// shared-memory tree sums the 64 partials. W is read as 32-bit words and split into bytes, because
// rows of the 34/210-byte block formats start at any byte and 8-bit storage is optional in Vulkan.
layout(local_size_x = 64) in;

#ifndef TILE
#define TILE 1
#endif

layout(std430, binding = 0) readonly buffer W { uint w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

#if defined(MATVEC_ID)
// The routed experts' product (MoE): W holds a layer's experts stacked, expert e at byte
// e * expert_bytes; output column c (a token's slot, c = t * k + j) uses expert ids[c] and
// input column c (x_per_slot) or t. An id past the experts gives zeros, never a stray read.
layout(std430, binding = 3) readonly buffer Ids { uint ids[]; };
layout(push_constant) uniform Params {
    uint rows;
    uint cols;
    uint n_cols;    // slots: tokens x k
    uint row_bytes; // bytes per row of one expert
    uint expert_bytes;
    uint n_experts;
    uint k;
    uint x_per_slot;
} p;
#else
layout(push_constant) uniform Params {
    uint rows;
    uint cols;
    uint n_cols;    // columns of X (1 for decode)
    uint row_bytes; // bytes per row of W
} p;
#endif

uint rb(uint off) { return (w[off >> 2] >> ((off & 3u) * 8u)) & 0xffu; }
uint ru16(uint off) { return rb(off) | (rb(off + 1u) << 8); }
float f16(uint off) { return unpackHalf2x16(ru16(off)).x; }
int sb(uint off) { return int(rb(off) << 24) >> 24; }

#if defined(FMT_Q8_0)
const uint BLOCK_BYTES = 34u;
const uint CHUNKS = 1u;
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base);
    for (uint l = 0u; l < 32u; ++l)
        v[l] = d * float(sb(base + 2u + l));
}
#elif defined(FMT_Q4_K) || defined(FMT_Q5_K)
#if defined(FMT_Q4_K)
const uint BLOCK_BYTES = 144u;
#else
const uint BLOCK_BYTES = 176u;
#endif
const uint CHUNKS = 8u;
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base);
    const float dmin = f16(base + 2u);
    const uint s = base + 4u;
    uint sc;
    uint m;
    if (j < 4u) {
        sc = rb(s + j) & 63u;
        m = rb(s + j + 4u) & 63u;
    } else {
        sc = (rb(s + j + 4u) & 15u) | ((rb(s + j - 4u) >> 6) << 4);
        m = (rb(s + j + 4u) >> 4) | ((rb(s + j) >> 6) << 4);
    }
    const float d1 = d * float(sc);
    const float m1 = dmin * float(m);
    const uint shift = (j & 1u) * 4u;
#if defined(FMT_Q4_K)
    const uint qs = base + 16u + 32u * (j >> 1);
    for (uint l = 0u; l < 32u; ++l)
        v[l] = d1 * float((rb(qs + l) >> shift) & 15u) - m1;
#else
    const uint qh = base + 16u;
    const uint qs = base + 48u + 32u * (j >> 1);
    for (uint l = 0u; l < 32u; ++l)
        v[l] = d1 * float(((rb(qs + l) >> shift) & 15u) + (((rb(qh + l) >> j) & 1u) << 4)) - m1;
#endif
}
#elif defined(FMT_Q6_K)
const uint BLOCK_BYTES = 210u;
const uint CHUNKS = 8u;
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base + 208u);
    const uint n = j >> 2;
    const uint k = j & 3u;
    const uint ql = base + 64u * n + (k & 1u) * 32u;
    const uint nib = (k >> 1) * 4u;
    const uint qh = base + 128u + 32u * n;
    const uint sc = base + 192u + 8u * n + 2u * k;
    for (uint l = 0u; l < 32u; ++l) {
        const int q = int(((rb(ql + l) >> nib) & 15u) | (((rb(qh + l) >> (2u * k)) & 3u) << 4)) - 32;
        v[l] = d * float(sb(sc + (l >> 4))) * float(q);
    }
}
#elif defined(FMT_IQ4_XS)
const uint BLOCK_BYTES = 136u;
const uint CHUNKS = 8u;
const float k_iq4[16] = float[16](-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0, 1.0,
                                  13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base);
    const uint sh = ru16(base + 2u);
    const uint ls = ((rb(base + 4u + (j >> 1)) >> (4u * (j & 1u))) & 15u) | (((sh >> (2u * j)) & 3u) << 4);
    const float dl = d * float(int(ls) - 32);
    const uint qs = base + 8u + 16u * j;
    for (uint l = 0u; l < 16u; ++l) {
        const uint b = rb(qs + l);
        v[l] = dl * k_iq4[b & 15u];
        v[l + 16u] = dl * k_iq4[b >> 4];
    }
}
#elif defined(FMT_Q4_0) || defined(FMT_Q4_1) || defined(FMT_IQ4_NL)
#if defined(FMT_Q4_1)
const uint BLOCK_BYTES = 20u;
#else
const uint BLOCK_BYTES = 18u;
#endif
const uint CHUNKS = 1u;
#if defined(FMT_IQ4_NL)
const float k_iq4nl[16] = float[16](-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0, 1.0,
                                    13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
#endif
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base);
#if defined(FMT_Q4_1)
    const float m = f16(base + 2u);
    const uint qs = base + 4u;
#else
    const uint qs = base + 2u;
#endif
    for (uint l = 0u; l < 16u; ++l) {
        const uint b = rb(qs + l);
#if defined(FMT_Q4_0)
        v[l] = d * (float(b & 15u) - 8.0);
        v[l + 16u] = d * (float(b >> 4) - 8.0);
#elif defined(FMT_Q4_1)
        v[l] = d * float(b & 15u) + m;
        v[l + 16u] = d * float(b >> 4) + m;
#else
        v[l] = d * k_iq4nl[b & 15u];
        v[l + 16u] = d * k_iq4nl[b >> 4];
#endif
    }
}
#elif defined(FMT_Q5_0) || defined(FMT_Q5_1)
// The fifth bit of weight l is bit l of the 32-bit qh field.
#if defined(FMT_Q5_0)
const uint BLOCK_BYTES = 22u;
const uint QH = 2u;
#else
const uint BLOCK_BYTES = 24u;
const uint QH = 4u;
#endif
const uint CHUNKS = 1u;
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base);
    const uint qh = ru16(base + QH) | (ru16(base + QH + 2u) << 16);
    const uint qs = base + QH + 4u;
    for (uint l = 0u; l < 16u; ++l) {
        const uint b = rb(qs + l);
        const uint lo = (b & 15u) | (((qh >> l) & 1u) << 4);
        const uint hi = (b >> 4) | (((qh >> (l + 16u)) & 1u) << 4);
#if defined(FMT_Q5_0)
        v[l] = d * (float(lo) - 16.0);
        v[l + 16u] = d * (float(hi) - 16.0);
#else
        const float m = f16(base + 2u);
        v[l] = d * float(lo) + m;
        v[l + 16u] = d * float(hi) + m;
#endif
    }
}
#elif defined(FMT_Q2_K)
// Chunk j: half j/4 of the super-block, bit pair j%4 of its 32 code bytes; each 16 weights have
// a 4-bit scale (low nibble) and a 4-bit min (high nibble).
const uint BLOCK_BYTES = 84u;
const uint CHUNKS = 8u;
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base + 80u);
    const float dmin = f16(base + 82u);
    const uint half_ = j >> 2;
    const uint shift = 2u * (j & 3u);
    const uint q = base + 16u + 32u * half_;
    const uint sc0 = base + 8u * half_ + 2u * (j & 3u);
    for (uint l = 0u; l < 32u; ++l) {
        const uint sc = rb(sc0 + (l >> 4));
        v[l] = d * float(sc & 15u) * float((rb(q + l) >> shift) & 3u) - dmin * float(sc >> 4);
    }
}
#elif defined(FMT_Q3_K)
// Chunk j as in Q2_K; the third bit is bit (4 * half + j % 4) of hmask[l] (clear: minus 4), and
// the 16 signed 6-bit scales are split into low nibbles (bytes 0-7) and high bit pairs (8-11).
const uint BLOCK_BYTES = 110u;
const uint CHUNKS = 8u;
int scale6(uint base, uint s)
{
    const uint sc = base + 96u;
    const uint lo = s < 8u ? rb(sc + s) & 15u : rb(sc + s - 8u) >> 4;
    const uint hi = (rb(sc + 8u + (s & 3u)) >> (2u * (s >> 2))) & 3u;
    return int(lo | (hi << 4)) - 32;
}
void dequant(uint base, uint j, inout float v[32])
{
    const float d = f16(base + 108u);
    const uint half_ = j >> 2;
    const uint shift = 2u * (j & 3u);
    const uint mbit = 4u * half_ + (j & 3u);
    const uint q = base + 32u + 32u * half_;
    const float d0 = d * float(scale6(base, 8u * half_ + 2u * (j & 3u)));
    const float d1 = d * float(scale6(base, 8u * half_ + 2u * (j & 3u) + 1u));
    for (uint l = 0u; l < 32u; ++l) {
        const int code = int((rb(q + l) >> shift) & 3u) - (((rb(base + l) >> mbit) & 1u) != 0u ? 0 : 4);
        v[l] = (l < 16u ? d0 : d1) * float(code);
    }
}
#elif defined(FMT_BF16) || defined(FMT_F16) || defined(FMT_F32)
#else
#error "define one FMT_*"
#endif

shared float partial[TILE * 64];

void main()
{
    const uint row = gl_WorkGroupID.z * 65535u + gl_WorkGroupID.x;
    if (row >= p.rows)
        return; // uniform over the workgroup: no barrier is skipped by part of it
    const uint tid = gl_LocalInvocationID.x;
    const uint col0 = gl_WorkGroupID.y * TILE;
#if defined(MATVEC_ID)
    const uint expert = ids[col0];
    const uint n_chunks = expert < p.n_experts ? (p.cols + 31u) / 32u : 0u;
    const uint row_base = (expert < p.n_experts ? expert : 0u) * p.expert_bytes + row * p.row_bytes;
    const uint x_col = p.x_per_slot != 0u ? col0 : col0 / p.k;
#else
    const uint n_chunks = (p.cols + 31u) / 32u;
    const uint row_base = row * p.row_bytes;
#endif

    float acc[TILE];
    for (uint t = 0u; t < TILE; ++t)
        acc[t] = 0.0;
    float v[32];
    for (uint c = tid; c < n_chunks; c += 64u) {
        const uint k0 = c * 32u;
#if defined(FMT_BF16) || defined(FMT_F16) || defined(FMT_F32)
        const uint valid = min(32u, p.cols - k0);
        for (uint l = 0u; l < 32u; ++l) {
#if defined(FMT_BF16)
            v[l] = l < valid ? uintBitsToFloat(ru16(row_base + 2u * (k0 + l)) << 16) : 0.0;
#elif defined(FMT_F16)
            v[l] = l < valid ? f16(row_base + 2u * (k0 + l)) : 0.0;
#else
            const uint off = row_base + 4u * (k0 + l);
            v[l] = l < valid ? uintBitsToFloat(ru16(off) | (ru16(off + 2u) << 16)) : 0.0;
#endif
        }
#else
        const uint valid = 32u;
        dequant(row_base + (c / CHUNKS) * BLOCK_BYTES, c % CHUNKS, v);
#endif
        for (uint t = 0u; t < TILE; ++t) {
            const uint col = col0 + t;
            if (col >= p.n_cols)
                break;
#if defined(MATVEC_ID)
            const uint xb = x_col * p.cols + k0;
#else
            const uint xb = col * p.cols + k0;
#endif
            float s = 0.0;
            for (uint l = 0u; l < valid; ++l)
                s += v[l] * x[xb + l];
            acc[t] += s;
        }
    }
    for (uint t = 0u; t < TILE; ++t)
        partial[t * 64u + tid] = acc[t];
    barrier();
    for (uint stride = 32u; stride > 0u; stride >>= 1u) {
        if (tid < stride)
            for (uint t = 0u; t < TILE; ++t)
                partial[t * 64u + tid] += partial[t * 64u + tid + stride];
        barrier();
    }
    if (tid < TILE && col0 + tid < p.n_cols)
        y[(col0 + tid) * p.rows + row] = partial[tid * 64u];
}
