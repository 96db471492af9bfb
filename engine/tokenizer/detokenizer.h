// Streaming decode for generation: a token often ends in the middle of a character (byte-level
// BPE splits Chinese and emoji across tokens), and a UI must never show half a character. The
// Detokenizer holds back a trailing sequence that is still a valid UTF-8 prefix and releases it
// once complete; ill-formed bytes become U+FFFD as soon as they are known to be ill-formed. The
// concatenation of everything push() and flush() return equals
// utf8::replace_invalid(tokenizer.decode(all ids)), however the ids are fed.
#pragma once

#include "engine/tokenizer/bpe.h"

#include <string>
#include <string_view>

namespace glmdesk::engine {

class Detokenizer
{
public:
    explicit Detokenizer(const Tokenizer &tokenizer, DecodeOptions options = {})
        : m_tokenizer(&tokenizer), m_options(options)
    {}

    // The text that became complete with this token: valid UTF-8, possibly empty.
    std::string push(TokenId id);
    // Same for raw bytes (what a token stands for, or any chunk of a byte stream).
    std::string push_bytes(std::string_view bytes);
    // End of stream: what is still held back, an unfinished sequence becoming U+FFFD.
    std::string flush();
    // Forget held-back bytes (a new generation).
    void reset() { m_pending.clear(); }

    std::size_t pending_bytes() const { return m_pending.size(); }

private:
    const Tokenizer *m_tokenizer;
    DecodeOptions m_options;
    std::string m_pending; // at most 3 bytes: an incomplete sequence
};

} // namespace glmdesk::engine
