// A ChatEngine that talks to an OpenAI-compatible server (glmdesk-cli serve, vLLM, SGLang) over
// HTTP, so that a team serving GLM-4.5 on a GPU cluster gets the same chat, thinking, code view
// and tool approval as the local engine. Streams /chat/completions as server-sent events and parses
// them incrementally: the network splits chunks anywhere, so bytes are buffered up to each event's
// blank line. Tool-call fragments are gathered by index and proposed once the stream ends, the same
// moment the local engine proposes them.
#pragma once

#include "app/chat_engine.h"

#include <QHash>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace glmdesk::app {

struct RemoteSettings
{
    QUrl baseUrl;   // e.g. http://127.0.0.1:8080/v1
    QString apiKey; // empty: no Authorization header
    QString model;  // empty: the first model the server lists
};

class RemoteEngine : public ChatEngine
{
    Q_OBJECT
public:
    explicit RemoteEngine(QObject *parent = nullptr);
    ~RemoteEngine() override;

    void setSettings(const RemoteSettings &settings);
    RemoteSettings settings() const { return m_settings; }
    // The model id in use after a successful load; empty before.
    QString currentModel() const { return m_currentModel; }

    // path: the model name to use (empty: the one from the settings, else the server's first).
    using ChatEngine::loadModel;
    quint64 loadModel(const QString &path, const LoadOptions &options) override;
    using ChatEngine::generate;
    quint64 generate(const QList<ChatTurn> &conversation, const GenerateOptions &options) override;
    void cancel(quint64 requestId) override;
    void unloadModel() override;

private:
    struct Stream;
    QUrl endpoint(const QString &name) const;
    QString hostLabel() const;
    QString errorMessage(QNetworkReply *reply, const QByteArray &body) const;
    void onModelsFinished(quint64 id, QNetworkReply *reply, const QString &wanted,
                          int contextLength);
    void onStreamData(quint64 id);
    void onStreamFinished(quint64 id);
    // Returns false (and fails the stream) on a payload that is not a chunk.
    bool handleEvent(quint64 id, Stream &s, const QByteArray &data);
    void failStream(quint64 id, const QString &message);

    QNetworkAccessManager *m_network;
    RemoteSettings m_settings;
    QString m_currentModel;
    int m_contextLength = 0;
    quint64 m_nextId = 1;
    QHash<quint64, QPointer<QNetworkReply>> m_loads;
    QHash<quint64, std::shared_ptr<Stream>> m_streams;
};

} // namespace glmdesk::app
