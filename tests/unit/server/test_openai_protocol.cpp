// The OpenAI wire format without HTTP: request fields -> GenerateRequest, bad fields -> a message
// naming them, and backend events -> chunks and completions (stop strings, whitespace, tools).
#include "app/server/openai_protocol.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace glmdesk::app {
namespace {

namespace ev = engine::events;

TEST(OpenAiProtocol, MapsSamplingThinkingAndStop)
{
    const auto parsed = parseChatCompletionRequest(R"({
        "model": "glm-4.5-air", "stream": true, "stream_options": {"include_usage": true},
        "messages": [{"role": "system", "content": "Be brief."},
                     {"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
        "temperature": 0.25, "top_p": 0.5, "top_k": 7, "max_tokens": 33, "seed": 1234,
        "stop": ["END", "###"], "chat_template_kwargs": {"enable_thinking": false}})");
    ASSERT_TRUE(parsed) << parsed.status().message();
    const ChatCompletionRequest &r = *parsed;
    EXPECT_EQ(r.model, "glm-4.5-air");
    EXPECT_TRUE(r.stream);
    EXPECT_TRUE(r.includeUsage);
    EXPECT_FLOAT_EQ(r.generate.sampling.temperature, 0.25f);
    EXPECT_FLOAT_EQ(r.generate.sampling.top_p, 0.5f);
    EXPECT_EQ(r.generate.sampling.top_k, 7);
    EXPECT_EQ(r.generate.sampling.seed, 1234u);
    EXPECT_EQ(r.generate.max_tokens, 33);
    EXPECT_FALSE(r.generate.options.enable_thinking);
    EXPECT_EQ(r.stop, (std::vector<std::string>{"END", "###"}));
    ASSERT_EQ(r.generate.conversation.messages.size(), 2u);
    EXPECT_EQ(r.generate.conversation.messages[0].role, engine::Role::System);
    EXPECT_EQ(r.generate.conversation.messages[1].content, "Hi");
}

TEST(OpenAiProtocol, DefaultsAreGlmsAndThinkingIsOn)
{
    const auto parsed =
        parseChatCompletionRequest(R"({"messages":[{"role":"user","content":"x"}]})");
    ASSERT_TRUE(parsed) << parsed.status().message();
    const auto defaults = engine::SamplingParams::glm45_defaults();
    EXPECT_EQ(parsed->generate.sampling.temperature, defaults.temperature);
    EXPECT_EQ(parsed->generate.sampling.top_p, defaults.top_p);
    EXPECT_TRUE(parsed->generate.options.enable_thinking);
    EXPECT_FALSE(parsed->stream);
    // No seed given: a fresh one per request, so identical requests need not answer alike.
    const auto again =
        parseChatCompletionRequest(R"({"messages":[{"role":"user","content":"x"}]})");
    ASSERT_TRUE(again);
    EXPECT_NE(parsed->generate.sampling.seed, again->generate.sampling.seed);
}

TEST(OpenAiProtocol, ToolsAndEarlierToolCallsReachTheConversation)
{
    const auto parsed = parseChatCompletionRequest(R"({
        "messages": [
          {"role": "user", "content": "Weather in Paris?"},
          {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type":
           "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
          {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 21}"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "now",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                  "required": ["city"]}}}]})");
    ASSERT_TRUE(parsed) << parsed.status().message();
    const auto &conv = parsed->generate.conversation;
    ASSERT_EQ(conv.tools.size(), 1u);
    EXPECT_EQ(conv.tools[0].name, "get_weather");
    EXPECT_EQ(conv.tools[0].parameters["properties"]["city"]["type"], "string");
    ASSERT_EQ(conv.messages.size(), 3u);
    ASSERT_EQ(conv.messages[1].tool_calls.size(), 1u);
    // The JSON string became the object GLM's template prints key by key.
    EXPECT_TRUE(conv.messages[1].tool_calls[0].arguments.is_object());
    EXPECT_EQ(conv.messages[1].tool_calls[0].arguments["city"], "Paris");
    EXPECT_EQ(conv.messages[2].role, engine::Role::Tool);
    EXPECT_EQ(conv.messages[2].tool_call_id, "call_1");

    const auto none = parseChatCompletionRequest(
        R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"none",
            "tools":[{"type":"function","function":{"name":"f"}}]})");
    ASSERT_TRUE(none) << none.status().message();
    EXPECT_TRUE(none->generate.conversation.tools.empty());
}

struct BadRequest
{
    std::string body;
    std::string mentions; // the error message must name the problem
};

// Test names show what the message must mention, not the struct's bytes.
void PrintTo(const BadRequest &bad, std::ostream *os)
{
    *os << bad.mentions;
}

class OpenAiProtocolRejects : public ::testing::TestWithParam<BadRequest>
{};

TEST_P(OpenAiProtocolRejects, WithAMessageNamingTheProblem)
{
    const auto parsed = parseChatCompletionRequest(GetParam().body);
    ASSERT_FALSE(parsed) << GetParam().body;
    EXPECT_EQ(parsed.status().code(), engine::StatusCode::InvalidArgument);
    EXPECT_NE(parsed.status().message().find(GetParam().mentions), std::string::npos)
        << parsed.status().message();
}

const std::string kMsgs = R"("messages":[{"role":"user","content":"x"}])";

INSTANTIATE_TEST_SUITE_P(
    Bodies, OpenAiProtocolRejects,
    ::testing::Values(
        BadRequest{"{\"messages\": [", "not valid JSON"}, BadRequest{"", "not valid JSON"},
        BadRequest{"[1,2]", "JSON object"}, BadRequest{"{}", "\"messages\""},
        BadRequest{R"({"messages":[]})", "must not be empty"},
        BadRequest{R"({"messages":"hi"})", "\"messages\""},
        BadRequest{R"({"messages":[{"role":"wizard","content":"x"}]})", "wizard"},
        BadRequest{R"({"messages":[{"content":"x"}]})", "role"},
        BadRequest{R"({"messages":[{"role":"user","content":5}]})", "content"},
        BadRequest{"{" + kMsgs + R"(,"temperature":"hot"})", "\"temperature\" must be a number"},
        BadRequest{"{" + kMsgs + R"(,"temperature":7})", "\"temperature\" must be between"},
        BadRequest{"{" + kMsgs + R"(,"max_tokens":1.5})", "\"max_tokens\" must be an integer"},
        BadRequest{"{" + kMsgs + R"(,"max_tokens":0})", "\"max_tokens\""},
        BadRequest{"{" + kMsgs + R"(,"stream":"yes"})", "\"stream\""},
        BadRequest{"{" + kMsgs + R"(,"stop":[1]})", "\"stop\""},
        BadRequest{"{" + kMsgs + R"(,"n":2})", "\"n\""},
        BadRequest{"{" + kMsgs + R"(,"tools":{}})", "\"tools\""},
        BadRequest{"{" + kMsgs + R"(,"tools":[{"type":"retrieval"}]})", "function"},
        BadRequest{"{" + kMsgs + R"(,"tool_choice":"required"})", "tool_choice"},
        BadRequest{"{" + kMsgs + R"(,"chat_template_kwargs":{"enable_thinking":"no"}})",
                   "enable_thinking"},
        BadRequest{R"({"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f",
                      "arguments":"{not json"}}]}]})",
                   "arguments is not valid JSON"}));

// ------------------------------------------------------------------------ CompletionBuilder

std::vector<Json> feedAll(CompletionBuilder &b, const std::vector<BackendEvent> &events)
{
    std::vector<std::string> chunks;
    for (const auto &e : events)
        b.feed(e, chunks);
    std::vector<Json> out;
    for (const auto &c : chunks)
        out.push_back(Json::parse(c));
    return out;
}

std::string joined(const std::vector<Json> &chunks, const char *field)
{
    std::string text;
    for (const Json &c : chunks)
        if (!c["choices"].empty() && c["choices"][0]["delta"].contains(field))
            text += c["choices"][0]["delta"][field].get<std::string>();
    return text;
}

TEST(CompletionBuilder, StopStringSplitAcrossDeltasCutsTheAnswer)
{
    for (bool streaming : {true, false}) {
        CompletionBuilder b("chatcmpl-x", "m", 1, {"STOP", "zz"}, streaming, false);
        const auto chunks = feedAll(b, {ev::TextDelta{"\n\nabc S"}, ev::TextDelta{"TO"},
                                        ev::TextDelta{"Pxyz"}, ev::TextDelta{"more"}});
        EXPECT_TRUE(b.stopMatched());
        EXPECT_FALSE(b.finished());
        const auto rest = feedAll(b, {ev::Done{ev::DoneReason::Cancelled}});
        EXPECT_TRUE(b.finished());
        EXPECT_FALSE(b.errorMessage());
        const Json completion = b.completion();
        EXPECT_EQ(completion["choices"][0]["message"]["content"], "abc ");
        EXPECT_EQ(completion["choices"][0]["finish_reason"], "stop");
        if (streaming) {
            EXPECT_EQ(joined(chunks, "content"), "abc ");
            ASSERT_FALSE(rest.empty());
            EXPECT_EQ(rest.back()["choices"][0]["finish_reason"], "stop");
        }
    }
}

TEST(CompletionBuilder, HeldBackTextIsReleasedWhenNoStopFollows)
{
    CompletionBuilder b("chatcmpl-x", "m", 1, {"STOP"}, true, false);
    auto chunks = feedAll(b, {ev::TextDelta{"ab ST"}, ev::TextDelta{"AR"}});
    EXPECT_EQ(joined(chunks, "content"), "ab STAR");
    chunks = feedAll(b, {ev::TextDelta{"x S"}, ev::Done{ev::DoneReason::Length}});
    EXPECT_EQ(joined(chunks, "content"), "x S");
    EXPECT_EQ(b.completion()["choices"][0]["message"]["content"], "ab STARx S");
    EXPECT_EQ(b.completion()["choices"][0]["finish_reason"], "length");
}

TEST(CompletionBuilder, ReasoningAndToolCallsAreSeparate)
{
    CompletionBuilder b("chatcmpl-abc", "m", 1, {}, true, true);
    ev::Stats stats;
    stats.prompt_tokens = 11;
    stats.generated_tokens = 4;
    const auto chunks = feedAll(b, {ev::ThinkingDelta{"\nplan"}, ev::TextDelta{"\n"},
                                    ev::ToolCall{"get_weather", R"({"city": "Paris", "days": 3})"},
                                    stats, ev::Done{ev::DoneReason::ToolCalls}});
    ASSERT_GE(chunks.size(), 4u);
    EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
    EXPECT_EQ(joined(chunks, "reasoning_content"), "plan");
    EXPECT_EQ(joined(chunks, "content"), "");
    const Json &usage = chunks.back()["usage"];
    EXPECT_EQ(usage["prompt_tokens"], 11);
    EXPECT_EQ(usage["completion_tokens"], 4);
    EXPECT_EQ(usage["total_tokens"], 15);
    const Json completion = b.completion();
    const Json &message = completion["choices"][0]["message"];
    EXPECT_TRUE(message["content"].is_null());
    EXPECT_EQ(message["reasoning_content"], "plan");
    ASSERT_EQ(message["tool_calls"].size(), 1u);
    EXPECT_EQ(message["tool_calls"][0]["function"]["name"], "get_weather");
    EXPECT_EQ(Json::parse(message["tool_calls"][0]["function"]["arguments"].get<std::string>()),
              Json::parse(R"({"city":"Paris","days":3})"));
    EXPECT_EQ(completion["choices"][0]["finish_reason"], "tool_calls");
}

TEST(CompletionBuilder, ErrorsAndUnaskedCancelsAreErrors)
{
    CompletionBuilder failed("chatcmpl-x", "m", 1, {}, false, false);
    feedAll(failed, {ev::TextDelta{"a"}, ev::Error{"the model broke"}});
    EXPECT_TRUE(failed.finished());
    ASSERT_TRUE(failed.errorMessage());
    EXPECT_EQ(*failed.errorMessage(), "the model broke");

    CompletionBuilder cancelled("chatcmpl-x", "m", 1, {}, false, false);
    feedAll(cancelled, {ev::Done{ev::DoneReason::Cancelled}});
    EXPECT_TRUE(cancelled.errorMessage());
}

TEST(OpenAiProtocol, ErrorBodyAndIds)
{
    const Json error = Json::parse(errorBody("bad \"x\"", "invalid_request_error", ""));
    EXPECT_EQ(error["error"]["message"], "bad \"x\"");
    EXPECT_EQ(error["error"]["type"], "invalid_request_error");
    EXPECT_TRUE(error["error"]["code"].is_null());
    const std::string a = randomId("chatcmpl-"), b = randomId("chatcmpl-");
    EXPECT_EQ(a.size(), 9u + 24u);
    EXPECT_NE(a, b);
    // Invalid UTF-8 from a model never makes the JSON writer throw.
    EXPECT_NO_THROW(dumpJson(Json{{"t", std::string("\xff\xfe")}}));
}

} // namespace
} // namespace glmdesk::app
