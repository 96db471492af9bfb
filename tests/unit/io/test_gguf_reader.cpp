// GGUF reader: every value type, nested arrays, alignment, tensor table, split sets, sparse files,
// and hostile headers (truncation, byte flips, absurd counts, wrong magic/version).
#include "tests/unit/io/gguf_builder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace glmdesk::test {
namespace {

using namespace engine;

GgufBuilder all_types_builder()
{
    GgufBuilder b;
    b.kv_scalar("t.u8", GgufType::U8, std::uint8_t{200});
    b.kv_scalar("t.i8", GgufType::I8, std::int8_t{-100});
    b.kv_scalar("t.u16", GgufType::U16, std::uint16_t{60000});
    b.kv_scalar("t.i16", GgufType::I16, std::int16_t{-30000});
    b.kv_u32("t.u32", 4000000000u);
    b.kv_scalar("t.i32", GgufType::I32, std::int32_t{-2000000000});
    b.kv_f32("t.f32", 0.25f);
    b.kv_bool("t.bool", true);
    b.kv_string("t.string", "héllo");
    b.kv_scalar("t.u64", GgufType::U64, std::uint64_t{1} << 40);
    b.kv_scalar("t.i64", GgufType::I64, -(std::int64_t{1} << 40));
    b.kv_scalar("t.f64", GgufType::F64, 1.0e300);
    b.kv_array("t.arr_i16", GgufType::I16, std::vector<std::int16_t>{-1, 2, -3});
    b.kv_array("t.arr_f32", GgufType::F32, std::vector<float>{0.5f, -1.5f});
    b.kv_strings("t.arr_str", {"x", "", "yz"});
    b.kv_nested("t.nested", {{1, 2}, {}, {3}});
    b.tensor("a.weight", {64, 3}, BlockFormat::Q8_0);
    b.tensor("b.weight", {5}, BlockFormat::F32);
    return b;
}

TEST(GgufReader, ReadsEveryValueType)
{
    for (const std::uint32_t version : {2u, 3u}) {
        auto b = all_types_builder();
        b.version = version;
        const auto bytes = b.build();
        auto r = GgufReader::from_memory(bytes, "mem.gguf");
        ASSERT_TRUE(r) << r.status().to_string();
        EXPECT_EQ(r->version(), version);
        EXPECT_EQ(*r->get_u32("t.u8"), 200u);
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
        EXPECT_EQ(r->find("t.f64")->as_f64(), 1.0e300);

        EXPECT_EQ(r->get_u32("t.i8").status().code(), StatusCode::CorruptFile);  // negative
        EXPECT_EQ(r->get_u32("t.u64").status().code(), StatusCode::CorruptFile); // too large
        EXPECT_EQ(r->get_string("t.u8").status().code(), StatusCode::CorruptFile);
        EXPECT_EQ(r->get_u32("no.such").status().code(), StatusCode::NotFound);
        EXPECT_NE(r->get_u32("no.such").status().message().find("no.such"), std::string::npos);

        const GgufArray *a = *r->get_array("t.arr_i16");
        EXPECT_EQ(a->element_type(), GgufType::I16);
        EXPECT_EQ(*a->to_i64(), (std::vector<std::int64_t>{-1, 2, -3}));
        EXPECT_FALSE(a->at(3));
        EXPECT_EQ(*(*r->get_array("t.arr_f32"))->to_f64(), (std::vector<double>{0.5, -1.5}));
        const auto strs = (*r->get_array("t.arr_str"))->strings();
        ASSERT_EQ(strs.size(), 3u);
        EXPECT_EQ(strs[0], "x");
        EXPECT_EQ(strs[1], "");
        EXPECT_EQ(strs[2], "yz");
        const GgufArray *nested = *r->get_array("t.nested");
        ASSERT_EQ(nested->size(), 3u);
        EXPECT_EQ(*nested->at(0)->as_array()->to_i64(), (std::vector<std::int64_t>{1, 2}));
        EXPECT_EQ(nested->at(1)->as_array()->size(), 0u);
        EXPECT_EQ(*nested->at(2)->as_array()->to_i64(), (std::vector<std::int64_t>{3}));

        ASSERT_EQ(r->tensors().size(), 2u);
        const GgufTensor *t = r->find_tensor("a.weight");
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->dims, (std::vector<std::uint64_t>{64, 3}));
        EXPECT_EQ(t->format, BlockFormat::Q8_0);
        EXPECT_EQ(t->n_bytes, 6u * 34u);
        EXPECT_EQ(t->file_offset % 32, 0u);
        EXPECT_EQ(t->data, bytes.data() + t->file_offset);
        const GgufTensor *t2 = r->find_tensor("b.weight");
        EXPECT_EQ(t2->file_offset, t->file_offset + 224); // 204 bytes padded to 32
        EXPECT_EQ(t2->n_bytes, 20u);
    }
}

TEST(GgufReader, HonoursGeneralAlignment)
{
    GgufBuilder b;
    b.set_alignment(256);
    b.tensor("x", {32}, BlockFormat::F32);
    b.tensor("y", {32}, BlockFormat::F32);
    const auto bytes = b.build();
    auto r = GgufReader::from_memory(bytes, "al.gguf");
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_EQ(r->alignment(), 256u);
    EXPECT_EQ(r->tensors()[0].file_offset % 256, 0u);
    EXPECT_EQ(r->tensors()[1].file_offset - r->tensors()[0].file_offset, 256u);

    GgufBuilder bad;
    bad.set_alignment(48); // not a power of two
    const auto bad_bytes = bad.build();
    auto rb = GgufReader::from_memory(bad_bytes, "al48.gguf");
    ASSERT_FALSE(rb);
    EXPECT_NE(rb.status().message().find("general.alignment"), std::string::npos);
}

// Every prefix of a valid file is refused cleanly (no crash, no sanitizer report).
TEST(GgufReader, TruncationAtEveryOffsetIsAnError)
{
    const auto bytes = all_types_builder().build();
    auto full = GgufReader::from_memory(bytes, "full.gguf");
    ASSERT_TRUE(full);
    const auto &last = full->tensors().back();
    const size_t data_end = static_cast<size_t>(last.file_offset + last.n_bytes);
    ASSERT_LT(data_end, bytes.size()); // the file ends with alignment padding
    for (size_t n = 0; n <= bytes.size(); ++n) {
        // A copy of exactly n bytes, so any read past it is a sanitizer error.
        std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
        auto r = GgufReader::from_memory(cut, "cut.gguf");
        if (n < data_end) {
            ASSERT_FALSE(r) << n;
            EXPECT_EQ(r.status().code(), StatusCode::CorruptFile) << n;
            EXPECT_EQ(r.status().message().rfind("cut.gguf: ", 0), 0u) << r.status().message();
        } else {
            EXPECT_TRUE(r) << n; // only padding is missing
        }
    }
}

TEST(GgufReader, RefusesWrongMagicAndVersions)
{
    auto bytes = all_types_builder().build();
    auto magic = bytes;
    magic[0] = 'X';
    EXPECT_NE(GgufReader::from_memory(magic, "m").status().message().find("not a GGUF file"),
              std::string::npos);
    for (const std::uint32_t v : {0u, 1u, 4u, 0x03000000u, 0xffffffffu}) {
        auto copy = bytes;
        std::memcpy(copy.data() + 4, &v, 4);
        auto r = GgufReader::from_memory(copy, "v");
        ASSERT_FALSE(r) << v;
        EXPECT_EQ(r.status().code(), StatusCode::Unsupported) << v;
    }
}

template <typename T> void poke(std::vector<std::uint8_t> &bytes, size_t offset, T v)
{
    std::memcpy(bytes.data() + offset, &v, sizeof v);
}

TEST(GgufReader, RefusesAbsurdCountsLengthsAndOffsets)
{
    GgufBuilder b;
    b.kv_string("k", "v");
    b.tensor("t", {32}, BlockFormat::F32);
    const auto good = b.build();
    ASSERT_TRUE(GgufReader::from_memory(good, "good"));
    // layout: magic 4, version 4, n_tensors 8 @8, n_kv 8 @16, key len 8 @24, "k" @32, type 4 @33,
    // value len 8 @37, "v" @45, tensor name len 8 @46, "t" @54, n_dims 4 @55, dim 8 @59,
    // type 4 @67, offset 8 @71
    const std::pair<size_t, std::uint64_t> cases[] = {
        {8, ~std::uint64_t{0}},
        {8, 1ull << 40},
        {16, ~std::uint64_t{0}},
        {16, 1ull << 33},
        {24, ~std::uint64_t{0}},
        {24, 1ull << 20},
        {37, ~std::uint64_t{0}},
        {37, 100},
        {46, ~std::uint64_t{0}},
        {71, 1ull << 62},
        {71, 32},
        {71, 7},
    };
    for (const auto &[offset, value] : cases) {
        auto bytes = good;
        poke(bytes, offset, value);
        auto r = GgufReader::from_memory(bytes, "absurd");
        EXPECT_FALSE(r) << "offset " << offset << " value " << value;
    }
    auto dims = good;
    poke(dims, 55, std::uint32_t{5}); // too many dimensions
    EXPECT_FALSE(GgufReader::from_memory(dims, "d"));
    auto huge_dim = good;
    poke(huge_dim, 59, ~std::uint64_t{0});
    EXPECT_FALSE(GgufReader::from_memory(huge_dim, "d"));
    auto type = good;
    poke(type, 67, std::uint32_t{4}); // ggml type 4 was removed (Q4_2)
    auto rt = GgufReader::from_memory(type, "t");
    ASSERT_FALSE(rt);
    EXPECT_EQ(rt.status().code(), StatusCode::Unsupported);
    auto kvtype = good;
    poke(kvtype, 33, std::uint32_t{13});
    EXPECT_FALSE(GgufReader::from_memory(kvtype, "kt"));

    // Arrays: a 2^61-element u64 array and a 2^60-string array are refused before allocating.
    for (const auto &[elem, count] :
         {std::pair{GgufType::U64, 1ull << 61}, std::pair{GgufType::String, 1ull << 60},
          std::pair{GgufType::Array, 1ull << 59}}) {
        GgufBuilder a;
        a.kv_array("arr", elem, std::vector<std::uint64_t>{1});
        auto bytes = a.build();
        poke(bytes, 24 + 8 + 3 + 4 + 4, count); // after key "arr", value type, element type
        EXPECT_FALSE(GgufReader::from_memory(bytes, "arr"));
    }
}

TEST(GgufReader, RefusesDeepNestingAndDuplicates)
{
    // An array nested 20 deep.
    std::vector<std::uint8_t> bytes = {'G', 'G', 'U', 'F', 3, 0, 0, 0};
    auto put64 = [&](std::uint64_t v) {
        for (int i = 0; i < 8; ++i)
            bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    auto put32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    put64(0);
    put64(1);
    put64(1);
    bytes.push_back('k');
    put32(9);
    for (int i = 0; i < 20; ++i) {
        put32(9);
        put64(1);
    }
    put32(0);
    put64(0);
    auto r = GgufReader::from_memory(bytes, "deep");
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().message().find("nested"), std::string::npos);

    GgufBuilder dup;
    dup.kv_u32("same", 1);
    dup.kv_u32("same", 2);
    EXPECT_FALSE(GgufReader::from_memory(dup.build(), "dup"));
    GgufBuilder dupt;
    dupt.tensor("t", {4}, BlockFormat::F32);
    dupt.tensor("t", {4}, BlockFormat::F32);
    EXPECT_FALSE(GgufReader::from_memory(dupt.build(), "dupt"));
    GgufBuilder rowlen;
    rowlen.tensor("q", {48}, BlockFormat::Q4_K); // not a whole number of 256-blocks
    EXPECT_FALSE(GgufReader::from_memory(rowlen.build(), "rowlen"));
}

TEST(GgufReader, ByteFlipsInTheHeaderNeverCrash)
{
    const auto bytes = tiny_glm_gguf();
    auto r0 = GgufReader::from_memory(bytes, "tiny");
    ASSERT_TRUE(r0);
    const size_t header_end = static_cast<size_t>(r0->tensors().front().file_offset);
    size_t refused = 0;
    auto copy = bytes; // flipped in place and restored: no per-case copy of the data
    for (size_t i = 0; i < header_end; ++i) {
        for (const std::uint8_t mask : {0x01, 0x80, 0xff}) {
            copy[i] ^= mask;
            auto r = GgufReader::from_memory(copy, "flip");
            refused += r ? 0 : 1;
            if (r) { // still well-formed: every tensor must lie inside the buffer
                for (const auto &t : r->tensors())
                    ASSERT_LE(t.file_offset + t.n_bytes, copy.size());
            }
            copy[i] = bytes[i];
        }
    }
    EXPECT_GT(refused, header_end / 4);
}

TEST(GgufReader, OpensFilesAndNamesThemInErrors)
{
    TempDir dir("gguf");
    const auto path = dir.path() / "tiny.gguf";
    const auto bytes = tiny_glm_gguf();
    write_file(path.string(), bytes);
    auto r = GgufReader::open(path);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_EQ(r->split_count(), 1u);
    EXPECT_EQ(r->total_file_bytes(), bytes.size());
    const GgufTensor *t = r->find_tensor("token_embd.weight");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(std::memcmp(t->data, bytes.data() + t->file_offset, t->n_bytes), 0);

    write_file((dir.path() / "short.gguf").string(),
               std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 5));
    auto s = GgufReader::open(dir.path() / "short.gguf");
    ASSERT_FALSE(s);
    EXPECT_NE(s.status().message().find("short.gguf"), std::string::npos);
    EXPECT_NE(s.status().message().find("truncated"), std::string::npos);

    auto missing = GgufReader::open(dir.path() / "nope.gguf");
    EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
    EXPECT_NE(missing.status().message().find("nope.gguf"), std::string::npos);
    EXPECT_FALSE(GgufReader::open(dir.path())); // a directory
    write_file((dir.path() / "empty.gguf").string(), {});
    EXPECT_FALSE(GgufReader::open(dir.path() / "empty.gguf"));
}

TEST(GgufReader, SplitNames)
{
    const auto s = parse_gguf_split_name("/m/GLM-4.5-Air-Q4_K_M-00002-of-00003.gguf");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->prefix, "/m/GLM-4.5-Air-Q4_K_M");
    EXPECT_EQ(s->part, 2u);
    EXPECT_EQ(s->count, 3u);
    EXPECT_EQ(gguf_split_path(s->prefix, 1, 3), "/m/GLM-4.5-Air-Q4_K_M-00001-of-00003.gguf");
    EXPECT_FALSE(parse_gguf_split_name("/m/a-00004-of-00003.gguf"));
    EXPECT_FALSE(parse_gguf_split_name("/m/a-0001-of-00003.gguf"));
    EXPECT_FALSE(parse_gguf_split_name("/m/a.gguf"));
}

// Writes the tiny model as a 3-part split set the way gguf-split does (metadata in part 1,
// split.* keys in every part).
std::vector<std::vector<std::uint8_t>> tiny_split(std::uint32_t declared_tensors = 0)
{
    const auto c = tiny_glm_config();
    const auto weights = glm_weights(c);
    std::vector<std::vector<std::uint8_t>> parts;
    const size_t per = (weights.size() + 2) / 3;
    for (std::uint32_t p = 0; p < 3; ++p) {
        GgufBuilder b;
        if (p == 0)
            add_glm_keys(b, c);
        b.kv_scalar("split.no", GgufType::U16, static_cast<std::uint16_t>(p));
        b.kv_scalar("split.count", GgufType::U16, std::uint16_t{3});
        b.kv_scalar(
            "split.tensors.count", GgufType::I32,
            static_cast<std::int32_t>(declared_tensors ? declared_tensors : weights.size()));
        for (size_t i = p * per; i < std::min(weights.size(), (p + 1) * per); ++i)
            b.tensor(gguf_weight_name(weights[i].first, weights[i].second),
                     expected_weight_shape(weights[i].first, c), BlockFormat::F32);
        parts.push_back(b.build(true, 100 + p));
    }
    return parts;
}

TEST(GgufReader, StitchesSplitSets)
{
    TempDir dir("split");
    const auto parts = tiny_split();
    for (std::uint32_t p = 0; p < 3; ++p)
        write_file(gguf_split_path((dir.path() / "tiny").string(), p + 1, 3).string(), parts[p]);
    const auto n = glm_weights(tiny_glm_config()).size();
    for (std::uint32_t open_part : {1u, 2u, 3u}) { // any part opens the set
        auto r = GgufReader::open(gguf_split_path((dir.path() / "tiny").string(), open_part, 3));
        ASSERT_TRUE(r) << r.status().to_string();
        EXPECT_EQ(r->split_count(), 3u);
        EXPECT_EQ(r->tensors().size(), n);
        EXPECT_EQ(*r->get_string("general.architecture"), "glm4moe");
        const auto &last = r->tensors().back();
        EXPECT_EQ(last.split_index, 2u);
        // Data of the last part's last tensor comes from the third file.
        const auto &bytes = parts[2];
        EXPECT_EQ(std::memcmp(last.data, bytes.data() + last.file_offset, last.n_bytes), 0);
        auto cfg = glm45_config_from_gguf(*r);
        ASSERT_TRUE(cfg) << cfg.status().to_string();
        auto inv = TensorInventory::from_gguf(*r, *cfg);
        ASSERT_TRUE(inv) << inv.status().to_string();
        EXPECT_TRUE(inv->has_mtp());
    }

    // A missing part is named.
    std::filesystem::remove(gguf_split_path((dir.path() / "tiny").string(), 2, 3));
    auto missing = GgufReader::open(gguf_split_path((dir.path() / "tiny").string(), 1, 3));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("-00002-of-00003.gguf"), std::string::npos);
    EXPECT_NE(missing.status().message().find("part 2 of 3"), std::string::npos);

    // Parts swapped (split.no disagrees with the name) and a wrong split.tensors.count.
    write_file(gguf_split_path((dir.path() / "tiny").string(), 2, 3).string(), parts[2]);
    EXPECT_FALSE(GgufReader::open(gguf_split_path((dir.path() / "tiny").string(), 1, 3)));
    const auto wrong = tiny_split(5);
    for (std::uint32_t p = 0; p < 3; ++p)
        write_file(gguf_split_path((dir.path() / "w").string(), p + 1, 3).string(), wrong[p]);
    auto rw = GgufReader::open(gguf_split_path((dir.path() / "w").string(), 1, 3));
    ASSERT_FALSE(rw);
    EXPECT_NE(rw.status().message().find("split.tensors.count"), std::string::npos);

    // A renamed first part cannot find its siblings: say so.
    write_file((dir.path() / "renamed.gguf").string(), parts[0]);
    auto renamed = GgufReader::open(dir.path() / "renamed.gguf");
    ASSERT_FALSE(renamed);
    EXPECT_NE(renamed.status().message().find("split into 3"), std::string::npos);
}

// A 70 GB file that is all hole except its header: opening must not read the data.
TEST(GgufReader, SparseSeventyGigabyteFileOpensFromItsHeader)
{
    GgufBuilder b;
    b.kv_string("general.architecture", "glm4moe");
    // 70 tensors of 1 GB (bf16 [16384, 32768]) = 70 GiB of data, like a 4.5-Air bf16 checkpoint
    for (int i = 0; i < 70; ++i)
        b.tensor("t" + std::to_string(i), {16384, 32768}, BlockFormat::BF16);
    const auto header = b.build(false);
    const std::uint64_t total = header.size() + b.data_bytes();
    ASSERT_GT(total, 70ull << 30);

    TempDir dir("sparse");
    const auto path = dir.path() / "sparse.gguf";
    write_file(path.string(), header);
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const bool grown = ::ftruncate(fd, static_cast<off_t>(total)) == 0;
    ::close(fd);
    if (!grown)
        GTEST_SKIP() << "the temp file system cannot hold a 70 GB sparse file";

    const auto start = std::chrono::steady_clock::now();
    auto r = GgufReader::open(path);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_EQ(r->tensors().size(), 70u);
    EXPECT_EQ(r->total_file_bytes(), total);
    const auto &last = r->tensors().back();
    EXPECT_EQ(last.file_offset + last.n_bytes, total);
    EXPECT_EQ(last.data[last.n_bytes - 1], 0); // a hole reads as zero: the map covers the end
    std::printf("[ MEASURED ] open of a %.1f GiB sparse GGUF: %.3f ms\n",
                static_cast<double>(total) / (1ull << 30), ms);
    RecordProperty("open_ms", std::to_string(ms));
}

} // namespace
} // namespace glmdesk::test
