#include "app/server/serve_command.h"

#include "app/server/engine_backend.h"
#include "app/server/openai_server.h"

#include <csignal>
#include <pthread.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

namespace glmdesk::app {

namespace {

void printUsage(std::FILE *out)
{
    std::fputs(
        "usage: glmdesk-cli serve --model PATH [options]\n"
        "An OpenAI-compatible server (GET /v1/models, POST /v1/chat/completions) on one model;\n"
        "requests wait their turn in arrival order. Stops on Ctrl+C or SIGTERM.\n"
        "  --model PATH     a .gguf file (any part of a split set) or a Hugging Face folder\n"
        "  --host H         address to listen on (default 127.0.0.1); any other than loopback\n"
        "                   needs --api-key\n"
        "  --port N         TCP port (default 8080; 0 = any free port, printed at start)\n"
        "  --api-key K      clients must send \"Authorization: Bearer K\" (default: the\n"
        "                   GLMDESK_API_KEY environment variable, which keeps K out of ps)\n"
        "  --name NAME      the model id /v1/models reports (default: the file name)\n"
        "  --ctx N          context length (default 8192)\n"
        "  --threads N      CPU threads (default: all)\n"
        "  --queue N        requests that may wait behind the running one (default 64); more get\n"
        "                   503\n"
        "  -h, --help       this help\n",
        out);
}

int fail(const std::string &message, int code = 1)
{
    std::fprintf(stderr, "glmdesk-cli serve: %s\n", message.c_str());
    return code;
}

bool parseInt(std::string_view text, int &out)
{
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

int serve(int argc, char **argv)
{
    std::string model;
    ServerOptions options;
    engine::LoadRequest load;
    int queue = static_cast<int>(options.maxWaiting);
    bool named = false;
    if (const char *key = std::getenv("GLMDESK_API_KEY"))
        options.apiKey = key;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            printUsage(stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return fail(std::string(arg) + " needs a value (see --help)", 2);
        const std::string_view value = argv[++i];
        bool ok = true;
        if (arg == "--model")
            model = value;
        else if (arg == "--host")
            options.host = value;
        else if (arg == "--api-key")
            options.apiKey = value;
        else if (arg == "--name") {
            options.modelId = value;
            named = true;
            ok = !value.empty();
        } else if (arg == "--port")
            ok = parseInt(value, options.port) && options.port >= 0 && options.port <= 65535;
        else if (arg == "--ctx")
            ok = parseInt(value, load.n_ctx) && load.n_ctx > 0;
        else if (arg == "--threads")
            ok = parseInt(value, load.threads) && load.threads >= 0;
        else if (arg == "--queue")
            ok = parseInt(value, queue) && queue >= 0;
        else
            return fail("unknown option '" + std::string(arg) + "' (see --help)", 2);
        if (!ok)
            return fail("bad value for " + std::string(arg) + ": '" + std::string(value) + "'", 2);
    }
    if (model.empty())
        return fail("--model PATH is required (see --help)", 2);
    // Refuse an exposed server before spending a minute on loading.
    if (!isLoopbackHost(options.host) && options.apiKey.empty())
        return fail("listening on " + options.host +
                        " lets other machines use the model: give --api-key (or "
                        "GLMDESK_API_KEY), or listen on 127.0.0.1",
                    2);
    options.maxWaiting = static_cast<std::size_t>(queue);
    if (!named)
        options.modelId = std::filesystem::path(model).filename().string();
    options.log = [](const std::string &line) { std::fprintf(stderr, "%s\n", line.c_str()); };

    // Every thread started from here on inherits the mask, so the signals reach sigwait below
    // and nothing runs inside an async signal handler.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    EngineBackend backend;
    load.path = model;
    int lastPercent = -100; // the first report (0%) prints too
    auto summary = backend.load(load, [&](std::uint64_t done, std::uint64_t total) {
        const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 0;
        if (percent / 10 != lastPercent / 10) {
            std::fprintf(stderr, "loading %s: %d%%\n", model.c_str(), percent);
            lastPercent = percent;
        }
    });
    if (!summary)
        return fail(summary.status().with_context(model).message());
    std::fprintf(stderr, "loaded: %s\n", summary->c_str());

    OpenAiServer server(backend, options);
    if (auto s = server.start(); !s.ok())
        return fail(s.message());
    const bool ipv6 = options.host.find(':') != std::string::npos && options.host.front() != '[';
    std::printf("glmdesk-cli serve: %s on http://%s%s%s:%d/v1 (Ctrl+C stops)\n",
                options.modelId.c_str(), ipv6 ? "[" : "", options.host.c_str(), ipv6 ? "]" : "",
                server.port());
    std::fflush(stdout);

    int received = 0;
    sigwait(&stopSignals, &received);
    std::fprintf(stderr, "glmdesk-cli serve: stopping (%s)\n",
                 received == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    return 0;
}

} // namespace

int runServeCommand(int argc, char **argv)
{
    try {
        return serve(argc, argv);
    } catch (const std::exception &e) {
        return fail(std::string("internal error: ") + e.what());
    } catch (...) {
        return fail("internal error");
    }
}

} // namespace glmdesk::app
