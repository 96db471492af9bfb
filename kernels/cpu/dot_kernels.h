// Dot products of one weight row stored in a GGUF block format with activations, chosen once per
// process for the CPU it runs on (scalar everywhere; AVX2+FMA+F16C; AVX-VNNI; AVX-512 VNNI at 256
// bits; AVX512-BF16 for BF16 weights at 512 bits).
//
// Two paths per format. dot_f32 keeps float32 activations and is exact up to float rounding.
// dot_q16 first needs the activations quantized (once per token) to int16 in blocks of 32 with one
// float scale each, then does integer dot products (AVX-512: weight codes widened to int16, pairs
// summed in int32 by vpmaddwd; 256-bit: weight bytes times the activations' two byte planes, see
// below): on a memory-bound decode that is what lets a core keep up with the weight stream. 16
// bits, not 8: 8-bit activations put GLM-4.5-Air's logits 11% from the float path (issue #7's
// measurements, error starting in the first layer), 16-bit ones 4e-4, at the same weight bytes
// read. One activation format serves every weight format: a 32-block divides every GGUF row length,
// and the per-16 float sums of the original activations carry the "min" terms of
// Q2_K/Q4_K/Q5_K/Q4_1/Q5_1 exactly.
//
// Integer ranges: a weight code is at most 128 in magnitude and an activation 32512, so one int32
// lane (4 products in the SIMD kernels, 16 in the scalar one) stays below 2^31; sub-scales multiply
// after conversion to float.
//
// Each code is also kept as two signed bytes, q = 255 * hi + lo with |hi|, |lo| <= 127 (hence the
// limit 32512 = 255 * 127 + 127 rather than 32767). The 256-bit kernels multiply weight bytes with
// those bytes directly (vpmaddubsw: 32 byte products per instruction, pairs summed without
// saturation since 2 * 128 * 127 < 32767) instead of widening every weight code to int16 first,
// which costs shuffle instructions and left AVX2 cores at a third of their read bandwidth. The
// integer sums are the same either way.
//
// Typical use by the forward pass, y[T, rows] = x[T, n] * W^T with W in its stored format:
//     cpu::quantize_activations(x, n, T, xq);                 // once per activation matrix
//     pool.parallel_for(rows, [&](std::int64_t r0, std::int64_t r1) {
//         cpu::matmul(format, w, row_bytes, n, r0, r1, x, &xq, T, y, rows);
//     });
// (pass nullptr instead of &xq for the exact float32 path).
//
// Preconditions (the engine checks tensor shapes when it loads a file; these functions do not
// re-check per call): n is a whole number of the format's blocks, and for dot_q16 a multiple of 32;
// row points at n / block_size blocks (any alignment); x at n floats.
#pragma once

#include "engine/quant/block_formats.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace glmdesk::kernels::cpu {

using engine::BlockFormat;

inline constexpr int k_q16_block = 32;       // activations per scale in QuantizedActivations
inline constexpr float k_q16_max = 32512.0f; // the largest activation code (255 * 127 + 127)

enum class Isa {
    scalar,
    avx2,        // AVX2 + FMA + F16C
    avx_vnni,    // AVX2 + AVX-VNNI (VEX): byte dot products without AVX-512
    avx512_vnni, // AVX-512 F/BW/VL + VNNI, used at 256-bit width
    avx512_bf16, // avx512_vnni + AVX512-BF16: BF16 weights at 512 bits (vdpbf16ps on the fast path)
};

const char *isa_name(Isa isa);
bool isa_supported(Isa isa); // by this CPU (and this build: non-x86 builds have only scalar)
// The best supported one, detected once; the environment variable GLMDESK_CPU_ISA (an isa_name)
// can lower it, e.g. to run everything on the scalar fallback.
Isa best_isa();

// n_tokens rows of n activations, each row in blocks of 32: x ~= d[block] * q[i].
struct QuantizedActivations
{
    int n = 0;
    int n_tokens = 0;
    std::vector<std::int16_t> q; // [n_tokens][n]
    std::vector<std::int8_t> hi; // [n_tokens][n]: q = 255 * hi + lo, |hi| <= 127
    std::vector<std::int8_t> lo; // [n_tokens][n]: |lo| <= 127
    std::vector<float> d;        // [n_tokens][n / 32]
    std::vector<float> sum16;    // [n_tokens][n / 16]: float sums of the original activations
    // [n_tokens][n / 16]: sums of q (|sum| <= 16 * 32512), for formats that store code + offset
    std::vector<std::int32_t> qsum16;
    // [n_tokens][n]: the activations rounded to nearest-even bfloat16 bits, for BF16 weights' fast
    // path (vdpbf16ps). Cheaper to make once per token than per weight row.
    std::vector<std::uint16_t> bf16;
};

// One token's row of QuantizedActivations.
struct Q16Row
{
    const std::int16_t *q = nullptr;
    const std::int8_t *hi = nullptr;
    const std::int8_t *lo = nullptr;
    const float *d = nullptr;
    const float *sum16 = nullptr;
    const std::int32_t *qsum16 = nullptr;
    const std::uint16_t *bf16 = nullptr;
};

// Quantizes n_tokens rows of n floats (row t at x + t * n): d = max|x| / 32512 per block of 32,
// q = round-to-nearest(x / d) clamped to [-32512, 32512] (NaN becomes 0), split into hi and lo;
// bf16 = x rounded to
// nearest-even bfloat16. False if n is not a positive multiple of 32 or n_tokens < 1; `out` is
// resized (its buffers are reused across calls).
// `with_bf16` false leaves bf16 empty: only BF16 weights' fast path reads it.
bool quantize_activations(const float *x, int n, int n_tokens, QuantizedActivations &out,
                          bool with_bf16 = true);
Q16Row q16_row(const QuantizedActivations &xq, int token);

using DotF32Fn = float (*)(const void *row, const float *x, int n);
using DotQ16Fn = float (*)(const void *row, const Q16Row &x, int n);
// out[t] = dot_q16(row, x[t], n) for 4 tokens, bit for bit, decoding each weight block once.
using DotQ16x4Fn = void (*)(const void *row, const Q16Row *x, int n, float *out);
// out[i] = weight i of the row as float, formed as engine/quant's dequantizer forms it
// (d * sub-scale first, then times the code, minus the min), up to float rounding.
using ToF32Fn = void (*)(const void *row, float *out, int n);

struct FormatKernels
{
    DotF32Fn dot_f32 = nullptr; // null: format not handled
    // null: no quantized-activation path (F32, F16; BF16 below avx512_bf16). BF16's reads the
    // bf16 activations, not the int16 ones.
    DotQ16Fn dot_q16 = nullptr;
    DotQ16x4Fn dot_q16_x4 = nullptr; // null: matmul calls dot_q16 per token (scalar table)
    ToF32Fn to_f32 = nullptr;        // every format with a dot_f32 has one
};

// Formats with kernels: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K,
// Q5_K, Q6_K, IQ4_XS (every ISA covers all of them).
FormatKernels kernels_for(Isa isa, BlockFormat format);
FormatKernels kernels(BlockFormat format); // kernels_for(best_isa(), format)

// One row with the best table; 0 for a format without that kernel (check kernels() first).
float dot_f32(BlockFormat format, const void *row, const float *x, int n);
// Dequantizes n weights (whole blocks) with the best table; false for a format without kernels.
bool to_f32(BlockFormat format, const void *row, float *out, int n);
float dot_q16(BlockFormat format, const void *row, const Q16Row &x, int n);

// y[t * ldy + r] = dot(row r, token t) for rows r in [r0, r1) and tokens t in [0, n_tokens), row r
// at rows + r * row_bytes. Token t is activation row a = x_rows ? x_rows[t] : t: floats at
// x + a * n, and row a of `xq` (quantized from the same x, xq->n == n), whose q16 path is used
// when `xq` is given and the format has one, otherwise dot_f32. x_rows lets the routed experts read
// the tokens that chose them straight from the layer's activations, without gathering copies. A
// thread pool splits [0, n_rows) into ranges and calls this once per range. False (nothing
// written) for a format without kernels, n not a whole number of blocks, or bad ranges.
bool matmul(BlockFormat format, const void *rows, std::size_t row_bytes, int n, int r0, int r1,
            const float *x, const QuantizedActivations *xq, int n_tokens, float *y, std::size_t ldy,
            const int *x_rows = nullptr);

} // namespace glmdesk::kernels::cpu
