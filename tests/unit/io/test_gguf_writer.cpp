// GGUF writer: every value type and tensor format round-trips through the reader, the alignment
// key is honoured, tensors stream from callbacks, and bad input to the API or a failing disk give
// a clean Status (never a crash or a half-written file that looks loadable).
#include "engine/io/gguf_reader.h"
#include "engine/io/gguf_writer.h"
#include "tests/unit/io/gguf_builder.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <random>

namespace glmdesk::test {
namespace {

using namespace engine;
using Value = GgufWriteValue;

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> out(n);
    for (auto &b : out)
        b = static_cast<std::uint8_t>(1 + rng() % 255); // never zero: a lost byte shows
    return out;
}

Expected<GgufReader> write_and_open(const GgufWriter &w, const std::filesystem::path &path)
{
    if (Status s = w.write(path); !s)
        return s;
    return GgufReader::open(path);
}

TEST(GgufWriter, RoundTripsEveryValueType)
{
    TempDir dir("gguf-writer");
    GgufWriter w;
    const std::vector<std::uint8_t> u8s{0, 7, 255};
    const std::vector<std::int8_t> i8s{-128, 0, 127};
    const std::vector<std::uint16_t> u16s{1, 65535};
    const std::vector<std::int16_t> i16s{-32768, 32767};
    const std::vector<std::uint32_t> u32s{4000000000u, 3u};
    const std::vector<std::int32_t> i32s{-2000000000, 5, 151329};
    const std::vector<float> f32s{0.5f, -1.25f, 3.0e38f};
    const std::array<bool, 3> bools{true, false, true};
    const std::vector<std::uint64_t> u64s{std::uint64_t{1} << 63};
    const std::vector<std::int64_t> i64s{-(std::int64_t{1} << 62), 9};
    const std::vector<double> f64s{1.0e300, -2.5};
    const std::vector<std::string> strs{"Ġthe", "", "<|user|>", "中文"};
    const std::vector<std::string_view> views{"a b", "c"};
    auto nested = Value::array_of_arrays(
        {Value::array(i32s), Value::string_array(strs), Value::array(std::vector<float>{})});
    ASSERT_TRUE(nested) << nested.status().to_string();

    const std::pair<const char *, Value> kvs[] = {
        {"t.u8", Value::u8(200)},
        {"t.i8", Value::i8(-100)},
        {"t.u16", Value::u16(60000)},
        {"t.i16", Value::i16(-30000)},
        {"t.u32", Value::u32(4000000000u)},
        {"t.i32", Value::i32(-2000000000)},
        {"t.f32", Value::f32(0.25f)},
        {"t.bool", Value::boolean(true)},
        {"t.string", Value::string("héllo")},
        {"t.u64", Value::u64(std::uint64_t{1} << 40)},
        {"t.i64", Value::i64(-(std::int64_t{1} << 40))},
        {"t.f64", Value::f64(1.0e300)},
        {"a.u8", Value::array(u8s)},
        {"a.i8", Value::array(i8s)},
        {"a.u16", Value::array(u16s)},
        {"a.i16", Value::array(i16s)},
        {"a.u32", Value::array(u32s)},
        {"a.i32", Value::array(i32s)},
        {"a.f32", Value::array(f32s)},
        {"a.bool", Value::array(std::span<const bool>(bools))},
        {"a.u64", Value::array(u64s)},
        {"a.i64", Value::array(i64s)},
        {"a.f64", Value::array(f64s)},
        {"a.str", Value::string_array(strs)},
        {"a.views", Value::string_array(std::span<const std::string_view>(views))},
        {"a.empty", Value::array(std::vector<std::int32_t>{})},
        {"a.nested", *nested},
    };
    for (const auto &[key, value] : kvs)
        ASSERT_TRUE(w.set(key, value));
    auto r = write_and_open(w, dir.path() / "kv.gguf");
    ASSERT_TRUE(r) << r.status().to_string();

    EXPECT_EQ(r->version(), 3u);
    EXPECT_EQ(r->metadata().size(), std::size(kvs));
    for (const auto &[key, value] : kvs) {
        const GgufValue *v = r->find(key);
        ASSERT_NE(v, nullptr) << key;
        EXPECT_EQ(v->type(), value.type()) << key;
    }
    EXPECT_EQ(*r->get_u32("t.u8"), 200u);
    EXPECT_EQ(r->find("t.u8")->type(), GgufType::U8);
    EXPECT_EQ(*r->get_i64("t.i8"), -100);
    EXPECT_EQ(*r->get_u32("t.u16"), 60000u);
    EXPECT_EQ(*r->get_i64("t.i16"), -30000);
    EXPECT_EQ(*r->get_u32("t.u32"), 4000000000u);
    EXPECT_EQ(*r->get_i64("t.i32"), -2000000000);
    EXPECT_EQ(*r->get_f32("t.f32"), 0.25f);
    EXPECT_TRUE(*r->get_bool("t.bool"));
    EXPECT_EQ(*r->get_string("t.string"), "héllo");
    EXPECT_EQ(*r->get_u64("t.u64"), std::uint64_t{1} << 40);
    EXPECT_EQ(*r->get_i64("t.i64"), -(std::int64_t{1} << 40));
    EXPECT_EQ(*r->find("t.f64")->as_f64(), 1.0e300);

    auto ints = [&](const char *key) { return *(*r->get_array(key))->to_i64(); };
    auto floats = [&](const char *key) { return *(*r->get_array(key))->to_f64(); };
    EXPECT_EQ(ints("a.u8"), (std::vector<std::int64_t>{0, 7, 255}));
    EXPECT_EQ(ints("a.i8"), (std::vector<std::int64_t>{-128, 0, 127}));
    EXPECT_EQ(ints("a.u16"), (std::vector<std::int64_t>{1, 65535}));
    EXPECT_EQ(ints("a.i16"), (std::vector<std::int64_t>{-32768, 32767}));
    EXPECT_EQ(ints("a.u32"), (std::vector<std::int64_t>{4000000000, 3}));
    EXPECT_EQ(ints("a.i32"), (std::vector<std::int64_t>{-2000000000, 5, 151329}));
    EXPECT_EQ(floats("a.f32"), (std::vector<double>{0.5, -1.25, double(3.0e38f)}));
    EXPECT_EQ(floats("a.f64"), (std::vector<double>{1.0e300, -2.5}));
    EXPECT_EQ(ints("a.i64"), (std::vector<std::int64_t>{-(std::int64_t{1} << 62), 9}));
    const GgufArray *u64_array = *r->get_array("a.u64");
    EXPECT_EQ(u64_array->element_type(), GgufType::U64);
    EXPECT_EQ(*u64_array->at(0)->as_u64(), std::uint64_t{1} << 63);
    const GgufArray *bool_array = *r->get_array("a.bool");
    ASSERT_EQ(bool_array->size(), 3u);
    EXPECT_TRUE(*bool_array->at(0)->as_bool());
    EXPECT_FALSE(*bool_array->at(1)->as_bool());
    EXPECT_TRUE(*bool_array->at(2)->as_bool());

    const auto read_strs = (*r->get_array("a.str"))->strings();
    ASSERT_EQ(read_strs.size(), strs.size());
    for (std::size_t i = 0; i < strs.size(); ++i)
        EXPECT_EQ(read_strs[i], strs[i]);
    EXPECT_EQ((*r->get_array("a.views"))->strings()[0], "a b");
    EXPECT_EQ((*r->get_array("a.empty"))->size(), 0u);
    EXPECT_EQ((*r->get_array("a.empty"))->element_type(), GgufType::I32);

    const GgufArray *n = *r->get_array("a.nested");
    ASSERT_EQ(n->element_type(), GgufType::Array);
    ASSERT_EQ(n->size(), 3u);
    EXPECT_EQ(*n->at(0)->as_array()->to_i64(), (std::vector<std::int64_t>{-2000000000, 5, 151329}));
    EXPECT_EQ(n->at(1)->as_array()->strings()[3], "中文");
    EXPECT_EQ(n->at(2)->as_array()->size(), 0u);
    EXPECT_EQ(n->at(2)->as_array()->element_type(), GgufType::F32);
}

// Every block format the engine knows, with 1 to 4 dims, at the default alignment and at others.
TEST(GgufWriter, RoundTripsTensorsOfEveryFormat)
{
    TempDir dir("gguf-writer");
    for (const std::uint32_t alignment : {0u, 64u, 4096u}) {
        GgufWriter w;
        if (alignment) {
            ASSERT_TRUE(w.set("general.alignment", Value::u32(alignment)));
        }
        ASSERT_TRUE(w.set("general.architecture", Value::string("test")));
        std::vector<std::vector<std::uint8_t>> datas;
        std::vector<std::vector<std::uint64_t>> shapes;
        std::uint32_t seed = 1;
        for (const BlockFormatInfo &info : k_block_formats) {
            // Odd sizes: 1-D tensors of one block, 2-D to 4-D with small odd extents.
            const std::uint64_t bs = info.block_size;
            const std::vector<std::uint64_t> shape =
                seed % 4 == 0   ? std::vector<std::uint64_t>{bs}
                : seed % 4 == 1 ? std::vector<std::uint64_t>{2 * bs, 3}
                : seed % 4 == 2 ? std::vector<std::uint64_t>{bs, 3, 5}
                                : std::vector<std::uint64_t>{bs, 1, 3, 2};
            std::uint64_t n = 1;
            for (auto d : shape)
                n *= d;
            datas.push_back(random_bytes(*block_format_bytes(info.format, n), seed++));
            shapes.push_back(shape);
            ASSERT_TRUE(
                w.add_tensor(std::string(info.name) + ".weight", info.format, shape, datas.back()));
        }
        const auto path = dir.path() / ("t" + std::to_string(alignment) + ".gguf");
        auto r = write_and_open(w, path);
        ASSERT_TRUE(r) << r.status().to_string();
        const std::uint32_t expect_alignment = alignment ? alignment : 32u;
        EXPECT_EQ(r->alignment(), expect_alignment);
        EXPECT_EQ(w.alignment(), expect_alignment);
        EXPECT_EQ(std::filesystem::file_size(path), w.file_size());
        ASSERT_EQ(r->tensors().size(), k_block_formats.size());
        for (std::size_t i = 0; i < k_block_formats.size(); ++i) {
            const GgufTensor &t = r->tensors()[i];
            EXPECT_EQ(t.name, std::string(k_block_formats[i].name) + ".weight");
            EXPECT_EQ(t.format, k_block_formats[i].format);
            EXPECT_EQ(t.dims, shapes[i]) << t.name;
            EXPECT_EQ(t.n_bytes, datas[i].size()) << t.name;
            EXPECT_EQ(t.file_offset % expect_alignment, 0u) << t.name;
            ASSERT_NE(t.data, nullptr);
            EXPECT_EQ(std::memcmp(t.data, datas[i].data(), datas[i].size()), 0) << t.name;
        }
    }
}

// A tensor bigger than one write chunk, produced by a callback: offsets arrive in order, cover
// the tensor exactly, and the bytes land where they belong.
TEST(GgufWriter, StreamsTensorsFromASource)
{
    TempDir dir("gguf-writer");
    GgufWriter w;
    const std::uint64_t rows = 1100, row_len = 4096; // 18 MB of f32: more than one chunk
    const std::uint64_t bytes = rows * row_len * 4;
    std::uint64_t expect_offset = 0;
    bool in_order = true;
    ASSERT_TRUE(w.add_tensor("big.weight", BlockFormat::F32, {row_len, rows},
                             [&](std::uint64_t offset, std::span<std::uint8_t> out) {
                                 in_order = in_order && offset == expect_offset;
                                 for (std::size_t i = 0; i < out.size(); ++i)
                                     out[i] = static_cast<std::uint8_t>((offset + i) * 7 + 1);
                                 expect_offset += out.size();
                                 return Status::success();
                             }));
    const auto small = random_bytes(34, 9);
    ASSERT_TRUE(w.add_tensor("small.weight", BlockFormat::Q8_0, {32}, small));
    auto r = write_and_open(w, dir.path() / "big.gguf");
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(in_order);
    EXPECT_EQ(expect_offset, bytes);
    const GgufTensor *t = r->find_tensor("big.weight");
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->n_bytes, bytes);
    std::uint64_t mismatches = 0;
    for (std::uint64_t i = 0; i < bytes; ++i)
        mismatches += t->data[i] != static_cast<std::uint8_t>(i * 7 + 1);
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(std::memcmp(r->find_tensor("small.weight")->data, small.data(), small.size()), 0);
}

TEST(GgufWriter, EmptyFileRoundTrips)
{
    TempDir dir("gguf-writer");
    GgufWriter w;
    auto r = write_and_open(w, dir.path() / "empty.gguf");
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(r->metadata().empty());
    EXPECT_TRUE(r->tensors().empty());
    EXPECT_EQ(std::filesystem::file_size(dir.path() / "empty.gguf"), w.file_size());
}

TEST(GgufWriter, RefusesBadTensors)
{
    GgufWriter w;
    const auto q8 = random_bytes(34 * 2, 3);
    const auto expect_invalid = [](const Status &s, std::string_view part) {
        EXPECT_EQ(s.code(), StatusCode::InvalidArgument) << s.to_string();
        EXPECT_NE(s.message().find(part), std::string::npos) << s.message();
    };
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {}, q8), "dimensions");
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {32, 1, 1, 1, 2}, q8), "dimensions");
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {32, 0}, q8), "0");
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {48, 1}, q8), "block size");
    expect_invalid(w.add_tensor("a", BlockFormat::Q4_K, {100}, q8), "block size");
    expect_invalid(
        w.add_tensor("a", BlockFormat::F32, {std::uint64_t{1} << 40, std::uint64_t{1} << 40}, q8),
        "overflow");
    expect_invalid(w.add_tensor("a", BlockFormat::F32, {std::uint64_t{1} << 62}, q8), "overflow");
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {32, 3}, q8), "bytes");
    expect_invalid(
        w.add_tensor("a", BlockFormat::Q8_0, {32}, std::span<const std::uint8_t>(q8.data(), 33)),
        "bytes");
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {32}, std::span<const std::uint8_t>{}),
                   "bytes");
    expect_invalid(w.add_tensor("a", static_cast<BlockFormat>(99), {32}, q8), "unknown");
    expect_invalid(w.add_tensor("", BlockFormat::Q8_0, {32, 2}, q8), "name");
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {32, 2}, GgufWriter::TensorSource{}),
                   "source");
    EXPECT_EQ(w.tensor_count(), 0u);
    ASSERT_TRUE(w.add_tensor("a", BlockFormat::Q8_0, {32, 2}, q8));
    expect_invalid(w.add_tensor("a", BlockFormat::Q8_0, {32, 2}, q8), "duplicate");
    EXPECT_EQ(w.tensor_count(), 1u);

    // The refused calls left nothing behind: the file holds the one good tensor.
    TempDir dir("gguf-writer");
    auto r = write_and_open(w, dir.path() / "ok.gguf");
    ASSERT_TRUE(r) << r.status().to_string();
    ASSERT_EQ(r->tensors().size(), 1u);
    EXPECT_EQ(std::memcmp(r->tensors()[0].data, q8.data(), q8.size()), 0);
}

TEST(GgufWriter, RefusesBadMetadata)
{
    GgufWriter w;
    EXPECT_EQ(w.set("", Value::u32(1)).code(), StatusCode::InvalidArgument);
    ASSERT_TRUE(w.set("k", Value::u32(1)));
    EXPECT_EQ(w.set("k", Value::string("again")).code(), StatusCode::InvalidArgument);
    for (const Value &bad : {Value::u64(32), Value::i32(32), Value::u32(0), Value::u32(48),
                             Value::u32(1u << 31), Value::string("32")})
        EXPECT_EQ(w.set("general.alignment", bad).code(), StatusCode::InvalidArgument);
    EXPECT_EQ(w.alignment(), 32u);
    ASSERT_TRUE(w.set("general.alignment", Value::u32(16)));
    EXPECT_EQ(w.alignment(), 16u);

    auto not_arrays =
        Value::array_of_arrays({Value::array(std::vector<float>{1.0f}), Value::u8(1)});
    EXPECT_EQ(not_arrays.status().code(), StatusCode::InvalidArgument);
    // The reader accepts 8 levels of nesting; a deeper value is refused when it is built.
    Value deep = Value::array(std::vector<std::int32_t>{1});
    Status deep_status;
    for (int level = 2; level <= 9; ++level) {
        auto next = Value::array_of_arrays({deep});
        if (!next) {
            deep_status = next.status();
            EXPECT_EQ(level, 9);
            break;
        }
        deep = *next;
    }
    EXPECT_EQ(deep_status.code(), StatusCode::InvalidArgument);
    TempDir dir("gguf-writer");
    ASSERT_TRUE(w.set("deep", deep));
    auto r = write_and_open(w, dir.path() / "deep.gguf");
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_EQ(r->alignment(), 16u);
}

TEST(GgufWriter, ReportsFileSystemErrors)
{
    TempDir dir("gguf-writer");
    GgufWriter w;
    ASSERT_TRUE(w.set("general.architecture", Value::string("test")));
    const auto data = random_bytes(4096, 5);
    ASSERT_TRUE(w.add_tensor("t", BlockFormat::F32, {1024}, data));

    const auto missing_dir = dir.path() / "no" / "such" / "dir" / "m.gguf";
    Status s = w.write(missing_dir);
    EXPECT_EQ(s.code(), StatusCode::IoError);
    EXPECT_NE(s.message().find(missing_dir.string()), std::string::npos) << s.message();

    s = w.write(dir.path()); // a directory
    EXPECT_EQ(s.code(), StatusCode::IoError) << s.to_string();

    // A source that fails: its error comes back with the tensor's name, no file is left.
    GgufWriter failing;
    ASSERT_TRUE(failing.add_tensor("bad.weight", BlockFormat::F32, {1024},
                                   [](std::uint64_t, std::span<std::uint8_t>) {
                                       return error(StatusCode::Internal, "generator failed");
                                   }));
    const auto partial = dir.path() / "partial.gguf";
    s = failing.write(partial);
    EXPECT_EQ(s.code(), StatusCode::Internal);
    EXPECT_NE(s.message().find("bad.weight"), std::string::npos) << s.message();
    EXPECT_FALSE(std::filesystem::exists(partial));

    if (!std::filesystem::exists("/dev/full"))
        GTEST_SKIP() << "no /dev/full to simulate a full disk";
    s = w.write("/dev/full");
    EXPECT_EQ(s.code(), StatusCode::IoError) << s.to_string();
    EXPECT_NE(s.message().find("No space left"), std::string::npos) << s.message();
    EXPECT_TRUE(std::filesystem::exists("/dev/full")); // not "cleaned up"
}

} // namespace
} // namespace glmdesk::test
