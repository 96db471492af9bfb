#include "app/server/openai_protocol.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <random>
#include <utility>
#include <variant>

namespace glmdesk::app {

namespace {

namespace ev = engine::events;

engine::Status invalid(std::string message)
{
    return engine::error(engine::StatusCode::InvalidArgument, std::move(message));
}

std::string quoted(std::string_view name)
{
    return "\"" + std::string(name) + "\"";
}

std::uint64_t randomSeed()
{
    static std::mutex mutex;
    static std::mt19937_64 rng{std::random_device{}()};
    std::lock_guard lock(mutex);
    return rng();
}

// ------------------------------------------------------------------------------ field readers

// Each reader leaves `out` alone when the field is absent or null (OpenAI clients send nulls for
// "use the default").
bool present(const Json &object, const char *name)
{
    return object.contains(name) && !object[name].is_null();
}

engine::Status readNumber(const Json &object, const char *name, float &out, double lo, double hi)
{
    if (!present(object, name))
        return {};
    const Json &v = object[name];
    if (!v.is_number())
        return invalid(quoted(name) + " must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi)
        return invalid(quoted(name) + " must be between " + Json(lo).dump() + " and " +
                       Json(hi).dump());
    out = static_cast<float>(d);
    return {};
}

engine::Status readInteger(const Json &object, const char *name, std::int64_t &out, std::int64_t lo,
                           std::int64_t hi)
{
    if (!present(object, name))
        return {};
    const Json &v = object[name];
    if (!v.is_number_integer())
        return invalid(quoted(name) + " must be an integer");
    // Unsigned values beyond int64 are out of range too.
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return invalid(quoted(name) + " is out of range");
    const std::int64_t i = v.get<std::int64_t>();
    if (i < lo || i > hi)
        return invalid(quoted(name) + " must be between " + std::to_string(lo) + " and " +
                       std::to_string(hi));
    out = i;
    return {};
}

engine::Status readBool(const Json &object, const char *name, bool &out)
{
    if (!present(object, name))
        return {};
    if (!object[name].is_boolean())
        return invalid(quoted(name) + " must be true or false");
    out = object[name].get<bool>();
    return {};
}

// OpenAI clients send an assistant's earlier tool calls with `arguments` as a JSON string; the
// GLM template prints an object's keys and values, so a string that holds an object becomes one.
engine::Status normalizeMessages(Json &messages)
{
    for (std::size_t i = 0; i < messages.size(); ++i) {
        Json &message = messages[i];
        if (!message.is_object() || !message.contains("tool_calls") ||
            !message["tool_calls"].is_array())
            continue;
        Json &calls = message["tool_calls"];
        for (std::size_t j = 0; j < calls.size(); ++j) {
            if (!calls[j].is_object() || !calls[j].contains("function") ||
                !calls[j]["function"].is_object())
                continue;
            Json &fn = calls[j]["function"];
            if (!fn.contains("arguments") || !fn["arguments"].is_string())
                continue;
            const std::string &text = fn["arguments"].get_ref<const std::string &>();
            Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
            if (parsed.is_discarded())
                return invalid("messages[" + std::to_string(i) + "].tool_calls[" +
                               std::to_string(j) + "].function.arguments is not valid JSON");
            if (parsed.is_object())
                fn["arguments"] = std::move(parsed);
        }
    }
    return {};
}

engine::Expected<ChatCompletionRequest> parseObject(const Json &body)
{
    if (!body.is_object())
        return invalid("the request body must be a JSON object");
    ChatCompletionRequest out;
    if (present(body, "model")) {
        if (!body["model"].is_string())
            return invalid("\"model\" must be a string");
        out.model = body["model"].get<std::string>();
    }
    if (!body.contains("messages") || !body["messages"].is_array())
        return invalid("\"messages\" must be a list of messages");
    if (body["messages"].empty())
        return invalid("\"messages\" must not be empty");

    // The shape engine::chat_input_from_json reads.
    Json input = Json::object();
    input["messages"] = body["messages"];
    if (auto s = normalizeMessages(input["messages"]); !s.ok())
        return s;
    bool useTools = true;
    if (present(body, "tool_choice")) {
        const Json &choice = body["tool_choice"];
        if (choice == "none")
            useTools = false;
        else if (choice != "auto")
            return invalid("\"tool_choice\" must be \"auto\" or \"none\": GLM-4.5 decides itself "
                           "whether to call a tool");
    }
    if (present(body, "tools")) {
        if (!body["tools"].is_array())
            return invalid("\"tools\" must be a list of tool definitions");
        std::size_t index = 0;
        for (const Json &tool : body["tools"]) {
            const std::string where = "tools[" + std::to_string(index++) + "]";
            if (!tool.is_object())
                return invalid(where + " must be an object");
            if (tool.contains("type") && tool["type"] != "function")
                return invalid(where + ": only \"function\" tools are supported");
            if (!tool.contains("function") || !tool["function"].is_object())
                return invalid(where + " needs a \"function\" object");
        }
        if (useTools)
            input["tools"] = body["tools"];
    }
    bool thinking = true;
    if (present(body, "chat_template_kwargs")) {
        const Json &kwargs = body["chat_template_kwargs"];
        if (!kwargs.is_object())
            return invalid("\"chat_template_kwargs\" must be an object");
        if (auto s = readBool(kwargs, "enable_thinking", thinking); !s.ok())
            return invalid("chat_template_kwargs." + s.message());
    }
    input["enable_thinking"] = thinking;
    auto chat = engine::chat_input_from_json(input);
    if (!chat)
        return invalid(chat.status().message());
    out.generate.conversation = std::move(chat->conversation);
    out.generate.options = chat->options;
    out.generate.options.add_generation_prompt = true;

    engine::SamplingParams &sp = out.generate.sampling;
    sp = engine::SamplingParams::glm45_defaults();
    for (const engine::Status &s :
         {readNumber(body, "temperature", sp.temperature, 0.0, 2.0),
          readNumber(body, "top_p", sp.top_p, 0.0, 1.0),
          readNumber(body, "min_p", sp.min_p, 0.0, 1.0),
          readNumber(body, "presence_penalty", sp.presence_penalty, -2.0, 2.0),
          readNumber(body, "frequency_penalty", sp.frequency_penalty, -2.0, 2.0),
          readNumber(body, "repetition_penalty", sp.repetition_penalty, 0.0, 10.0)})
        if (!s.ok())
            return s;
    std::int64_t topK = sp.top_k;
    std::int64_t seed = -1;
    std::int64_t maxTokens = out.generate.max_tokens;
    std::int64_t n = 1;
    for (const engine::Status &s :
         {// -1 is vLLM's "off"
          readInteger(body, "top_k", topK, -1, 1 << 20),
          readInteger(body, "seed", seed, std::numeric_limits<std::int64_t>::min(),
                      std::numeric_limits<std::int64_t>::max()),
          readInteger(body, "max_tokens", maxTokens, 1, 1 << 24),
          readInteger(body, "max_completion_tokens", maxTokens, 1, 1 << 24),
          readInteger(body, "n", n, 1, 1)})
        if (!s.ok())
            return s;
    sp.top_k = static_cast<int>(std::max<std::int64_t>(topK, 0));
    // Without a seed, each request samples differently (as OpenAI's API does); the engine's
    // fixed default seed would give every identical request the identical answer.
    sp.seed = present(body, "seed") ? static_cast<std::uint64_t>(seed) : randomSeed();
    out.generate.max_tokens = static_cast<int>(maxTokens);
    if (auto s = sp.validate(); !s.ok())
        return invalid(s.message());

    if (auto s = readBool(body, "stream", out.stream); !s.ok())
        return s;
    if (present(body, "stream_options")) {
        if (!body["stream_options"].is_object())
            return invalid("\"stream_options\" must be an object");
        if (auto s = readBool(body["stream_options"], "include_usage", out.includeUsage); !s.ok())
            return invalid("stream_options." + s.message());
    }
    if (present(body, "stop")) {
        const Json &stop = body["stop"];
        if (stop.is_string()) {
            out.stop.push_back(stop.get<std::string>());
        } else if (stop.is_array() && stop.size() <= 16) {
            for (const Json &s : stop) {
                if (!s.is_string())
                    return invalid("\"stop\" must be a string or a list of strings");
                out.stop.push_back(s.get<std::string>());
            }
        } else {
            return invalid("\"stop\" must be a string or a list of at most 16 strings");
        }
        if (std::any_of(out.stop.begin(), out.stop.end(), [](auto &s) { return s.empty(); }))
            return invalid("\"stop\" strings must not be empty");
    }
    if (present(body, "response_format")) {
        const Json &format = body["response_format"];
        if (!format.is_object() || format.value("type", Json()) != "text")
            return invalid("\"response_format\": only {\"type\": \"text\"} is supported");
    }
    bool logprobs = false;
    if (auto s = readBool(body, "logprobs", logprobs); !s.ok())
        return s;
    if (logprobs)
        return invalid("\"logprobs\" is not supported");
    return out;
}

std::string_view finishReasonName(ev::DoneReason reason, bool toolCalls)
{
    switch (reason) {
    case ev::DoneReason::Length:
        return "length";
    case ev::DoneReason::ToolCalls:
        return "tool_calls";
    default:
        return toolCalls ? "tool_calls" : "stop";
    }
}

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

} // namespace

// ================================================================================ requests

engine::Expected<ChatCompletionRequest> parseChatCompletionRequest(std::string_view body)
{
    Json json;
    try {
        json = Json::parse(body.begin(), body.end());
    } catch (const Json::parse_error &e) {
        // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "parse".
        std::string what = e.what();
        if (auto at = what.find("] "); at != std::string::npos)
            what.erase(0, at + 2);
        return invalid("the request body is not valid JSON: " + what);
    } catch (const std::exception &e) {
        return invalid(std::string("the request body is not valid JSON: ") + e.what());
    }
    try {
        return parseObject(json);
    } catch (const std::exception &e) {
        // Every access above checks types first; this keeps the no-throw promise regardless.
        return invalid(std::string("bad request: ") + e.what());
    }
}

std::string dumpJson(const Json &value)
{
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string errorBody(std::string_view message, std::string_view type, std::string_view code)
{
    Json error = Json::object();
    error["message"] = message;
    error["type"] = type;
    error["param"] = nullptr;
    error["code"] = code.empty() ? Json(nullptr) : Json(code);
    return dumpJson(Json{{"error", std::move(error)}});
}

std::string modelsBody(std::string_view modelId, std::int64_t created)
{
    Json model = Json::object();
    model["id"] = modelId;
    model["object"] = "model";
    model["created"] = created;
    model["owned_by"] = "glmdesk";
    Json body = Json::object();
    body["object"] = "list";
    body["data"] = Json::array({std::move(model)});
    return dumpJson(body);
}

std::string randomId(std::string_view prefix)
{
    static std::mutex mutex;
    static std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t a = 0, b = 0;
    {
        std::lock_guard lock(mutex);
        a = rng();
        b = rng();
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(prefix);
    for (int i = 0; i < 24; ++i) {
        const std::uint64_t word = i < 16 ? a : b;
        id += kHex[(word >> (4 * (i % 16))) & 15];
    }
    return id;
}

// ======================================================================== CompletionBuilder

CompletionBuilder::CompletionBuilder(std::string id, std::string model, std::int64_t created,
                                     std::vector<std::string> stop, bool streaming,
                                     bool includeUsage)
    : m_id(std::move(id)), m_model(std::move(model)), m_created(created), m_stop(std::move(stop)),
      m_streaming(streaming), m_includeUsage(includeUsage)
{}

Json CompletionBuilder::chunk(Json delta, const Json &finishReason) const
{
    Json choice = Json::object();
    choice["index"] = 0;
    choice["delta"] = std::move(delta);
    choice["finish_reason"] = finishReason;
    Json out = Json::object();
    out["id"] = m_id;
    out["object"] = "chat.completion.chunk";
    out["created"] = m_created;
    out["model"] = m_model;
    out["choices"] = Json::array({std::move(choice)});
    return out;
}

Json CompletionBuilder::usage() const
{
    Json u = Json::object();
    u["prompt_tokens"] = m_stats.prompt_tokens;
    u["completion_tokens"] = m_stats.generated_tokens;
    u["total_tokens"] = m_stats.prompt_tokens + m_stats.generated_tokens;
    return u;
}

void CompletionBuilder::emitText(std::string text, bool reasoning, std::vector<std::string> &chunks)
{
    if (text.empty())
        return;
    (reasoning ? m_reasoning : m_content) += text;
    if (!m_streaming)
        return;
    Json delta = Json::object();
    delta[reasoning ? "reasoning_content" : "content"] = std::move(text);
    chunks.push_back(dumpJson(chunk(std::move(delta), nullptr)));
}

void CompletionBuilder::addText(std::string_view text, bool reasoning,
                                std::vector<std::string> &chunks)
{
    bool &started = reasoning ? m_reasoningStarted : m_contentStarted;
    if (!started) {
        while (!text.empty() && isSpace(text.front()))
            text.remove_prefix(1);
        if (text.empty())
            return;
        started = true;
    }
    if (reasoning || m_stop.empty())
        return emitText(std::string(text), reasoning, chunks);

    m_pending += text;
    std::size_t match = std::string::npos;
    for (const std::string &s : m_stop)
        match = std::min(match, m_pending.find(s));
    if (match != std::string::npos) {
        m_stopMatched = true;
        emitText(m_pending.substr(0, match), false, chunks);
        m_pending.clear();
        return;
    }
    // Hold back the longest tail that could still grow into a stop string.
    std::size_t hold = 0;
    for (const std::string &s : m_stop)
        for (std::size_t k = std::min(s.size() - 1, m_pending.size()); k > hold; --k)
            if (m_pending.compare(m_pending.size() - k, k, s, 0, k) == 0) {
                hold = k;
                break;
            }
    emitText(m_pending.substr(0, m_pending.size() - hold), false, chunks);
    m_pending.erase(0, m_pending.size() - hold);
}

void CompletionBuilder::flushPending(std::vector<std::string> &chunks)
{
    if (!m_stopMatched)
        emitText(std::move(m_pending), false, chunks);
    m_pending.clear();
}

void CompletionBuilder::feed(const BackendEvent &event, std::vector<std::string> &chunks)
{
    if (m_finished)
        return;
    if (m_streaming && !m_sentRole) {
        m_sentRole = true;
        Json delta = Json::object();
        delta["role"] = "assistant";
        delta["content"] = "";
        chunks.push_back(dumpJson(chunk(std::move(delta), nullptr)));
    }
    if (const auto *t = std::get_if<ev::TextDelta>(&event)) {
        if (!m_stopMatched)
            addText(t->text, false, chunks);
    } else if (const auto *r = std::get_if<ev::ThinkingDelta>(&event)) {
        if (!m_stopMatched)
            addText(r->text, true, chunks);
    } else if (const auto *call = std::get_if<ev::ToolCall>(&event)) {
        if (m_stopMatched)
            return;
        flushPending(chunks);
        // Standard JSON for the client (the engine writes Python's json.dumps spacing, which
        // may also hold NaN); the raw text when it does not parse.
        Json args = Json::parse(call->arguments_json, nullptr, false);
        Json fn = Json::object();
        fn["name"] = call->name;
        fn["arguments"] = args.is_discarded() ? call->arguments_json : dumpJson(args);
        Json entry = Json::object();
        const std::size_t index = m_toolCalls.size();
        entry["index"] = index;
        entry["id"] = "call_" + m_id.substr(m_id.find('-') + 1) + "_" + std::to_string(index);
        entry["type"] = "function";
        entry["function"] = std::move(fn);
        m_toolCalls.push_back(entry);
        if (m_streaming) {
            Json delta = Json::object();
            delta["tool_calls"] = Json::array({std::move(entry)});
            chunks.push_back(dumpJson(chunk(std::move(delta), nullptr)));
        }
    } else if (const auto *stats = std::get_if<ev::Stats>(&event)) {
        m_stats = *stats;
    } else if (const auto *done = std::get_if<ev::Done>(&event)) {
        m_finished = true;
        flushPending(chunks);
        if (done->reason == ev::DoneReason::Cancelled && !m_stopMatched) {
            m_error = "the generation was cancelled";
            return;
        }
        m_finishReason =
            m_stopMatched ? "stop" : finishReasonName(done->reason, !m_toolCalls.empty());
        if (!m_streaming)
            return;
        chunks.push_back(dumpJson(chunk(Json::object(), m_finishReason)));
        if (m_includeUsage) {
            Json last = chunk(Json::object(), nullptr);
            last["choices"] = Json::array();
            last["usage"] = usage();
            chunks.push_back(dumpJson(last));
        }
    } else if (const auto *error = std::get_if<ev::Error>(&event)) {
        m_finished = true;
        m_error = error->message;
    }
    // Warnings (dropped messages, a tool call that did not parse) are for logs, not clients.
}

Json CompletionBuilder::completion() const
{
    Json message = Json::object();
    message["role"] = "assistant";
    message["content"] =
        m_content.empty() && !m_toolCalls.empty() ? Json(nullptr) : Json(m_content);
    if (!m_reasoning.empty())
        message["reasoning_content"] = m_reasoning;
    if (!m_toolCalls.empty()) {
        Json calls = m_toolCalls;
        for (Json &c : calls)
            c.erase("index"); // streaming only
        message["tool_calls"] = std::move(calls);
    }
    Json choice = Json::object();
    choice["index"] = 0;
    choice["message"] = std::move(message);
    choice["finish_reason"] = m_finishReason;
    Json out = Json::object();
    out["id"] = m_id;
    out["object"] = "chat.completion";
    out["created"] = m_created;
    out["model"] = m_model;
    out["choices"] = Json::array({std::move(choice)});
    out["usage"] = usage();
    return out;
}

} // namespace glmdesk::app
