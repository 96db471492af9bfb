#include "engine/tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>

namespace glmdesk::engine {

namespace {

struct CodeDeleter
{
    void operator()(pcre2_code *code) const { pcre2_code_free(code); }
};

struct MatchDataDeleter
{
    void operator()(pcre2_match_data *data) const { pcre2_match_data_free(data); }
};

std::string pcre2_message(int code)
{
    std::array<PCRE2_UCHAR, 256> buffer{};
    if (pcre2_get_error_message(code, buffer.data(), buffer.size()) < 0)
        return "PCRE2 error " + std::to_string(code);
    return std::string(reinterpret_cast<const char *>(buffer.data()));
}

// Bytes of the sequence starting at `p`, at least 1: empty matches must still move forward.
std::size_t step_length(std::string_view text, std::size_t p)
{
    const auto b = static_cast<unsigned char>(text[p]);
    std::size_t n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return std::min(n, text.size() - p);
}

} // namespace

struct PreTokenizer::Impl
{
    std::unique_ptr<pcre2_code, CodeDeleter> code;
    bool jit = false;
};

PreTokenizer::PreTokenizer(std::unique_ptr<Impl> impl, std::string pattern)
    : m_impl(std::move(impl)), m_pattern(std::move(pattern))
{}

PreTokenizer::PreTokenizer(PreTokenizer &&) noexcept = default;
PreTokenizer &PreTokenizer::operator=(PreTokenizer &&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

bool PreTokenizer::jit() const
{
    return m_impl->jit;
}

Expected<PreTokenizer> PreTokenizer::compile(std::string_view pattern)
{
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    const std::uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    pcre2_code *raw = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                    options, &error_code, &error_offset, nullptr);
    if (raw == nullptr) {
        return error(StatusCode::Unsupported, "pre-tokenizer pattern does not compile at offset " +
                                                  std::to_string(error_offset) + ": " +
                                                  pcre2_message(error_code));
    }
    auto impl = std::make_unique<Impl>();
    impl->code.reset(raw);
    // JIT is an optimisation: a PCRE2 built without it matches the same, only slower.
    impl->jit = pcre2_jit_compile(raw, PCRE2_JIT_COMPLETE) == 0;
    return PreTokenizer(std::move(impl), std::string(pattern));
}

Status PreTokenizer::split(std::string_view text, std::vector<Piece> &pieces) const
{
    if (text.empty())
        return {};
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
        pcre2_match_data_create_from_pattern(m_impl->code.get(), nullptr));
    if (!match)
        return error(StatusCode::OutOfMemory, "pre-tokenizer: no memory for match data");
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    std::size_t covered = 0; // everything before this is in `pieces`
    std::size_t search = 0;
    while (search < text.size()) {
        const int rc = m_impl->jit ? pcre2_jit_match(m_impl->code.get(), subject, text.size(),
                                                     search, 0, match.get(), nullptr)
                                   : pcre2_match(m_impl->code.get(), subject, text.size(), search,
                                                 0, match.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return error(StatusCode::Internal, "pre-tokenizer: " + pcre2_message(rc));
        const PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(match.get());
        const std::size_t begin = ovector[0];
        const std::size_t end = ovector[1];
        if (end <= begin) {
            // An empty match (impossible with the GLM-4 pattern, possible with others) cuts
            // nothing; the bytes it skips go into the next gap piece.
            search = begin + step_length(text, begin);
            continue;
        }
        if (begin > covered)
            pieces.push_back({covered, begin});
        pieces.push_back({begin, end});
        covered = end;
        search = end;
    }
    if (covered < text.size())
        pieces.push_back({covered, text.size()});
    return {};
}

} // namespace glmdesk::engine
