#include "engine/tokenizer/detokenizer.h"

#include "engine/common/utf8.h"

namespace glmdesk::engine {

std::string Detokenizer::push(TokenId id)
{
    m_tokenizer->decode_append(id, m_options, m_pending);
    std::string out;
    const std::size_t used = utf8::append_replacing_invalid(m_pending, false, out);
    m_pending.erase(0, used);
    return out;
}

std::string Detokenizer::push_bytes(std::string_view bytes)
{
    m_pending.append(bytes);
    std::string out;
    const std::size_t used = utf8::append_replacing_invalid(m_pending, false, out);
    m_pending.erase(0, used);
    return out;
}

std::string Detokenizer::flush()
{
    std::string out;
    utf8::append_replacing_invalid(m_pending, true, out);
    m_pending.clear();
    return out;
}

} // namespace glmdesk::engine
