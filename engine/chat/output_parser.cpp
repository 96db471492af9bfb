#include "engine/chat/output_parser.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>

namespace glmdesk::engine {
namespace {

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr std::string_view kCallOpen = "<tool_call>";
constexpr std::string_view kCallClose = "</tool_call>";
constexpr std::string_view kKeyOpen = "<arg_key>";
constexpr std::string_view kKeyClose = "</arg_key>";
constexpr std::string_view kValueOpen = "<arg_value>";
constexpr std::string_view kValueClose = "</arg_value>";

constexpr std::array<std::string_view, 2> kAnswerTags = {kThinkOpen, kCallOpen};
constexpr std::array<std::string_view, 1> kThinkingTags = {kThinkClose};

template <typename Event> void append_delta(std::vector<OutputEvent> &events, std::string_view text)
{
    if (text.empty())
        return;
    if (!events.empty())
        if (auto *last = std::get_if<Event>(&events.back())) {
            last->text.append(text);
            return;
        }
    events.emplace_back(Event{std::string(text)});
}

void warn(std::vector<OutputEvent> &events, std::string message)
{
    events.emplace_back(ParseWarning{std::move(message)});
}

// Length of an incomplete UTF-8 sequence at the end of `text` (0 if the tail is complete or not
// UTF-8 at all): that many bytes wait for the next delta so no event splits a character.
size_t incomplete_utf8_tail(std::string_view text)
{
    const size_t n = text.size();
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
        const unsigned char b = static_cast<unsigned char>(text[n - back]);
        if ((b & 0xC0) == 0x80)
            continue; // continuation byte: keep looking for the lead
        size_t need = 0;
        if ((b & 0xE0) == 0xC0)
            need = 2;
        else if ((b & 0xF0) == 0xE0)
            need = 3;
        else if ((b & 0xF8) == 0xF0)
            need = 4;
        return need > back ? back : 0;
    }
    return 0;
}

bool is_ascii_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
}

std::string_view trim_ascii(std::string_view s)
{
    while (!s.empty() && is_ascii_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back()))
        s.remove_suffix(1);
    return s;
}

bool has_forbidden_name_char(std::string_view s)
{
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return is_ascii_space(c) || c == '<' || c == '>'; });
}

// The JSON types a property schema allows: "type" (a name or a list), the types of anyOf/oneOf
// branches, and, for an untyped enum, the types of its values.
void collect_types(const Json &schema, std::set<std::string> &types, int depth = 0)
{
    if (!schema.is_object() || depth > 8)
        return;
    if (auto it = schema.find("type"); it != schema.end()) {
        if (it->is_string())
            types.insert(it->get<std::string>());
        else if (it->is_array())
            for (const auto &t : *it)
                if (t.is_string())
                    types.insert(t.get<std::string>());
    } else if (auto en = schema.find("enum"); en != schema.end() && en->is_array()) {
        for (const auto &v : *en) {
            if (v.is_string())
                types.insert("string");
            else if (v.is_boolean())
                types.insert("boolean");
            else if (v.is_number())
                types.insert("number");
            else if (v.is_null())
                types.insert("null");
            else if (v.is_array())
                types.insert("array");
            else if (v.is_object())
                types.insert("object");
        }
    }
    for (const char *combinator : {"anyOf", "oneOf"})
        if (auto it = schema.find(combinator); it != schema.end() && it->is_array())
            for (const auto &branch : *it)
                collect_types(branch, types, depth + 1);
}

// `value` as one of `types`, or nullopt. Integral floats are accepted for "integer".
std::optional<Json> json_as(const Json &value, const std::set<std::string> &types)
{
    if (types.count("integer")) {
        if (value.is_number_integer())
            return value;
        if (value.is_number_float()) {
            const double d = value.get<double>();
            if (std::trunc(d) == d && std::fabs(d) < 9.0e15)
                return Json(static_cast<int64_t>(d));
        }
    }
    if (types.count("number") && value.is_number())
        return value;
    if (types.count("boolean") && value.is_boolean())
        return value;
    if (types.count("null") && value.is_null())
        return value;
    if (types.count("array") && value.is_array())
        return value;
    if (types.count("object") && value.is_object())
        return value;
    return std::nullopt;
}

} // namespace

OutputParser::OutputParser(std::vector<ToolDefinition> tools, OutputParserOptions options)
    : m_tools(std::move(tools)), m_options(options)
{
    reset();
}

void OutputParser::reset()
{
    m_mode = m_options.start_in_thinking ? Mode::Thinking : Mode::Answer;
    m_buffer.clear();
    m_scan_from = 0;
}

void OutputParser::feed(std::string_view delta, std::vector<OutputEvent> &events)
{
    m_buffer.append(delta);
    process(false, events);
}

void OutputParser::finish(std::vector<OutputEvent> &events)
{
    process(true, events);
    if (m_mode == Mode::Thinking)
        warn(events, "output ended inside <think> (no </think>)");
    reset();
}

void OutputParser::emit_text(std::string_view text, std::vector<OutputEvent> &events) const
{
    if (m_mode == Mode::Thinking)
        append_delta<ThinkingDelta>(events, text);
    else
        append_delta<AnswerDelta>(events, text);
}

void OutputParser::process(bool at_end, std::vector<OutputEvent> &events)
{
    for (;;) {
        if (m_mode == Mode::ToolCall) {
            const size_t limit = m_options.max_tool_call_bytes;
            const size_t close = m_buffer.find(kCallClose, m_scan_from);
            if (close != std::string::npos && close <= limit) {
                const std::string body = m_buffer.substr(0, close);
                m_buffer.erase(0, close + kCallClose.size());
                m_mode = Mode::Answer;
                m_scan_from = 0;
                complete_tool_call(body, events);
                continue;
            }
            if (m_buffer.size() > limit) {
                // A runaway call: its first `limit` body bytes (backed up to a character
                // boundary) become text and answer-mode parsing resumes there. The cut depends
                // only on the bytes, never on how they were split into deltas.
                size_t cut = limit;
                for (int k = 0;
                     k < 3 && cut > 0 && (static_cast<unsigned char>(m_buffer[cut]) & 0xC0) == 0x80;
                     ++k)
                    --cut;
                warn(events, "tool call longer than " + std::to_string(limit) +
                                 " bytes without </tool_call>: shown as text");
                append_delta<AnswerDelta>(events, kCallOpen);
                append_delta<AnswerDelta>(events, std::string_view(m_buffer).substr(0, cut));
                m_buffer.erase(0, cut);
                m_mode = Mode::Answer;
                m_scan_from = 0;
                continue;
            }
            if (!at_end) {
                // A close tag may straddle this delta and the next one.
                m_scan_from = m_buffer.size() >= kCallClose.size()
                                  ? m_buffer.size() - kCallClose.size() + 1
                                  : 0;
                return;
            }
            warn(events, "output ended inside <tool_call>: shown as text");
            append_delta<AnswerDelta>(events, kCallOpen);
            append_delta<AnswerDelta>(events, m_buffer);
            m_buffer.clear();
            m_mode = Mode::Answer;
            m_scan_from = 0;
            continue;
        }

        // Answer or Thinking: find the first structural tag, or a tail that may grow into one.
        const bool thinking = m_mode == Mode::Thinking;
        const std::string_view buffer = m_buffer;
        size_t hold_from = buffer.size();
        std::string_view found;
        size_t found_at = std::string_view::npos;
        for (size_t i = buffer.find('<'); i != std::string_view::npos;
             i = buffer.find('<', i + 1)) {
            const std::string_view rest = buffer.substr(i);
            bool partial = false;
            const auto check = [&](std::string_view tag) {
                if (rest.substr(0, tag.size()) == tag)
                    found = tag;
                else if (rest.size() < tag.size() && tag.substr(0, rest.size()) == rest)
                    partial = true;
            };
            if (thinking)
                for (std::string_view tag : kThinkingTags)
                    check(tag);
            else
                for (std::string_view tag : kAnswerTags)
                    check(tag);
            if (!found.empty()) {
                found_at = i;
                break;
            }
            if (partial) {
                hold_from = i;
                break;
            }
        }

        if (found_at != std::string_view::npos) {
            emit_text(buffer.substr(0, found_at), events);
            const size_t consumed = found_at + found.size();
            if (found == kThinkOpen)
                m_mode = Mode::Thinking;
            else if (found == kThinkClose)
                m_mode = Mode::Answer;
            else
                m_mode = Mode::ToolCall;
            m_scan_from = 0;
            m_buffer.erase(0, consumed);
            continue;
        }

        if (at_end) {
            emit_text(buffer, events);
            m_buffer.clear();
            return;
        }
        if (hold_from == buffer.size())
            hold_from -= incomplete_utf8_tail(buffer);
        emit_text(buffer.substr(0, hold_from), events);
        m_buffer.erase(0, hold_from);
        return;
    }
}

const ToolDefinition *OutputParser::find_tool(std::string_view name) const
{
    for (const ToolDefinition &tool : m_tools)
        if (tool.name == name)
            return &tool;
    return nullptr;
}

Json OutputParser::typed_value(const ToolDefinition *tool, const std::string &key,
                               const std::string &value, std::vector<OutputEvent> &events) const
{
    if (!tool)
        return value;
    const Json *property = nullptr;
    if (auto props = tool->parameters.find("properties");
        props != tool->parameters.end() && props->is_object())
        if (auto it = props->find(key); it != props->end())
            property = &*it;
    if (!property)
        return value;
    std::set<std::string> types;
    collect_types(*property, types);
    if (types.empty() || types.count("string"))
        return value;

    const std::string_view text = trim_ascii(value);
    const Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded())
        if (auto typed = json_as(parsed, types))
            return *typed;
    std::string expected;
    for (const std::string &t : types)
        expected += (expected.empty() ? "" : "|") + t;
    warn(events, "tool '" + tool->name + "': argument '" + key + "' is not a valid " + expected +
                     " value; passed as a string");
    return value;
}

void OutputParser::complete_tool_call(std::string_view body, std::vector<OutputEvent> &events) const
{
    const auto malformed = [&](const std::string &why) {
        warn(events, "malformed tool call (" + why + "): shown as text");
        append_delta<AnswerDelta>(events, kCallOpen);
        append_delta<AnswerDelta>(events, body);
        append_delta<AnswerDelta>(events, kCallClose);
    };

    size_t pos = body.find(kKeyOpen);
    if (pos == std::string_view::npos)
        pos = body.size();
    const std::string_view name = trim_ascii(body.substr(0, pos));
    if (name.empty())
        return malformed("no function name");
    if (has_forbidden_name_char(name))
        return malformed("bad function name");

    std::vector<std::pair<std::string, std::string>> raw_args;
    const auto skip_space = [&] {
        while (pos < body.size() && is_ascii_space(body[pos]))
            ++pos;
    };
    const auto expect = [&](std::string_view tag) {
        if (body.substr(pos, tag.size()) != tag)
            return false;
        pos += tag.size();
        return true;
    };
    for (;;) {
        skip_space();
        if (pos == body.size())
            break;
        if (!expect(kKeyOpen))
            return malformed("expected <arg_key>");
        const size_t key_end = body.find(kKeyClose, pos);
        if (key_end == std::string_view::npos)
            return malformed("<arg_key> without </arg_key>");
        const std::string_view key = trim_ascii(body.substr(pos, key_end - pos));
        if (key.empty() || has_forbidden_name_char(key))
            return malformed("bad argument name");
        pos = key_end + kKeyClose.size();
        skip_space();
        if (!expect(kValueOpen))
            return malformed("expected <arg_value> after </arg_key>");
        const size_t value_end = body.find(kValueClose, pos);
        if (value_end == std::string_view::npos)
            return malformed("<arg_value> without </arg_value>");
        raw_args.emplace_back(std::string(key), std::string(body.substr(pos, value_end - pos)));
        pos = value_end + kValueClose.size();
    }

    const ToolDefinition *tool = find_tool(name);
    if (!tool && !m_tools.empty())
        warn(events, "call to unknown tool '" + std::string(name) + "'");
    ToolCallEvent call;
    call.name = std::string(name);
    for (const auto &[key, value] : raw_args) {
        if (call.arguments.contains(key))
            warn(events, "tool '" + call.name + "': argument '" + key +
                             "' given twice; the last value is used");
        call.arguments[key] = typed_value(tool, key, value, events);
    }
    events.emplace_back(std::move(call));
}

} // namespace glmdesk::engine
