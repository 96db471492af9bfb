// A ChatEngine test double that answers with fixed GLM-formatted raw outputs, one per generate()
// call, passed through the real output parser (engine/chat/output_parser.h) with the tools the
// request declared, so the app sees exactly the signals the local engine would send: thinking and
// answer deltas, toolCallProposed for each complete <tool_call> block, finished with "tool_calls"
// or "stop". It records every request, so a test can check what reached the model (tool results,
// denial reasons, the tools offered).
#pragma once

#include "app/chat_engine.h"

#include <QList>
#include <QSet>
#include <QStringList>

namespace glmdesk::test {

class ScriptedEngine : public app::ChatEngine
{
    Q_OBJECT
public:
    struct Request
    {
        quint64 id = 0;
        QList<app::ChatTurn> conversation;
        app::GenerateOptions options;
    };

    explicit ScriptedEngine(QObject *parent = nullptr);

    // The raw model output for the next generate() calls, in order. When the script runs out,
    // the answer is "(end of script)".
    void addOutput(const QString &raw) { m_script.append(raw); }
    // Outputs are fed to the parser in pieces of this many bytes (tags split across deltas).
    void setChunkBytes(int bytes) { m_chunkBytes = bytes; }

    const QList<Request> &requests() const { return m_requests; }

    using ChatEngine::loadModel;
    quint64 loadModel(const QString &path, const app::LoadOptions &options) override;
    using ChatEngine::generate;
    quint64 generate(const QList<app::ChatTurn> &conversation,
                     const app::GenerateOptions &options) override;
    void cancel(quint64 requestId) override;
    void unloadModel() override {}

private:
    void play(quint64 id, const QString &raw, const QByteArray &toolsJson);

    QStringList m_script;
    QList<Request> m_requests;
    QSet<quint64> m_cancelled;
    quint64 m_nextId = 0;
    int m_chunkBytes = 7;
    int m_toolCalls = 0;
};

} // namespace glmdesk::test
