// The app's own OpenAI-compatible server: OpenAiServer (app/server) over the model the window has
// loaded. Server requests go into the same engine::Engine as the chat (EngineBridge's tapped
// requests), so one model in memory serves both, one generation at a time in the engine's order.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace glmdesk::app {

class EngineBridge;
class OpenAiServer;

class AppServer : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int port = 8080;
        // Listen on every interface (0.0.0.0); then apiKey is required.
        bool allowOtherComputers = false;
        QString apiKey;
        QString modelId = QStringLiteral("glmdesk");
    };

    // `bridge` must outlive this object (make it the parent, or a sibling created earlier).
    explicit AppServer(EngineBridge *bridge, QObject *parent = nullptr);
    ~AppServer() override;

    // Starts, or restarts with new options; on failure returns a translated message and stays off.
    QString start(const Options &options);
    void stop();
    bool isRunning() const { return m_server != nullptr; }
    int port() const;
    // "http://127.0.0.1:8080" while running, else empty.
    QString url() const;

Q_SIGNALS:
    void runningChanged(bool running);

private:
    class BridgeBackend;
    EngineBridge *m_bridge;
    std::unique_ptr<BridgeBackend> m_backend;
    std::unique_ptr<OpenAiServer> m_server;
};

} // namespace glmdesk::app
