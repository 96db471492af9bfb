#include "engine/chat/prompt_format.h"

#include "engine/common/utf8.h"

#include "engine/chat/python_json.h"

#include <array>
#include <optional>

namespace glmdesk::engine {
namespace {

// The instruction block the template writes before the tool list and after it. The tag-like parts
// inside ("<tool_call>", "<arg_key>"...) are the template's own text, so they are specials.
constexpr std::string_view kToolsHead =
    "\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n";
constexpr std::string_view kToolsTail =
    "</tools>\n\nFor each function call, output the function name and arguments within the "
    "following XML format:\n<tool_call>{function-name}\n<arg_key>{arg-key-1}</arg_key>\n"
    "<arg_value>{arg-value-1}</arg_value>\n<arg_key>{arg-key-2}</arg_key>\n"
    "<arg_value>{arg-value-2}</arg_value>\n...\n</tool_call>";

// Special tokens that occur in the template's literal text.
constexpr std::array<std::string_view, 17> kTemplateSpecials = {
    "[gMASK]",   "<sop>",      "<|system|>",  "<|user|>",     "<|assistant|>",   "<|observation|>",
    "<think>",   "</think>",   "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>",
    "<arg_key>", "</arg_key>", "<arg_value>", "</arg_value>", "/nothink"};

constexpr std::string_view kNoThink = "/nothink";

class PieceWriter
{
public:
    void special(std::string_view token) { m_pieces.push_back({std::string(token), true}); }

    void text(std::string_view text)
    {
        if (text.empty())
            return;
        if (!m_pieces.empty() && !m_pieces.back().special)
            m_pieces.back().text.append(text);
        else
            m_pieces.push_back({std::string(text), false});
    }

    // Literal template text: its special-token spellings become special pieces.
    void template_text(std::string_view text)
    {
        size_t start = 0;
        for (size_t i = 0; i < text.size();) {
            std::optional<std::string_view> hit;
            for (std::string_view token : kTemplateSpecials) {
                if (text.substr(i, token.size()) == token) {
                    hit = token;
                    break;
                }
            }
            if (!hit) {
                ++i;
                continue;
            }
            this->text(text.substr(start, i - start));
            special(*hit);
            i += hit->size();
            start = i;
        }
        this->text(text.substr(start));
    }

    std::vector<PromptPiece> take() { return std::move(m_pieces); }

private:
    std::vector<PromptPiece> m_pieces;
};

// Decodes one code point at s[i]; nullopt for an invalid sequence (strip stops there).
std::optional<char32_t> decode_at(std::string_view s, size_t i, size_t &len)
{
    return utf8::decode(s.substr(i), len);
}

std::string_view strip_chars(std::string_view text, char c, bool left)
{
    if (left) {
        while (!text.empty() && text.front() == c)
            text.remove_prefix(1);
    } else {
        while (!text.empty() && text.back() == c)
            text.remove_suffix(1);
    }
    return text;
}

bool ends_with(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

void render_assistant(PieceWriter &out, const Message &m, bool after_last_user)
{
    out.special("<|assistant|>");
    std::string_view content = m.content;
    std::string_view reasoning;
    if (m.reasoning) {
        reasoning = *m.reasoning;
    } else if (const size_t first_close = content.find("</think>");
               first_close != std::string_view::npos) {
        // content.split('</think>'): the reasoning is what follows the last <think> before the
        // first </think>; the content is what follows the last </think>.
        const std::string_view before = strip_chars(content.substr(0, first_close), '\n', false);
        const size_t open = before.rfind("<think>");
        reasoning = open == std::string_view::npos ? before : before.substr(open + 7);
        reasoning = strip_chars(reasoning, '\n', true);
        const size_t last_close = content.rfind("</think>");
        content = strip_chars(content.substr(last_close + 8), '\n', true);
    }

    out.text("\n");
    out.special("<think>");
    if (after_last_user && !reasoning.empty())
        out.text(python_strip(reasoning));
    out.special("</think>");

    const std::string_view visible = python_strip(content);
    if (!visible.empty()) {
        out.text("\n");
        out.text(visible);
    }

    // Trained layout: the name, each argument and the close tag start on their own line.
    for (const ToolCallRequest &call : m.tool_calls) {
        out.text("\n");
        out.special("<tool_call>");
        out.text(call.name);
        const auto argument = [&](std::string_view key, std::string_view value) {
            out.text("\n");
            out.special("<arg_key>");
            out.text(key);
            out.special("</arg_key>");
            out.text("\n");
            out.special("<arg_value>");
            out.text(value);
            out.special("</arg_value>");
        };
        if (call.arguments.is_object()) {
            for (const auto &[key, value] : call.arguments.items()) {
                if (value.is_string())
                    argument(key, value.get_ref<const std::string &>());
                else
                    argument(key, python_json_dumps(value));
            }
        } else if (call.arguments.is_string()) {
            // The trained template cannot render string arguments at all; llama.cpp's copy passes
            // them as one "raw_arguments" argument, kept here in the trained layout.
            argument("raw_arguments", call.arguments.get_ref<const std::string &>());
        } else {
            // Not reachable from chat_input_from_json; printed as JSON rather than Python's repr.
            argument("raw_arguments", python_json_dumps(call.arguments));
        }
        out.text("\n");
        out.special("</tool_call>");
    }
}

} // namespace

bool python_isspace(char32_t cp)
{
    switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

std::string_view python_strip(std::string_view text)
{
    size_t begin = 0;
    while (begin < text.size()) {
        size_t len = 0;
        const auto cp = decode_at(text, begin, len);
        if (!cp || !python_isspace(*cp))
            break;
        begin += len;
    }
    size_t end = text.size();
    while (end > begin) {
        // Back up to the lead byte of the last code point (at most 3 continuation bytes).
        size_t start = end - 1;
        while (start > begin && end - start < 4 &&
               (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
            --start;
        size_t len = 0;
        const auto cp = decode_at(text, start, len);
        if (!cp || start + len != end || !python_isspace(*cp))
            break;
        end = start;
    }
    return text.substr(begin, end - begin);
}

std::vector<PromptPiece> render_prompt(const Conversation &conversation,
                                       const PromptOptions &options)
{
    PieceWriter out;
    out.special("[gMASK]");
    out.special("<sop>");

    if (!conversation.tools.empty()) {
        out.special("<|system|>");
        out.text(kToolsHead);
        for (const ToolDefinition &tool : conversation.tools) {
            out.text(python_json_dumps(
                tool.entry.is_null()
                    ? ToolDefinition::make(tool.name, tool.description, tool.parameters).entry
                    : tool.entry));
            out.text("\n");
        }
        out.template_text(kToolsTail);
    }

    const auto &messages = conversation.messages;
    std::ptrdiff_t last_user = -1;
    for (size_t i = 0; i < messages.size(); ++i)
        if (messages[i].role == Role::User)
            last_user = static_cast<std::ptrdiff_t>(i);

    for (size_t i = 0; i < messages.size(); ++i) {
        const Message &m = messages[i];
        switch (m.role) {
        case Role::User: {
            out.special("<|user|>");
            out.text("\n");
            std::string_view content = m.content;
            // A typed trailing "/nothink" is GLM's documented soft switch; jinja2 + the HF
            // tokenizer turn it into the special token, so it is one here too.
            const bool has_switch = ends_with(content, kNoThink);
            if (has_switch)
                content.remove_suffix(kNoThink.size());
            out.text(content);
            if (has_switch || !options.enable_thinking)
                out.special(kNoThink);
            break;
        }
        case Role::Assistant:
            render_assistant(out, m, static_cast<std::ptrdiff_t>(i) > last_user);
            break;
        case Role::Tool:
            if (i == 0 || messages[i - 1].role != Role::Tool)
                out.special("<|observation|>");
            out.text("\n");
            out.special("<tool_response>");
            out.text("\n");
            out.text(m.content);
            out.text("\n");
            out.special("</tool_response>");
            break;
        case Role::System:
            out.special("<|system|>");
            out.text("\n");
            out.text(m.content);
            break;
        }
    }

    if (options.add_generation_prompt) {
        out.special("<|assistant|>");
        if (!options.enable_thinking) {
            out.text("\n");
            out.special("<think>");
            out.special("</think>");
        }
    }
    return out.take();
}

std::string render_text(const std::vector<PromptPiece> &pieces)
{
    std::string text;
    for (const PromptPiece &piece : pieces)
        text += piece.text;
    return text;
}

std::string render_text(const Conversation &conversation, const PromptOptions &options)
{
    return render_text(render_prompt(conversation, options));
}

} // namespace glmdesk::engine
