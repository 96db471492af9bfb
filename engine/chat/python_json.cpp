#include "engine/chat/python_json.h"

#include "engine/common/utf8.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace glmdesk::engine {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], 0 when it is not one.
size_t utf8_sequence_length(std::string_view s, size_t i)
{
    const utf8::SequenceScan scan = utf8::scan_sequence(s.substr(i));
    return scan.kind == utf8::SequenceKind::Complete ? scan.length : 0;
}

void append_string(std::string &out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const size_t len = utf8_sequence_length(s, i);
            if (len == 0) {
                out += "\xEF\xBF\xBD";
                ++i;
            } else {
                out.append(s.substr(i, len));
                i += len;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

void append_value(std::string &out, const Json &value)
{
    switch (value.type()) {
    case Json::value_t::null:
        out += "null";
        break;
    case Json::value_t::boolean:
        out += value.get<bool>() ? "true" : "false";
        break;
    case Json::value_t::number_integer:
        out += std::to_string(value.get<int64_t>());
        break;
    case Json::value_t::number_unsigned:
        out += std::to_string(value.get<uint64_t>());
        break;
    case Json::value_t::number_float:
        out += python_float_repr(value.get<double>());
        break;
    case Json::value_t::string:
        append_string(out, value.get_ref<const std::string &>());
        break;
    case Json::value_t::array: {
        out += '[';
        bool first = true;
        for (const auto &item : value) {
            if (!first)
                out += ", ";
            first = false;
            append_value(out, item);
        }
        out += ']';
        break;
    }
    case Json::value_t::object: {
        out += '{';
        bool first = true;
        for (const auto &[key, item] : value.items()) {
            if (!first)
                out += ", ";
            first = false;
            append_string(out, key);
            out += ": ";
            append_value(out, item);
        }
        out += '}';
        break;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
        out += "null";
        break;
    }
}

} // namespace

std::string python_float_repr(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "Infinity" : "-Infinity";

    // Shortest round-trip digits in scientific form ("-1.2345e+17"), then Python's layout rules.
    char buf[64];
    const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<size_t>(result.ptr - buf));
    std::string out;
    if (!sci.empty() && sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    const size_t e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos))
        if (c != '.')
            digits += c;
    const int exp10 = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
    const int decpt = exp10 + 1; // value = 0.digits * 10^decpt

    if (decpt <= -4 || decpt > 16) {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += 'e';
        out += exp10 < 0 ? '-' : '+';
        const int mag = exp10 < 0 ? -exp10 : exp10;
        if (mag < 10)
            out += '0';
        out += std::to_string(mag);
    } else if (decpt <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-decpt), '0');
        out += digits;
    } else if (static_cast<size_t>(decpt) >= digits.size()) {
        out += digits;
        out.append(static_cast<size_t>(decpt) - digits.size(), '0');
        out += ".0";
    } else {
        out.append(digits, 0, static_cast<size_t>(decpt));
        out += '.';
        out.append(digits, static_cast<size_t>(decpt));
    }
    return out;
}

std::string python_json_dumps(const Json &value)
{
    std::string out;
    append_value(out, value);
    return out;
}

} // namespace glmdesk::engine
