// BF16 weights on CPUs with AVX512-BF16 (Cooper Lake, Sapphire Rapids and later, Zen 4 and later).
// Compiled with AVX-512 BF16 flags only; called after a CPUID check.
//
// The exact path (dot_f32) keeps float32 activations: bf16 weights widen to float32 exactly (a
// 16-bit shift) and FMA at 512 bits, so it stays within float rounding of the reference. The fast
// path (dot_q16) reads the activations that quantize_activations rounded to bf16 once per token and
// does one vdpbf16ps per 32 weights: each product of two bf16 values is exact in float32, so its
// only error beyond float rounding is the activations' bf16 rounding (relative 2^-9 at most). Both
// paths need n % 32 == 0 for the 512-bit loop and finish any rest (exact path only: n need not be a
// multiple of 32) in scalar.
#include "kernels/cpu/dot_kernels_internal.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace glmdesk::kernels::cpu::detail {
namespace {

float bf16_bits_to_float(std::uint16_t b)
{
    const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    float v = 0.0f;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

std::uint16_t bf16_at(const std::uint8_t *p, int i)
{
    std::uint16_t v = 0;
    std::memcpy(&v, p + 2 * static_cast<std::ptrdiff_t>(i), sizeof v);
    return v;
}

__m512 widen16(const std::uint8_t *p)
{
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

float dot_f32_bf16(const void *row, const float *x, int n)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps()};
    int i = 0;
    for (; i + 64 <= n; i += 64)
        for (int k = 0; k < 4; ++k)
            acc[k] = _mm512_fmadd_ps(widen16(p + 2 * static_cast<std::ptrdiff_t>(i + 16 * k)),
                                     _mm512_loadu_ps(x + i + 16 * k), acc[k]);
    for (; i + 16 <= n; i += 16)
        acc[0] = _mm512_fmadd_ps(widen16(p + 2 * static_cast<std::ptrdiff_t>(i)),
                                 _mm512_loadu_ps(x + i), acc[0]);
    float tail = 0.0f;
    for (; i < n; ++i)
        tail += bf16_bits_to_float(bf16_at(p, i)) * x[i];
    return _mm512_reduce_add_ps(
               _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]))) +
           tail;
}

__m512bh load_bh(const void *p)
{
    return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p));
}

// out[t] = sum over i of w_i * x_t,i for Tokens tokens, each weight vector loaded once. The sums
// per token run in the same order whatever Tokens is, so the 4-token kernel equals the 1-token one
// bit for bit.
template <int Tokens> void dot_bf16_tokens(const void *row, const Q16Row *x, int n, float *out)
{
    const auto *p = static_cast<const std::uint8_t *>(row);
    __m512 acc[Tokens][2];
    for (int t = 0; t < Tokens; ++t)
        acc[t][0] = acc[t][1] = _mm512_setzero_ps();
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        _mm_prefetch(reinterpret_cast<const char *>(p + 2 * static_cast<std::ptrdiff_t>(i)) + 1024,
                     _MM_HINT_T0);
        const __m512bh w0 = load_bh(p + 2 * static_cast<std::ptrdiff_t>(i));
        const __m512bh w1 = load_bh(p + 2 * static_cast<std::ptrdiff_t>(i + 32));
        for (int t = 0; t < Tokens; ++t) {
            acc[t][0] = _mm512_dpbf16_ps(acc[t][0], w0, load_bh(x[t].bf16 + i));
            acc[t][1] = _mm512_dpbf16_ps(acc[t][1], w1, load_bh(x[t].bf16 + i + 32));
        }
    }
    for (; i + 32 <= n; i += 32) {
        const __m512bh w0 = load_bh(p + 2 * static_cast<std::ptrdiff_t>(i));
        for (int t = 0; t < Tokens; ++t)
            acc[t][0] = _mm512_dpbf16_ps(acc[t][0], w0, load_bh(x[t].bf16 + i));
    }
    for (int t = 0; t < Tokens; ++t) {
        float tail = 0.0f;
        for (int j = i; j < n; ++j)
            tail += bf16_bits_to_float(bf16_at(p, j)) * bf16_bits_to_float(x[t].bf16[j]);
        out[t] = _mm512_reduce_add_ps(_mm512_add_ps(acc[t][0], acc[t][1])) + tail;
    }
}

float dot_fast_bf16(const void *row, const Q16Row &x, int n)
{
    float out = 0.0f;
    dot_bf16_tokens<1>(row, &x, n, &out);
    return out;
}

void dot_fast_x4_bf16(const void *row, const Q16Row *x, int n, float *out)
{
    dot_bf16_tokens<4>(row, x, n, out);
}

} // namespace

FormatKernels avx512_bf16_kernels(BlockFormat format)
{
    if (format == BlockFormat::BF16)
        return {dot_f32_bf16, dot_fast_bf16, dot_fast_x4_bf16, avx512_vnni_kernels(format).to_f32};
    return {};
}

} // namespace glmdesk::kernels::cpu::detail
