// What the UI talks to: a chat engine that loads a model, streams answers and proposes tool calls.
// The local engine (EngineBridge, engine::Engine on its own thread) and a remote OpenAI-compatible
// server both sit behind this one interface, so the chat, thinking, code view and tool approval
// work the same whichever answers. Every signal arrives on the UI thread.
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <utility>

namespace glmdesk::app {

// One call the assistant made, as it is kept in the conversation and sent back with it.
struct ChatToolCall
{
    QString id;            // the tool call's id ("call_…"); tool results refer to it
    QString name;          // "read_file"
    QString argumentsJson; // one JSON object
};

struct ChatTurn
{
    enum class Role { System, User, Assistant, Tool };
    ChatTurn() = default;
    ChatTurn(Role r, QString t) : role(r), text(std::move(t)) {}

    Role role = Role::User;
    QString text;                  // visible text; for Role::Tool the tool's result
    QString reasoning;             // assistant thinking, when kept
    QList<ChatToolCall> toolCalls; // assistant only
    QString toolCallId;            // Role::Tool: which call this answers
};

// The sampling controls the settings expose; the defaults are GLM-4.5's published ones
// (GLM45_SPEC.md section 8), the same as engine::SamplingParams::glm45_defaults().
struct SamplingSettings
{
    double temperature = 0.6; // <= 0: greedy
    double topP = 0.95;       // 1: off
    int topK = 0;             // 0: off
};

struct GenerateOptions
{
    bool thinking = true;
    int maxTokens = 4096;
    SamplingSettings sampling;
    // The tools the model may call: an OpenAI-style JSON array of
    // {"type":"function","function":{"name","description","parameters"}}; empty: none.
    QByteArray toolsJson;
};

// How to load a model (the local engine; a remote engine uses only the path as its model name).
struct LoadOptions
{
    int contextLength = 8192;
    enum class KvType { F16, F32, Q8_0 };
    KvType kvType = KvType::F16;
    int threads = 0;          // 0: every hardware thread
    int gpuExpertLayers = -1; // -1: as many as fit (the placement planner decides)
    int draftTokens = 1;      // MTP drafts per step; 0: off
};

class ChatEngine : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~ChatEngine() override = default;

    // Each returns the request id; 0 when the engine cannot take requests any more, or when
    // options.toolsJson is not an array of valid tool definitions.
    virtual quint64 loadModel(const QString &path, const LoadOptions &options) = 0;
    virtual quint64 generate(const QList<ChatTurn> &conversation,
                             const GenerateOptions &options) = 0;
    virtual void cancel(quint64 requestId) = 0;
    virtual void unloadModel() = 0;

    quint64 loadModel(const QString &path) { return loadModel(path, LoadOptions{}); }
    // The older call shape, kept for callers that need no tools.
    quint64 generate(const QList<ChatTurn> &conversation, bool thinking, int maxTokens = 4096,
                     const SamplingSettings &sampling = {})
    {
        GenerateOptions options;
        options.thinking = thinking;
        options.maxTokens = maxTokens;
        options.sampling = sampling;
        return generate(conversation, options);
    }

Q_SIGNALS:
    void loadProgress(quint64 requestId, double fraction);
    void modelLoaded(quint64 requestId, const QString &path, const QString &summary,
                     int contextLength);
    void thinkingDelta(quint64 requestId, const QString &text);
    void answerDelta(quint64 requestId, const QString &text);
    // callId: a fresh id for this call ("call_…"), the one the tool result names.
    void toolCallProposed(quint64 requestId, const QString &callId, const QString &name,
                          const QString &argumentsJson);
    void warning(quint64 requestId, const QString &message);
    void statsUpdated(quint64 requestId, double decodeTokensPerSecond, int contextUsed,
                      int contextSize);
    // reason: "stop", "length", "tool_calls", "cancelled", "unloaded", "loaded"
    void finished(quint64 requestId, const QString &reason);
    void failed(quint64 requestId, const QString &message);
};

} // namespace glmdesk::app
