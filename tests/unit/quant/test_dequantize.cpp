// engine/quant's reference dequantization against gguf-py's, bit for bit, on the random blocks
// that tools/gen_quant_vectors wrote into tests/data/quant; the reference dot product against a
// plain double loop over gguf-py's floats; and the errors hostile arguments must get.
#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

using namespace glmdesk::engine;

namespace glmdesk::engine {
// Test names and failure messages print "q4_K" rather than the enum's bytes.
void PrintTo(BlockFormat format, std::ostream *out)
{
    *out << block_format_name(format);
}
} // namespace glmdesk::engine

namespace {

const std::string k_data_dir = std::string(GLMDESK_TEST_DATA) + "/quant/";

std::vector<unsigned char> read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A little-endian reader that reports running off the end instead of reading past it.
class Cursor
{
public:
    explicit Cursor(const std::vector<unsigned char> &bytes) : m_bytes(bytes) {}

    bool take(void *out, std::size_t n)
    {
        if (n > m_bytes.size() - m_pos)
            return false;
        std::memcpy(out, m_bytes.data() + m_pos, n);
        m_pos += n;
        return true;
    }
    bool take_u32(std::uint32_t &v) { return take(&v, sizeof v); }
    bool at_end() const { return m_pos == m_bytes.size(); }

private:
    const std::vector<unsigned char> &m_bytes;
    std::size_t m_pos = 0;
};

struct VectorRow
{
    std::size_t n_weights = 0;
    std::vector<unsigned char> raw;
    std::vector<float> expected;
};

// Parses <name>.bin (layout in tools/gen_quant_vectors/gen_quant_vectors.py).
testing::AssertionResult load_vectors(BlockFormat format, std::vector<VectorRow> &rows)
{
    std::string name(block_format_name(format));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string path = k_data_dir + name + ".bin";
    const std::vector<unsigned char> bytes = read_file(path);
    Cursor cursor(bytes);
    char magic[4] = {};
    std::uint32_t type_id = 0;
    std::uint32_t n_rows = 0;
    if (!cursor.take(magic, 4) || std::memcmp(magic, "GQV1", 4) != 0 || !cursor.take_u32(type_id) ||
        !cursor.take_u32(n_rows))
        return testing::AssertionFailure() << path << ": missing or not a GQV1 file";
    if (type_id != static_cast<std::uint32_t>(format))
        return testing::AssertionFailure() << path << ": holds type " << type_id;
    for (std::uint32_t r = 0; r < n_rows; ++r) {
        VectorRow row;
        std::uint32_t n_weights = 0;
        std::uint32_t n_bytes = 0;
        if (!cursor.take_u32(n_weights) || !cursor.take_u32(n_bytes))
            return testing::AssertionFailure() << path << ": truncated row header " << r;
        if (block_format_bytes(format, n_weights) != n_bytes)
            return testing::AssertionFailure() << path << ": row " << r << " has " << n_bytes
                                               << " bytes for " << n_weights << " weights";
        row.n_weights = n_weights;
        row.raw.resize(n_bytes);
        row.expected.resize(n_weights);
        if (!cursor.take(row.raw.data(), n_bytes) ||
            !cursor.take(row.expected.data(), n_weights * sizeof(float)))
            return testing::AssertionFailure() << path << ": truncated row " << r;
        rows.push_back(std::move(row));
    }
    if (!cursor.at_end() || rows.empty())
        return testing::AssertionFailure() << path << ": trailing bytes or no rows";
    return testing::AssertionSuccess();
}

// Equal bit patterns; any NaN equals any NaN (payloads are not part of the contract).
bool same_float(float a, float b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

bool same_double(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

const BlockFormat k_supported[] = {
    BlockFormat::F32,  BlockFormat::F16,    BlockFormat::BF16,   BlockFormat::Q8_0,
    BlockFormat::Q4_0, BlockFormat::Q4_1,   BlockFormat::Q5_0,   BlockFormat::Q5_1,
    BlockFormat::Q2_K, BlockFormat::Q3_K,   BlockFormat::Q4_K,   BlockFormat::Q5_K,
    BlockFormat::Q6_K, BlockFormat::IQ4_NL, BlockFormat::IQ4_XS,
};

class Dequantize : public testing::TestWithParam<BlockFormat>
{};

TEST_P(Dequantize, MatchesGgufBitForBit)
{
    const BlockFormat format = GetParam();
    ASSERT_TRUE(block_format_supported(format));
    std::vector<VectorRow> rows;
    ASSERT_TRUE(load_vectors(format, rows));
    std::size_t compared = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const VectorRow &row = rows[r];
        // One byte off any alignment the block structs would like: decoders must not care.
        std::vector<unsigned char> shifted(row.raw.size() + 1);
        std::copy(row.raw.begin(), row.raw.end(), shifted.begin() + 1);
        std::vector<float> got(row.n_weights, -12345.0f);
        ASSERT_TRUE(dequantize_row(format, shifted.data() + 1, row.n_weights, got.data()).ok());
        int reported = 0;
        for (std::size_t i = 0; i < row.n_weights; ++i, ++compared) {
            if (same_float(got[i], row.expected[i]))
                continue;
            ADD_FAILURE() << block_format_name(format) << " row " << r << " weight " << i
                          << ": got " << got[i] << " (0x" << std::hex
                          << std::bit_cast<std::uint32_t>(got[i]) << "), gguf " << std::dec
                          << row.expected[i] << " (0x" << std::hex
                          << std::bit_cast<std::uint32_t>(row.expected[i]) << std::dec << ")";
            if (++reported == 8)
                FAIL() << "further mismatches not shown";
        }
    }
    EXPECT_GE(compared, 512u);
}

TEST_P(Dequantize, ReferenceDotEqualsDoubleLoopOverGgufValues)
{
    const BlockFormat format = GetParam();
    std::vector<VectorRow> rows;
    ASSERT_TRUE(load_vectors(format, rows));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const VectorRow &row = rows[r];
        const std::vector<float> x =
            glmdesk::test::random_floats(row.n_weights, 1000 + static_cast<std::uint32_t>(r));
        double expected = 0.0;
        for (std::size_t i = 0; i < row.n_weights; ++i)
            expected += static_cast<double>(row.expected[i]) * static_cast<double>(x[i]);
        const Expected<double> dot =
            dot_row_reference(format, row.raw.data(), x.data(), row.n_weights);
        ASSERT_TRUE(dot.has_value()) << dot.status().to_string();
        EXPECT_TRUE(same_double(*dot, expected))
            << block_format_name(format) << " row " << r << ": " << *dot << " vs " << expected;
        if (format != BlockFormat::F32 && format != BlockFormat::F16 &&
            format != BlockFormat::BF16) {
            EXPECT_TRUE(std::isfinite(*dot)) << "random finite scales must give a finite dot";
        }
    }
}

TEST_P(Dequantize, RefusesPartialBlocksAndNullBuffers)
{
    const BlockFormat format = GetParam();
    const BlockFormatInfo info = block_format_info(format);
    std::vector<unsigned char> raw(4 * info.type_size, 0x11);
    std::vector<float> out(4 * info.block_size, 0.0f);
    if (info.block_size > 1) {
        for (std::size_t n :
             {std::size_t{1}, std::size_t{info.block_size - 1}, std::size_t{info.block_size + 1},
              std::size_t{3 * info.block_size - 7}}) {
            const Status status = dequantize_row(format, raw.data(), n, out.data());
            EXPECT_EQ(status.code(), StatusCode::InvalidArgument) << n;
            EXPECT_NE(status.message().find(std::string(info.name)), std::string::npos)
                << status.message();
            EXPECT_NE(status.message().find(std::to_string(n)), std::string::npos);
            EXPECT_EQ(dot_row_reference(format, raw.data(), out.data(), n).status().code(),
                      StatusCode::InvalidArgument);
        }
    }
    EXPECT_EQ(dequantize_row(format, nullptr, info.block_size, out.data()).code(),
              StatusCode::InvalidArgument);
    EXPECT_EQ(dequantize_row(format, raw.data(), info.block_size, nullptr).code(),
              StatusCode::InvalidArgument);
    EXPECT_EQ(dot_row_reference(format, raw.data(), nullptr, info.block_size).status().code(),
              StatusCode::InvalidArgument);
    // An empty row is fine and writes nothing.
    EXPECT_TRUE(dequantize_row(format, nullptr, 0, nullptr).ok());
    const Expected<double> empty = dot_row_reference(format, nullptr, nullptr, 0);
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(*empty, 0.0);
}

std::string format_test_name(const testing::TestParamInfo<BlockFormat> &info)
{
    std::string name(block_format_name(info.param));
    for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(AllSupported, Dequantize, testing::ValuesIn(k_supported),
                         format_test_name);

TEST(DequantizeFormats, EveryOtherFormatIsRefusedByName)
{
    int refused = 0;
    for (const BlockFormatInfo &info : k_block_formats) {
        const bool listed = std::find(std::begin(k_supported), std::end(k_supported),
                                      info.format) != std::end(k_supported);
        EXPECT_EQ(block_format_supported(info.format), listed) << info.name;
        if (listed)
            continue;
        ++refused;
        std::vector<unsigned char> raw(info.type_size, 0x22);
        std::vector<float> out(info.block_size, 0.0f);
        const Status status = dequantize_row(info.format, raw.data(), info.block_size, out.data());
        EXPECT_EQ(status.code(), StatusCode::Unsupported) << info.name;
        EXPECT_NE(status.message().find("'" + std::string(info.name) + "'"), std::string::npos)
            << status.message();
        EXPECT_EQ(
            dot_row_reference(info.format, raw.data(), out.data(), info.block_size).status().code(),
            StatusCode::Unsupported);
    }
    EXPECT_EQ(refused, static_cast<int>(k_block_formats.size() - std::size(k_supported)));
}

TEST(DequantizeFormats, UnknownFormatIdIsAnError)
{
    float out[32] = {};
    const unsigned char raw[64] = {};
    for (std::uint32_t id : {4u, 31u, 38u, 1000u, 0xffffffffu}) {
        const auto format = static_cast<BlockFormat>(id);
        EXPECT_FALSE(block_format_supported(format));
        const Status status = dequantize_row(format, raw, 1, out);
        EXPECT_EQ(status.code(), StatusCode::InvalidArgument) << id;
        EXPECT_NE(status.message().find(std::to_string(id)), std::string::npos);
        EXPECT_FALSE(dot_row_reference(format, raw, out, 1).has_value());
    }
}

// float -> fp16/bf16 rounding against numpy's float16 cast and gguf-py's bf16 quantizer.
TEST(HalfFloats, NarrowingMatchesNumpyAndGguf)
{
    const std::vector<unsigned char> bytes = read_file(k_data_dir + "fp_conversions.bin");
    Cursor cursor(bytes);
    char magic[4] = {};
    std::uint32_t n = 0;
    ASSERT_TRUE(cursor.take(magic, 4) && std::memcmp(magic, "GQC1", 4) == 0 && cursor.take_u32(n))
        << "tests/data/quant/fp_conversions.bin missing or damaged";
    std::vector<std::uint32_t> inputs(n);
    std::vector<std::uint16_t> f16(n);
    std::vector<std::uint16_t> bf16(n);
    ASSERT_TRUE(cursor.take(inputs.data(), n * 4u) && cursor.take(f16.data(), n * 2u) &&
                cursor.take(bf16.data(), n * 2u) && cursor.at_end());
    ASSERT_GE(n, 1000u);
    int failures = 0;
    for (std::uint32_t i = 0; i < n && failures < 10; ++i) {
        const float x = std::bit_cast<float>(inputs[i]);
        const Fp16Bits h = float_to_fp16(x);
        const bool h_ok =
            same_float(fp16_to_float(h), fp16_to_float(f16[i])) && (std::isnan(x) || h == f16[i]);
        const bool b_ok = float_to_bf16(x) == bf16[i];
        if (!h_ok || !b_ok)
            ++failures;
        EXPECT_TRUE(h_ok) << std::hex << "fp16 of 0x" << inputs[i] << ": 0x" << h << " vs numpy 0x"
                          << f16[i];
        EXPECT_TRUE(b_ok) << std::hex << "bf16 of 0x" << inputs[i] << ": 0x" << float_to_bf16(x)
                          << " vs gguf 0x" << bf16[i];
    }
}

// Widening then narrowing gives back every 16-bit pattern (NaNs stay NaN).
TEST(HalfFloats, EveryPatternRoundTrips)
{
    for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const auto pattern = static_cast<std::uint16_t>(bits);
        const float h = fp16_to_float(pattern);
        if (std::isnan(h)) {
            ASSERT_TRUE(std::isnan(fp16_to_float(float_to_fp16(h)))) << bits;
        } else {
            ASSERT_EQ(float_to_fp16(h), pattern) << bits;
        }
        const float b = bf16_to_float(pattern);
        if (std::isnan(b)) {
            ASSERT_TRUE(std::isnan(bf16_to_float(float_to_bf16(b)))) << bits;
        } else {
            ASSERT_EQ(float_to_bf16(b), pattern) << bits;
        }
    }
}

} // namespace
