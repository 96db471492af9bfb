#include "app/server/openai_server.h"

#include "app/server/generation_queue.h"
#include "app/server/openai_protocol.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <csignal>
#include <sys/socket.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace glmdesk::app {

namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 100ms;    // how soon a vanished client is noticed
constexpr auto kKeepAliveInterval = 10s; // SSE comment while a stream waits its turn
constexpr const char *kJson = "application/json";
// httplib listens with a backlog of 5: a burst of clients connecting at once (the queue exists
// for exactly that) overflows it, and the kernel drops handshakes, which costs those clients
// seconds or their connection. The listening socket gets this backlog instead.
constexpr int kListenBacklog = 512;

void sendError(httplib::Response &res, int status, std::string_view message, std::string_view type,
               std::string_view code)
{
    res.status = status;
    res.set_content(errorBody(message, type, code), kJson);
}

// Equal-time comparison: the time a wrong key takes says nothing about the right one.
bool sameSecret(std::string_view a, std::string_view b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

std::int64_t unixNow()
{
    return static_cast<std::int64_t>(std::time(nullptr));
}

// A client that goes away mid-write must show up as a failed write, not kill the process.
void ignoreSigpipe()
{
    struct sigaction current = {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
        std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

bool isLoopbackHost(std::string_view host)
{
    if (host == "localhost" || host == "::1" || host == "[::1]")
        return true;
    in_addr addr = {};
    const std::string text(host);
    return inet_pton(AF_INET, text.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

struct OpenAiServer::Impl
{
    ServerOptions options;
    GenerationQueue queue;
    httplib::Server http;
    std::thread listener;
    std::mutex stopMutex;
    int port = 0;
    int listenSocket = -1; // POSIX only, like the rest of this file
    std::int64_t startedAt = unixNow();

    Impl(ChatBackend &backend, ServerOptions opts)
        : options(std::move(opts)), queue(backend, options.maxWaiting)
    {}

    void log(const std::string &line) const
    {
        if (options.log)
            options.log(line);
    }

    void setUp();
    void handleChat(const httplib::Request &req, httplib::Response &res);
    static bool streamJob(const httplib::Request &req, httplib::DataSink &sink, GenerationJob &job,
                          CompletionBuilder &builder);
    void handleChatBlocking(const httplib::Request &req, httplib::Response &res,
                            const std::shared_ptr<GenerationJob> &job, CompletionBuilder &builder);
};

void OpenAiServer::Impl::setUp()
{
    // One thread per admitted request (see the header), plus room for /v1/models and refusals.
    const std::size_t threads = options.maxWaiting + 8;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(options.maxBodyBytes);
    http.set_tcp_nodelay(true); // SSE chunks are small and latency is the point
    http.set_socket_options([this](int sock) {
        httplib::default_socket_options(sock);
        listenSocket = sock;
    });

    http.set_pre_routing_handler([this](const httplib::Request &req, httplib::Response &res) {
        if (options.apiKey.empty() || req.path.rfind("/v1/", 0) != 0)
            return httplib::Server::HandlerResponse::Unhandled;
        const std::string auth = req.get_header_value("Authorization");
        constexpr std::string_view bearer = "Bearer ";
        if (auth.size() > bearer.size() && auth.compare(0, bearer.size(), bearer) == 0 &&
            sameSecret(std::string_view(auth).substr(bearer.size()), options.apiKey))
            return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("WWW-Authenticate", "Bearer");
        sendError(res, 401,
                  auth.empty() ? "this server needs an API key: send \"Authorization: Bearer KEY\""
                               : "the API key is not valid",
                  "invalid_request_error", "invalid_api_key");
        return httplib::Server::HandlerResponse::Handled;
    });

    http.Get("/health", [](const httplib::Request &, httplib::Response &res) {
        res.set_content("{\"status\":\"ok\"}", kJson);
    });
    http.Get("/v1/models", [this](const httplib::Request &, httplib::Response &res) {
        res.set_content(modelsBody(options.modelId, startedAt), kJson);
    });
    http.Post("/v1/chat/completions", [this](const httplib::Request &req, httplib::Response &res) {
        try {
            handleChat(req, res);
        } catch (const std::exception &e) {
            sendError(res, 500, std::string("internal error: ") + e.what(), "server_error", "");
        } catch (...) {
            sendError(res, 500, "internal error", "server_error", "");
        }
    });

    // httplib's own refusals (unknown path, body too large) get an OpenAI-style body too.
    http.set_error_handler([](const httplib::Request &req, httplib::Response &res) {
        if (!res.body.empty())
            return httplib::Server::HandlerResponse::Unhandled;
        std::string message = httplib::status_message(res.status);
        if (res.status == 404)
            message = "no such endpoint: " + req.method + " " + req.path;
        else if (res.status == 413)
            message = "the request body is too large";
        sendError(res, res.status, message,
                  res.status >= 500 ? "server_error" : "invalid_request_error", "");
        return httplib::Server::HandlerResponse::Handled;
    });
    http.set_exception_handler(
        [](const httplib::Request &, httplib::Response &res, const std::exception_ptr &) {
            sendError(res, 500, "internal error", "server_error", "");
        });
    http.set_logger([this](const httplib::Request &req, const httplib::Response &res) {
        if (options.log)
            log(req.method + " " + req.path + " " + std::to_string(res.status) + " from " +
                req.remote_addr);
    });
}

void OpenAiServer::Impl::handleChat(const httplib::Request &req, httplib::Response &res)
{
    auto parsed = parseChatCompletionRequest(req.body);
    if (!parsed)
        return sendError(res, 400, parsed.status().message(), "invalid_request_error", "");

    BackendRequest request;
    request.generate = std::move(parsed->generate);
    auto submitted = queue.submit(std::move(request));
    if (!submitted) {
        res.set_header("Retry-After", "1");
        return sendError(res, 503, submitted.status().message(), "server_error",
                         submitted.status().code() == engine::StatusCode::Cancelled
                             ? "shutting_down"
                             : "queue_full");
    }
    std::shared_ptr<GenerationJob> job = std::move(submitted).value();
    auto builder = std::make_shared<CompletionBuilder>(randomId("chatcmpl-"), options.modelId,
                                                       unixNow(), std::move(parsed->stop),
                                                       parsed->stream, parsed->includeUsage);
    if (!parsed->stream)
        return handleChatBlocking(req, res, job, *builder);

    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [job, builder, &req](std::size_t, httplib::DataSink &sink) {
            // This runs outside httplib's handler try/catch: nothing may escape from here.
            try {
                return streamJob(req, sink, *job, *builder);
            } catch (...) {
                job->cancel();
                return false;
            }
        },
        // Whatever ended the response (a finished stream or a broken connection), the generation
        // must not outlive it.
        [job](bool) { job->cancel(); });
}

// The provider runs on this request's thread, inside httplib's request scope, so `req` outlives
// it. The whole stream is written in this one call.
bool OpenAiServer::Impl::streamJob(const httplib::Request &req, httplib::DataSink &sink,
                                   GenerationJob &job, CompletionBuilder &builder)
{
    auto write = [&](const std::string &text) {
        if (sink.write(text.data(), text.size()))
            return true;
        job.cancel();
        return false;
    };
    std::vector<BackendEvent> events;
    std::vector<std::string> chunks;
    auto lastWrite = std::chrono::steady_clock::now();
    for (;;) {
        events.clear();
        job.take(events, kPollInterval);
        for (const BackendEvent &event : events)
            builder.feed(event, chunks);
        if (builder.stopMatched())
            job.cancel();
        for (const std::string &chunk : chunks)
            if (!write("data: " + chunk + "\n\n"))
                return false;
        if (!chunks.empty())
            lastWrite = std::chrono::steady_clock::now();
        chunks.clear();
        if (builder.finished()) {
            // An error mid-stream: one last event with the OpenAI error object, then the end.
            if (const std::optional<std::string> &error = builder.errorMessage();
                error && !write("data: " + errorBody(*error, "server_error", "") + "\n\n"))
                return false;
            if (!write("data: [DONE]\n\n"))
                return false;
            sink.done();
            return true;
        }
        if (req.is_connection_closed() || !sink.is_writable()) {
            job.cancel();
            return false;
        }
        // SSE comments keep proxies and clients from timing out a long wait in line.
        if (std::chrono::steady_clock::now() - lastWrite > kKeepAliveInterval) {
            if (!write(": waiting for the model\n\n"))
                return false;
            lastWrite = std::chrono::steady_clock::now();
        }
    }
}

void OpenAiServer::Impl::handleChatBlocking(const httplib::Request &req, httplib::Response &res,
                                            const std::shared_ptr<GenerationJob> &job,
                                            CompletionBuilder &builder)
{
    std::vector<BackendEvent> events;
    std::vector<std::string> unused;
    while (!builder.finished()) {
        events.clear();
        job->take(events, kPollInterval);
        for (const BackendEvent &event : events)
            builder.feed(event, unused);
        if (builder.stopMatched())
            job->cancel();
        if (!builder.finished() && req.is_connection_closed()) {
            job->cancel();
            return sendError(res, 499, "the client closed the connection", "invalid_request_error",
                             "");
        }
    }
    if (const std::optional<std::string> &error = builder.errorMessage())
        return sendError(res, 500, *error, "server_error", "");
    res.set_content(dumpJson(builder.completion()), kJson);
}

// ============================================================================ OpenAiServer

OpenAiServer::OpenAiServer(ChatBackend &backend, ServerOptions options)
    : m_impl(std::make_unique<Impl>(backend, std::move(options)))
{
    m_impl->setUp();
}

OpenAiServer::~OpenAiServer()
{
    stop();
}

engine::Status OpenAiServer::start()
{
    Impl &d = *m_impl;
    if (d.listener.joinable())
        return engine::error(engine::StatusCode::InvalidArgument, "the server is already running");
    if (!isLoopbackHost(d.options.host) && d.options.apiKey.empty())
        return engine::error(engine::StatusCode::InvalidArgument,
                             "listening on " + d.options.host +
                                 " lets other machines use the model: give an API key "
                                 "(--api-key), or listen on 127.0.0.1");
    if (d.options.port < 0 || d.options.port > 65535)
        return engine::error(engine::StatusCode::InvalidArgument,
                             "the port must be between 0 and 65535");
    ignoreSigpipe();
    std::string host = d.options.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (d.options.port == 0) {
        d.port = d.http.bind_to_any_port(host);
    } else {
        d.port = d.http.bind_to_port(host, d.options.port) ? d.options.port : -1;
    }
    if (d.port <= 0)
        return engine::error(engine::StatusCode::IoError,
                             "cannot listen on " + d.options.host + ":" +
                                 std::to_string(d.options.port) +
                                 " (is another server using the port, or is the address not one "
                                 "of this machine's?)");
    // Linux and the BSDs take a second listen() on a listening socket as a new backlog.
    if (d.listenSocket >= 0)
        ::listen(d.listenSocket, kListenBacklog);
    d.listener = std::thread([&d] { d.http.listen_after_bind(); });
    d.http.wait_until_ready();
    return {};
}

int OpenAiServer::port() const
{
    return m_impl->port;
}

void OpenAiServer::stop()
{
    Impl &d = *m_impl;
    std::lock_guard lock(d.stopMutex);
    // Generations first, so that every open response gets its ending and its thread returns;
    // then the listener and the HTTP threads.
    d.queue.shutdown();
    d.http.stop();
    if (d.listener.joinable())
        d.listener.join();
}

std::size_t OpenAiServer::waiting() const
{
    return m_impl->queue.waiting();
}

} // namespace glmdesk::app
