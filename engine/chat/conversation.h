// A conversation as the GLM-4.5 chat template sees it: messages, tool definitions and the two
// switches the template reads (enable_thinking, add_generation_prompt). JSON values are
// nlohmann::ordered_json because the template prints tools and arguments with Python's json.dumps,
// which keeps insertion order: a sorted map would change the prompt bytes.
#pragma once

#include "engine/common/status.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::engine {

using Json = nlohmann::ordered_json;

enum class Role { System, User, Assistant, Tool };

std::string_view role_name(Role role);

// One call the assistant made. `arguments` is a JSON object (key order kept). The template has a
// fallback for arguments that are not a mapping (printed raw as one `raw_arguments` argument);
// a JSON string here takes that path.
struct ToolCallRequest
{
    std::string name;
    Json arguments = Json::object();
};

struct Message
{
    Role role = Role::User;
    // Visible text. Empty means "no content" (the template prints nothing for it).
    std::string content;
    // Assistant reasoning. nullopt: the template looks for <think>...</think> inside `content`
    // instead (the `reasoning_content is string` test).
    std::optional<std::string> reasoning;
    std::vector<ToolCallRequest> tool_calls; // assistant only
    std::string tool_call_id;                // tool only; the template does not print it
};

// A tool the model may call. `entry` is printed verbatim (one json.dumps line per tool) so that a
// definition read from JSON renders with its own key order and extra keys; `name` and `parameters`
// (a JSON schema) are what the output parser uses to type argument values.
struct ToolDefinition
{
    std::string name;
    std::string description;
    Json parameters = Json::object();
    Json entry; // {"type":"function","function":{...}} as given; make() builds it

    static ToolDefinition make(std::string name, std::string description, Json parameters);
};

struct PromptOptions
{
    bool enable_thinking = true;       // false: `/nothink` rule and an empty think block
    bool add_generation_prompt = true; // end with `<|assistant|>` for the model to continue
};

struct Conversation
{
    std::vector<Message> messages;
    std::vector<ToolDefinition> tools;
};

struct ChatInput
{
    Conversation conversation;
    PromptOptions options;
};

// Reads the OpenAI-style request shape the template was written for:
// {"messages":[{"role","content","reasoning_content","tool_calls":[{"function":{"name",
// "arguments"}}]}], "tools":[...], "enable_thinking":bool, "add_generation_prompt":bool}.
// `content` may be a string, null (treated as empty; the template itself would print "None") or
// a list of parts (text parts are concatenated, as the template's visible_text does). Tool
// messages need string content. Never throws; bad shapes give InvalidArgument.
Expected<ChatInput> chat_input_from_json(const Json &request);
Expected<ChatInput> chat_input_from_json_text(std::string_view text);

Expected<ToolDefinition> tool_definition_from_json(const Json &entry);

} // namespace glmdesk::engine
