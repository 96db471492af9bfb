// An OpenAI-compatible HTTP server (GET /v1/models, POST /v1/chat/completions, GET /health) over
// one ChatBackend, on cpp-httplib. Generations run one at a time in arrival order
// (GenerationQueue); a client that disconnects cancels its own generation, queued or running.
//
// Exposure: loopback by default. Any other address needs an API key, and with a key every /v1/
// request must carry "Authorization: Bearer KEY" (401 otherwise). Each connection holds one HTTP
// thread while it waits, so the pool is sized to the queue bound: every admitted request has a
// thread, and the queue, not the pool, decides who runs next and who gets a 503.
#pragma once

#include "app/server/chat_backend.h"
#include "engine/common/status.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace glmdesk::app {

struct ServerOptions
{
    std::string host = "127.0.0.1";
    int port = 8080;    // 0: a free port, see OpenAiServer::port()
    std::string apiKey; // required unless host is a loopback address
    std::string modelId = "glm-4.5";
    std::size_t maxWaiting = 64; // requests waiting behind the running one; more get a 503
    std::size_t maxBodyBytes = std::size_t{32} << 20;
    std::function<void(const std::string &)> log; // one line per request; may be empty
};

// 127.0.0.0/8, ::1 and "localhost".
bool isLoopbackHost(std::string_view host);

class OpenAiServer
{
public:
    OpenAiServer(ChatBackend &backend, ServerOptions options);
    ~OpenAiServer(); // stop()
    OpenAiServer(const OpenAiServer &) = delete;
    OpenAiServer &operator=(const OpenAiServer &) = delete;

    // Binds and serves on a background thread. Fails when the options are unsafe (another
    // interface without an API key) or the address cannot be bound.
    engine::Status start();
    int port() const;
    // Ends every generation (running: cancelled; waiting: an error), then stops listening.
    void stop();

    std::size_t waiting() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace glmdesk::app
