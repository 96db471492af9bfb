// UTF-8 well-formedness as Unicode 15 Table 3-7 defines it, shared by the batch decoder and the
// streaming detokenizer so both replace ill-formed bytes the same way: one U+FFFD per "maximal
// subpart" (the W3C/Unicode recommended practice, also what Python's errors="replace" does). A
// streaming consumer can only hold back a tail that is still a valid prefix, which is why the scan
// distinguishes Incomplete (might become valid) from Invalid (never will).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace glmdesk::engine::utf8 {

enum class SequenceKind {
    Complete,   // a well-formed sequence of `length` bytes
    Incomplete, // all `length` remaining bytes are a valid prefix; more bytes may complete it
    Invalid,    // the first `length` bytes (>= 1) are a maximal subpart: replace with one U+FFFD
};

struct SequenceScan
{
    SequenceKind kind;
    std::size_t length;
};

// Classifies the sequence that starts at bytes[0]. `bytes` must not be empty.
SequenceScan scan_sequence(std::string_view bytes);

bool is_valid(std::string_view bytes);

// Length of the longest prefix made only of complete or invalid sequences, i.e. everything but a
// trailing Incomplete sequence.
std::size_t settled_prefix_length(std::string_view bytes);

// Appends `bytes` to `out` with every maximal ill-formed subpart replaced by U+FFFD. With
// `at_end` false a trailing Incomplete sequence is not consumed; the return value is the number
// of bytes consumed.
std::size_t append_replacing_invalid(std::string_view bytes, bool at_end, std::string &out);

std::string replace_invalid(std::string_view bytes);

void append_code_point(std::string &out, char32_t code_point);
// The code point of the well-formed sequence at the start of `bytes` (its byte count in
// `length`); nullopt when that sequence is invalid or incomplete.
std::optional<char32_t> decode(std::string_view bytes, std::size_t &length);

inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

} // namespace glmdesk::engine::utf8
