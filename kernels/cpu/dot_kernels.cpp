// Run-time choice of the kernel table, activation quantization, and the multi-row entry point.
#include "kernels/cpu/dot_kernels.h"

#include "kernels/cpu/dot_kernels_internal.h"

#include "engine/quant/block_layouts.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace glmdesk::kernels::cpu {
namespace {

bool cpu_has(Isa isa)
{
#if defined(GLMDESK_KERNELS_X86)
    switch (isa) {
    case Isa::scalar:
        return true;
    case Isa::avx2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("f16c");
    case Isa::avx_vnni:
        return cpu_has(Isa::avx2) && __builtin_cpu_supports("avxvnni");
    case Isa::avx512_vnni:
        return cpu_has(Isa::avx2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512vnni");
    case Isa::avx512_bf16:
        return cpu_has(Isa::avx512_vnni) && __builtin_cpu_supports("avx512bf16");
    }
    return false;
#else
    return isa == Isa::scalar;
#endif
}

Isa detect_best()
{
    // GLMDESK_CPU_ISA=scalar|avx2|avx_vnni|avx512_vnni|avx512_bf16 runs the whole engine on a lower
    // table (to test the fallback on a machine that has more); a value this CPU cannot run is
    // ignored.
    if (const char *forced = std::getenv("GLMDESK_CPU_ISA"); forced != nullptr)
        for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx_vnni, Isa::avx512_vnni, Isa::avx512_bf16})
            if (std::strcmp(forced, isa_name(isa)) == 0 && cpu_has(isa))
                return isa;
    if (cpu_has(Isa::avx512_bf16))
        return Isa::avx512_bf16;
    if (cpu_has(Isa::avx512_vnni))
        return Isa::avx512_vnni;
    if (cpu_has(Isa::avx_vnni))
        return Isa::avx_vnni;
    if (cpu_has(Isa::avx2))
        return Isa::avx2;
    return Isa::scalar;
}

} // namespace

const char *isa_name(Isa isa)
{
    switch (isa) {
    case Isa::scalar:
        return "scalar";
    case Isa::avx2:
        return "avx2";
    case Isa::avx_vnni:
        return "avx_vnni";
    case Isa::avx512_vnni:
        return "avx512_vnni";
    case Isa::avx512_bf16:
        return "avx512_bf16";
    }
    return "unknown";
}

bool isa_supported(Isa isa)
{
    return cpu_has(isa);
}

Isa best_isa()
{
    static const Isa best = detect_best();
    return best;
}

FormatKernels kernels_for(Isa isa, BlockFormat format)
{
    if (!cpu_has(isa))
        return {};
    switch (isa) {
    case Isa::scalar:
        return detail::scalar_kernels(format);
#if defined(GLMDESK_KERNELS_X86)
    case Isa::avx2:
        return detail::avx2_kernels(format);
    case Isa::avx_vnni:
        return detail::avx_vnni_kernels(format);
    case Isa::avx512_vnni:
        return detail::avx512_vnni_kernels(format);
    case Isa::avx512_bf16:
        // Only BF16 weights gain from the BF16 instructions; every other format keeps the VNNI
        // table.
        return format == BlockFormat::BF16 ? detail::avx512_bf16_kernels(format)
                                           : detail::avx512_vnni_kernels(format);
#endif
    default:
        return {};
    }
}

FormatKernels kernels(BlockFormat format)
{
    return kernels_for(best_isa(), format);
}

float dot_f32(BlockFormat format, const void *row, const float *x, int n)
{
    const FormatKernels k = kernels(format);
    return k.dot_f32 != nullptr ? k.dot_f32(row, x, n) : 0.0f;
}

bool to_f32(BlockFormat format, const void *row, float *out, int n)
{
    const FormatKernels k = kernels(format);
    if (k.to_f32 == nullptr)
        return false;
    k.to_f32(row, out, n);
    return true;
}

float dot_q16(BlockFormat format, const void *row, const Q16Row &x, int n)
{
    const FormatKernels k = kernels(format);
    return k.dot_q16 != nullptr ? k.dot_q16(row, x, n) : 0.0f;
}

bool quantize_activations(const float *x, int n, int n_tokens, QuantizedActivations &out,
                          bool with_bf16)
{
    if (x == nullptr || n <= 0 || n % k_q16_block != 0 || n_tokens < 1)
        return false;
    const auto total = static_cast<std::size_t>(n) * static_cast<std::size_t>(n_tokens);
    out.n = n;
    out.n_tokens = n_tokens;
    out.q.resize(total);
    out.hi.resize(total);
    out.lo.resize(total);
    out.d.resize(total / k_q16_block);
    out.sum16.resize(total / 16);
    out.qsum16.resize(total / 16);
    out.bf16.resize(with_bf16 ? total : 0);
    for (std::size_t i = 0; i < out.bf16.size(); ++i)
        out.bf16[i] = engine::float_to_bf16(x[i]);
    for (std::size_t blk = 0; blk < total / k_q16_block; ++blk) {
        const float *xb = x + blk * k_q16_block;
        float amax = 0.0f;
        for (int i = 0; i < k_q16_block; ++i)
            amax = std::max(amax, std::fabs(xb[i])); // NaN is ignored by max's comparison
        const float d = amax / k_q16_max;
        const float inv = d > 0.0f ? 1.0f / d : 0.0f;
        std::int16_t *q = out.q.data() + blk * k_q16_block;
        for (int i = 0; i < k_q16_block; ++i) {
            float v = std::nearbyint(xb[i] * inv);
            v = v > k_q16_max ? k_q16_max : (v < -k_q16_max ? -k_q16_max : v);
            q[i] = v == v ? static_cast<std::int16_t>(v) : std::int16_t{0};
            // hi = q / 255 rounded to nearest, so lo = q - 255 * hi lies in [-127, 127].
            const int code = q[i];
            const int high = (code + (code >= 0 ? 127 : -127)) / 255;
            out.hi[blk * k_q16_block + static_cast<std::size_t>(i)] =
                static_cast<std::int8_t>(high);
            out.lo[blk * k_q16_block + static_cast<std::size_t>(i)] =
                static_cast<std::int8_t>(code - 255 * high);
        }
        out.d[blk] = d;
        for (int h = 0; h < 2; ++h) {
            float s = 0.0f;
            std::int32_t qs = 0;
            for (int i = 0; i < 16; ++i) {
                s += xb[h * 16 + i];
                qs += q[h * 16 + i];
            }
            out.sum16[blk * 2 + static_cast<std::size_t>(h)] = s;
            out.qsum16[blk * 2 + static_cast<std::size_t>(h)] = qs;
        }
    }
    return true;
}

Q16Row q16_row(const QuantizedActivations &xq, int token)
{
    const auto t = static_cast<std::size_t>(token);
    const auto n = static_cast<std::size_t>(xq.n);
    return {xq.q.data() + t * n,
            xq.hi.data() + t * n,
            xq.lo.data() + t * n,
            xq.d.data() + t * (n / k_q16_block),
            xq.sum16.data() + t * (n / 16),
            xq.qsum16.data() + t * (n / 16),
            xq.bf16.empty() ? nullptr : xq.bf16.data() + t * n};
}

bool matmul(BlockFormat format, const void *rows, std::size_t row_bytes, int n, int r0, int r1,
            const float *x, const QuantizedActivations *xq, int n_tokens, float *y, std::size_t ldy,
            const int *x_rows)
{
    const FormatKernels k = kernels(format);
    const std::optional<engine::BlockFormatInfo> info =
        engine::block_format_info(static_cast<std::uint32_t>(format));
    if (k.dot_f32 == nullptr || !info || n <= 0 || n % static_cast<int>(info->block_size) != 0 ||
        r0 < 0 || r1 < r0 || n_tokens < 1 || rows == nullptr || x == nullptr || y == nullptr ||
        ldy < static_cast<std::size_t>(r1))
        return false;
    const bool use_q16 = xq != nullptr && k.dot_q16 != nullptr && xq->n == n &&
                         n % k_q16_block == 0 && (x_rows != nullptr || xq->n_tokens >= n_tokens) &&
                         (format != BlockFormat::BF16 || !xq->bf16.empty());
    const auto row_of = [x_rows](int t) { return x_rows != nullptr ? x_rows[t] : t; };
    const auto *base = static_cast<const unsigned char *>(rows);
    // Tokens in tiles so that a tile's activations stay in L2 while each weight row (a few KB,
    // in L1) is reused across the tile: the weights are read from memory once per tile.
    constexpr int k_token_tile = 16;
    Q16Row tile[k_token_tile];
    for (int t0 = 0; t0 < n_tokens; t0 += k_token_tile) {
        const int t1 = std::min(n_tokens, t0 + k_token_tile);
        if (use_q16)
            for (int t = t0; t < t1; ++t)
                tile[t - t0] = q16_row(*xq, row_of(t));
        for (int r = r0; r < r1; ++r) {
            const void *row = base + static_cast<std::size_t>(r) * row_bytes;
            int t = t0;
            if (use_q16 && k.dot_q16_x4 != nullptr) {
                for (; t + 4 <= t1; t += 4) {
                    float out[4];
                    k.dot_q16_x4(row, tile + (t - t0), n, out);
                    for (int i = 0; i < 4; ++i)
                        y[static_cast<std::size_t>(t + i) * ldy + static_cast<std::size_t>(r)] =
                            out[i];
                }
            }
            for (; t < t1; ++t) {
                const auto tt = static_cast<std::size_t>(t);
                y[tt * ldy + static_cast<std::size_t>(r)] =
                    use_q16 ? k.dot_q16(row, tile[t - t0], n)
                            : k.dot_f32(row,
                                        x + static_cast<std::size_t>(row_of(t)) *
                                                static_cast<std::size_t>(n),
                                        n);
            }
        }
    }
    return true;
}

} // namespace glmdesk::kernels::cpu
