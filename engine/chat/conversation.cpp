#include "engine/chat/conversation.h"

#include <exception>

namespace glmdesk::engine {
namespace {

Status invalid(std::string message)
{
    return error(StatusCode::InvalidArgument, std::move(message));
}

// The template's visible_text(): strings as they are, lists of parts by their text parts.
Expected<std::string> visible_text(const Json &content, const std::string &where)
{
    if (content.is_null())
        return std::string();
    if (content.is_string())
        return content.get<std::string>();
    if (content.is_array()) {
        std::string text;
        for (const auto &part : content) {
            if (part.is_string()) {
                text += part.get_ref<const std::string &>();
            } else if (part.is_object() && part.contains("type") && part["type"] == "text") {
                if (!part.contains("text") || !part["text"].is_string())
                    return invalid(where + ": a text part needs a string \"text\"");
                text += part["text"].get_ref<const std::string &>();
            }
        }
        return text;
    }
    return invalid(where + ": content must be a string, null or a list of parts");
}

Expected<ToolCallRequest> tool_call_from_json(const Json &entry, const std::string &where)
{
    if (!entry.is_object())
        return invalid(where + ": a tool call must be an object");
    const Json &fn =
        entry.contains("function") && entry["function"].is_object() ? entry["function"] : entry;
    if (!fn.contains("name") || !fn["name"].is_string())
        return invalid(where + ": a tool call needs a string \"name\"");
    ToolCallRequest call;
    call.name = fn["name"].get<std::string>();
    if (fn.contains("arguments")) {
        const Json &args = fn["arguments"];
        if (!args.is_object() && !args.is_string())
            return invalid(where + ": tool call arguments must be an object (or a raw string)");
        call.arguments = args;
    }
    return call;
}

Expected<Message> message_from_json(const Json &entry, const std::string &where)
{
    if (!entry.is_object() || !entry.contains("role") || !entry["role"].is_string())
        return invalid(where + ": a message must be an object with a string \"role\"");
    const std::string &role = entry["role"].get_ref<const std::string &>();
    Message message;
    if (role == "system") {
        message.role = Role::System;
    } else if (role == "user") {
        message.role = Role::User;
    } else if (role == "assistant") {
        message.role = Role::Assistant;
    } else if (role == "tool") {
        message.role = Role::Tool;
    } else {
        return invalid(where + ": unknown role '" + role + "'");
    }

    const Json null_content;
    const Json &content = entry.contains("content") ? entry["content"] : null_content;
    if (message.role == Role::Tool) {
        // The template's list form for tool results prints Python reprs of non-output items; only
        // the string form has a well-defined rendering.
        if (!content.is_string())
            return invalid(where + ": a tool message needs string content");
        message.content = content.get<std::string>();
        if (entry.contains("tool_call_id") && entry["tool_call_id"].is_string())
            message.tool_call_id = entry["tool_call_id"].get<std::string>();
        return message;
    }
    auto text = visible_text(content, where);
    if (!text)
        return text.status();
    message.content = std::move(*text);

    if (message.role == Role::Assistant) {
        if (entry.contains("reasoning_content") && entry["reasoning_content"].is_string())
            message.reasoning = entry["reasoning_content"].get<std::string>();
        if (entry.contains("tool_calls") && !entry["tool_calls"].is_null()) {
            if (!entry["tool_calls"].is_array())
                return invalid(where + ": tool_calls must be a list");
            size_t index = 0;
            for (const auto &call_json : entry["tool_calls"]) {
                auto call = tool_call_from_json(call_json, where + ".tool_calls[" +
                                                               std::to_string(index++) + "]");
                if (!call)
                    return call.status();
                message.tool_calls.push_back(std::move(*call));
            }
        }
    }
    return message;
}

Expected<ChatInput> parse_request(const Json &request)
{
    if (!request.is_object())
        return invalid("chat request: the top level must be an object");
    if (!request.contains("messages") || !request["messages"].is_array())
        return invalid("chat request: \"messages\" must be a list");

    ChatInput input;
    size_t index = 0;
    for (const auto &entry : request["messages"]) {
        auto message = message_from_json(entry, "messages[" + std::to_string(index++) + "]");
        if (!message)
            return message.status();
        input.conversation.messages.push_back(std::move(*message));
    }
    if (request.contains("tools") && !request["tools"].is_null()) {
        if (!request["tools"].is_array())
            return invalid("chat request: \"tools\" must be a list");
        for (const auto &entry : request["tools"]) {
            auto tool = tool_definition_from_json(entry);
            if (!tool)
                return tool.status();
            input.conversation.tools.push_back(std::move(*tool));
        }
    }
    for (const char *key : {"enable_thinking", "add_generation_prompt"}) {
        if (request.contains(key) && !request[key].is_boolean())
            return invalid(std::string("chat request: \"") + key + "\" must be true or false");
    }
    if (request.contains("enable_thinking"))
        input.options.enable_thinking = request["enable_thinking"].get<bool>();
    // The template's default: no generation prompt unless asked for.
    input.options.add_generation_prompt =
        request.contains("add_generation_prompt") && request["add_generation_prompt"].get<bool>();
    return input;
}

} // namespace

std::string_view role_name(Role role)
{
    switch (role) {
    case Role::System:
        return "system";
    case Role::User:
        return "user";
    case Role::Assistant:
        return "assistant";
    case Role::Tool:
        return "tool";
    }
    return "unknown";
}

ToolDefinition ToolDefinition::make(std::string name, std::string description, Json parameters)
{
    ToolDefinition tool;
    tool.name = std::move(name);
    tool.description = std::move(description);
    tool.parameters = std::move(parameters);
    Json fn = Json::object();
    fn["name"] = tool.name;
    fn["description"] = tool.description;
    fn["parameters"] = tool.parameters;
    tool.entry = Json::object();
    tool.entry["type"] = "function";
    tool.entry["function"] = std::move(fn);
    return tool;
}

Expected<ToolDefinition> tool_definition_from_json(const Json &entry)
{
    if (!entry.is_object())
        return invalid("tools: a tool definition must be an object");
    const Json &fn =
        entry.contains("function") && entry["function"].is_object() ? entry["function"] : entry;
    if (!fn.contains("name") || !fn["name"].is_string())
        return invalid("tools: a tool definition needs a string \"name\"");
    ToolDefinition tool;
    tool.name = fn["name"].get<std::string>();
    if (fn.contains("description") && fn["description"].is_string())
        tool.description = fn["description"].get<std::string>();
    if (fn.contains("parameters")) {
        if (!fn["parameters"].is_object())
            return invalid("tools: '" + tool.name +
                           "': \"parameters\" must be a JSON schema object");
        tool.parameters = fn["parameters"];
    }
    tool.entry = entry;
    return tool;
}

Expected<ChatInput> chat_input_from_json(const Json &request)
{
    // Every access above checks types first; the catch only keeps the no-exception promise should
    // the JSON library still throw (allocation failure, a case missed here).
    try {
        return parse_request(request);
    } catch (const std::exception &e) {
        return invalid(std::string("chat request: ") + e.what());
    }
}

Expected<ChatInput> chat_input_from_json_text(std::string_view text)
{
    Json request = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded())
        return invalid("chat request: not valid JSON");
    return chat_input_from_json(request);
}

} // namespace glmdesk::engine
