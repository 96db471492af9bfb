// The Qt side of the engine: owns engine::Engine, turns its events (delivered on the engine
// thread) into queued signals on the UI thread. Events are gathered under a short lock and at most
// one flush is in flight, so a fast token stream costs the UI one slot call per event-loop turn,
// with adjacent deltas merged (STYLE.md section 2, rule 4).
#pragma once

#include "app/chat_engine.h"
#include "engine/engine.h"

#include <functional>
#include <memory>

namespace glmdesk::app {

class EngineBridge : public ChatEngine
{
    Q_OBJECT
public:
    explicit EngineBridge(QObject *parent = nullptr);
    ~EngineBridge() override; // shuts the engine down before anything else goes

    using ChatEngine::loadModel;
    quint64 loadModel(const QString &path, const LoadOptions &options) override;
    using ChatEngine::generate;
    quint64 generate(const QList<ChatTurn> &conversation, const GenerateOptions &options) override;
    void cancel(quint64 requestId) override;
    void unloadModel() override;

    // For the app's own OpenAI server: a request whose events go to `tap` on the engine thread
    // instead of to the signals, so one loaded model serves the window and the server. The tap
    // sees exactly one Done or Error at the end (an Error when the bridge shuts down first).
    using EventTap = std::function<void(engine::EventPayload &&)>;
    quint64 submitTapped(engine::GenerateRequest request, EventTap tap);

private:
    void flush();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace glmdesk::app
