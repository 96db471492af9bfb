// The pre-tokenizer cuts text into the pieces BPE merges within (words, number groups, runs of
// punctuation or whitespace), with PCRE2 in UTF + UCP mode so \p{L}, \p{N} and \s follow Unicode
// as the Hugging Face (Oniguruma) implementation does. PCRE2 stays out of this header.
//
// Invalid UTF-8 is matched with PCRE2_MATCH_INVALID_UTF: no match ever contains an ill-formed
// byte, and the bytes between matches become pieces of their own, so every input byte lands in
// exactly one piece and byte-level BPE keeps the input lossless.
#pragma once

#include "engine/common/status.h"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::engine {

// GLM-4's split pattern (the same as Llama 3's), from the model's tokenizer.json.
inline constexpr std::string_view glm4_pretokenizer_pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct Piece
{
    std::size_t begin;
    std::size_t end;
};

class PreTokenizer
{
public:
    static Expected<PreTokenizer> compile(std::string_view pattern);

    PreTokenizer(PreTokenizer &&) noexcept;
    PreTokenizer &operator=(PreTokenizer &&) noexcept;
    ~PreTokenizer();

    // Appends pieces covering `text` completely and in order. Fails only when PCRE2 reports a
    // resource limit, never for any byte content.
    Status split(std::string_view text, std::vector<Piece> &pieces) const;

    const std::string &pattern() const { return m_pattern; }
    bool jit() const;

private:
    struct Impl;
    explicit PreTokenizer(std::unique_ptr<Impl> impl, std::string pattern);

    std::unique_ptr<Impl> m_impl;
    std::string m_pattern;
};

} // namespace glmdesk::engine
