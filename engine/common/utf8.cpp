#include "engine/common/utf8.h"

#include <cstdint>

namespace glmdesk::engine::utf8 {

namespace {

struct LeadRule
{
    std::size_t length; // total sequence length, 0 for a byte that cannot start one
    std::uint8_t
        second_lo; // allowed range of the second byte (Table 3-7 narrows it for some leads)
    std::uint8_t second_hi;
};

LeadRule lead_rule(std::uint8_t b)
{
    if (b < 0x80)
        return {1, 0, 0};
    if (b >= 0xC2 && b <= 0xDF)
        return {2, 0x80, 0xBF};
    if (b == 0xE0)
        return {3, 0xA0, 0xBF};
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
        return {3, 0x80, 0xBF};
    if (b == 0xED) // excludes the UTF-16 surrogates
        return {3, 0x80, 0x9F};
    if (b == 0xF0)
        return {4, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3)
        return {4, 0x80, 0xBF};
    if (b == 0xF4) // nothing above U+10FFFF
        return {4, 0x80, 0x8F};
    return {0, 0, 0};
}

} // namespace

SequenceScan scan_sequence(std::string_view bytes)
{
    const auto lead = static_cast<std::uint8_t>(bytes[0]);
    const LeadRule rule = lead_rule(lead);
    if (rule.length == 0)
        return {SequenceKind::Invalid, 1};
    if (rule.length == 1)
        return {SequenceKind::Complete, 1};
    for (std::size_t i = 1; i < rule.length; ++i) {
        if (i >= bytes.size())
            return {SequenceKind::Incomplete, bytes.size()};
        const auto b = static_cast<std::uint8_t>(bytes[i]);
        const std::uint8_t lo = i == 1 ? rule.second_lo : 0x80;
        const std::uint8_t hi = i == 1 ? rule.second_hi : 0xBF;
        if (b < lo || b > hi)
            return {SequenceKind::Invalid, i};
    }
    return {SequenceKind::Complete, rule.length};
}

bool is_valid(std::string_view bytes)
{
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        // ASCII runs are the common case: skip them without the table walk.
        if (static_cast<std::uint8_t>(bytes[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const SequenceScan scan = scan_sequence(bytes.substr(pos));
        if (scan.kind != SequenceKind::Complete)
            return false;
        pos += scan.length;
    }
    return true;
}

std::size_t settled_prefix_length(std::string_view bytes)
{
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const SequenceScan scan = scan_sequence(bytes.substr(pos));
        if (scan.kind == SequenceKind::Incomplete)
            break;
        pos += scan.length;
    }
    return pos;
}

std::size_t append_replacing_invalid(std::string_view bytes, bool at_end, std::string &out)
{
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const SequenceScan scan = scan_sequence(bytes.substr(pos));
        switch (scan.kind) {
        case SequenceKind::Complete:
            out.append(bytes.substr(pos, scan.length));
            break;
        case SequenceKind::Invalid:
            out.append(replacement_character);
            break;
        case SequenceKind::Incomplete:
            if (!at_end)
                return pos;
            out.append(replacement_character);
            break;
        }
        pos += scan.length;
    }
    return pos;
}

std::string replace_invalid(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    append_replacing_invalid(bytes, true, out);
    return out;
}

void append_code_point(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp <= 0x10FFFF) {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.append(replacement_character);
    }
}

std::optional<char32_t> decode(std::string_view bytes, std::size_t &length)
{
    if (bytes.empty())
        return std::nullopt;
    const SequenceScan scan = scan_sequence(bytes);
    if (scan.kind != SequenceKind::Complete)
        return std::nullopt;
    length = scan.length;
    static constexpr std::uint8_t lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    char32_t cp = static_cast<std::uint8_t>(bytes[0]) & lead_mask[scan.length];
    for (std::size_t i = 1; i < scan.length; ++i)
        cp = (cp << 6) | (static_cast<std::uint8_t>(bytes[i]) & 0x3F);
    return cp;
}

} // namespace glmdesk::engine::utf8
