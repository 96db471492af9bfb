// The byte layout of one block of each GGUF block format this engine computes with, and exact
// conversions between float and the 16-bit float types stored in those blocks.
//
// The layouts are ggml's (they are what a GGUF file holds); each struct's size is checked against
// block_format_info at compile time. Multi-byte fields are little-endian in the file, which is why
// this header refuses big-endian hosts. Blocks inside a mapped file are only 2-byte aligned at
// best, so readers that cannot promise alignment copy a block out with std::memcpy before using it.
#pragma once

#include "engine/quant/block_formats.h"

#include <bit>
#include <cstdint>

namespace glmdesk::engine {

static_assert(std::endian::native == std::endian::little,
              "GGUF blocks are little-endian and are read in place");

inline constexpr int k_qk_small = 32;  // weights per block of the Q4_0..Q8_0 and IQ4_NL formats
inline constexpr int k_qk_super = 256; // weights per super-block of the K-quants and IQ4_XS

using Fp16Bits = std::uint16_t; // IEEE binary16 bit pattern
using Bf16Bits = std::uint16_t; // bfloat16 bit pattern (the top half of a binary32)

// x = d * (q - 8), q a 4-bit code. Byte j of qs holds weight j (low nibble) and j + 16 (high).
struct BlockQ4_0
{
    Fp16Bits d;
    std::uint8_t qs[k_qk_small / 2];
};

// x = d * q + m.
struct BlockQ4_1
{
    Fp16Bits d;
    Fp16Bits m;
    std::uint8_t qs[k_qk_small / 2];
};

// x = d * (q - 16), q a 5-bit code: nibbles as Q4_0, bit j of the 32-bit qh is weight j's 5th bit.
struct BlockQ5_0
{
    Fp16Bits d;
    std::uint8_t qh[4];
    std::uint8_t qs[k_qk_small / 2];
};

// x = d * q + m, codes as Q5_0.
struct BlockQ5_1
{
    Fp16Bits d;
    Fp16Bits m;
    std::uint8_t qh[4];
    std::uint8_t qs[k_qk_small / 2];
};

// x = d * q, q a signed byte.
struct BlockQ8_0
{
    Fp16Bits d;
    std::int8_t qs[k_qk_small];
};

// 16 sub-blocks of 16: x = d * (scales & 15) * q - dmin * (scales >> 4), q a 2-bit code.
struct BlockQ2_K
{
    std::uint8_t scales[k_qk_super / 16];
    std::uint8_t qs[k_qk_super / 4];
    Fp16Bits d;
    Fp16Bits dmin;
};

// 16 sub-blocks of 16: x = d * (scale - 32) * (q - (hmask bit ? 0 : 4)), scale a packed 6-bit code,
// q a 2-bit code.
struct BlockQ3_K
{
    std::uint8_t hmask[k_qk_super / 8];
    std::uint8_t qs[k_qk_super / 4];
    std::uint8_t scales[12];
    Fp16Bits d;
};

// 8 sub-blocks of 32: x = d * scale * q - dmin * min, 6-bit scale and min packed into 12 bytes.
struct BlockQ4_K
{
    Fp16Bits d;
    Fp16Bits dmin;
    std::uint8_t scales[12];
    std::uint8_t qs[k_qk_super / 2];
};

// As Q4_K with a 5th bit per weight in qh.
struct BlockQ5_K
{
    Fp16Bits d;
    Fp16Bits dmin;
    std::uint8_t scales[12];
    std::uint8_t qh[k_qk_super / 8];
    std::uint8_t qs[k_qk_super / 2];
};

// 16 sub-blocks of 16: x = d * scale * (q - 32), q a 6-bit code split over ql (4) and qh (2 bits).
struct BlockQ6_K
{
    std::uint8_t ql[k_qk_super / 2];
    std::uint8_t qh[k_qk_super / 4];
    std::int8_t scales[k_qk_super / 16];
    Fp16Bits d;
};

// x = d * k_iq4_values[q]: Q4_0's layout with a non-linear code book.
struct BlockIQ4_NL
{
    Fp16Bits d;
    std::uint8_t qs[k_qk_small / 2];
};

// 8 sub-blocks of 32: x = d * (scale - 32) * k_iq4_values[q], scale 6 bits (4 in scales_l,
// 2 in scales_h).
struct BlockIQ4_XS
{
    Fp16Bits d;
    std::uint16_t scales_h;
    std::uint8_t scales_l[k_qk_super / 64];
    std::uint8_t qs[k_qk_super / 2];
};

// The IQ4 code book (ggml's kvalues_iq4nl).
inline constexpr std::int8_t k_iq4_values[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                 1,    13,   25,  38,  53,  69,  89,  113};

template <typename Block> constexpr bool block_matches(BlockFormat format, int weights)
{
    const BlockFormatInfo info = block_format_info(format);
    return sizeof(Block) == info.type_size &&
           static_cast<std::uint32_t>(weights) == info.block_size;
}
static_assert(block_matches<BlockQ4_0>(BlockFormat::Q4_0, k_qk_small));
static_assert(block_matches<BlockQ4_1>(BlockFormat::Q4_1, k_qk_small));
static_assert(block_matches<BlockQ5_0>(BlockFormat::Q5_0, k_qk_small));
static_assert(block_matches<BlockQ5_1>(BlockFormat::Q5_1, k_qk_small));
static_assert(block_matches<BlockQ8_0>(BlockFormat::Q8_0, k_qk_small));
static_assert(block_matches<BlockQ2_K>(BlockFormat::Q2_K, k_qk_super));
static_assert(block_matches<BlockQ3_K>(BlockFormat::Q3_K, k_qk_super));
static_assert(block_matches<BlockQ4_K>(BlockFormat::Q4_K, k_qk_super));
static_assert(block_matches<BlockQ5_K>(BlockFormat::Q5_K, k_qk_super));
static_assert(block_matches<BlockQ6_K>(BlockFormat::Q6_K, k_qk_super));
static_assert(block_matches<BlockIQ4_NL>(BlockFormat::IQ4_NL, k_qk_small));
static_assert(block_matches<BlockIQ4_XS>(BlockFormat::IQ4_XS, k_qk_super));
static_assert(block_matches<Fp16Bits>(BlockFormat::F16, 1) &&
              block_matches<Bf16Bits>(BlockFormat::BF16, 1));

// binary16 -> binary32 is exact for every input: subnormals are renormalised, infinities kept,
// NaNs keep their sign and payload.
constexpr float fp16_to_float(Fp16Bits h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f)
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    if (exponent == 0) {
        if (mantissa == 0)
            return std::bit_cast<float>(sign);
        // value = mantissa * 2^-24: shift the leading one up to the implicit bit.
        exponent = 1;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --exponent;
        }
        mantissa &= 0x3ffu;
    }
    // Rebias 15 -> 127; exponent may have gone "negative" above, which unsigned wrap undoes here.
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// binary32 -> binary16, rounding to nearest even (subnormal results included); overflow gives
// infinity; NaNs stay NaN (made quiet, sign and top payload bits kept).
constexpr Fp16Bits float_to_fp16(float f)
{
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u)
        return static_cast<Fp16Bits>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
    if (magnitude >= 0x477ff000u) // 65520 and above: rounds to (or is) infinity
        return static_cast<Fp16Bits>(sign | 0x7c00u);
    const std::uint32_t exponent = magnitude >> 23;
    if (exponent >= 113) { // a normal binary16
        const std::uint32_t mantissa = magnitude & 0x7fffffu;
        std::uint32_t h = ((exponent - 112) << 10) | (mantissa >> 13);
        const std::uint32_t rest = mantissa & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0)) // a carry may bump the exponent
            ++h;
        return static_cast<Fp16Bits>(sign | h);
    }
    // Subnormal (or zero) result in units of 2^-24: magnitude = m * 2^(exponent - 150).
    const std::uint32_t shift = 126 - exponent;
    if (exponent == 0 || shift > 24)
        return sign;
    const std::uint32_t m = (magnitude & 0x7fffffu) | 0x800000u;
    std::uint32_t h = m >> shift;
    const std::uint32_t rest = m & ((1u << shift) - 1);
    const std::uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1u) != 0))
        ++h;
    return static_cast<Fp16Bits>(sign | h);
}

// bfloat16 is the top half of a binary32, so widening is exact for every pattern.
constexpr float bf16_to_float(Bf16Bits b)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

// binary32 -> bfloat16 rounding to nearest even, as ggml does; NaNs are made quiet.
constexpr Bf16Bits float_to_bf16(float f)
{
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u)
        return static_cast<Bf16Bits>((bits >> 16) | 0x40u);
    return static_cast<Bf16Bits>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

} // namespace glmdesk::engine
