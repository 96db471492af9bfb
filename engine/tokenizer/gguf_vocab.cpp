#include "engine/tokenizer/gguf_vocab.h"

#include "engine/io/gguf_reader.h"

#include <string>
#include <vector>

namespace glmdesk::engine {

namespace {

Expected<std::vector<std::string>> string_array(const GgufReader &gguf, std::string_view key)
{
    auto array = gguf.get_array(key);
    if (!array)
        return array.status();
    const GgufArray &a = **array;
    if (a.element_type() != GgufType::String && a.size() > 0)
        return error(StatusCode::CorruptFile, std::string(key) + " is not an array of strings");
    std::vector<std::string> out;
    out.reserve(a.strings().size());
    for (std::string_view s : a.strings())
        out.emplace_back(s);
    return out;
}

} // namespace

Expected<Tokenizer> tokenizer_from_gguf(const GgufReader &gguf)
{
    const std::string name = gguf.path().filename().string();
    const auto fail = [&](Status s) { return std::move(s).with_context(name); };

    auto model = gguf.get_string("tokenizer.ggml.model");
    if (!model)
        return fail(model.status());
    if (*model != "gpt2") {
        return fail(error(StatusCode::Unsupported, "tokenizer.ggml.model '" + std::string(*model) +
                                                       "' is not byte-level BPE (gpt2)"));
    }
    auto pre = gguf.get_string("tokenizer.ggml.pre");
    if (!pre)
        return fail(pre.status());

    auto tokens = string_array(gguf, "tokenizer.ggml.tokens");
    if (!tokens)
        return fail(tokens.status());
    auto merges = string_array(gguf, "tokenizer.ggml.merges");
    if (!merges)
        return fail(merges.status());

    std::vector<std::int32_t> types;
    if (gguf.has("tokenizer.ggml.token_type")) {
        auto array = gguf.get_array("tokenizer.ggml.token_type");
        if (!array)
            return fail(array.status());
        const auto values = (*array)->to_i64();
        if (!values)
            return fail(
                error(StatusCode::CorruptFile, "tokenizer.ggml.token_type is not integers"));
        types.reserve(values->size());
        for (std::int64_t v : *values) {
            // Out-of-range values are refused by from_vocab; keep them out of range here.
            types.push_back(v < 0 || v > 1000 ? -1 : static_cast<std::int32_t>(v));
        }
    }

    auto tok = Tokenizer::from_vocab(*tokens, types, *merges, *pre);
    if (!tok)
        return fail(tok.status());
    return tok;
}

} // namespace glmdesk::engine
