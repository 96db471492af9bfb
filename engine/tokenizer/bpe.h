// GLM-4.5's tokenizer: GPT-2 style byte-level BPE behind the GLM-4 pre-tokenizer, with the added
// (special) tokens matched before BPE. It loads from plain vectors, the shape GGUF stores
// (tokenizer.ggml.tokens / token_type / merges), or from a Hugging Face tokenizer.json, and gives
// the same ids as the Hugging Face tokenizers library.
//
// Special ids are looked up by their text, never assumed: GLM-4.5-Air and air-mini put the same
// strings at different ids. Ids the vocabulary pads with (no text) and ids out of range decode to
// nothing. Any byte string encodes, invalid UTF-8 included (the ill-formed bytes go through
// byte-level BPE like any other byte), and decode(encode(x)) == x byte for byte.
//
// A Tokenizer is immutable after loading apart from an internal cache of merged pieces (guarded by
// a shared mutex); encode and decode may run from several threads at once.
#pragma once

#include "engine/common/status.h"
#include "engine/tokenizer/pretokenizer.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace glmdesk::engine {

using TokenId = std::int32_t;

// The GGUF tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : std::int32_t {
    Undefined = 0, // treated as Normal
    Normal = 1,
    Unknown = 2,
    Control = 3, // special: structure (<|user|>, <think>, ...); matched only when parsing specials
    UserDefined = 4, // added but not special: always matched as a whole
    Unused = 5,      // padding: no text
    Byte = 6,
};

enum class SpecialTokens {
    Parse,  // control tokens in the text become their ids (prompt structure the engine writes)
    AsText, // control-token strings are ordinary text (anything a user or a tool wrote)
};

struct DecodeOptions
{
    bool skip_control = false; // leave out control tokens (<|user|>, <think>, ...)
};

class Tokenizer
{
public:
    Tokenizer(Tokenizer &&) noexcept;
    Tokenizer &operator=(Tokenizer &&) noexcept;
    ~Tokenizer();

    // tokens[i] is token i's text: byte-level form (GPT-2 mapping) for Normal tokens, the raw text
    // for Control and UserDefined ones. token_types may be empty (all Normal). merges are "a b"
    // in rank order. pre names the pre-tokenizer ("glm4"; "llama-bpe" is the same pattern).
    static Expected<Tokenizer> from_vocab(std::span<const std::string> tokens,
                                          std::span<const std::int32_t> token_types,
                                          std::span<const std::string> merges,
                                          std::string_view pre = "glm4");

    static Expected<Tokenizer> from_tokenizer_json(const std::filesystem::path &path);
    static Expected<Tokenizer> from_tokenizer_json_text(std::string_view json);

    Expected<std::vector<TokenId>> encode(std::string_view text, SpecialTokens specials) const;
    // Appends to `out`; on error `out` keeps what it had plus a prefix of the ids.
    Status encode_append(std::string_view text, SpecialTokens specials,
                         std::vector<TokenId> &out) const;

    // The raw bytes; they are invalid UTF-8 only when the ids split or garble a character (use
    // utf8::replace_invalid, or a Detokenizer while streaming).
    std::string decode(std::span<const TokenId> ids, DecodeOptions options = {}) const;
    void decode_append(TokenId id, DecodeOptions options, std::string &out) const;

    // The bytes token `id` stands for; empty for padding and ids out of range.
    std::string_view token_bytes(TokenId id) const;
    // The vocabulary's spelling of the token (byte-level form for Normal tokens).
    std::string_view token_text(TokenId id) const;
    TokenType token_type(TokenId id) const;
    bool is_control(TokenId id) const { return token_type(id) == TokenType::Control; }

    // Number of ids the vocabulary defines (padding included).
    std::size_t size() const { return m_types.size(); }

    // Id of a Control or UserDefined token by its text ("<|user|>"); nullopt when absent.
    std::optional<TokenId> special_id(std::string_view text) const;
    // Id of any token by its vocabulary spelling.
    std::optional<TokenId> token_id(std::string_view vocabulary_text) const;

    const PreTokenizer &pre_tokenizer() const { return m_pre; }

private:
    struct MergeRule
    {
        std::string left;
        std::string right;
    };
    // The common loader behind from_vocab and from_tokenizer_json.
    static Expected<Tokenizer> build(std::vector<std::string> tokens, std::vector<TokenType> types,
                                     std::span<const MergeRule> merges, std::string_view pattern,
                                     bool ignore_merges);

    explicit Tokenizer(PreTokenizer pre);

    struct MergeSlot
    {
        std::uint64_t key;
        std::int32_t rank;
        TokenId result;
    };
    struct AddedToken
    {
        std::string text;
        TokenId id;
        bool control;
    };
    struct Workspace;
    struct PieceCache;

    const MergeSlot *find_merge(TokenId left, TokenId right) const;
    void insert_merge(TokenId left, TokenId right, std::int32_t rank, TokenId result);
    void encode_piece(std::string_view bytes, Workspace &ws, std::vector<TokenId> &out) const;
    void merge_piece(std::string_view bytes, Workspace &ws, std::vector<TokenId> &out) const;
    Status encode_text(std::string_view text, Workspace &ws, std::vector<TokenId> &out) const;
    // The longest added token starting at text[pos], or nullptr.
    const AddedToken *match_added(std::string_view text, std::size_t pos, bool controls) const;

    PreTokenizer m_pre;
    std::vector<std::string> m_text;  // vocabulary spelling per id
    std::vector<std::string> m_bytes; // decoded bytes per id
    std::vector<TokenType> m_types;
    std::unordered_map<std::string, TokenId> m_normal_ids; // byte-level spelling -> id
    std::unordered_map<std::string, TokenId> m_added_ids;  // raw text -> id
    std::array<TokenId, 256> m_byte_ids{};
    std::vector<MergeSlot> m_merges; // open addressing, power-of-two size
    std::uint64_t m_merge_mask = 0;
    bool m_ignore_merges = false;
    // Added tokens bucketed by first byte, longest first, so the scan tries few candidates.
    std::array<std::vector<AddedToken>, 256> m_added_by_first{};
    std::array<bool, 256> m_added_first{};        // first bytes of any added token
    std::array<bool, 256> m_user_defined_first{}; // first bytes of non-control added tokens
    bool m_has_added = false;
    bool m_has_user_defined = false;
    std::unique_ptr<PieceCache> m_cache;
};

// The GPT-2 byte <-> printable code point bijection byte-level BPE spells tokens with.
char32_t byte_to_code_point(std::uint8_t byte);
// -1 when `code_point` is not the image of a byte.
int code_point_to_byte(char32_t code_point);

} // namespace glmdesk::engine
