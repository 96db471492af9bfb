// `glmdesk-cli serve` as a user runs it: a child process on a free port, real requests, SIGTERM.
// The generation tests need a model: the build's demo model when there is one (CI), otherwise
// the air-mini fixture; without either they skip and say why.
#include "tests/support/test_support.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace {

using Json = nlohmann::ordered_json;
using namespace std::chrono_literals;

struct Child
{
    pid_t pid = -1;
    int out = -1; // the child's stdout
    int err = -1; // the child's stderr

    // Reads stdout up to the first newline, for at most `limit`.
    std::optional<std::string> readLine(std::chrono::milliseconds limit) const
    {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{out, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0)
                continue;
            char c = 0;
            if (read(out, &c, 1) != 1)
                return std::nullopt; // closed: the child exited
            if (c == '\n')
                return line;
            line += c;
        }
        return std::nullopt;
    }

    std::string drainStderr() const
    {
        std::string text;
        char buf[4096];
        for (;;) {
            pollfd p{err, POLLIN, 0};
            if (poll(&p, 1, 0) <= 0)
                break;
            const ssize_t n = read(err, buf, sizeof buf);
            if (n <= 0)
                break;
            text.append(buf, static_cast<std::size_t>(n));
        }
        return text;
    }

    // SIGTERM (unless 0), then the exit status; -1 if it did not end within 20 s.
    int stop(int sig = SIGTERM)
    {
        if (pid <= 0)
            return -1;
        if (sig != 0)
            kill(pid, sig);
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        int status = 0;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                pid = -1;
                return -1;
            }
            std::this_thread::sleep_for(10ms);
        }
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    ~Child()
    {
        if (pid > 0)
            stop(SIGKILL);
        if (out >= 0)
            close(out);
        if (err >= 0)
            close(err);
    }
};

std::unique_ptr<Child> spawnCli(const std::vector<std::string> &args)
{
    int outPipe[2], errPipe[2];
    if (pipe(outPipe) != 0 || pipe(errPipe) != 0)
        return nullptr;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
    posix_spawn_file_actions_addclose(&actions, outPipe[0]);
    posix_spawn_file_actions_addclose(&actions, errPipe[0]);
    std::vector<std::string> all = {GLMDESK_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (std::string &a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    auto child = std::make_unique<Child>();
    const int rc = posix_spawn(&child->pid, GLMDESK_CLI, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(outPipe[1]);
    close(errPipe[1]);
    child->out = outPipe[0];
    child->err = errPipe[0];
    if (rc != 0)
        child->pid = -1;
    return child;
}

// The demo model first (CI has it), then the air-mini fixture; each one present is served.
std::vector<std::filesystem::path> servableModels()
{
    std::vector<std::filesystem::path> models;
#ifdef GLMDESK_DEMO_MODEL
    if (std::filesystem::exists(GLMDESK_DEMO_MODEL))
        models.emplace_back(GLMDESK_DEMO_MODEL);
#endif
    if (auto dir = glmdesk::test::shared_fixtures_dir()) {
        const auto model = *dir / "air-mini" / "gguf" / "air-mini-bf16.gguf";
        if (std::filesystem::exists(model))
            models.push_back(model);
    }
    return models;
}

int portFromBanner(const std::string &line)
{
    // "glmdesk-cli serve: NAME on http://127.0.0.1:PORT/v1 (Ctrl+C stops)"
    const auto at = line.find("127.0.0.1:");
    return at == std::string::npos ? -1 : std::atoi(line.c_str() + at + 10);
}

TEST(ServeCli, RefusesAnotherInterfaceWithoutAnApiKey)
{
    auto child = spawnCli({"serve", "--model", "/nonexistent.gguf", "--host", "0.0.0.0"});
    ASSERT_TRUE(child && child->pid > 0);
    EXPECT_EQ(child->stop(0), 2);
    EXPECT_NE(child->drainStderr().find("--api-key"), std::string::npos);
}

TEST(ServeCli, RejectsUnknownOptionsAndAMissingModel)
{
    for (const std::vector<std::string> &args :
         {std::vector<std::string>{"serve"}, {"serve", "--bogus", "1"}, {"serve", "--port", "x"}}) {
        auto child = spawnCli(args);
        ASSERT_TRUE(child && child->pid > 0);
        EXPECT_EQ(child->stop(0), 2);
    }
    auto missing = spawnCli({"serve", "--model", "/nonexistent.gguf", "--port", "0"});
    ASSERT_TRUE(missing && missing->pid > 0);
    EXPECT_EQ(missing->stop(0), 1);
    EXPECT_NE(missing->drainStderr().find("nonexistent"), std::string::npos);
}

void serveAndQuery(const std::filesystem::path &model)
{
    SCOPED_TRACE(model.string());
    auto child = spawnCli({"serve", "--model", model.string(), "--port", "0", "--ctx", "512",
                           "--threads", "2", "--name", "air-mini"});
    ASSERT_TRUE(child && child->pid > 0);
    const auto banner = child->readLine(120s);
    ASSERT_TRUE(banner) << child->drainStderr();
    const int port = portFromBanner(*banner);
    ASSERT_GT(port, 0) << *banner;

    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(120s);
    auto models = client.Get("/v1/models");
    ASSERT_TRUE(models);
    EXPECT_EQ(Json::parse(models->body)["data"][0]["id"], "air-mini");

    const Json request = {
        {"model", "air-mini"},
        {"messages", Json::array({{{"role", "user"}, {"content", "Say hello."}}})},
        {"max_tokens", 12},
        {"temperature", 0},
        {"chat_template_kwargs", {{"enable_thinking", false}}}};
    auto res = client.Post("/v1/chat/completions", request.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const Json body = Json::parse(res->body);
    EXPECT_EQ(body["object"], "chat.completion");
    const int completionTokens = body["usage"]["completion_tokens"].get<int>();
    EXPECT_GT(completionTokens, 0);
    EXPECT_LE(completionTokens, 12);
    EXPECT_GT(body["usage"]["prompt_tokens"].get<int>(), 5);
    const std::string reason = body["choices"][0]["finish_reason"];
    EXPECT_TRUE(reason == "length" || reason == "stop" || reason == "tool_calls") << reason;

    // The same request streamed, greedy: the same answer, in pieces.
    Json streamed = request;
    streamed["stream"] = true;
    auto sse = client.Post("/v1/chat/completions", streamed.dump(), "application/json");
    ASSERT_TRUE(sse);
    ASSERT_EQ(sse->status, 200);
    std::string content, reasoning;
    bool done = false;
    std::size_t pos = 0;
    while ((pos = sse->body.find("data: ", pos)) != std::string::npos) {
        const std::size_t end = sse->body.find("\n\n", pos);
        const std::string data = sse->body.substr(pos + 6, end - pos - 6);
        pos = end;
        if (data == "[DONE]") {
            done = true;
            break;
        }
        const Json chunk = Json::parse(data);
        ASSERT_FALSE(chunk.contains("error")) << data;
        const Json &delta = chunk["choices"][0]["delta"];
        if (delta.contains("content"))
            content += delta["content"].get<std::string>();
        if (delta.contains("reasoning_content"))
            reasoning += delta["reasoning_content"].get<std::string>();
    }
    EXPECT_TRUE(done);
    const Json &message = body["choices"][0]["message"];
    EXPECT_EQ(content, message["content"].is_string() ? message["content"].get<std::string>() : "");
    EXPECT_EQ(reasoning, message.value("reasoning_content", std::string()));

    EXPECT_EQ(child->stop(), 0) << child->drainStderr();
}

TEST(ServeCli, ServesARealModelStreamingAndNot)
{
    const auto models = servableModels();
    if (models.empty())
        GTEST_SKIP() << "no model to serve: this build has no demo model (glmdesk_demo_model) "
                        "and ../shared/fixtures/air-mini/gguf/air-mini-bf16.gguf is absent";
    for (const auto &model : models)
        serveAndQuery(model);
}

} // namespace
