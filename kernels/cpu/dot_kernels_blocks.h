// Byte offsets of the GGUF block fields the kernels read, and the unpacking of packed sub-block
// scales. Everything here has internal linkage (anonymous namespace): each translation unit,
// whatever ISA flags it is compiled with, gets its own copy (see dot_kernels_internal.h).
#pragma once

#include <cstdint>
#include <cstring>

namespace glmdesk::kernels::cpu::detail {
namespace {

// Field offsets (bytes) and block sizes, as in engine/quant/block_layouts.h.
namespace q8_0 {
constexpr int bytes = 34, d = 0, qs = 2;
}
namespace q4_0 {
constexpr int bytes = 18, d = 0, qs = 2;
}
namespace q4_1 {
constexpr int bytes = 20, d = 0, m = 2, qs = 4;
}
namespace q5_0 {
constexpr int bytes = 22, d = 0, qh = 2, qs = 6;
}
namespace q5_1 {
constexpr int bytes = 24, d = 0, m = 2, qh = 4, qs = 8;
}
namespace iq4_nl {
constexpr int bytes = 18, d = 0, qs = 2;
}
namespace q2_k {
constexpr int bytes = 84, scales = 0, qs = 16, d = 80, dmin = 82;
}
namespace q3_k {
constexpr int bytes = 110, hmask = 0, qs = 32, scales = 96, d = 108;
}
namespace q4_k {
constexpr int bytes = 144, d = 0, dmin = 2, scales = 4, qs = 16;
}
namespace q5_k {
constexpr int bytes = 176, d = 0, dmin = 2, scales = 4, qh = 16, qs = 48;
}
namespace q6_k {
constexpr int bytes = 210, ql = 0, qh = 128, scales = 192, d = 208;
}
namespace iq4_xs {
constexpr int bytes = 136, d = 0, scales_h = 2, scales_l = 4, qs = 8;
}

constexpr std::int8_t k_iq4_table[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                         1,    13,   25,  38,  53,  69,  89,  113};

std::uint16_t load_u16(const std::uint8_t *p)
{
    std::uint16_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Q4_K/Q5_K: 6-bit scale and min of each of the 8 sub-blocks of 32, packed in 12 bytes.
void unpack_k4_scales(const std::uint8_t *s, int scale[8], int min[8])
{
    for (int j = 0; j < 4; ++j) {
        scale[j] = s[j] & 63;
        min[j] = s[j + 4] & 63;
    }
    for (int j = 4; j < 8; ++j) {
        scale[j] = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
        min[j] = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// Q3_K: 16 signed 6-bit scales (stored + 32) of the sub-blocks of 16, packed in 12 bytes.
void unpack_q3_scales(const std::uint8_t *s, int scale[16])
{
    for (int sub = 0; sub < 16; ++sub) {
        const int low = sub < 8 ? s[sub] & 0x0f : s[sub - 8] >> 4;
        const int high = (s[8 + sub % 4] >> (2 * (sub / 4))) & 3;
        scale[sub] = (low | (high << 4)) - 32;
    }
}

// IQ4_XS: 8 signed 6-bit scales (stored + 32) of the sub-blocks of 32.
void unpack_iq4xs_scales(const std::uint8_t *block, int scale[8])
{
    const std::uint16_t high_bits = load_u16(block + iq4_xs::scales_h);
    for (int sub = 0; sub < 8; ++sub) {
        const int low = (block[iq4_xs::scales_l + sub / 2] >> (4 * (sub % 2))) & 0x0f;
        const int high = (high_bits >> (2 * sub)) & 3;
        scale[sub] = (low | (high << 4)) - 32;
    }
}

} // namespace
} // namespace glmdesk::kernels::cpu::detail
