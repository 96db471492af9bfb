// Every CPU dot kernel this machine can run (scalar, AVX2, AVX-VNNI, AVX-512 VNNI, AVX512-BF16)
// against the exact reference dot product of engine/quant, on random blocks: random bytes for codes
// and packed scales, random finite non-zero fp16 block scales, odd row and activation alignments.
//
// Bounds (u = 2^-24, the float32 unit roundoff). Write each weight as w_i = a_i - m_i (scale part
// minus min part) and c_i = |a_i| + |m_i|, obtained from the reference itself as
// max(|w_i|, |w'_i|) where w' dequantizes the block with its min field's sign flipped.
// - dot_f32: every kernel sums its products in a tree of depth at most n/8 + 64 (8 or more
//   independent partial sums, a few roundings per weight), so |kernel - ref| <= (n/8 + 64) u S
//   with S = sum c_i |x_i|.
// - dot_q16: activations x_i become x^_i = d_b q_i with |x_i - x^_i| <= d_b / 2 (round to nearest;
//   a relative 1e-6 slack covers the rounding of x_i / d_b). Only the scale part multiplies x^
//   (the min part uses float sums of the exact x), so the quantization adds at most
//   D = sum_b d_b / 2 * sum_{i in b} |a_i| <= sum_b d_b / 2 * sum_{i in b} c_i, and the float
//   rounding adds at most (n/8 + 64) u (S + D).
// The SIMD q16 kernels compute the same integer sums as the scalar one, so they must agree with it
// within the rounding term alone: that catches a wrong decoder far more sharply.
#include "kernels/cpu/dot_kernels.h"

#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

using glmdesk::engine::BlockFormat;
namespace cpu = glmdesk::kernels::cpu;
namespace eng = glmdesk::engine;

namespace {

constexpr double k_u = 1.0 / 16777216.0;

struct FormatCase
{
    BlockFormat format;
    std::vector<int> scale_offsets; // fp16 fields in each block: made finite and non-zero
    int min_offset;                 // fp16 min field whose sign flip gives |a| + |m|; -1: none
};

const std::vector<FormatCase> &format_cases()
{
    static const std::vector<FormatCase> cases = {
        {BlockFormat::F32, {}, -1},     {BlockFormat::F16, {}, -1},
        {BlockFormat::BF16, {}, -1},    {BlockFormat::Q8_0, {0}, -1},
        {BlockFormat::Q4_0, {0}, -1},   {BlockFormat::Q4_1, {0, 2}, 2},
        {BlockFormat::Q5_0, {0}, -1},   {BlockFormat::Q5_1, {0, 2}, 2},
        {BlockFormat::IQ4_NL, {0}, -1}, {BlockFormat::Q2_K, {80, 82}, 82},
        {BlockFormat::Q3_K, {108}, -1}, {BlockFormat::Q4_K, {0, 2}, 2},
        {BlockFormat::Q5_K, {0, 2}, 2}, {BlockFormat::Q6_K, {208}, -1},
        {BlockFormat::IQ4_XS, {0}, -1},
    };
    return cases;
}

std::string format_name(BlockFormat format)
{
    return std::string(eng::block_format_info(format).name);
}

float random_nonzero(std::mt19937 &rng, float log_lo, float log_hi)
{
    std::uniform_real_distribution<float> mag(log_lo, log_hi);
    const float v = std::exp(mag(rng));
    return (rng() & 1u) != 0 ? v : -v;
}

// A row of n weights: random bytes, then every float field made finite and non-zero.
std::vector<unsigned char> random_row(const FormatCase &fc, int n, std::mt19937 &rng)
{
    const eng::BlockFormatInfo info = eng::block_format_info(fc.format);
    const std::size_t blocks = static_cast<std::size_t>(n) / info.block_size;
    std::vector<unsigned char> row(blocks * info.type_size);
    for (unsigned char &b : row)
        b = static_cast<unsigned char>(rng());
    for (std::size_t i = 0; i < blocks; ++i) {
        unsigned char *block = row.data() + i * info.type_size;
        if (fc.format == BlockFormat::F32) {
            const float v = random_nonzero(rng, -3.0f, 1.0f);
            std::memcpy(block, &v, 4);
        } else if (fc.format == BlockFormat::F16) {
            const eng::Fp16Bits h = eng::float_to_fp16(random_nonzero(rng, -3.0f, 1.0f));
            std::memcpy(block, &h, 2);
        } else if (fc.format == BlockFormat::BF16) {
            const eng::Bf16Bits h = eng::float_to_bf16(random_nonzero(rng, -3.0f, 1.0f));
            std::memcpy(block, &h, 2);
        }
        for (int offset : fc.scale_offsets) {
            const eng::Fp16Bits h = eng::float_to_fp16(random_nonzero(rng, -7.0f, -2.0f));
            std::memcpy(block + offset, &h, 2);
        }
    }
    return row;
}

std::vector<float> random_activations(int n, std::mt19937 &rng)
{
    std::vector<float> x(static_cast<std::size_t>(n));
    for (float &v : x)
        v = random_nonzero(rng, -3.0f, 1.0f);
    return x;
}

// c_i = |a_i| + |m_i| per weight (see the header comment).
std::vector<double> magnitudes(const FormatCase &fc, const unsigned char *row, int n)
{
    const eng::BlockFormatInfo info = eng::block_format_info(fc.format);
    std::vector<float> w(static_cast<std::size_t>(n));
    EXPECT_TRUE(eng::dequantize_row(fc.format, row, w.size(), w.data()).ok());
    std::vector<double> c(w.begin(), w.end());
    for (double &v : c)
        v = std::fabs(v);
    if (fc.min_offset >= 0) {
        const std::size_t bytes = static_cast<std::size_t>(n) / info.block_size * info.type_size;
        std::vector<unsigned char> flipped(row, row + bytes);
        for (std::size_t b = 0; b < bytes; b += info.type_size)
            flipped[b + static_cast<std::size_t>(fc.min_offset) + 1] ^= 0x80; // fp16 sign bit
        std::vector<float> w2(w.size());
        EXPECT_TRUE(eng::dequantize_row(fc.format, flipped.data(), w2.size(), w2.data()).ok());
        for (std::size_t i = 0; i < c.size(); ++i)
            c[i] = std::max(c[i], static_cast<double>(std::fabs(w2[i])));
    }
    return c;
}

std::vector<cpu::Isa> runnable_isas()
{
    std::vector<cpu::Isa> isas;
    for (cpu::Isa isa : {cpu::Isa::scalar, cpu::Isa::avx2, cpu::Isa::avx_vnni,
                         cpu::Isa::avx512_vnni, cpu::Isa::avx512_bf16})
        if (cpu::isa_supported(isa))
            isas.push_back(isa);
    return isas;
}

std::vector<int> lengths_for(BlockFormat format)
{
    const int block = static_cast<int>(eng::block_format_info(format).block_size);
    if (block == 1)
        return {1, 7, 8, 31, 32, 33, 100, 4099};
    if (block == 32)
        return {32, 64, 96, 224, 1408, 4096};
    return {256, 512, 768, 1280, 4096, 4352};
}

class DotKernels : public ::testing::TestWithParam<FormatCase>
{};

// BF16 weights' fast path multiplies the weights by the activations rounded to bf16 (xq.bf16),
// each product exact in float32, so it must equal sum w_i * bf16(x_i) within the float rounding
// term, and the exact dot within that plus the bf16 rounding sum |w_i| |x_i - bf16(x_i)|, at most
// 2^-8 S (bf16 keeps 8 significant bits).
void expect_bf16_fast_within_bound(const unsigned char *row, const float *x,
                                   const cpu::QuantizedActivations &xq, int n, float got,
                                   double exact)
{
    double rounded = 0.0;
    double s_rounded = 0.0;
    double activation_error = 0.0;
    double s = 0.0;
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        eng::Bf16Bits wb = 0;
        std::memcpy(&wb, row + 2 * ui, sizeof wb);
        const double w = eng::bf16_to_float(wb);
        const double xb = eng::bf16_to_float(xq.bf16[ui]);
        EXPECT_LE(std::fabs(xb - x[i]), std::ldexp(std::fabs(static_cast<double>(x[i])), -8));
        rounded += w * xb;
        s_rounded += std::fabs(w * xb);
        activation_error += std::fabs(w) * std::fabs(xb - x[i]);
        s += std::fabs(w * x[i]);
    }
    const double gamma = (n / 8.0 + 64.0) * k_u;
    ASSERT_GT(activation_error, 0.0) << "the activations should not all be bf16 already";
    ASSERT_LE(activation_error, std::ldexp(s, -8));
    EXPECT_LE(std::fabs(got - rounded), gamma * s_rounded) << "bf16 fast path, n=" << n;
    EXPECT_LE(std::fabs(got - exact), activation_error + gamma * (s + s_rounded))
        << "bf16 fast path vs the exact dot, n=" << n;
}

TEST(DotKernelsIsa, ScalarAlwaysAvailableAndBestIsSupported)
{
    EXPECT_TRUE(cpu::isa_supported(cpu::Isa::scalar));
    EXPECT_TRUE(cpu::isa_supported(cpu::best_isa()));
    for (const FormatCase &fc : format_cases())
        EXPECT_NE(cpu::kernels(fc.format).dot_f32, nullptr) << format_name(fc.format);
    // Formats without kernels get an empty entry, not a wrong one.
    EXPECT_EQ(cpu::kernels(BlockFormat::Q8_K).dot_f32, nullptr);
    EXPECT_EQ(cpu::kernels(BlockFormat::IQ2_XXS).dot_q16, nullptr);
    // BF16 weights get a fast path only where the CPU has the BF16 dot instruction.
    EXPECT_EQ(cpu::kernels_for(cpu::Isa::avx512_vnni, BlockFormat::BF16).dot_q16, nullptr);
    if (cpu::isa_supported(cpu::Isa::avx512_bf16)) {
        EXPECT_EQ(cpu::best_isa() == cpu::Isa::avx512_bf16,
                  std::getenv("GLMDESK_CPU_ISA") == nullptr);
        EXPECT_NE(cpu::kernels_for(cpu::Isa::avx512_bf16, BlockFormat::BF16).dot_q16, nullptr);
    }
    std::printf("best ISA here: %s\n", cpu::isa_name(cpu::best_isa()));
}

TEST_P(DotKernels, MatchReferenceWithinDerivedBounds)
{
    const FormatCase fc = GetParam();
    std::mt19937 rng(1234u + static_cast<unsigned>(fc.format));
    int checked = 0;
    for (int n : lengths_for(fc.format)) {
        for (int rep = 0; rep < 3; ++rep) {
            const std::vector<unsigned char> packed = random_row(fc, n, rng);
            // Odd alignments: the row at 1..3 bytes past an allocation, x one float past one.
            const std::size_t row_shift = 1 + static_cast<std::size_t>(rep);
            std::vector<unsigned char> row_buf(packed.size() + 8);
            std::memcpy(row_buf.data() + row_shift, packed.data(), packed.size());
            const unsigned char *row = row_buf.data() + row_shift;
            const std::vector<float> xs = random_activations(n, rng);
            std::vector<float> x_buf(xs.size() + 1);
            std::memcpy(x_buf.data() + 1, xs.data(), xs.size() * sizeof(float));
            const float *x = x_buf.data() + 1;

            const auto ref = eng::dot_row_reference(fc.format, row, x, static_cast<std::size_t>(n));
            ASSERT_TRUE(ref.has_value());
            const std::vector<double> c = magnitudes(fc, row, n);
            double s = 0.0;
            for (int i = 0; i < n; ++i)
                s += c[static_cast<std::size_t>(i)] * std::fabs(static_cast<double>(x[i]));
            ASSERT_GT(s, 0.0);
            const double gamma = (n / 8.0 + 64.0) * k_u;
            const double f32_bound = gamma * s;

            cpu::QuantizedActivations xq;
            const bool q16_ok = n % cpu::k_q16_block == 0 && cpu::quantize_activations(x, n, 1, xq);
            double d_term = 0.0;
            if (q16_ok)
                for (int i = 0; i < n; ++i)
                    d_term += xq.d[static_cast<std::size_t>(i / 32)] / 2.0 *
                              c[static_cast<std::size_t>(i)];
            const double q16_bound = d_term * (1.0 + 1e-6) + gamma * (s + d_term);
            // The bounds must be able to fail: well below the size of the terms (the q16 one is
            // about max|x| / 65534 per unit of sum c_i, a few 1e-4 of S for these x).
            ASSERT_LT(f32_bound, 1e-3 * s);
            ASSERT_LT(q16_bound, 2e-3 * s);

            float scalar_q16 = 0.0f;
            for (cpu::Isa isa : runnable_isas()) {
                const cpu::FormatKernels k = cpu::kernels_for(isa, fc.format);
                ASSERT_NE(k.dot_f32, nullptr);
                const float got = k.dot_f32(row, x, n);
                EXPECT_LE(std::fabs(got - *ref), f32_bound)
                    << "dot_f32 " << cpu::isa_name(isa) << " n=" << n << " got " << got << " ref "
                    << *ref;
                if (k.dot_q16 == nullptr) {
                    EXPECT_TRUE(fc.format == BlockFormat::F32 || fc.format == BlockFormat::F16 ||
                                fc.format == BlockFormat::BF16);
                    continue;
                }
                if (fc.format == BlockFormat::BF16) {
                    // The fast path of BF16 weights reads bf16 activations (avx512_bf16 only).
                    if (q16_ok) {
                        const float got_bf = k.dot_q16(row, cpu::q16_row(xq, 0), n);
                        expect_bf16_fast_within_bound(row, x, xq, n, got_bf, *ref);
                        ++checked;
                    }
                    continue;
                }
                ASSERT_TRUE(q16_ok);
                const float got_q16 = k.dot_q16(row, cpu::q16_row(xq, 0), n);
                EXPECT_LE(std::fabs(got_q16 - *ref), q16_bound)
                    << "dot_q16 " << cpu::isa_name(isa) << " n=" << n << " got " << got_q16
                    << " ref " << *ref;
                if (isa == cpu::Isa::scalar) {
                    scalar_q16 = got_q16;
                } else {
                    EXPECT_LE(std::fabs(got_q16 - scalar_q16), 2.0 * gamma * (s + d_term))
                        << "dot_q16 " << cpu::isa_name(isa) << " vs scalar, n=" << n;
                }
                ++checked;
            }
        }
    }
    if (cpu::kernels(fc.format).dot_q16 != nullptr) {
        EXPECT_GT(checked, 0);
    }
}

// Dequantization (attention's V rows): every ISA's to_f32 against engine/quant's dequantizer on
// random blocks, at odd row alignments. Both form d * sub-scale first, then times the code, minus
// the min, so the only difference allowed is one rounding of each of those steps (a kernel may
// fuse the multiply and the subtract): 4 u relative to |scale * code| + |min| <= c_i.
TEST_P(DotKernels, ToF32MatchesTheReferenceDequantizer)
{
    const FormatCase fc = GetParam();
    std::mt19937 rng(777u + static_cast<unsigned>(fc.format));
    for (int n : lengths_for(fc.format)) {
        const std::vector<unsigned char> packed = random_row(fc, n, rng);
        std::vector<unsigned char> row_buf(packed.size() + 4);
        std::memcpy(row_buf.data() + 3, packed.data(), packed.size());
        const unsigned char *row = row_buf.data() + 3;
        std::vector<float> ref(static_cast<std::size_t>(n));
        ASSERT_TRUE(eng::dequantize_row(fc.format, row, ref.size(), ref.data()).ok());
        const std::vector<double> c = magnitudes(fc, row, n);
        for (cpu::Isa isa : runnable_isas()) {
            const cpu::FormatKernels k = cpu::kernels_for(isa, fc.format);
            ASSERT_NE(k.to_f32, nullptr) << cpu::isa_name(isa);
            std::vector<float> got(static_cast<std::size_t>(n) + 1, 12345.0f);
            k.to_f32(row, got.data(), n);
            EXPECT_EQ(got.back(), 12345.0f) << "wrote past n";
            for (std::size_t i = 0; i < ref.size(); ++i)
                ASSERT_LE(std::fabs(static_cast<double>(got[i]) - ref[i]), 4 * k_u * c[i])
                    << cpu::isa_name(isa) << " n=" << n << " i=" << i;
        }
    }
    std::vector<float> out(32);
    EXPECT_FALSE(cpu::to_f32(BlockFormat::Q8_K, nullptr, out.data(), 32))
        << "a format without kernels is refused";
}

INSTANTIATE_TEST_SUITE_P(AllFormats, DotKernels, ::testing::ValuesIn(format_cases()),
                         [](const ::testing::TestParamInfo<FormatCase> &param) {
                             return format_name(param.param.format);
                         });

// The integer sums at their largest: every code byte the same extreme value (so codes, nibbles and
// sub-scales sit at their limits), activations at +-max (codes +-32512), signs alternating per 16
// or constant. An int32 overflow anywhere (a chunk sum times a sub-scale) shows as a result far
// from the reference; every ISA must stay within the derived bound.
TEST_P(DotKernels, ExtremeCodesAndActivationsDoNotOverflow)
{
    const FormatCase fc = GetParam();
    const int n = 512;
    for (const unsigned char fill : {0x00, 0x7f, 0x80, 0x88, 0xee, 0xff}) {
        std::mt19937 rng(fill);
        std::vector<unsigned char> row = random_row(fc, n, rng);
        const eng::BlockFormatInfo info = eng::block_format_info(fc.format);
        if (fc.format == BlockFormat::F32 || fc.format == BlockFormat::F16 ||
            fc.format == BlockFormat::BF16)
            continue; // no integer path
        for (std::size_t b = 0; b < row.size() / info.type_size; ++b) {
            unsigned char *block = row.data() + b * info.type_size;
            std::vector<unsigned char> keep(info.type_size);
            std::memcpy(keep.data(), block, info.type_size);
            std::memset(block, fill, info.type_size);
            for (int offset : fc.scale_offsets)
                std::memcpy(block + offset, keep.data() + offset, 2); // finite f16 scales
        }
        for (const bool alternate : {false, true}) {
            std::vector<float> x(static_cast<std::size_t>(n));
            for (int i = 0; i < n; ++i)
                x[static_cast<std::size_t>(i)] = alternate && (i / 16) % 2 ? -3.0f : 3.0f;
            const auto ref = eng::dot_row_reference(fc.format, row.data(), x.data(),
                                                    static_cast<std::size_t>(n));
            ASSERT_TRUE(ref.has_value());
            const std::vector<double> c = magnitudes(fc, row.data(), n);
            double s = 0.0;
            for (int i = 0; i < n; ++i)
                s += c[static_cast<std::size_t>(i)] * 3.0;
            cpu::QuantizedActivations xq;
            ASSERT_TRUE(cpu::quantize_activations(x.data(), n, 1, xq));
            for (std::size_t i = 0; i < xq.q.size(); ++i)
                ASSERT_EQ(std::abs(static_cast<int>(xq.q[i])), static_cast<int>(cpu::k_q16_max));
            const double gamma = (n / 8.0 + 64.0) * k_u;
            for (cpu::Isa isa : runnable_isas()) {
                const cpu::FormatKernels k = cpu::kernels_for(isa, fc.format);
                if (k.dot_q16 == nullptr)
                    continue;
                const float got = k.dot_q16(row.data(), cpu::q16_row(xq, 0), n);
                // Activations at the block maximum are exact in int16: float rounding only.
                EXPECT_LE(std::fabs(got - *ref), 2.0 * gamma * s + 1e-30)
                    << cpu::isa_name(isa) << " fill 0x" << std::hex << int(fill) << std::dec
                    << (alternate ? " alternating" : " constant") << " got " << got << " ref "
                    << *ref;
            }
        }
    }
}

TEST(DotKernelsX4, FourTokensAtOnceEqualOneAtATime)
{
    std::mt19937 rng(99);
    int checked = 0;
    for (const FormatCase &fc : format_cases()) {
        const int n = eng::block_format_info(fc.format).block_size == 256 ? 1280 : 1408;
        const std::vector<unsigned char> row = random_row(fc, n, rng);
        const std::vector<float> x = random_activations(4 * n, rng);
        cpu::QuantizedActivations xq;
        ASSERT_TRUE(cpu::quantize_activations(x.data(), n, 4, xq));
        const cpu::Q16Row rows[4] = {cpu::q16_row(xq, 0), cpu::q16_row(xq, 1), cpu::q16_row(xq, 2),
                                     cpu::q16_row(xq, 3)};
        for (cpu::Isa isa : runnable_isas()) {
            const cpu::FormatKernels k = cpu::kernels_for(isa, fc.format);
            if (k.dot_q16_x4 == nullptr)
                continue;
            ASSERT_NE(k.dot_q16, nullptr);
            float out[4] = {};
            k.dot_q16_x4(row.data(), rows, n, out);
            for (int t = 0; t < 4; ++t)
                EXPECT_EQ(out[t], k.dot_q16(row.data(), rows[t], n))
                    << format_name(fc.format) << " " << cpu::isa_name(isa) << " token " << t;
            ++checked;
        }
    }
    if (cpu::isa_supported(cpu::Isa::avx2)) {
        EXPECT_GE(checked, 12); // every quantized format has the 4-token kernel on x86 SIMD
    }
}

TEST(QuantizeActivations, WithinHalfAStepAndScaledToTheBlockMaximum)
{
    std::mt19937 rng(77);
    const int n = 4096;
    const int tokens = 3;
    const std::vector<float> x = random_activations(n * tokens, rng);
    cpu::QuantizedActivations xq;
    ASSERT_TRUE(cpu::quantize_activations(x.data(), n, tokens, xq));
    ASSERT_EQ(xq.q.size(), x.size());
    for (std::size_t b = 0; b < x.size() / 32; ++b) {
        float amax = 0.0f;
        float sum_lo = 0.0f;
        float sum_hi = 0.0f;
        for (std::size_t i = 0; i < 32; ++i) {
            amax = std::max(amax, std::fabs(x[b * 32 + i]));
            (i < 16 ? sum_lo : sum_hi) += x[b * 32 + i];
        }
        EXPECT_FLOAT_EQ(xq.d[b], amax / cpu::k_q16_max);
        EXPECT_NEAR(xq.sum16[2 * b], sum_lo, 1e-5);
        EXPECT_NEAR(xq.sum16[2 * b + 1], sum_hi, 1e-5);
        int qsum[2] = {0, 0};
        for (std::size_t i = 0; i < 32; ++i)
            qsum[i / 16] += xq.q[b * 32 + i];
        EXPECT_EQ(xq.qsum16[2 * b], qsum[0]);
        EXPECT_EQ(xq.qsum16[2 * b + 1], qsum[1]);
        for (std::size_t i = 0; i < 32; ++i) {
            const double err = std::fabs(static_cast<double>(x[b * 32 + i]) -
                                         static_cast<double>(xq.d[b]) * xq.q[b * 32 + i]);
            // Half a step, plus the float rounding of x * (1 / d) at codes up to 32512 (2 ulp of
            // the product: 32512 * 2^-22 of a step).
            EXPECT_LE(err, xq.d[b] * (0.5 + 32512.0 * 0x1p-22));
            const int q = xq.q[b * 32 + i];
            EXPECT_LE(std::abs(q), 32512);
            // The byte planes the 256-bit kernels read: q = 255 hi + lo, both within a signed
            // byte's +-127 (vpsignb cannot negate -128).
            const int hi = xq.hi[b * 32 + i], lo = xq.lo[b * 32 + i];
            EXPECT_EQ(255 * hi + lo, q);
            EXPECT_LE(std::abs(hi), 127);
            EXPECT_LE(std::abs(lo), 127);
        }
    }
    const cpu::Q16Row second = cpu::q16_row(xq, 1);
    EXPECT_EQ(second.q, xq.q.data() + n);
    EXPECT_EQ(second.hi, xq.hi.data() + n);
    EXPECT_EQ(second.lo, xq.lo.data() + n);
    EXPECT_EQ(second.d, xq.d.data() + n / 32);
    EXPECT_EQ(second.sum16, xq.sum16.data() + n / 16);
    EXPECT_EQ(second.qsum16, xq.qsum16.data() + n / 16);
}

TEST(QuantizeActivations, RejectsBadShapesAndSurvivesNonFinite)
{
    cpu::QuantizedActivations xq;
    std::vector<float> x(64, 1.0f);
    EXPECT_FALSE(cpu::quantize_activations(x.data(), 48, 1, xq));
    EXPECT_FALSE(cpu::quantize_activations(x.data(), 0, 1, xq));
    EXPECT_FALSE(cpu::quantize_activations(x.data(), 32, 0, xq));
    EXPECT_FALSE(cpu::quantize_activations(nullptr, 32, 1, xq));
    x[3] = std::nanf("");
    x[40] = INFINITY;
    ASSERT_TRUE(cpu::quantize_activations(x.data(), 64, 1, xq));
    EXPECT_EQ(xq.q[3], 0);
    EXPECT_EQ(xq.q[0], 32512); // the NaN does not spoil its block's scale
    EXPECT_EQ(xq.hi[0], 127);
    EXPECT_EQ(xq.lo[0], 127);
}

TEST(Matmul, RangesAndTokensMatchSingleDots)
{
    const FormatCase fc = format_cases()[11]; // Q4_K
    ASSERT_EQ(fc.format, BlockFormat::Q4_K);
    std::mt19937 rng(5);
    const int n = 512;
    const int rows = 37;
    const int tokens = 19; // more than one token tile
    const std::size_t row_bytes = 2 * 144;
    std::vector<unsigned char> w;
    for (int r = 0; r < rows; ++r) {
        const std::vector<unsigned char> one = random_row(fc, n, rng);
        w.insert(w.end(), one.begin(), one.end());
    }
    const std::vector<float> x = random_activations(n * tokens, rng);
    cpu::QuantizedActivations xq;
    ASSERT_TRUE(cpu::quantize_activations(x.data(), n, tokens, xq));
    const std::size_t ldy = rows + 3;
    for (const bool q16 : {false, true}) {
        std::vector<float> y(ldy * tokens, -1.0f);
        // Three ranges, as a pool would split them.
        for (auto [r0, r1] : {std::pair{0, 10}, std::pair{10, 11}, std::pair{11, rows}})
            ASSERT_TRUE(cpu::matmul(fc.format, w.data(), row_bytes, n, r0, r1, x.data(),
                                    q16 ? &xq : nullptr, tokens, y.data(), ldy));
        for (int t = 0; t < tokens; ++t) {
            for (int r = 0; r < rows; ++r) {
                const unsigned char *row = w.data() + static_cast<std::size_t>(r) * row_bytes;
                const float want = q16 ? cpu::dot_q16(fc.format, row, cpu::q16_row(xq, t), n)
                                       : cpu::dot_f32(fc.format, row, x.data() + t * n, n);
                EXPECT_EQ(y[static_cast<std::size_t>(t) * ldy + static_cast<std::size_t>(r)], want);
            }
            for (std::size_t r = rows; r < ldy; ++r) // padding untouched
                EXPECT_EQ(y[static_cast<std::size_t>(t) * ldy + r], -1.0f);
        }
    }
}

TEST(Matmul, RefusesWhatItCannotCompute)
{
    std::vector<unsigned char> w(144 * 4, 0);
    std::vector<float> x(512, 1.0f);
    std::vector<float> y(8, 0.0f);
    const auto call = [&](BlockFormat f, int n, int r0, int r1, std::size_t ldy) {
        return cpu::matmul(f, w.data(), 144, n, r0, r1, x.data(), nullptr, 1, y.data(), ldy);
    };
    EXPECT_TRUE(call(BlockFormat::Q4_K, 256, 0, 2, 2));
    EXPECT_FALSE(call(BlockFormat::Q4_K, 300, 0, 2, 2)); // not whole blocks
    EXPECT_FALSE(call(BlockFormat::Q8_K, 256, 0, 2, 2)); // no kernel
    EXPECT_FALSE(call(BlockFormat::Q4_K, 256, 2, 1, 2)); // reversed range
    EXPECT_FALSE(call(BlockFormat::Q4_K, 256, 0, 3, 2)); // rows past ldy
    EXPECT_FALSE(call(static_cast<BlockFormat>(999), 256, 0, 1, 2));
}

} // namespace
