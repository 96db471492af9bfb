// Byte-level BPE. Merging a piece uses a min-heap of candidate pairs keyed by (rank, position)
// over a linked list of symbols, so a piece of n bytes costs O(n log n): a 100k-character run of
// one letter or of spaces (a single piece) stays fast, where the textbook "rescan every pair after
// each merge" loop would be quadratic. Ties between equal ranks go to the leftmost pair, as in the
// Hugging Face implementation, which is what makes the ids identical.
#include "engine/tokenizer/bpe.h"

#include "engine/common/utf8.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <mutex>
#include <shared_mutex>

namespace glmdesk::engine {

namespace {

constexpr std::uint64_t empty_key = std::numeric_limits<std::uint64_t>::max();

struct ByteTables
{
    std::array<char32_t, 256> to_code_point{};
    std::array<std::int16_t, 324> to_byte{}; // every image is below 256 + 68
};

// GPT-2's mapping: printable Latin-1 bytes stand for themselves, the other 68 bytes (controls,
// space, DEL, NBSP, soft hyphen) take the code points from U+0100 on, in byte order.
const ByteTables &byte_tables()
{
    static const ByteTables tables = [] {
        ByteTables t;
        t.to_byte.fill(-1);
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t cp = printable ? static_cast<char32_t>(b) : next++;
            t.to_code_point[b] = cp;
            t.to_byte[cp] = static_cast<std::int16_t>(b);
        }
        return t;
    }();
    return tables;
}

std::uint64_t merge_key(TokenId left, TokenId right)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
           static_cast<std::uint32_t>(right);
}

std::uint64_t merge_hash(std::uint64_t key)
{
    key ^= key >> 31;
    key *= 0x9E3779B97F4A7C15ull;
    return key ^ (key >> 29);
}

// Byte-level spelling -> bytes. A code point outside the mapping (a hand-made vocabulary) stands
// for its own UTF-8, and an ill-formed spelling is kept as is: decoding never fails.
std::string bytes_from_spelling(std::string_view spelling)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < spelling.size()) {
        const utf8::SequenceScan scan = utf8::scan_sequence(spelling.substr(pos));
        if (scan.kind != utf8::SequenceKind::Complete) {
            out.append(spelling.substr(pos, scan.length));
            pos += scan.length;
            continue;
        }
        const auto *p = reinterpret_cast<const unsigned char *>(spelling.data() + pos);
        char32_t cp = 0;
        switch (scan.length) {
        case 1:
            cp = p[0];
            break;
        case 2:
            cp = (char32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            break;
        case 3:
            cp = (char32_t(p[0] & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            break;
        default:
            cp = (char32_t(p[0] & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) |
                 (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
            break;
        }
        const int byte = code_point_to_byte(cp);
        if (byte >= 0)
            out.push_back(static_cast<char>(byte));
        else
            out.append(spelling.substr(pos, scan.length));
        pos += scan.length;
    }
    return out;
}

std::string spelling_of_byte(std::uint8_t byte)
{
    std::string s;
    utf8::append_code_point(s, byte_to_code_point(byte));
    return s;
}

} // namespace

char32_t byte_to_code_point(std::uint8_t byte)
{
    return byte_tables().to_code_point[byte];
}

int code_point_to_byte(char32_t code_point)
{
    const auto &t = byte_tables().to_byte;
    return code_point < t.size() ? t[code_point] : -1;
}

// Words repeat, so merged pieces are cached. Only short pieces are kept and the cache stops
// growing when full (no eviction): bounded memory, no lock churn, and text seen early in a
// session (the system prompt, common words) is what recurs anyway.
struct Tokenizer::PieceCache
{
    static constexpr std::size_t max_piece_bytes = 48;
    static constexpr std::size_t max_entries = 1 << 16;

    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::shared_mutex mutex;
    std::unordered_map<std::string, std::vector<TokenId>, Hash, std::equal_to<>> pieces;
};

Tokenizer::Tokenizer(PreTokenizer pre)
    : m_pre(std::move(pre)), m_cache(std::make_unique<PieceCache>())
{}

Tokenizer::Tokenizer(Tokenizer &&) noexcept = default;
Tokenizer &Tokenizer::operator=(Tokenizer &&) noexcept = default;
Tokenizer::~Tokenizer() = default;

struct Tokenizer::Workspace
{
    struct Symbol
    {
        TokenId id; // -1 once merged into its left neighbour
        std::int32_t prev;
        std::int32_t next;
    };
    struct Candidate
    {
        std::int32_t rank;
        std::int32_t pos;
        TokenId left;
        TokenId right;
        TokenId result;
    };
    std::vector<Piece> pieces;
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
    std::string spelling;
};

Expected<Tokenizer> Tokenizer::from_vocab(std::span<const std::string> tokens,
                                          std::span<const std::int32_t> token_types,
                                          std::span<const std::string> merges, std::string_view pre)
{
    if (pre != "glm4" && pre != "llama-bpe") {
        return error(StatusCode::Unsupported, "pre-tokenizer '" + std::string(pre) +
                                                  "' is not supported (GLM-4.5 uses glm4)");
    }
    if (!token_types.empty() && token_types.size() != tokens.size()) {
        return error(StatusCode::CorruptFile,
                     "vocabulary has " + std::to_string(tokens.size()) + " tokens but " +
                         std::to_string(token_types.size()) + " token types");
    }
    std::vector<TokenType> types(tokens.size(), TokenType::Normal);
    for (std::size_t i = 0; i < token_types.size(); ++i) {
        const std::int32_t t = token_types[i];
        if (t < 0 || t > static_cast<std::int32_t>(TokenType::Byte)) {
            return error(StatusCode::CorruptFile, "token " + std::to_string(i) +
                                                      " has unknown token type " +
                                                      std::to_string(t));
        }
        types[i] = static_cast<TokenType>(t);
    }
    std::vector<MergeRule> rules;
    rules.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const std::string &m = merges[i];
        const std::size_t space = m.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 >= m.size()) {
            return error(StatusCode::CorruptFile,
                         "merge " + std::to_string(i) + " is not of the form 'left right'");
        }
        rules.push_back({m.substr(0, space), m.substr(space + 1)});
    }
    return build(std::vector<std::string>(tokens.begin(), tokens.end()), std::move(types), rules,
                 glm4_pretokenizer_pattern, false);
}

Expected<Tokenizer> Tokenizer::build(std::vector<std::string> tokens, std::vector<TokenType> types,
                                     std::span<const MergeRule> merges, std::string_view pattern,
                                     bool ignore_merges)
{
    if (tokens.empty())
        return error(StatusCode::CorruptFile, "the vocabulary is empty");
    if (tokens.size() > static_cast<std::size_t>(std::numeric_limits<TokenId>::max()))
        return error(StatusCode::CorruptFile, "the vocabulary has too many tokens");
    if (merges.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        return error(StatusCode::CorruptFile, "the vocabulary has too many merges");
    auto pre = PreTokenizer::compile(pattern);
    if (!pre)
        return pre.status();

    Tokenizer tok(std::move(pre).value());
    tok.m_ignore_merges = ignore_merges;
    tok.m_types = std::move(types);
    tok.m_text = std::move(tokens);
    tok.m_bytes.resize(tok.m_text.size());
    for (std::size_t i = 0; i < tok.m_text.size(); ++i) {
        const auto id = static_cast<TokenId>(i);
        const std::string &text = tok.m_text[i];
        switch (tok.m_types[i]) {
        case TokenType::Unused:
            break; // padding: no text, never produced by encode
        case TokenType::Control:
        case TokenType::UserDefined: {
            tok.m_bytes[i] = text;
            tok.m_added_ids.emplace(text, id);
            if (text.empty())
                break;
            const bool control = tok.m_types[i] == TokenType::Control;
            const auto first = static_cast<unsigned char>(text[0]);
            tok.m_added_by_first[first].push_back({text, id, control});
            tok.m_added_first[first] = true;
            tok.m_has_added = true;
            if (!control) {
                tok.m_user_defined_first[first] = true;
                tok.m_has_user_defined = true;
            }
            break;
        }
        default:
            tok.m_bytes[i] = bytes_from_spelling(text);
            tok.m_normal_ids.emplace(text, id); // a duplicate spelling keeps its first id
            break;
        }
    }
    for (auto &bucket : tok.m_added_by_first) {
        std::stable_sort(
            bucket.begin(), bucket.end(),
            [](const AddedToken &a, const AddedToken &b) { return a.text.size() > b.text.size(); });
    }
    for (int b = 0; b < 256; ++b) {
        const auto it = tok.m_normal_ids.find(spelling_of_byte(static_cast<std::uint8_t>(b)));
        if (it == tok.m_normal_ids.end()) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", b);
            return error(StatusCode::CorruptFile,
                         std::string("the vocabulary has no token for byte ") + hex +
                             ": not a byte-level BPE vocabulary");
        }
        tok.m_byte_ids[b] = it->second;
    }

    std::size_t capacity = 16;
    while (capacity < merges.size() * 2)
        capacity *= 2;
    tok.m_merges.assign(capacity, MergeSlot{empty_key, 0, 0});
    tok.m_merge_mask = capacity - 1;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const MergeRule &rule = merges[rank];
        const auto left = tok.m_normal_ids.find(rule.left);
        const auto right = tok.m_normal_ids.find(rule.right);
        const auto result = tok.m_normal_ids.find(rule.left + rule.right);
        if (left == tok.m_normal_ids.end() || right == tok.m_normal_ids.end() ||
            result == tok.m_normal_ids.end()) {
            return error(StatusCode::CorruptFile, "merge " + std::to_string(rank) + " '" +
                                                      rule.left + " " + rule.right +
                                                      "' uses a token the vocabulary lacks");
        }
        tok.insert_merge(left->second, right->second, static_cast<std::int32_t>(rank),
                         result->second);
    }
    return tok;
}

void Tokenizer::insert_merge(TokenId left, TokenId right, std::int32_t rank, TokenId result)
{
    const std::uint64_t key = merge_key(left, right);
    for (std::uint64_t slot = merge_hash(key) & m_merge_mask;; slot = (slot + 1) & m_merge_mask) {
        MergeSlot &s = m_merges[slot];
        if (s.key == key)
            return; // a repeated merge keeps its first (lowest) rank
        if (s.key == empty_key) {
            s = {key, rank, result};
            return;
        }
    }
}

const Tokenizer::MergeSlot *Tokenizer::find_merge(TokenId left, TokenId right) const
{
    const std::uint64_t key = merge_key(left, right);
    for (std::uint64_t slot = merge_hash(key) & m_merge_mask;; slot = (slot + 1) & m_merge_mask) {
        const MergeSlot &s = m_merges[slot];
        if (s.key == key)
            return &s;
        if (s.key == empty_key)
            return nullptr;
    }
}

void Tokenizer::encode_piece(std::string_view bytes, Workspace &ws, std::vector<TokenId> &out) const
{
    const std::size_t n = bytes.size();
    if (n == 1) {
        out.push_back(m_byte_ids[static_cast<unsigned char>(bytes[0])]);
        return;
    }
    if (m_ignore_merges) {
        // Llama-3-style vocabularies take a piece that is itself a token as is.
        ws.spelling.clear();
        for (char c : bytes)
            utf8::append_code_point(ws.spelling, byte_to_code_point(static_cast<std::uint8_t>(c)));
        const auto it = m_normal_ids.find(ws.spelling);
        if (it != m_normal_ids.end()) {
            out.push_back(it->second);
            return;
        }
    }

    if (n > PieceCache::max_piece_bytes) {
        merge_piece(bytes, ws, out);
        return;
    }
    {
        std::shared_lock lock(m_cache->mutex);
        const auto it = m_cache->pieces.find(bytes);
        if (it != m_cache->pieces.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const std::size_t first = out.size();
    merge_piece(bytes, ws, out);
    std::unique_lock lock(m_cache->mutex);
    if (m_cache->pieces.size() < PieceCache::max_entries) {
        m_cache->pieces.emplace(std::string(bytes),
                                std::vector<TokenId>(out.begin() + first, out.end()));
    }
}

void Tokenizer::merge_piece(std::string_view bytes, Workspace &ws, std::vector<TokenId> &out) const
{
    const std::size_t n = bytes.size();
    using Symbol = Workspace::Symbol;
    using Candidate = Workspace::Candidate;
    auto &symbols = ws.symbols;
    auto &heap = ws.heap;
    symbols.resize(n);
    heap.clear();
    for (std::size_t i = 0; i < n; ++i) {
        symbols[i] = Symbol{m_byte_ids[static_cast<unsigned char>(bytes[i])],
                            static_cast<std::int32_t>(i) - 1,
                            i + 1 < n ? static_cast<std::int32_t>(i + 1) : -1};
    }
    // Min-heap on (rank, pos): std::*_heap builds a max-heap, so "less" means "later".
    const auto later = [](const Candidate &a, const Candidate &b) {
        return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
    };
    const auto push = [&](std::int32_t pos, TokenId left, TokenId right) {
        if (const MergeSlot *m = find_merge(left, right)) {
            heap.push_back({m->rank, pos, left, right, m->result});
            std::push_heap(heap.begin(), heap.end(), later);
        }
    };
    for (std::size_t i = 0; i + 1 < n; ++i)
        push(static_cast<std::int32_t>(i), symbols[i].id, symbols[i + 1].id);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const Candidate c = heap.back();
        heap.pop_back();
        Symbol &sym = symbols[c.pos];
        // Stale candidates: one side merged since it was pushed. Ids only grow into longer
        // tokens, so matching ids mean the pair is still there.
        if (sym.id != c.left || sym.next < 0 || symbols[sym.next].id != c.right)
            continue;
        Symbol &right = symbols[sym.next];
        sym.id = c.result;
        right.id = -1;
        sym.next = right.next;
        if (sym.next >= 0)
            symbols[sym.next].prev = c.pos;
        if (sym.prev >= 0)
            push(sym.prev, symbols[sym.prev].id, sym.id);
        if (sym.next >= 0)
            push(c.pos, sym.id, symbols[sym.next].id);
    }
    for (std::int32_t i = 0; i >= 0; i = symbols[i].next)
        out.push_back(symbols[i].id);
}

Status Tokenizer::encode_text(std::string_view text, Workspace &ws, std::vector<TokenId> &out) const
{
    if (text.empty())
        return {};
    ws.pieces.clear();
    if (Status s = m_pre.split(text, ws.pieces); !s.ok())
        return s;
    for (const Piece &p : ws.pieces)
        encode_piece(text.substr(p.begin, p.end - p.begin), ws, out);
    return {};
}

const Tokenizer::AddedToken *Tokenizer::match_added(std::string_view text, std::size_t pos,
                                                    bool controls) const
{
    const auto &bucket = m_added_by_first[static_cast<unsigned char>(text[pos])];
    const std::string_view rest = text.substr(pos);
    for (const AddedToken &t : bucket) {
        if (!controls && t.control)
            continue;
        if (rest.starts_with(t.text))
            return &t;
    }
    return nullptr;
}

Status Tokenizer::encode_append(std::string_view text, SpecialTokens specials,
                                std::vector<TokenId> &out) const
{
    Workspace ws;
    const bool controls = specials == SpecialTokens::Parse;
    const bool any = controls ? m_has_added : m_has_user_defined;
    if (!any)
        return encode_text(text, ws, out);
    const auto &first = controls ? m_added_first : m_user_defined_first;
    std::size_t segment = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (!first[static_cast<unsigned char>(text[pos])]) {
            ++pos;
            continue;
        }
        const AddedToken *t = match_added(text, pos, controls);
        if (t == nullptr) {
            ++pos;
            continue;
        }
        if (Status s = encode_text(text.substr(segment, pos - segment), ws, out); !s.ok())
            return s;
        out.push_back(t->id);
        pos += t->text.size();
        segment = pos;
    }
    return encode_text(text.substr(segment), ws, out);
}

Expected<std::vector<TokenId>> Tokenizer::encode(std::string_view text,
                                                 SpecialTokens specials) const
{
    std::vector<TokenId> ids;
    ids.reserve(text.size() / 3 + 1);
    if (Status s = encode_append(text, specials, ids); !s.ok())
        return s;
    return ids;
}

void Tokenizer::decode_append(TokenId id, DecodeOptions options, std::string &out) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_types.size())
        return;
    if (options.skip_control && m_types[id] == TokenType::Control)
        return;
    out.append(m_bytes[id]);
}

std::string Tokenizer::decode(std::span<const TokenId> ids, DecodeOptions options) const
{
    std::string out;
    for (TokenId id : ids)
        decode_append(id, options, out);
    return out;
}

std::string_view Tokenizer::token_bytes(TokenId id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_bytes.size())
        return {};
    return m_bytes[id];
}

std::string_view Tokenizer::token_text(TokenId id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_text.size())
        return {};
    return m_text[id];
}

TokenType Tokenizer::token_type(TokenId id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_types.size())
        return TokenType::Unused;
    return m_types[id];
}

std::optional<TokenId> Tokenizer::special_id(std::string_view text) const
{
    const auto it = m_added_ids.find(std::string(text));
    if (it == m_added_ids.end())
        return std::nullopt;
    return it->second;
}

std::optional<TokenId> Tokenizer::token_id(std::string_view vocabulary_text) const
{
    const std::string key(vocabulary_text);
    if (const auto it = m_normal_ids.find(key); it != m_normal_ids.end())
        return it->second;
    if (const auto it = m_added_ids.find(key); it != m_added_ids.end())
        return it->second;
    return std::nullopt;
}

} // namespace glmdesk::engine
