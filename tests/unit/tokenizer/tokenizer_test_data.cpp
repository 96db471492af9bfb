#include "tests/unit/tokenizer/tokenizer_test_data.h"

#include <fstream>
#include <optional>

namespace glmdesk::test {

using engine::Expected;
using engine::Tokenizer;

std::filesystem::path tokenizer_data_dir()
{
    return std::filesystem::path(GLMDESK_TEST_DATA) / "tokenizer";
}

nlohmann::json load_tokenizer_json_file(const std::string &name)
{
    std::ifstream in(tokenizer_data_dir() / name, std::ios::binary);
    return nlohmann::json::parse(in, nullptr, false);
}

namespace {

const Tokenizer *keep(const Expected<Tokenizer> &tok, std::string *why)
{
    if (!tok) {
        if (why)
            *why = tok.status().to_string();
        return nullptr;
    }
    return &tok.value();
}

} // namespace

const Tokenizer *hf_tokenizer(std::string *why)
{
    static const Expected<Tokenizer> tok =
        Tokenizer::from_tokenizer_json(tokenizer_data_dir() / "tokenizer.json");
    return keep(tok, why);
}

const Tokenizer *gguf_vocab_tokenizer(std::string *why)
{
    static const Expected<Tokenizer> tok = []() -> Expected<Tokenizer> {
        const nlohmann::json vocab = load_tokenizer_json_file("air_mini_gguf_vocab.json");
        if (!vocab.is_object())
            return engine::error(engine::StatusCode::NotFound, "air_mini_gguf_vocab.json");
        const auto tokens = vocab["tokens"].get<std::vector<std::string>>();
        const auto types = vocab["token_type"].get<std::vector<std::int32_t>>();
        const auto merges = vocab["merges"].get<std::vector<std::string>>();
        return Tokenizer::from_vocab(tokens, types, merges, vocab["pre"].get<std::string>());
    }();
    return keep(tok, why);
}

std::string hex_of(std::string_view bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string bytes_of_hex(std::string_view hex)
{
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

} // namespace glmdesk::test
