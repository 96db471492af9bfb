// Portable kernels: the fallback on any CPU, and the baseline the SIMD files are measured against.
// Every quantized format is decoded one block at a time into small integer codes, integer
// sub-scales per 16 weights and float mins per 16 weights; one generic loop then does the dot
// product, so a new format costs one decoder. Weight = d * scale * code - min, exactly how the
// reference dequantizer forms it (d * scale rounded to float first).
#include "kernels/cpu/dot_kernels_blocks.h"
#include "kernels/cpu/dot_kernels_internal.h"

#include "engine/quant/block_layouts.h"

#include <cstdint>
#include <cstring>

namespace glmdesk::kernels::cpu::detail {
namespace {

using engine::bf16_to_float;
using engine::fp16_to_float;

constexpr int k_max_weights = 256;
constexpr int k_group = 16; // weights per sub-scale / min entry

struct Decoded
{
    std::int8_t code[k_max_weights];
    int scale[k_max_weights / k_group]; // integer sub-scale per group of 16
    float min[k_max_weights / k_group]; // per group of 16; unused when the format has none
    float d;
};

float half_at(const std::uint8_t *p)
{
    return fp16_to_float(load_u16(p));
}

// Nibble layout of Q4_0/Q4_1/IQ4_NL (and each IQ4_XS sub-block): byte j holds weights j, j + 16.
void split_nibbles(const std::uint8_t *qs, std::uint8_t out[32])
{
    for (int j = 0; j < 16; ++j) {
        out[j] = qs[j] & 0x0f;
        out[j + 16] = qs[j] >> 4;
    }
}

void fill_scale(Decoded &b, int n_groups, int scale)
{
    for (int g = 0; g < n_groups; ++g)
        b.scale[g] = scale;
}

void decode_q8_0(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q8_0::d);
    std::memcpy(b.code, p + q8_0::qs, 32);
    fill_scale(b, 2, 1);
}

void decode_q4_0(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q4_0::d);
    std::uint8_t nib[32];
    split_nibbles(p + q4_0::qs, nib);
    for (int i = 0; i < 32; ++i)
        b.code[i] = static_cast<std::int8_t>(nib[i] - 8);
    fill_scale(b, 2, 1);
}

void decode_q4_1(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q4_1::d);
    std::uint8_t nib[32];
    split_nibbles(p + q4_1::qs, nib);
    for (int i = 0; i < 32; ++i)
        b.code[i] = static_cast<std::int8_t>(nib[i]);
    fill_scale(b, 2, 1);
    b.min[0] = b.min[1] = -half_at(p + q4_1::m); // x = d * q + m
}

std::uint32_t load_u32(const std::uint8_t *p)
{
    std::uint32_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

void decode_q5_0(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q5_0::d);
    const std::uint32_t qh = load_u32(p + q5_0::qh);
    std::uint8_t nib[32];
    split_nibbles(p + q5_0::qs, nib);
    for (int i = 0; i < 32; ++i)
        b.code[i] = static_cast<std::int8_t>((nib[i] | (((qh >> i) & 1u) << 4)) - 16);
    fill_scale(b, 2, 1);
}

void decode_q5_1(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q5_1::d);
    const std::uint32_t qh = load_u32(p + q5_1::qh);
    std::uint8_t nib[32];
    split_nibbles(p + q5_1::qs, nib);
    for (int i = 0; i < 32; ++i)
        b.code[i] = static_cast<std::int8_t>(nib[i] | (((qh >> i) & 1u) << 4));
    fill_scale(b, 2, 1);
    b.min[0] = b.min[1] = -half_at(p + q5_1::m);
}

void decode_iq4_nl(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + iq4_nl::d);
    std::uint8_t nib[32];
    split_nibbles(p + iq4_nl::qs, nib);
    for (int i = 0; i < 32; ++i)
        b.code[i] = k_iq4_table[nib[i]];
    fill_scale(b, 2, 1);
}

// Q2_K/Q3_K 2-bit codes: weight i of each 128-weight half sits in byte i % 32 of that half's 32
// bytes, bits 2 * ((i % 128) / 32).
int two_bit(const std::uint8_t *qs, int i)
{
    return (qs[(i / 128) * 32 + i % 32] >> (2 * ((i % 128) / 32))) & 3;
}

void decode_q2_k(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q2_k::d);
    const float dmin = half_at(p + q2_k::dmin);
    for (int g = 0; g < 16; ++g) {
        b.scale[g] = p[q2_k::scales + g] & 0x0f;
        b.min[g] = dmin * static_cast<float>(p[q2_k::scales + g] >> 4);
    }
    for (int i = 0; i < 256; ++i)
        b.code[i] = static_cast<std::int8_t>(two_bit(p + q2_k::qs, i));
}

void decode_q3_k(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q3_k::d);
    unpack_q3_scales(p + q3_k::scales, b.scale);
    for (int i = 0; i < 256; ++i) {
        const bool high = ((p[q3_k::hmask + i % 32] >> (i / 32)) & 1) != 0;
        b.code[i] = static_cast<std::int8_t>(two_bit(p + q3_k::qs, i) - (high ? 0 : 4));
    }
}

// Q4_K/Q5_K nibbles: each 32 bytes hold two sub-blocks of 32, the first in the low nibbles.
int k4_nibble(const std::uint8_t *qs, int i)
{
    const int sub = i / 32;
    return (qs[(sub / 2) * 32 + i % 32] >> (4 * (sub % 2))) & 0x0f;
}

void k4_scales(const std::uint8_t *p, int scales_at, int dmin_at, Decoded &b)
{
    int scale[8];
    int min[8];
    unpack_k4_scales(p + scales_at, scale, min);
    const float dmin = half_at(p + dmin_at);
    for (int g = 0; g < 16; ++g) {
        b.scale[g] = scale[g / 2];
        b.min[g] = dmin * static_cast<float>(min[g / 2]);
    }
}

void decode_q4_k(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q4_k::d);
    k4_scales(p, q4_k::scales, q4_k::dmin, b);
    for (int i = 0; i < 256; ++i)
        b.code[i] = static_cast<std::int8_t>(k4_nibble(p + q4_k::qs, i));
}

void decode_q5_k(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q5_k::d);
    k4_scales(p, q5_k::scales, q5_k::dmin, b);
    for (int i = 0; i < 256; ++i) {
        const int high = (p[q5_k::qh + i % 32] >> (i / 32)) & 1;
        b.code[i] = static_cast<std::int8_t>(k4_nibble(p + q5_k::qs, i) | (high << 4));
    }
}

void decode_q6_k(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + q6_k::d);
    for (int g = 0; g < 16; ++g)
        b.scale[g] = static_cast<std::int8_t>(p[q6_k::scales + g]);
    for (int i = 0; i < 256; ++i) {
        const int half = i / 128;
        const int r = i % 128;
        const int low = (p[q6_k::ql + half * 64 + r % 64] >> (4 * (r / 64))) & 0x0f;
        const int high = (p[q6_k::qh + half * 32 + r % 32] >> (2 * (r / 32))) & 3;
        b.code[i] = static_cast<std::int8_t>((low | (high << 4)) - 32);
    }
}

void decode_iq4_xs(const std::uint8_t *p, Decoded &b)
{
    b.d = half_at(p + iq4_xs::d);
    int scale[8];
    unpack_iq4xs_scales(p, scale);
    for (int g = 0; g < 16; ++g)
        b.scale[g] = scale[g / 2];
    for (int sub = 0; sub < 8; ++sub) {
        std::uint8_t nib[32];
        split_nibbles(p + iq4_xs::qs + sub * 16, nib);
        for (int i = 0; i < 32; ++i)
            b.code[sub * 32 + i] = k_iq4_table[nib[i]];
    }
}

using Decoder = void (*)(const std::uint8_t *, Decoded &);

template <int Weights, int Bytes, bool HasMin, Decoder Decode>
float dot_f32_blocks(const void *row, const float *x, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    float acc = 0.0f;
    float acc_min = 0.0f;
    Decoded b;
    for (int blk = 0; blk < n / Weights; ++blk, p += Bytes, x += Weights) {
        Decode(p, b);
        for (int g = 0; g < Weights / k_group; ++g) {
            float t = 0.0f;
            float xs = 0.0f;
            for (int i = g * k_group; i < (g + 1) * k_group; ++i) {
                t += static_cast<float>(b.code[i]) * x[i];
                if constexpr (HasMin)
                    xs += x[i];
            }
            acc += (b.d * static_cast<float>(b.scale[g])) * t;
            if constexpr (HasMin)
                acc_min += b.min[g] * xs;
        }
    }
    return acc - acc_min;
}

template <int Weights, int Bytes, bool HasMin, Decoder Decode>
float dot_q16_blocks(const void *row, const Q16Row &x, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    float acc = 0.0f;
    float acc_min = 0.0f;
    Decoded b;
    for (int blk = 0; blk < n / Weights; ++blk, p += Bytes) {
        Decode(p, b);
        const std::int16_t *xq = x.q + blk * Weights;
        const float *xd = x.d + blk * (Weights / k_q16_block);
        const float *xs = x.sum16 + blk * (Weights / k_group);
        for (int g = 0; g < Weights / k_group; ++g) {
            // |sum| <= 16 * 128 * 32767 < 2^31; times a sub-scale it may not be, so in float.
            std::int32_t isum = 0;
            for (int i = g * k_group; i < (g + 1) * k_group; ++i)
                isum += b.code[i] * xq[i];
            acc += (b.d * xd[g / 2]) * (static_cast<float>(isum) * static_cast<float>(b.scale[g]));
            if constexpr (HasMin)
                acc_min += b.min[g] * xs[g];
        }
    }
    return acc - acc_min;
}

// Plain float formats: 8 independent partial sums, so rounding error grows with n / 8 (the bound
// the tests assert) and the compiler may vectorize.
template <typename Load> float dot_plain(const float *x, int n, Load load)
{
    float acc[8] = {};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k)
            acc[k] += load(i + k) * x[i + k];
    for (; i < n; ++i)
        acc[i % 8] += load(i) * x[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

float dot_f32_f32(const void *row, const float *x, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    return dot_plain(x, n, [p](int i) {
        float v = 0.0f;
        std::memcpy(&v, p + 4 * static_cast<std::ptrdiff_t>(i), sizeof v);
        return v;
    });
}

float dot_f32_f16(const void *row, const float *x, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    return dot_plain(x, n, [p](int i) { return half_at(p + 2 * static_cast<std::ptrdiff_t>(i)); });
}

float dot_f32_bf16(const void *row, const float *x, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    return dot_plain(x, n, [p](int i) {
        return bf16_to_float(load_u16(p + 2 * static_cast<std::ptrdiff_t>(i)));
    });
}

template <int Weights, int Bytes, bool HasMin, Decoder Decode>
void to_f32_blocks(const void *row, float *out, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    Decoded b;
    for (int blk = 0; blk < n / Weights; ++blk, p += Bytes, out += Weights) {
        Decode(p, b);
        for (int g = 0; g < Weights / k_group; ++g) {
            const float scale = b.d * static_cast<float>(b.scale[g]);
            for (int i = g * k_group; i < (g + 1) * k_group; ++i) {
                const float v = scale * static_cast<float>(b.code[i]);
                out[i] = HasMin ? v - b.min[g] : v;
            }
        }
    }
}

template <typename Load> void plain_to_f32(float *out, int n, Load load)
{
    for (int i = 0; i < n; ++i)
        out[i] = load(i);
}

void to_f32_f32(const void *row, float *out, int n)
{
    std::memcpy(out, row, static_cast<std::size_t>(n) * sizeof(float));
}

void to_f32_f16(const void *row, float *out, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    plain_to_f32(out, n, [p](int i) { return half_at(p + 2 * static_cast<std::ptrdiff_t>(i)); });
}

void to_f32_bf16(const void *row, float *out, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    plain_to_f32(out, n, [p](int i) {
        return bf16_to_float(load_u16(p + 2 * static_cast<std::ptrdiff_t>(i)));
    });
}

template <int Weights, int Bytes, bool HasMin, Decoder Decode> FormatKernels quantized()
{
    return {dot_f32_blocks<Weights, Bytes, HasMin, Decode>,
            dot_q16_blocks<Weights, Bytes, HasMin, Decode>, nullptr,
            to_f32_blocks<Weights, Bytes, HasMin, Decode>};
}

} // namespace

FormatKernels scalar_kernels(BlockFormat format)
{
    switch (format) {
    case BlockFormat::F32:
        return {dot_f32_f32, nullptr, nullptr, to_f32_f32};
    case BlockFormat::F16:
        return {dot_f32_f16, nullptr, nullptr, to_f32_f16};
    case BlockFormat::BF16:
        return {dot_f32_bf16, nullptr, nullptr, to_f32_bf16};
    case BlockFormat::Q8_0:
        return quantized<32, q8_0::bytes, false, decode_q8_0>();
    case BlockFormat::Q4_0:
        return quantized<32, q4_0::bytes, false, decode_q4_0>();
    case BlockFormat::Q4_1:
        return quantized<32, q4_1::bytes, true, decode_q4_1>();
    case BlockFormat::Q5_0:
        return quantized<32, q5_0::bytes, false, decode_q5_0>();
    case BlockFormat::Q5_1:
        return quantized<32, q5_1::bytes, true, decode_q5_1>();
    case BlockFormat::IQ4_NL:
        return quantized<32, iq4_nl::bytes, false, decode_iq4_nl>();
    case BlockFormat::Q2_K:
        return quantized<256, q2_k::bytes, true, decode_q2_k>();
    case BlockFormat::Q3_K:
        return quantized<256, q3_k::bytes, false, decode_q3_k>();
    case BlockFormat::Q4_K:
        return quantized<256, q4_k::bytes, true, decode_q4_k>();
    case BlockFormat::Q5_K:
        return quantized<256, q5_k::bytes, true, decode_q5_k>();
    case BlockFormat::Q6_K:
        return quantized<256, q6_k::bytes, false, decode_q6_k>();
    case BlockFormat::IQ4_XS:
        return quantized<256, iq4_xs::bytes, false, decode_iq4_xs>();
    default:
        return {};
    }
}

} // namespace glmdesk::kernels::cpu::detail
