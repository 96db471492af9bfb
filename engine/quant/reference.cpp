// Each decoder turns one block into floats with exactly the float32 operations of ggml's
// dequantize_row_* (same products, same order, one rounding each); the quant library is built
// with -ffp-contract=off so that no compiler fuses a multiply and an add into one rounding.
#include "engine/quant/reference.h"

#include "engine/quant/block_layouts.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace glmdesk::engine {
namespace {

using Decoder = void (*)(const unsigned char *block, float *y);

// Blocks in a mapped file need not be aligned for their struct: copy each one out.
template <typename Block> Block load(const unsigned char *src)
{
    Block block;
    std::memcpy(&block, src, sizeof(Block));
    return block;
}

void decode_f32(const unsigned char *src, float *y)
{
    std::memcpy(y, src, sizeof(float));
}

void decode_f16(const unsigned char *src, float *y)
{
    y[0] = fp16_to_float(load<Fp16Bits>(src));
}

void decode_bf16(const unsigned char *src, float *y)
{
    y[0] = bf16_to_float(load<Bf16Bits>(src));
}

// Q4_0, Q4_1, IQ4_NL: byte j holds weight j (low nibble) and weight j + 16 (high nibble).
int low_nibble_code(const std::uint8_t *qs, int i)
{
    return i < k_qk_small / 2 ? qs[i] & 0x0f : qs[i - k_qk_small / 2] >> 4;
}

void decode_q4_0(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ4_0>(src);
    const float d = fp16_to_float(b.d);
    for (int i = 0; i < k_qk_small; ++i)
        y[i] = d * static_cast<float>(low_nibble_code(b.qs, i) - 8);
}

void decode_q4_1(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ4_1>(src);
    const float d = fp16_to_float(b.d);
    const float m = fp16_to_float(b.m);
    for (int i = 0; i < k_qk_small; ++i)
        y[i] = d * static_cast<float>(low_nibble_code(b.qs, i)) + m;
}

// The 5-bit code of weight i: its nibble plus bit i of the little-endian 32-bit qh.
int q5_code(const std::uint8_t *qs, const std::uint8_t *qh_bytes, int i)
{
    std::uint32_t qh = 0;
    std::memcpy(&qh, qh_bytes, sizeof qh);
    return low_nibble_code(qs, i) | static_cast<int>(((qh >> i) & 1u) << 4);
}

void decode_q5_0(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ5_0>(src);
    const float d = fp16_to_float(b.d);
    for (int i = 0; i < k_qk_small; ++i)
        y[i] = d * static_cast<float>(q5_code(b.qs, b.qh, i) - 16);
}

void decode_q5_1(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ5_1>(src);
    const float d = fp16_to_float(b.d);
    const float m = fp16_to_float(b.m);
    for (int i = 0; i < k_qk_small; ++i)
        y[i] = d * static_cast<float>(q5_code(b.qs, b.qh, i)) + m;
}

void decode_q8_0(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ8_0>(src);
    const float d = fp16_to_float(b.d);
    for (int i = 0; i < k_qk_small; ++i)
        y[i] = static_cast<float>(b.qs[i]) * d;
}

void decode_iq4_nl(const unsigned char *src, float *y)
{
    const auto b = load<BlockIQ4_NL>(src);
    const float d = fp16_to_float(b.d);
    for (int i = 0; i < k_qk_small; ++i)
        y[i] = d * static_cast<float>(k_iq4_values[low_nibble_code(b.qs, i)]);
}

// Q2_K and Q3_K store 2-bit codes as four 32-weight planes per 32 bytes: weight i of each
// 128-weight half is bits 2*(i/32).. of byte i%32 of that half's 32 bytes.
int two_bit_code(const std::uint8_t *qs, int i)
{
    const int half = i / 128;
    const int plane = (i % 128) / 32;
    return (qs[half * 32 + i % 32] >> (2 * plane)) & 3;
}

void decode_q2_k(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ2_K>(src);
    const float d = fp16_to_float(b.d);
    const float dmin = fp16_to_float(b.dmin);
    for (int sub = 0; sub < k_qk_super / 16; ++sub) {
        const float dl = d * static_cast<float>(b.scales[sub] & 0x0f);
        const float ml = dmin * static_cast<float>(b.scales[sub] >> 4);
        for (int i = sub * 16; i < sub * 16 + 16; ++i)
            y[i] = dl * static_cast<float>(two_bit_code(b.qs, i)) - ml;
    }
}

void decode_q3_k(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ3_K>(src);
    const float d = fp16_to_float(b.d);
    for (int sub = 0; sub < k_qk_super / 16; ++sub) {
        // 6-bit scales: low 4 bits in bytes 0..7 (sub-blocks 8..15 in the high nibbles), high 2
        // bits in bytes 8..11, two bits per sub-block, four sub-blocks apart.
        const int low = sub < 8 ? b.scales[sub] & 0x0f : b.scales[sub - 8] >> 4;
        const int high = (b.scales[8 + sub % 4] >> (2 * (sub / 4))) & 3;
        const float dl = d * static_cast<float>((low | (high << 4)) - 32);
        for (int i = sub * 16; i < sub * 16 + 16; ++i) {
            // A clear hmask bit subtracts 4: codes run -4..3.
            const bool high_bit = ((b.hmask[i % 32] >> (i / 32)) & 1) != 0;
            const int q = two_bit_code(b.qs, i) - (high_bit ? 0 : 4);
            y[i] = dl * static_cast<float>(q);
        }
    }
}

// Q4_K/Q5_K: 6-bit scale and min of sub-block j (0..7) packed into 12 bytes; sub-blocks 4..7
// keep their low 4 bits in bytes 8..11 and their high 2 bits in the top of bytes 0..7.
void k4_scale_min(const std::uint8_t *scales, int j, int &scale, int &min)
{
    if (j < 4) {
        scale = scales[j] & 63;
        min = scales[j + 4] & 63;
    } else {
        scale = (scales[j + 4] & 0x0f) | ((scales[j - 4] >> 6) << 4);
        min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
    }
}

// Q4_K/Q5_K nibbles: each 32 bytes hold two sub-blocks, the first in the low nibbles.
int k4_nibble(const std::uint8_t *qs, int i)
{
    const int sub = i / 32;
    return (qs[(sub / 2) * 32 + i % 32] >> (4 * (sub % 2))) & 0x0f;
}

void decode_q4_k(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ4_K>(src);
    const float d = fp16_to_float(b.d);
    const float dmin = fp16_to_float(b.dmin);
    for (int sub = 0; sub < k_qk_super / 32; ++sub) {
        int scale = 0;
        int min = 0;
        k4_scale_min(b.scales, sub, scale, min);
        const float d1 = d * static_cast<float>(scale);
        const float m1 = dmin * static_cast<float>(min);
        for (int i = sub * 32; i < sub * 32 + 32; ++i)
            y[i] = d1 * static_cast<float>(k4_nibble(b.qs, i)) - m1;
    }
}

void decode_q5_k(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ5_K>(src);
    const float d = fp16_to_float(b.d);
    const float dmin = fp16_to_float(b.dmin);
    for (int sub = 0; sub < k_qk_super / 32; ++sub) {
        int scale = 0;
        int min = 0;
        k4_scale_min(b.scales, sub, scale, min);
        const float d1 = d * static_cast<float>(scale);
        const float m1 = dmin * static_cast<float>(min);
        for (int i = sub * 32; i < sub * 32 + 32; ++i) {
            const int high = (b.qh[i % 32] >> sub) & 1; // bit `sub` of byte i%32
            y[i] = d1 * static_cast<float>(k4_nibble(b.qs, i) | (high << 4)) - m1;
        }
    }
}

void decode_q6_k(const unsigned char *src, float *y)
{
    const auto b = load<BlockQ6_K>(src);
    const float d = fp16_to_float(b.d);
    for (int i = 0; i < k_qk_super; ++i) {
        // Per 128-weight half: low 4 bits from 64 bytes of ql (two nibble planes), high 2 bits
        // from 32 bytes of qh (four 2-bit planes).
        const int half = i / 128;
        const int r = i % 128;
        const int low = (b.ql[half * 64 + r % 64] >> (4 * (r / 64))) & 0x0f;
        const int high = (b.qh[half * 32 + r % 32] >> (2 * (r / 32))) & 3;
        const int sub = i / 16;
        const float dl = d * static_cast<float>(b.scales[sub]);
        y[i] = dl * static_cast<float>((low | (high << 4)) - 32);
    }
}

void decode_iq4_xs(const unsigned char *src, float *y)
{
    const auto b = load<BlockIQ4_XS>(src);
    const float d = fp16_to_float(b.d);
    for (int sub = 0; sub < k_qk_super / 32; ++sub) {
        const int low = (b.scales_l[sub / 2] >> (4 * (sub % 2))) & 0x0f;
        const int high = (b.scales_h >> (2 * sub)) & 3;
        const float dl = d * static_cast<float>((low | (high << 4)) - 32);
        const std::uint8_t *qs = b.qs + sub * 16; // then as IQ4_NL, 16 bytes per 32 weights
        for (int i = 0; i < 32; ++i)
            y[sub * 32 + i] = dl * static_cast<float>(k_iq4_values[low_nibble_code(qs, i)]);
    }
}

struct DecoderEntry
{
    BlockFormat format;
    Decoder decode;
};

constexpr std::array<DecoderEntry, 15> k_decoders{{
    {BlockFormat::F32, decode_f32},
    {BlockFormat::F16, decode_f16},
    {BlockFormat::BF16, decode_bf16},
    {BlockFormat::Q4_0, decode_q4_0},
    {BlockFormat::Q4_1, decode_q4_1},
    {BlockFormat::Q5_0, decode_q5_0},
    {BlockFormat::Q5_1, decode_q5_1},
    {BlockFormat::Q8_0, decode_q8_0},
    {BlockFormat::Q2_K, decode_q2_k},
    {BlockFormat::Q3_K, decode_q3_k},
    {BlockFormat::Q4_K, decode_q4_k},
    {BlockFormat::Q5_K, decode_q5_k},
    {BlockFormat::Q6_K, decode_q6_k},
    {BlockFormat::IQ4_NL, decode_iq4_nl},
    {BlockFormat::IQ4_XS, decode_iq4_xs},
}};

Decoder find_decoder(BlockFormat format)
{
    for (const DecoderEntry &entry : k_decoders)
        if (entry.format == format)
            return entry.decode;
    return nullptr;
}

std::string supported_names()
{
    std::string names;
    for (const DecoderEntry &entry : k_decoders) {
        if (!names.empty())
            names += ", ";
        names += block_format_name(entry.format);
    }
    return names;
}

// The checks both entry points share; on success `info` and `decode` are set.
Status check_row(BlockFormat format, const void *src, std::size_t n_weights, const void *dst,
                 BlockFormatInfo &info, Decoder &decode)
{
    const auto id = static_cast<std::uint32_t>(format);
    const std::optional<BlockFormatInfo> found = block_format_info(id);
    if (!found)
        return error(StatusCode::InvalidArgument, "unknown block format id " + std::to_string(id));
    info = *found;
    decode = find_decoder(format);
    if (decode == nullptr)
        return error(StatusCode::Unsupported,
                     "block format '" + std::string(info.name) +
                         "' cannot be dequantized (supported: " + supported_names() + ")");
    if (n_weights % info.block_size != 0)
        return error(StatusCode::InvalidArgument,
                     std::string(info.name) + ": " + std::to_string(n_weights) +
                         " weights is not a whole number of " + std::to_string(info.block_size) +
                         "-weight blocks");
    if (n_weights != 0 && (src == nullptr || dst == nullptr))
        return error(StatusCode::InvalidArgument, std::string(info.name) +
                                                      ": null buffer for a row of " +
                                                      std::to_string(n_weights) + " weights");
    return Status::success();
}

} // namespace

bool block_format_supported(BlockFormat format)
{
    return find_decoder(format) != nullptr;
}

Status dequantize_row(BlockFormat format, const void *src, std::size_t n_weights, float *dst)
{
    BlockFormatInfo info{};
    Decoder decode = nullptr;
    if (Status status = check_row(format, src, n_weights, dst, info, decode); !status)
        return status;
    const auto *bytes = static_cast<const unsigned char *>(src);
    for (std::size_t block = 0; block < n_weights / info.block_size; ++block)
        decode(bytes + block * info.type_size, dst + block * info.block_size);
    return Status::success();
}

Expected<double> dot_row_reference(BlockFormat format, const void *row, const float *x,
                                   std::size_t n_weights)
{
    BlockFormatInfo info{};
    Decoder decode = nullptr;
    if (Status status = check_row(format, row, n_weights, x, info, decode); !status)
        return status;
    const auto *bytes = static_cast<const unsigned char *>(row);
    std::array<float, k_qk_super> weights{};
    double sum = 0.0;
    for (std::size_t block = 0; block < n_weights / info.block_size; ++block) {
        decode(bytes + block * info.type_size, weights.data());
        const float *xb = x + block * info.block_size;
        for (std::size_t i = 0; i < info.block_size; ++i)
            sum += static_cast<double>(weights[i]) * static_cast<double>(xb[i]);
    }
    return sum;
}

} // namespace glmdesk::engine
