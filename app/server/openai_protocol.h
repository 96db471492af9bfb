// The OpenAI chat-completions wire format, kept apart from HTTP so that it can be tested alone:
// request JSON -> engine::GenerateRequest (every field checked, a bad one named in a 400), and
// backend events -> response JSON or SSE chunks.
//
// GLM-4.5 specifics: thinking comes out as `reasoning_content` (delta.reasoning_content when
// streaming), as vLLM and SGLang serve GLM-4.5; `chat_template_kwargs.enable_thinking` switches it.
// Tool calls arrive from the engine already parsed (GLM's <tool_call> blocks typed by the tool's
// schema) and leave as OpenAI `tool_calls` with generated ids and arguments as a JSON string;
// incoming assistant `tool_calls` carry their arguments as a JSON string too and are turned back
// into objects, which is what GLM-4.5's template prints.
#pragma once

#include "app/server/chat_backend.h"
#include "engine/common/status.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::app {

using Json = nlohmann::ordered_json;

struct ChatCompletionRequest
{
    engine::GenerateRequest generate;
    std::string model; // as the client named it ("" when absent)
    bool stream = false;
    bool includeUsage = false; // stream_options.include_usage: a last chunk with usage
    std::vector<std::string> stop;
};

// InvalidArgument with a message that names the field ("\"temperature\" must be a number").
engine::Expected<ChatCompletionRequest> parseChatCompletionRequest(std::string_view body);

// {"error":{"message","type","param":null,"code"}}
std::string errorBody(std::string_view message, std::string_view type, std::string_view code);

std::string modelsBody(std::string_view modelId, std::int64_t created);

// Never throws: text that is not valid UTF-8 is replaced, not refused.
std::string dumpJson(const Json &value);

// "chatcmpl-" or "call_" + 24 random hex digits.
std::string randomId(std::string_view prefix);

// Turns one generation's events into the response: SSE chunks as they come (streaming) and the
// whole completion at the end. Applies what the backend does not: stop strings (the text is cut
// before the match and the caller cancels the generation), leading whitespace of the answer and
// the reasoning (GLM writes "\n" after </think>), and finish_reason.
class CompletionBuilder
{
public:
    CompletionBuilder(std::string id, std::string model, std::int64_t created,
                      std::vector<std::string> stop, bool streaming, bool includeUsage);

    // Appends the chunks (JSON texts, without "data: ") this event completes.
    void feed(const BackendEvent &event, std::vector<std::string> &chunks);

    // A stop string matched: cancel the generation; its Done{Cancelled} ends as "stop".
    bool stopMatched() const { return m_stopMatched; }
    bool finished() const { return m_finished; }
    // After an Error event (or a cancel nobody asked for): what went wrong.
    const std::optional<std::string> &errorMessage() const { return m_error; }

    // The non-streaming response, once finished() and without error.
    Json completion() const;

private:
    Json chunk(Json delta, const Json &finishReason) const;
    Json usage() const;
    void addText(std::string_view text, bool reasoning, std::vector<std::string> &chunks);
    void emitText(std::string text, bool reasoning, std::vector<std::string> &chunks);
    void flushPending(std::vector<std::string> &chunks);

    std::string m_id, m_model;
    std::int64_t m_created = 0;
    std::vector<std::string> m_stop;
    bool m_streaming = false, m_includeUsage = false;

    bool m_sentRole = false, m_contentStarted = false, m_reasoningStarted = false;
    bool m_stopMatched = false, m_finished = false;
    std::string m_pending; // answer text held back: it may be the start of a stop string
    std::string m_content, m_reasoning;
    Json m_toolCalls = Json::array();
    std::string m_finishReason;
    std::optional<std::string> m_error;
    engine::events::Stats m_stats;
};

} // namespace glmdesk::app
