// The Qt side of the engine: owns engine::Engine, turns its events (delivered on the engine
// thread) into queued signals on the UI thread. Events are gathered under a short lock and at most
// one flush is in flight, so a fast token stream costs the UI one slot call per event-loop turn,
// with adjacent deltas merged (STYLE.md section 2, rule 4).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace glmdesk::app {

struct ChatTurn
{
    enum class Role { System, User, Assistant };
    Role role = Role::User;
    QString text;
};

// The sampling controls the settings expose; the defaults are GLM-4.5's published ones
// (GLM45_SPEC.md section 8), the same as engine::SamplingParams::glm45_defaults().
struct SamplingSettings
{
    double temperature = 0.6; // <= 0: greedy
    double topP = 0.95;       // 1: off
    int topK = 0;             // 0: off
};

class EngineBridge : public QObject
{
    Q_OBJECT
public:
    explicit EngineBridge(QObject *parent = nullptr);
    ~EngineBridge() override; // shuts the engine down before anything else goes

    // Returns the request id (0 when the engine has been shut down).
    quint64 loadModel(const QString &path, int contextLength = 8192);
    quint64 generate(const QList<ChatTurn> &conversation, bool thinking, int maxTokens = 4096,
                     const SamplingSettings &sampling = {});
    void cancel(quint64 requestId);
    void unloadModel();

Q_SIGNALS:
    void loadProgress(quint64 requestId, double fraction);
    void modelLoaded(quint64 requestId, const QString &path, const QString &summary,
                     int contextLength);
    void thinkingDelta(quint64 requestId, const QString &text);
    void answerDelta(quint64 requestId, const QString &text);
    void toolCallProposed(quint64 requestId, const QString &name, const QString &argumentsJson);
    void warning(quint64 requestId, const QString &message);
    void statsUpdated(quint64 requestId, double decodeTokensPerSecond, int contextUsed,
                      int contextSize);
    // reason: "stop", "length", "tool_calls", "cancelled", "unloaded", "loaded"
    void finished(quint64 requestId, const QString &reason);
    void failed(quint64 requestId, const QString &message);

private:
    void flush();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace glmdesk::app
