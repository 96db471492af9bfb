// The GGUF route end to end: air-mini's GGUF files (llama.cpp's converter) through the GGUF reader
// into the tokenizer, checked against the Hugging Face oracle cases.
#include "engine/io/gguf_reader.h"
#include "engine/tokenizer/gguf_vocab.h"
#include "tests/support/test_support.h"
#include "tests/unit/tokenizer/tokenizer_test_data.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace glmdesk::engine;

TEST(GgufVocab, AirMiniFilesTokenizeLikeHuggingFace)
{
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    if (!fixtures)
        GTEST_SKIP() << "../shared/fixtures is absent: air-mini GGUF files not available";
    const auto cases = glmdesk::test::load_tokenizer_json_file("tokenizer_cases.json");
    ASSERT_TRUE(cases.is_object());
    for (const char *file : {"air-mini-bf16.gguf", "air-mini-q4_k_m.gguf"}) {
        const auto path = *fixtures / "air-mini" / "gguf" / file;
        auto gguf = GgufReader::open(path);
        ASSERT_TRUE(gguf) << gguf.status().to_string();
        auto tok = tokenizer_from_gguf(*gguf);
        ASSERT_TRUE(tok) << tok.status().to_string();
        EXPECT_EQ(tok->size(), cases["vocab_size_padded"].get<std::size_t>());
        for (const auto &c : cases["cases"]) {
            const std::string text = c["text"].get<std::string>();
            const auto ids = tok->encode(text, SpecialTokens::Parse);
            ASSERT_TRUE(ids);
            EXPECT_EQ(*ids, c["ids"].get<std::vector<TokenId>>()) << file << ": " << text;
            EXPECT_EQ(tok->decode(*ids), text);
        }
        for (const auto &[text, id] : cases["special_ids"].items())
            EXPECT_EQ(tok->special_id(text), std::optional<TokenId>(id.get<TokenId>())) << text;
    }
}

namespace {

void put_u32(std::vector<std::uint8_t> &out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_u64(std::vector<std::uint8_t> &out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_string(std::vector<std::uint8_t> &out, std::string_view s)
{
    put_u64(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

// A GGUF v3 image with no tensors and only string-valued keys.
std::vector<std::uint8_t> gguf_with(const std::vector<std::pair<std::string, std::string>> &kv)
{
    std::vector<std::uint8_t> out = {'G', 'G', 'U', 'F'};
    put_u32(out, 3);
    put_u64(out, 0);
    put_u64(out, kv.size());
    for (const auto &[key, value] : kv) {
        put_string(out, key);
        put_u32(out, 8); // string
        put_string(out, value);
    }
    return out;
}

} // namespace

TEST(GgufVocab, MissingOrForeignTokenizerIsACleanError)
{
    const auto none = gguf_with({{"general.architecture", "glm4moe"}});
    auto a = GgufReader::from_memory(none, "none.gguf");
    ASSERT_TRUE(a) << a.status().to_string();
    EXPECT_EQ(tokenizer_from_gguf(*a).status().code(), StatusCode::NotFound);

    const auto spm = gguf_with({{"tokenizer.ggml.model", "llama"}});
    auto b = GgufReader::from_memory(spm, "spm.gguf");
    ASSERT_TRUE(b) << b.status().to_string();
    EXPECT_EQ(tokenizer_from_gguf(*b).status().code(), StatusCode::Unsupported);

    // tokens given as a string instead of an array
    const auto wrong = gguf_with({{"tokenizer.ggml.model", "gpt2"},
                                  {"tokenizer.ggml.pre", "glm4"},
                                  {"tokenizer.ggml.tokens", "abc"}});
    auto c = GgufReader::from_memory(wrong, "wrong.gguf");
    ASSERT_TRUE(c) << c.status().to_string();
    const Status s = tokenizer_from_gguf(*c).status();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("tokenizer.ggml.tokens"), std::string::npos) << s.to_string();
}
