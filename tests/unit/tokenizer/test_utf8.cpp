#include "engine/common/utf8.h"
#include "tests/unit/tokenizer/tokenizer_test_data.h"

#include <gtest/gtest.h>

using namespace glmdesk::engine;
using glmdesk::test::bytes_of_hex;

TEST(Utf8, ReplacementMatchesPythonsMaximalSubpartRule)
{
    const auto cases = glmdesk::test::load_tokenizer_json_file("utf8_replace_cases.json");
    ASSERT_TRUE(cases.is_object()) << "tests/data/tokenizer/utf8_replace_cases.json";
    ASSERT_GT(cases["cases"].size(), 400u);
    for (const auto &c : cases["cases"]) {
        const std::string bytes = bytes_of_hex(c["bytes"].get<std::string>());
        const std::string replaced = utf8::replace_invalid(bytes);
        EXPECT_EQ(glmdesk::test::hex_of(replaced), c["replaced"].get<std::string>());
        EXPECT_EQ(utf8::is_valid(bytes), c["valid"].get<bool>()) << c["bytes"];
        EXPECT_TRUE(utf8::is_valid(replaced));
        // A settled prefix never ends inside a sequence that could still complete.
        const std::size_t settled = utf8::settled_prefix_length(bytes);
        ASSERT_LE(settled, bytes.size());
        EXPECT_LE(bytes.size() - settled, 3u);
    }
}

TEST(Utf8, CodePointsEncodeAtEveryLengthBoundary)
{
    for (char32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
        std::string s;
        utf8::append_code_point(s, cp);
        EXPECT_TRUE(utf8::is_valid(s)) << static_cast<unsigned>(cp);
        const auto scan = utf8::scan_sequence(s);
        EXPECT_EQ(scan.kind, utf8::SequenceKind::Complete);
        EXPECT_EQ(scan.length, s.size());
    }
    std::string beyond;
    utf8::append_code_point(beyond, 0x110000);
    EXPECT_EQ(beyond, utf8::replacement_character);
}
