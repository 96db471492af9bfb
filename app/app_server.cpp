#include "app/app_server.h"

#include "app/engine_bridge.h"
#include "app/server/chat_backend.h"
#include "app/server/openai_server.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <variant>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

// One generate() at a time (the server's queue): submit to the bridge's engine with a tap, pass
// its events to the sink, and turn the cancel flag into Engine::cancel.
class AppServer::BridgeBackend : public ChatBackend
{
public:
    explicit BridgeBackend(EngineBridge *bridge) : m_bridge(bridge) {}

    void generate(const BackendRequest &request, const BackendSink &sink,
                  const std::atomic<bool> &cancel) override
    {
        struct State
        {
            std::mutex mutex;
            std::condition_variable done;
            bool finished = false;
        };
        auto state = std::make_shared<State>();
        const quint64 id = m_bridge->submitTapped(
            request.generate, [state, &sink](engine::EventPayload &&payload) {
                const bool last = std::holds_alternative<engine::events::Done>(payload) ||
                                  std::holds_alternative<engine::events::Error>(payload);
                sink(std::move(payload));
                if (last) {
                    std::lock_guard lock(state->mutex);
                    state->finished = true;
                    state->done.notify_all();
                }
            });
        std::unique_lock lock(state->mutex);
        bool cancelSent = false;
        while (!state->done.wait_for(lock, std::chrono::milliseconds(20),
                                     [&] { return state->finished; })) {
            if (!cancelSent && cancel.load() && id != 0) {
                m_bridge->cancel(id); // thread-safe: Engine::cancel
                cancelSent = true;
            }
        }
    }

private:
    EngineBridge *m_bridge;
};

AppServer::AppServer(EngineBridge *bridge, QObject *parent)
    : QObject(parent), m_bridge(bridge), m_backend(std::make_unique<BridgeBackend>(bridge))
{}

AppServer::~AppServer()
{
    stop();
}

QString AppServer::start(const Options &options)
{
    stop();
    ServerOptions so;
    so.host = options.allowOtherComputers ? "0.0.0.0" : "127.0.0.1";
    so.port = options.port;
    so.apiKey = options.apiKey.toStdString();
    so.modelId = options.modelId.toStdString();
    if (options.allowOtherComputers && options.apiKey.isEmpty())
        return tr("Letting other computers use the server needs an API key.");
    auto server = std::make_unique<OpenAiServer>(*m_backend, so);
    if (const engine::Status s = server->start(); !s.ok())
        return tr("The server could not start on port %1: %2")
            .arg(options.port)
            .arg(QString::fromStdString(s.message()));
    m_server = std::move(server);
    Q_EMIT runningChanged(true);
    return {};
}

void AppServer::stop()
{
    if (!m_server)
        return;
    m_server->stop();
    m_server.reset();
    Q_EMIT runningChanged(false);
}

int AppServer::port() const
{
    return m_server ? m_server->port() : 0;
}

QString AppServer::url() const
{
    if (!m_server)
        return {};
    // 0.0.0.0 is where it listens, not an address to type: this machine answers on loopback too.
    return u"http://127.0.0.1:%1"_s.arg(m_server->port());
}

} // namespace glmdesk::app
