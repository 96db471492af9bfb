#include "engine/common/utf8.h"
#include "engine/tokenizer/detokenizer.h"
#include "tests/unit/tokenizer/tokenizer_test_data.h"

#include <gtest/gtest.h>

#include <random>

using namespace glmdesk::engine;
using glmdesk::test::bytes_of_hex;
using glmdesk::test::hf_tokenizer;
using glmdesk::test::load_tokenizer_json_file;

namespace {

class DetokenizerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        std::string why;
        m_tok = hf_tokenizer(&why);
        ASSERT_NE(m_tok, nullptr) << why;
        m_cases = load_tokenizer_json_file("tokenizer_cases.json");
        ASSERT_TRUE(m_cases.is_object());
    }
    const Tokenizer *m_tok = nullptr;
    nlohmann::json m_cases;
};

} // namespace

TEST_F(DetokenizerTest, TokenByTokenEqualsFullDecodeAndNeverSplitsACharacter)
{
    int held_back = 0;
    for (const auto &c : m_cases["cases"]) {
        const auto ids = c["ids"].get<std::vector<TokenId>>();
        Detokenizer detok(*m_tok);
        std::string streamed;
        for (TokenId id : ids) {
            const std::string piece = detok.push(id);
            EXPECT_TRUE(utf8::is_valid(piece)) << c["text"];
            streamed += piece;
            held_back += detok.pending_bytes() > 0;
        }
        streamed += detok.flush();
        EXPECT_EQ(streamed, m_tok->decode(ids));
        EXPECT_EQ(streamed, c["text"].get<std::string>());
    }
    // The Chinese and emoji cases split characters across tokens: the hold-back was exercised.
    EXPECT_GT(held_back, 20);
}

TEST_F(DetokenizerTest, BytePiecesEqualTheText)
{
    for (const auto &c : m_cases["cases"]) {
        const std::string text = c["text"].get<std::string>();
        Detokenizer detok(*m_tok);
        std::string streamed;
        for (char ch : text) {
            const std::string piece = detok.push_bytes(std::string_view(&ch, 1));
            EXPECT_TRUE(utf8::is_valid(piece));
            streamed += piece;
        }
        EXPECT_EQ(detok.pending_bytes(), 0u);
        streamed += detok.flush();
        EXPECT_EQ(streamed, text);
    }
}

TEST_F(DetokenizerTest, RandomChunksOfIllFormedBytesMatchBatchReplacement)
{
    // Oracle: Python's bytes.decode("utf-8", errors="replace") (make_utf8_cases.py).
    const auto cases = load_tokenizer_json_file("utf8_replace_cases.json");
    ASSERT_TRUE(cases.is_object());
    std::mt19937 rng(99);
    for (const auto &c : cases["cases"]) {
        const std::string bytes = bytes_of_hex(c["bytes"].get<std::string>());
        const std::string expected = bytes_of_hex(c["replaced"].get<std::string>());
        for (int split = 0; split < 4; ++split) {
            Detokenizer detok(*m_tok);
            std::string streamed;
            std::size_t pos = 0;
            while (pos < bytes.size()) {
                const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 4)(rng);
                const std::string piece = detok.push_bytes(std::string_view(bytes).substr(pos, n));
                EXPECT_TRUE(utf8::is_valid(piece));
                streamed += piece;
                pos += n;
            }
            EXPECT_LE(detok.pending_bytes(), 3u);
            streamed += detok.flush();
            EXPECT_EQ(streamed, expected) << c["bytes"];
        }
    }
}

TEST_F(DetokenizerTest, FlushReplacesAnUnfinishedCharacter)
{
    Detokenizer detok(*m_tok);
    EXPECT_EQ(detok.push_bytes("ok \xE4\xBD"), "ok ");
    EXPECT_EQ(detok.pending_bytes(), 2u);
    EXPECT_EQ(detok.flush(), utf8::replacement_character);
    EXPECT_EQ(detok.pending_bytes(), 0u);
    EXPECT_EQ(detok.flush(), "");
    // After reset nothing of the old stream remains.
    EXPECT_EQ(detok.push_bytes("\xF0\x9F"), "");
    detok.reset();
    EXPECT_EQ(detok.push_bytes("A"), "A");
}

TEST_F(DetokenizerTest, PaddingIdsAndSkippedControlsEmitNothing)
{
    const auto user = m_tok->special_id("<|user|>");
    ASSERT_TRUE(user);
    Detokenizer keep(*m_tok);
    Detokenizer skip(*m_tok, {.skip_control = true});
    const TokenId padding = static_cast<TokenId>(m_tok->size()) + 10;
    for (TokenId id : {padding, -3}) {
        EXPECT_EQ(keep.push(id), "");
        EXPECT_EQ(keep.pending_bytes(), 0u);
    }
    EXPECT_EQ(keep.push(*user), "<|user|>");
    EXPECT_EQ(skip.push(*user), "");
}
