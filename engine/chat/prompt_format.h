// GLM-4.5 prompt rendering in the layout the model was trained with: zai-org's chat template
// (tokenizer_config.json; published GLM-4.5-Air GGUF files embed the same one) as Hugging Face
// transformers renders it. llama.cpp's copy (shared/reference/glm_4_5.jinja) differs from it in two
// whitespace details, and the trained layout is what the model expects to read and writes itself:
//   user turn  "<|user|>\n{content}"            (the copy drops the newline)
//   tool call  "\n<tool_call>{name}" + per argument "\n<arg_key>{k}</arg_key>\n<arg_value>{v}
//              </arg_value>" + "\n</tool_call>"  (the copy has none before <arg_key>, </tool_call>)
// tests/data/chat/chat_cases.json is the byte-exact oracle: the copy rendered by jinja2 with those
// two details patched back (tools/gen_chat_cases/gen_chat_cases.py).
//
// The result is a list of pieces rather than one string: structure tokens the template writes
// ([gMASK], <|user|>, <think>, <tool_call>, ...) are `special` pieces, everything that came from a
// message, a tool definition or a tool result is plain text that the tokenizer encodes with
// special-token parsing off, so typed text like "<|user|>" can never forge a turn. Adjacent text
// pieces are merged, so encoding piece by piece gives the same ids as encoding the whole string at
// once with the same split points.
#pragma once

#include "engine/chat/conversation.h"

#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::engine {

struct PromptPiece
{
    std::string text;
    bool special = false;

    bool operator==(const PromptPiece &) const = default;
};

std::vector<PromptPiece> render_prompt(const Conversation &conversation,
                                       const PromptOptions &options);

// The prompt as one string: the concatenation of the pieces, what jinja2 returns.
std::string render_text(const std::vector<PromptPiece> &pieces);
std::string render_text(const Conversation &conversation, const PromptOptions &options);

// Python's str.strip() / isspace() on UTF-8 (the template strips reasoning and content with it,
// which removes Unicode spaces such as U+3000, not only ASCII ones).
bool python_isspace(char32_t cp);
std::string_view python_strip(std::string_view text);

} // namespace glmdesk::engine
