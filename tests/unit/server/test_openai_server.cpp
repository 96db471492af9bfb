// The server over real HTTP on loopback (an ephemeral port) with httplib's client, against the
// scripted backend: endpoints, streaming, tools, the fair queue under 50 concurrent streams,
// disconnects that cancel, and refusals (400, 401, 503).
#include "app/server/openai_protocol.h"
#include "app/server/openai_server.h"
#include "tests/unit/server/scripted_backend.h"

#include <httplib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace glmdesk::app {
namespace {

using namespace std::chrono_literals;
namespace ev = engine::events;
using test::BackendCall;
using test::Script;
using test::ScriptedBackend;

// ------------------------------------------------------------------------------ helpers

std::string chatBody(const std::string &userText, bool stream, const Json &extra = Json::object())
{
    Json body = {{"model", "test"},
                 {"stream", stream},
                 {"messages", Json::array({{{"role", "user"}, {"content", userText}}})}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body[it.key()] = it.value();
    return body.dump();
}

struct Sse
{
    std::vector<Json> chunks;
    bool done = false;          // saw "data: [DONE]"
    bool afterDoneData = false; // anything after [DONE]
};

// SSE: events separated by a blank line, "data: " lines; ": comment" lines are keep-alives.
Sse parseSse(const std::string &body)
{
    Sse out;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find("\n\n", pos);
        if (end == std::string::npos)
            end = body.size();
        const std::string event = body.substr(pos, end - pos);
        pos = end + 2;
        if (event.rfind("data: ", 0) != 0)
            continue;
        const std::string data = event.substr(6);
        if (out.done) {
            out.afterDoneData = true;
        } else if (data == "[DONE]") {
            out.done = true;
        } else {
            out.chunks.push_back(Json::parse(data));
        }
    }
    return out;
}

std::string joinDeltas(const Sse &sse, const char *field)
{
    std::string text;
    for (const Json &c : sse.chunks)
        if (c.contains("choices") && !c["choices"].empty() &&
            c["choices"][0]["delta"].contains(field))
            text += c["choices"][0]["delta"][field].get<std::string>();
    return text;
}

template <typename Pred> bool waitFor(Pred pred, std::chrono::milliseconds limit = 5000ms)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

class ServerTest : public ::testing::Test
{
protected:
    void startServer(ServerOptions options = {})
    {
        options.port = 0;
        options.modelId = "glm-test";
        server = std::make_unique<OpenAiServer>(backend, options);
        const engine::Status s = server->start();
        ASSERT_TRUE(s.ok()) << s.message();
        ASSERT_GT(server->port(), 0);
    }

    std::unique_ptr<httplib::Client> client() const
    {
        auto c = std::make_unique<httplib::Client>("127.0.0.1", server->port());
        c->set_read_timeout(30s);
        return c;
    }

    httplib::Result post(const std::string &body, const httplib::Headers &headers = {}) const
    {
        return client()->Post("/v1/chat/completions", headers, body, "application/json");
    }

    ScriptedBackend backend; // declared first: the server goes before its backend
    std::unique_ptr<OpenAiServer> server;
};

// ------------------------------------------------------------------------------ endpoints

TEST_F(ServerTest, ListsTheModel)
{
    startServer();
    auto res = client()->Get("/v1/models");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    const Json body = Json::parse(res->body);
    EXPECT_EQ(body["object"], "list");
    ASSERT_EQ(body["data"].size(), 1u);
    EXPECT_EQ(body["data"][0]["id"], "glm-test");
    EXPECT_EQ(body["data"][0]["object"], "model");

    auto missing = client()->Get("/v1/nothing");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_NE(Json::parse(missing->body)["error"]["message"].get<std::string>().find("/v1/nothing"),
              std::string::npos);
}

TEST_F(ServerTest, CompletesWithoutStreaming)
{
    startServer();
    auto res = post(chatBody("bonjour", false, {{"temperature", 0.1}, {"max_tokens", 77}}));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    const Json body = Json::parse(res->body);
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_EQ(body["model"], "glm-test");
    EXPECT_EQ(body["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
    const Json &choice = body["choices"][0];
    EXPECT_EQ(choice["message"]["role"], "assistant");
    EXPECT_EQ(choice["message"]["content"], "You said: bonjour.");
    EXPECT_EQ(choice["message"]["reasoning_content"], "The user said something; echo it.");
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_EQ(body["usage"]["prompt_tokens"], 17);
    EXPECT_EQ(body["usage"]["completion_tokens"], 9);
    EXPECT_EQ(body["usage"]["total_tokens"], 26);

    const auto calls = backend.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_FLOAT_EQ(calls[0].request.generate.sampling.temperature, 0.1f);
    EXPECT_EQ(calls[0].request.generate.max_tokens, 77);
}

TEST_F(ServerTest, StreamsChunksThatReassembleTheAnswer)
{
    startServer();
    auto res = post(chatBody("streaming", true, {{"stream_options", {{"include_usage", true}}}}));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
    const Sse sse = parseSse(res->body);
    EXPECT_TRUE(sse.done);
    EXPECT_FALSE(sse.afterDoneData);
    ASSERT_GE(sse.chunks.size(), 5u);
    EXPECT_EQ(sse.chunks.front()["choices"][0]["delta"]["role"], "assistant");
    for (const Json &c : sse.chunks) {
        EXPECT_EQ(c["object"], "chat.completion.chunk");
        EXPECT_EQ(c["id"], sse.chunks.front()["id"]);
    }
    EXPECT_EQ(joinDeltas(sse, "content"), "You said: streaming.");
    EXPECT_EQ(joinDeltas(sse, "reasoning_content"), "The user said something; echo it.");
    // No chunk mixes the two channels.
    for (const Json &c : sse.chunks) {
        if (c["choices"].empty())
            continue;
        const Json &delta = c["choices"][0]["delta"];
        EXPECT_FALSE(delta.contains("reasoning_content") && delta.contains("content") &&
                     !delta.contains("role"));
    }
    const Json &finish = sse.chunks[sse.chunks.size() - 2];
    EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
    EXPECT_EQ(sse.chunks.back()["usage"]["completion_tokens"], 9);
}

TEST_F(ServerTest, ThinkingSwitchAndToolsReachTheBackendAndToolCallsComeBack)
{
    backend.script = [](const BackendRequest &) {
        Script s;
        s.events = {ev::ThinkingDelta{"Need the weather."}, ev::TextDelta{"\n"},
                    ev::ToolCall{"get_weather", R"({"city": "Paris", "days": 3})"},
                    ev::ToolCall{"get_time", R"({"zone": "CET"})"},
                    ev::Done{ev::DoneReason::ToolCalls}};
        return s;
    };
    startServer();
    const Json tools = Json::parse(R"([
        {"type":"function","function":{"name":"get_weather","description":"forecast",
         "parameters":{"type":"object","properties":{"city":{"type":"string"},
                                                    "days":{"type":"integer"}}}}},
        {"type":"function","function":{"name":"get_time","parameters":{"type":"object",
         "properties":{"zone":{"type":"string"}}}}}])");
    const Json extra = {{"tools", tools}, {"chat_template_kwargs", {{"enable_thinking", false}}}};

    auto res = post(chatBody("weather?", false, extra));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const Json body = Json::parse(res->body);
    const Json &message = body["choices"][0]["message"];
    EXPECT_EQ(body["choices"][0]["finish_reason"], "tool_calls");
    EXPECT_TRUE(message["content"].is_null());
    ASSERT_EQ(message["tool_calls"].size(), 2u);
    const Json &call = message["tool_calls"][0];
    EXPECT_EQ(call["type"], "function");
    EXPECT_EQ(call["id"].get<std::string>().rfind("call_", 0), 0u);
    EXPECT_NE(call["id"], message["tool_calls"][1]["id"]);
    EXPECT_EQ(call["function"]["name"], "get_weather");
    ASSERT_TRUE(call["function"]["arguments"].is_string());
    EXPECT_EQ(Json::parse(call["function"]["arguments"].get<std::string>()),
              Json::parse(R"({"city":"Paris","days":3})"));

    auto streamed = post(chatBody("weather?", true, extra));
    ASSERT_TRUE(streamed);
    const Sse sse = parseSse(streamed->body);
    std::vector<Json> calls;
    for (const Json &c : sse.chunks)
        if (!c["choices"].empty() && c["choices"][0]["delta"].contains("tool_calls"))
            for (const Json &tc : c["choices"][0]["delta"]["tool_calls"])
                calls.push_back(tc);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0]["index"], 0);
    EXPECT_EQ(calls[1]["index"], 1);
    EXPECT_EQ(calls[1]["function"]["name"], "get_time");
    EXPECT_EQ(Json::parse(calls[1]["function"]["arguments"].get<std::string>())["zone"], "CET");
    EXPECT_EQ(sse.chunks.back()["choices"][0]["finish_reason"], "tool_calls");

    const auto seen = backend.calls();
    ASSERT_EQ(seen.size(), 2u);
    const auto &generate = seen[0].request.generate;
    EXPECT_FALSE(generate.options.enable_thinking);
    ASSERT_EQ(generate.conversation.tools.size(), 2u);
    EXPECT_EQ(generate.conversation.tools[0].name, "get_weather");
    EXPECT_EQ(generate.conversation.tools[0].parameters["properties"]["days"]["type"], "integer");
}

TEST_F(ServerTest, StopStringEndsTheGenerationEarly)
{
    backend.script = [](const BackendRequest &) {
        Script s;
        for (int i = 0; i < 200; ++i)
            s.events.push_back(ev::TextDelta{i == 3 ? "EN" : i == 4 ? "D!" : "word "});
        s.events.push_back(ev::Done{ev::DoneReason::Stop});
        return s;
    };
    startServer();
    auto res = post(chatBody("x", false, {{"stop", "END"}}));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const Json body = Json::parse(res->body);
    EXPECT_EQ(body["choices"][0]["message"]["content"], "word word word ");
    EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
    const auto calls = backend.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_TRUE(calls[0].cancelled);
    EXPECT_LT(calls[0].eventsEmitted, 100);
}

// ------------------------------------------------------------------------------ refusals

TEST_F(ServerTest, MalformedJsonAndWrongTypesGet400WithAReason)
{
    startServer();
    struct Case
    {
        std::string body, mentions;
    };
    for (const Case &c :
         {Case{"{\"messages\": [", "not valid JSON"}, Case{"not json at all", "not valid JSON"},
          Case{R"({"messages":[{"role":"user","content":"x"}],"top_p":"high"})", "\"top_p\""},
          Case{R"({"messages":42})", "\"messages\""}}) {
        auto res = post(c.body);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 400) << c.body;
        const Json error = Json::parse(res->body)["error"];
        EXPECT_EQ(error["type"], "invalid_request_error");
        EXPECT_NE(error["message"].get<std::string>().find(c.mentions), std::string::npos)
            << error["message"];
    }
    EXPECT_EQ(backend.callCount(), 0u);
}

TEST_F(ServerTest, ApiKeyIsRequiredWhenSet)
{
    ServerOptions options;
    options.apiKey = "s3cret-key";
    startServer(options);
    const std::string body = chatBody("hi", false);
    for (const httplib::Headers &headers :
         {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer wrong-key"}},
          httplib::Headers{{"Authorization", "s3cret-key"}},
          httplib::Headers{{"Authorization", "Bearer s3cret-ke"}}}) {
        auto res = post(body, headers);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 401);
        EXPECT_EQ(Json::parse(res->body)["error"]["code"], "invalid_api_key");
        auto models = client()->Get("/v1/models", headers);
        ASSERT_TRUE(models);
        EXPECT_EQ(models->status, 401);
    }
    EXPECT_EQ(backend.callCount(), 0u);
    auto ok = post(body, {{"Authorization", "Bearer s3cret-key"}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(ServerTest, AnotherInterfaceNeedsAnApiKey)
{
    ServerOptions options;
    options.host = "0.0.0.0";
    options.port = 0;
    OpenAiServer exposed(backend, options);
    const engine::Status s = exposed.start();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("API key"), std::string::npos) << s.message();
    EXPECT_TRUE(isLoopbackHost("127.0.0.1"));
    EXPECT_TRUE(isLoopbackHost("127.1.2.3"));
    EXPECT_TRUE(isLoopbackHost("::1"));
    EXPECT_TRUE(isLoopbackHost("localhost"));
    EXPECT_FALSE(isLoopbackHost("0.0.0.0"));
    EXPECT_FALSE(isLoopbackHost("192.168.1.2"));
    EXPECT_FALSE(isLoopbackHost("128.0.0.1"));
}

TEST_F(ServerTest, FullQueueGets503AndTheAdmittedOnesFinish)
{
    ServerOptions options;
    options.maxWaiting = 2;
    startServer(options);
    backend.hold = true;
    std::vector<std::future<httplib::Result>> admitted;
    admitted.push_back(std::async(std::launch::async, [&] { return post(chatBody("a", false)); }));
    ASSERT_TRUE(waitFor([&] { return backend.active() == 1; }));
    for (const char *text : {"b", "c"})
        admitted.push_back(
            std::async(std::launch::async, [&, text] { return post(chatBody(text, true)); }));
    ASSERT_TRUE(waitFor([&] { return server->waiting() == 2; }));

    auto refused = post(chatBody("d", false));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    const Json error = Json::parse(refused->body)["error"];
    EXPECT_EQ(error["code"], "queue_full");
    EXPECT_NE(error["message"].get<std::string>().find("busy"), std::string::npos);
    EXPECT_FALSE(refused->get_header_value("Retry-After").empty());

    backend.hold = false;
    for (auto &f : admitted) {
        auto res = f.get();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
    }
    EXPECT_EQ(backend.callCount(), 3u);
}

// ------------------------------------------------------------------------ queue and cancel

TEST_F(ServerTest, FiftyConcurrentStreamsAllFinishOneAtATimeInArrivalOrder)
{
    constexpr int kClients = 50;
    backend.script = [](const BackendRequest &r) {
        Script s = ScriptedBackend::echoScript(ScriptedBackend::lastUserText(r));
        s.delay = 1ms;
        return s;
    };
    ServerOptions options;
    options.maxWaiting = kClients; // bounded, and big enough for everyone
    startServer(options);

    const auto started = std::chrono::steady_clock::now();
    std::vector<std::future<std::pair<int, std::string>>> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(std::async(std::launch::async, [&, i] {
            auto res = post(chatBody("client " + std::to_string(i), true));
            return res ? std::make_pair(res->status, res->body)
                       : std::make_pair(-1, httplib::to_string(res.error()));
        }));
    int completed = 0;
    for (int i = 0; i < kClients; ++i) {
        const auto [status, body] = clients[static_cast<std::size_t>(i)].get();
        ASSERT_EQ(status, 200) << "client " << i << ": " << body;
        const Sse sse = parseSse(body);
        EXPECT_TRUE(sse.done) << "client " << i;
        // Each client got its own answer, whole, and nobody else's.
        EXPECT_EQ(joinDeltas(sse, "content"), "You said: client " + std::to_string(i) + ".");
        completed += sse.done ? 1 : 0;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(completed, kClients);

    const auto calls = backend.calls();
    ASSERT_EQ(calls.size(), static_cast<std::size_t>(kClients)); // none lost, none twice
    EXPECT_EQ(backend.maxActive(), 1);                           // one generation at a time
    std::set<std::string> users;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        // Served in the order they arrived: ticket k runs k-th.
        EXPECT_EQ(calls[i].ticket, i);
        EXPECT_FALSE(calls[i].cancelled);
        users.insert(calls[i].lastUserText);
    }
    EXPECT_EQ(users.size(), static_cast<std::size_t>(kClients));
    // 50 x 8 events x 1 ms of scripted work; generous for a loaded CI machine.
    EXPECT_LT(seconds, 20.0);
    std::printf("[ 50 streams: %.2f s ]\n", seconds);
}

TEST_F(ServerTest, ClientThatDisconnectsMidStreamCancelsItsGeneration)
{
    backend.script = [](const BackendRequest &r) {
        Script s;
        if (ScriptedBackend::lastUserText(r) == "long") {
            for (int i = 0; i < 500; ++i)
                s.events.push_back(ev::TextDelta{"token "});
            s.delay = 5ms; // 2.5 s if nobody cancels
        } else {
            s = ScriptedBackend::echoScript(ScriptedBackend::lastUserText(r));
        }
        s.events.push_back(ev::Done{ev::DoneReason::Stop});
        return s;
    };
    startServer();

    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.body = chatBody("long", true);
    req.set_header("Content-Type", "application/json");
    std::string received;
    req.content_receiver = [&](const char *data, std::size_t n, std::uint64_t, std::uint64_t) {
        received.append(data, n);
        // Hang up once some of the answer has arrived.
        return received.find("token") == std::string::npos;
    };
    const auto t0 = std::chrono::steady_clock::now();
    auto res = client()->send(req);
    EXPECT_NE(received.find("token"), std::string::npos);

    ASSERT_TRUE(waitFor([&] {
        const auto calls = backend.calls();
        return !calls.empty() && calls[0].cancelled && backend.active() == 0;
    }));
    const double cancelSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto calls = backend.calls();
    EXPECT_LT(calls[0].eventsEmitted, 400);
    EXPECT_LT(cancelSeconds, 2.0);

    // The model is free again: the next request runs at once.
    auto next = post(chatBody("after", false));
    ASSERT_TRUE(next);
    ASSERT_EQ(next->status, 200);
    EXPECT_EQ(Json::parse(next->body)["choices"][0]["message"]["content"], "You said: after.");
}

TEST_F(ServerTest, ClientThatLeavesWhileWaitingIsNeverRun)
{
    startServer();
    backend.hold = true;
    auto first = std::async(std::launch::async, [&] { return post(chatBody("first", false)); });
    ASSERT_TRUE(waitFor([&] { return backend.active() == 1; }));

    // A client that gives up after 300 ms, while still in line.
    auto impatient = client();
    impatient->set_read_timeout(300ms);
    auto gaveUp =
        impatient->Post("/v1/chat/completions", chatBody("impatient", false), "application/json");
    EXPECT_FALSE(gaveUp);
    impatient.reset(); // closes the socket
    ASSERT_TRUE(waitFor([&] { return server->waiting() == 1; }));

    auto third = std::async(std::launch::async, [&] { return post(chatBody("third", false)); });
    ASSERT_TRUE(waitFor([&] { return server->waiting() == 2; }));
    std::this_thread::sleep_for(300ms); // time for the server to notice the closed socket
    backend.hold = false;
    auto a = first.get();
    auto c = third.get();
    ASSERT_TRUE(a);
    ASSERT_TRUE(c);
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(c->status, 200);
    const auto calls = backend.calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].lastUserText, "first");
    EXPECT_EQ(calls[1].lastUserText, "third");
}

TEST_F(ServerTest, StopEndsRunningAndWaitingRequests)
{
    startServer();
    backend.hold = true;
    auto running = std::async(std::launch::async, [&] { return post(chatBody("r", true)); });
    ASSERT_TRUE(waitFor([&] { return backend.active() == 1; }));
    auto waiting = std::async(std::launch::async, [&] { return post(chatBody("w", false)); });
    ASSERT_TRUE(waitFor([&] { return server->waiting() == 1; }));
    server->stop();
    auto r = running.get();
    auto w = waiting.get();
    ASSERT_TRUE(r);
    EXPECT_TRUE(parseSse(r->body).done);
    EXPECT_NE(r->body.find("\"error\""), std::string::npos);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 500);
    EXPECT_NE(w->body.find("shutting down"), std::string::npos);
}

} // namespace
} // namespace glmdesk::app
