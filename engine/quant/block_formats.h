// Block formats of GGUF tensors. The numeric values are ggml's type ids as stored in GGUF files,
// so a value read from a file is compared here directly. Sizes: a row of n weights in format f
// takes n / block_size(f) * type_size(f) bytes (n must be a multiple of block_size).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace glmdesk::engine {

enum class BlockFormat : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
    NVFP4 = 40,
    Q1_0 = 41,
};

struct BlockFormatInfo
{
    BlockFormat format;
    std::string_view name;    // as llama.cpp prints it: "q4_K", "bf16", "iq4_xs"
    std::uint32_t block_size; // weights per block
    std::uint32_t type_size;  // bytes per block
};

// Sizes follow ggml's type traits (ggml-common.h block structs), which define the file layout.
// gguf-py 0.19.0's GGML_QUANT_SIZES agrees on every type except Q8_1, which it lists as 40 bytes
// (float d, s) from before ggml made them fp16; ggml's block_q8_1 is 36 bytes (static_assert'ed
// there). Q8_1 is an activation format that files do not use in practice.
inline constexpr std::array<BlockFormatInfo, 34> k_block_formats{{
    {BlockFormat::F32, "f32", 1, 4},
    {BlockFormat::F16, "f16", 1, 2},
    {BlockFormat::Q4_0, "q4_0", 32, 18},
    {BlockFormat::Q4_1, "q4_1", 32, 20},
    {BlockFormat::Q5_0, "q5_0", 32, 22},
    {BlockFormat::Q5_1, "q5_1", 32, 24},
    {BlockFormat::Q8_0, "q8_0", 32, 34},
    {BlockFormat::Q8_1, "q8_1", 32, 36},
    {BlockFormat::Q2_K, "q2_K", 256, 84},
    {BlockFormat::Q3_K, "q3_K", 256, 110},
    {BlockFormat::Q4_K, "q4_K", 256, 144},
    {BlockFormat::Q5_K, "q5_K", 256, 176},
    {BlockFormat::Q6_K, "q6_K", 256, 210},
    {BlockFormat::Q8_K, "q8_K", 256, 292},
    {BlockFormat::IQ2_XXS, "iq2_xxs", 256, 66},
    {BlockFormat::IQ2_XS, "iq2_xs", 256, 74},
    {BlockFormat::IQ3_XXS, "iq3_xxs", 256, 98},
    {BlockFormat::IQ1_S, "iq1_s", 256, 50},
    {BlockFormat::IQ4_NL, "iq4_nl", 32, 18},
    {BlockFormat::IQ3_S, "iq3_s", 256, 110},
    {BlockFormat::IQ2_S, "iq2_s", 256, 82},
    {BlockFormat::IQ4_XS, "iq4_xs", 256, 136},
    {BlockFormat::I8, "i8", 1, 1},
    {BlockFormat::I16, "i16", 1, 2},
    {BlockFormat::I32, "i32", 1, 4},
    {BlockFormat::I64, "i64", 1, 8},
    {BlockFormat::F64, "f64", 1, 8},
    {BlockFormat::IQ1_M, "iq1_m", 256, 56},
    {BlockFormat::BF16, "bf16", 1, 2},
    {BlockFormat::TQ1_0, "tq1_0", 256, 54},
    {BlockFormat::TQ2_0, "tq2_0", 256, 66},
    {BlockFormat::MXFP4, "mxfp4", 32, 17},
    {BlockFormat::NVFP4, "nvfp4", 64, 36},
    {BlockFormat::Q1_0, "q1_0", 128, 18},
}};

// nullopt for ids that are not (or no longer) ggml types: a file using one is refused by name.
constexpr std::optional<BlockFormatInfo> block_format_info(std::uint32_t ggml_type_id)
{
    for (const BlockFormatInfo &info : k_block_formats)
        if (static_cast<std::uint32_t>(info.format) == ggml_type_id)
            return info;
    return std::nullopt;
}

// Every enumerator is in the table (checked by a unit test); a value cast from an unchecked id
// gets a 1-byte "unknown" entry instead of undefined behaviour.
constexpr BlockFormatInfo block_format_info(BlockFormat format)
{
    const std::optional<BlockFormatInfo> info =
        block_format_info(static_cast<std::uint32_t>(format));
    return info ? *info : BlockFormatInfo{format, "unknown", 1, 1};
}

std::string_view block_format_name(BlockFormat format);

// Bytes of `n_weights` weights; nullopt if n_weights is not a whole number of blocks or overflows.
std::optional<std::uint64_t> block_format_bytes(BlockFormat format, std::uint64_t n_weights);

} // namespace glmdesk::engine
