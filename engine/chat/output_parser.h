// Streaming parser for GLM-4.5 output. The engine feeds detokenized UTF-8 deltas; the parser turns
// them into thinking text, answer text and tool calls as they arrive. Tags may arrive whole (one
// special token) or split over several deltas, so the parser holds back only a tail that could
// still become a tag (or the start of a UTF-8 sequence) and emits everything else at once: the UI
// never shows text that later turns out to be structure, and nothing is emitted twice or lost.
//
// Grammar, by mode (the structural tags of a mode are the only strings it treats specially):
//   Answer   : "<think>" -> Thinking, "<tool_call>" -> ToolCall; all else is answer text.
//   Thinking : "</think>" -> Answer; all else (including "<tool_call>") is thinking text.
//   ToolCall : everything up to "</tool_call>" is the call body:
//              name [ws] (<arg_key>key</arg_key> [ws] <arg_value>value</arg_value> [ws])*
//              The [ws] makes both layouts parse: the trained one ("name\n<arg_key>k</arg_key>\n
//              <arg_value>v</arg_value>\n" per call) and llama.cpp's template copy, which has no
//              newline after the name or before </tool_call>; models do not always emit them.
//              A body that does not parse and an unterminated call at the end of the stream
//              come out as answer text (the raw bytes, tags included) plus a Warning. A body
//              with no "</tool_call>" within max_tool_call_bytes is cut there: "<tool_call>" and
//              those bytes become answer text (Warning) and Answer mode resumes after them.
// Text invariant (asserted by the tests for every split of the input): the concatenation of all
// ThinkingDelta and AnswerDelta texts equals the input with the consumed structure removed, where
// the consumed structure is every "<think>" read in Answer mode, every "</think>" read in Thinking
// mode, and every complete "<tool_call>...</tool_call>" block that produced a ToolCall event.
// Whitespace is never trimmed (the "\n" after </think> is answer text): the UI trims for display.
#pragma once

#include "engine/chat/conversation.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace glmdesk::engine {

struct ThinkingDelta
{
    std::string text;
};

struct AnswerDelta
{
    std::string text;
};

// A complete tool call. Argument values are typed by the tool's JSON schema: "string" stays a
// string; number/integer/boolean/array/object/null are parsed as JSON (a value that does not parse
// as the declared type stays a string and a Warning says so). Unknown tools and keys without a
// declared type keep their values as strings.
struct ToolCallEvent
{
    std::string name;
    Json arguments = Json::object();
};

struct ParseWarning
{
    std::string message;
};

using OutputEvent = std::variant<ThinkingDelta, AnswerDelta, ToolCallEvent, ParseWarning>;

struct OutputParserOptions
{
    // For prompts that end inside an open think block; the GLM-4.5 template never does.
    bool start_in_thinking = false;
    // Bounds memory for a "<tool_call>" that never closes.
    size_t max_tool_call_bytes = size_t{1} << 20;
};

class OutputParser
{
public:
    explicit OutputParser(std::vector<ToolDefinition> tools = {}, OutputParserOptions options = {});

    // Appends the events this delta completes. Adjacent deltas of the same kind are merged into
    // the last event of `events` when it has that kind.
    void feed(std::string_view delta, std::vector<OutputEvent> &events);

    // End of stream: flushes held-back text, reports unterminated structure, and resets the
    // parser for a new stream.
    void finish(std::vector<OutputEvent> &events);

    void reset();

    // Bytes received but not yet turned into events.
    size_t pending_bytes() const { return m_buffer.size(); }

private:
    enum class Mode { Answer, Thinking, ToolCall };

    void process(bool at_end, std::vector<OutputEvent> &events);
    void emit_text(std::string_view text, std::vector<OutputEvent> &events) const;
    void complete_tool_call(std::string_view body, std::vector<OutputEvent> &events) const;
    Json typed_value(const ToolDefinition *tool, const std::string &key, const std::string &value,
                     std::vector<OutputEvent> &events) const;
    const ToolDefinition *find_tool(std::string_view name) const;

    std::vector<ToolDefinition> m_tools;
    OutputParserOptions m_options;
    Mode m_mode = Mode::Answer;
    std::string m_buffer;   // held-back text, or the body of an open tool call
    size_t m_scan_from = 0; // ToolCall: where the search for "</tool_call>" resumes
};

} // namespace glmdesk::engine
