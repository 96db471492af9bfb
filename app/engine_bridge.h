// The Qt side of the engine: owns engine::Engine, turns its events (delivered on the engine
// thread) into queued signals on the UI thread. Events are gathered under a short lock and at most
// one flush is in flight, so a fast token stream costs the UI one slot call per event-loop turn,
// with adjacent deltas merged (STYLE.md section 2, rule 4).
#pragma once

#include "app/chat_engine.h"

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

private:
    void flush();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace glmdesk::app
