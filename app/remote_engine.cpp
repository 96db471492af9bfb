#include "app/remote_engine.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <utility>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

namespace {

constexpr int kModelsTimeoutMs = 15000;
// Error bodies are short; a stream that answers 200 but is not SSE is cut off here.
constexpr qsizetype kMaxBufferedBytes = qsizetype{4} << 20;

QJsonObject toolCallJson(const ChatToolCall &call)
{
    QJsonObject fn;
    fn[u"name"_s] = call.name;
    fn[u"arguments"_s] = call.argumentsJson.isEmpty() ? u"{}"_s : call.argumentsJson;
    QJsonObject out;
    out[u"id"_s] = call.id;
    out[u"type"_s] = u"function"_s;
    out[u"function"_s] = fn;
    return out;
}

QJsonObject messageJson(const ChatTurn &turn)
{
    QJsonObject m;
    switch (turn.role) {
    case ChatTurn::Role::System:
        m[u"role"_s] = u"system"_s;
        m[u"content"_s] = turn.text;
        break;
    case ChatTurn::Role::User:
        m[u"role"_s] = u"user"_s;
        m[u"content"_s] = turn.text;
        break;
    case ChatTurn::Role::Assistant: {
        m[u"role"_s] = u"assistant"_s;
        m[u"content"_s] = turn.text.isEmpty() && !turn.toolCalls.isEmpty()
                              ? QJsonValue(QJsonValue::Null)
                              : QJsonValue(turn.text);
        if (!turn.reasoning.isEmpty())
            m[u"reasoning_content"_s] = turn.reasoning;
        if (!turn.toolCalls.isEmpty()) {
            QJsonArray calls;
            for (const ChatToolCall &c : turn.toolCalls)
                calls.append(toolCallJson(c));
            m[u"tool_calls"_s] = calls;
        }
        break;
    }
    case ChatTurn::Role::Tool:
        m[u"role"_s] = u"tool"_s;
        m[u"tool_call_id"_s] = turn.toolCallId;
        m[u"content"_s] = turn.text;
        break;
    }
    return m;
}

// An OpenAI-style tools array: every entry {"type":"function","function":{"name":...}}.
bool parseTools(const QByteArray &json, QJsonArray &out)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isArray())
        return false;
    for (const QJsonValue &v : doc.array()) {
        const QJsonObject fn = v.toObject().value(u"function"_s).toObject();
        if (!v.isObject() || fn.value(u"name"_s).toString().isEmpty())
            return false;
    }
    out = doc.array();
    return true;
}

QString knownFinishReason(const QString &reason)
{
    if (reason == u"length"_s || reason == u"tool_calls"_s)
        return reason;
    if (reason == u"function_call"_s)
        return u"tool_calls"_s;
    return u"stop"_s; // "stop", "eos", "content_filter": the answer ended
}

} // namespace

struct RemoteEngine::Stream
{
    struct PendingCall
    {
        QString id;
        QString name;
        QString arguments;
    };

    QPointer<QNetworkReply> reply;
    QByteArray buffer;    // bytes after the last complete line
    QByteArray eventData; // "data:" lines of the event being read
    QByteArray errorBody; // the body of an HTTP error answer
    QMap<int, PendingCall> calls;
    QString finishReason;
    bool sawDone = false;
    bool sawEvent = false;
    bool failed = false;
    bool httpError = false;
    int completionTokens = -1;
    int totalTokens = -1;
    QElapsedTimer clock;
};

RemoteEngine::RemoteEngine(QObject *parent)
    : ChatEngine(parent), m_network(new QNetworkAccessManager(this))
{}

RemoteEngine::~RemoteEngine()
{
    // Replies are children of the manager; abort them quietly (no signals to a dying object).
    for (auto &s : std::as_const(m_streams))
        if (s->reply) {
            s->reply->disconnect(this);
            s->reply->abort();
        }
    for (auto &r : std::as_const(m_loads))
        if (r) {
            r->disconnect(this);
            r->abort();
        }
}

void RemoteEngine::setSettings(const RemoteSettings &settings)
{
    m_settings = settings;
}

QUrl RemoteEngine::endpoint(const QString &name) const
{
    QUrl url = m_settings.baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u'/' + name);
    return url;
}

QString RemoteEngine::hostLabel() const
{
    const QUrl &u = m_settings.baseUrl;
    return u.port() >= 0 ? u"%1:%2"_s.arg(u.host()).arg(u.port()) : u.host();
}

QString RemoteEngine::errorMessage(QNetworkReply *reply, const QByteArray &body) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        switch (reply->error()) {
        case QNetworkReply::ConnectionRefusedError:
        case QNetworkReply::HostNotFoundError:
        case QNetworkReply::TimeoutError:
        case QNetworkReply::OperationCanceledError: // the transfer timeout (cancel() disconnects)
        case QNetworkReply::RemoteHostClosedError:
        case QNetworkReply::NetworkSessionFailedError:
        case QNetworkReply::UnknownNetworkError:
            return tr("Cannot reach the server at %1 (%2). Check the address and that the server "
                      "is running.")
                .arg(hostLabel(), reply->errorString());
        default:
            return tr("The request to %1 failed: %2").arg(hostLabel(), reply->errorString());
        }
    }
    // OpenAI, vLLM and glmdesk-cli serve answer {"error":{"message":...}}; some servers send
    // {"message":...} or {"detail":...}, others plain text.
    QString detail;
    const QJsonObject obj = QJsonDocument::fromJson(body).object();
    const QJsonValue err = obj.value(u"error"_s);
    if (err.isObject())
        detail = err.toObject().value(u"message"_s).toString();
    else if (err.isString())
        detail = err.toString();
    if (detail.isEmpty())
        detail = obj.value(u"message"_s).toString();
    if (detail.isEmpty())
        detail = obj.value(u"detail"_s).toString();
    if (detail.isEmpty())
        detail = QString::fromUtf8(body.left(300)).trimmed();
    if (status == 401 || status == 403)
        return tr("The server at %1 refused the API key (HTTP %2): %3")
            .arg(hostLabel())
            .arg(status)
            .arg(detail);
    if (status == 404)
        return tr("Not found on the server at %1 (HTTP 404; is the model name \"%2\" and the base "
                  "URL right?): %3")
            .arg(hostLabel(), m_currentModel.isEmpty() ? m_settings.model : m_currentModel, detail);
    return tr("The server at %1 answered HTTP %2: %3").arg(hostLabel()).arg(status).arg(detail);
}

quint64 RemoteEngine::loadModel(const QString &path, const LoadOptions &options)
{
    const quint64 id = m_nextId++;
    // A local file (the window's demo model, when no name was given) means "the configured model".
    const QString wanted = path.isEmpty() || QFileInfo::exists(path) ? m_settings.model : path;
    if (!m_settings.baseUrl.isValid() || m_settings.baseUrl.host().isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [this, id] {
                Q_EMIT failed(id, tr("The remote server address \"%1\" is not a valid URL.")
                                      .arg(m_settings.baseUrl.toString()));
            },
            Qt::QueuedConnection);
        return id;
    }
    QNetworkRequest request(endpoint(u"models"_s));
    request.setTransferTimeout(kModelsTimeoutMs);
    if (!m_settings.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_settings.apiKey.toUtf8());
    QNetworkReply *reply = m_network->get(request);
    m_loads.insert(id, reply);
    const int ctx = options.contextLength;
    connect(reply, &QNetworkReply::finished, this,
            [this, id, reply, wanted, ctx] { onModelsFinished(id, reply, wanted, ctx); });
    return id;
}

void RemoteEngine::onModelsFinished(quint64 id, QNetworkReply *reply, const QString &wanted,
                                    int contextLength)
{
    reply->deleteLater();
    m_loads.remove(id);
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status >= 400 || status == 0) {
        Q_EMIT failed(id, errorMessage(reply, body));
        return;
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    const QJsonValue data = doc.object().value(u"data"_s);
    if (err.error != QJsonParseError::NoError || !data.isArray()) {
        Q_EMIT failed(id, tr("The server at %1 is not an OpenAI-compatible API: GET %2 did not "
                             "return a model list.")
                              .arg(hostLabel(), endpoint(u"models"_s).toString()));
        return;
    }
    QStringList ids;
    for (const QJsonValue &m : data.toArray())
        if (const QString mid = m.toObject().value(u"id"_s).toString(); !mid.isEmpty())
            ids.append(mid);
    QString model = wanted;
    if (model.isEmpty()) {
        if (ids.isEmpty()) {
            Q_EMIT failed(id, tr("The server at %1 offers no models.").arg(hostLabel()));
            return;
        }
        model = ids.front();
    } else if (!ids.contains(model)) {
        Q_EMIT failed(id, tr("Model \"%1\" not found on the server at %2; it offers: %3")
                              .arg(model, hostLabel(), ids.join(u", "_s)));
        return;
    }
    m_currentModel = model;
    m_contextLength = contextLength;
    Q_EMIT modelLoaded(id, model, tr("remote: %1 at %2").arg(model, hostLabel()), contextLength);
    Q_EMIT finished(id, u"loaded"_s);
}

quint64 RemoteEngine::generate(const QList<ChatTurn> &conversation, const GenerateOptions &options)
{
    QJsonArray tools;
    if (!options.toolsJson.trimmed().isEmpty() && !parseTools(options.toolsJson, tools))
        return 0;
    const quint64 id = m_nextId++;
    if (m_currentModel.isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [this, id] {
                Q_EMIT failed(id, tr("No remote model is connected: connect to the server first."));
            },
            Qt::QueuedConnection);
        return id;
    }

    QJsonArray messages;
    for (const ChatTurn &t : conversation)
        messages.append(messageJson(t));
    QJsonObject body;
    body[u"model"_s] = m_currentModel;
    body[u"messages"_s] = messages;
    body[u"stream"_s] = true;
    body[u"stream_options"_s] = QJsonObject{{u"include_usage"_s, true}};
    body[u"max_tokens"_s] = options.maxTokens;
    body[u"temperature"_s] = options.sampling.temperature;
    body[u"top_p"_s] = options.sampling.topP;
    if (options.sampling.topK > 0)
        body[u"top_k"_s] = options.sampling.topK;
    body[u"chat_template_kwargs"_s] = QJsonObject{{u"enable_thinking"_s, options.thinking}};
    if (!tools.isEmpty())
        body[u"tools"_s] = tools;

    QNetworkRequest request(endpoint(u"chat/completions"_s));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "text/event-stream");
    if (!m_settings.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_settings.apiKey.toUtf8());
    auto stream = std::make_shared<Stream>();
    stream->clock.start();
    QNetworkReply *reply =
        m_network->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    stream->reply = reply;
    m_streams.insert(id, stream);
    connect(reply, &QNetworkReply::readyRead, this, [this, id] { onStreamData(id); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { onStreamFinished(id); });
    return id;
}

void RemoteEngine::failStream(quint64 id, const QString &message)
{
    const auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    const std::shared_ptr<Stream> s = it.value();
    m_streams.erase(it);
    s->failed = true;
    if (s->reply) {
        s->reply->disconnect(this);
        s->reply->abort();
        s->reply->deleteLater();
    }
    Q_EMIT failed(id, message);
}

void RemoteEngine::onStreamData(quint64 id)
{
    const auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    const std::shared_ptr<Stream> s = it.value();
    QNetworkReply *reply = s->reply;
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400 || s->httpError) {
        s->httpError = true;
        s->errorBody += reply->readAll();
        if (s->errorBody.size() > kMaxBufferedBytes)
            s->errorBody.truncate(kMaxBufferedBytes);
        return;
    }
    s->buffer += reply->readAll();
    // Complete lines only; an event ends at a blank line (SSE: "\n", "\r\n" or "\r" line ends).
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = s->buffer.indexOf('\n', start);
        if (nl < 0)
            break;
        QByteArray line = s->buffer.mid(start, nl - start);
        start = nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty()) {
            if (!s->eventData.isEmpty()) {
                const QByteArray data = std::exchange(s->eventData, {});
                if (!handleEvent(id, *s, data))
                    return; // failed: the stream is gone
            }
        } else if (line.startsWith("data:")) {
            QByteArray value = line.mid(5);
            if (value.startsWith(' '))
                value.remove(0, 1);
            if (!s->eventData.isEmpty())
                s->eventData += '\n';
            s->eventData += value;
        } else if (line.startsWith(':') || line.startsWith("event:") || line.startsWith("id:") ||
                   line.startsWith("retry:")) {
            // comments (keep-alives) and fields a chat stream does not use
        } else {
            failStream(id, tr("The server at %1 sent a garbled stream (not server-sent events): "
                              "\"%2\"")
                               .arg(hostLabel(), QString::fromUtf8(line.left(120))));
            return;
        }
    }
    s->buffer.remove(0, start);
    if (s->buffer.size() > kMaxBufferedBytes)
        failStream(id, tr("The server at %1 sent a line longer than %2 MB: not an event stream.")
                           .arg(hostLabel())
                           .arg(kMaxBufferedBytes >> 20));
}

bool RemoteEngine::handleEvent(quint64 id, Stream &s, const QByteArray &data)
{
    if (data.trimmed() == "[DONE]") {
        s.sawDone = true;
        return true;
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(data, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        failStream(id, tr("The server at %1 sent a garbled stream (an event that is not JSON: %2).")
                           .arg(hostLabel(), QString::fromUtf8(data.left(120))));
        return false;
    }
    const QJsonObject obj = doc.object();
    s.sawEvent = true;
    if (const QJsonValue e = obj.value(u"error"_s); !e.isUndefined() && !e.isNull()) {
        const QString msg =
            e.isObject() ? e.toObject().value(u"message"_s).toString() : e.toVariant().toString();
        failStream(id, tr("The server at %1 stopped with an error: %2").arg(hostLabel(), msg));
        return false;
    }
    if (const QJsonObject usage = obj.value(u"usage"_s).toObject(); !usage.isEmpty()) {
        s.completionTokens = usage.value(u"completion_tokens"_s).toInt(-1);
        s.totalTokens = usage.value(u"total_tokens"_s).toInt(-1);
    }
    for (const QJsonValue &cv : obj.value(u"choices"_s).toArray()) {
        const QJsonObject choice = cv.toObject();
        const QJsonObject delta = choice.value(u"delta"_s).toObject();
        // vLLM names it reasoning_content; some servers use "reasoning".
        QString reasoning = delta.value(u"reasoning_content"_s).toString();
        if (reasoning.isEmpty())
            reasoning = delta.value(u"reasoning"_s).toString();
        if (!reasoning.isEmpty())
            Q_EMIT thinkingDelta(id, reasoning);
        if (const QString content = delta.value(u"content"_s).toString(); !content.isEmpty())
            Q_EMIT answerDelta(id, content);
        for (const QJsonValue &tv : delta.value(u"tool_calls"_s).toArray()) {
            const QJsonObject tc = tv.toObject();
            const int index = tc.value(u"index"_s).toInt(s.calls.size());
            Stream::PendingCall &call = s.calls[index];
            if (const QString cid = tc.value(u"id"_s).toString(); !cid.isEmpty())
                call.id = cid;
            const QJsonObject fn = tc.value(u"function"_s).toObject();
            call.name += fn.value(u"name"_s).toString();
            call.arguments += fn.value(u"arguments"_s).toString();
        }
        if (const QString fr = choice.value(u"finish_reason"_s).toString(); !fr.isEmpty())
            s.finishReason = fr;
    }
    // A stream may stop here if the slot above cancelled or deleted the request.
    return m_streams.contains(id);
}

void RemoteEngine::onStreamFinished(quint64 id)
{
    const auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    const std::shared_ptr<Stream> s = it.value();
    QNetworkReply *reply = s->reply;
    if (reply && reply->error() == QNetworkReply::NoError)
        onStreamData(id); // whatever arrived with the end
    if (!m_streams.contains(id))
        return; // failed while reading the tail
    m_streams.remove(id);
    if (reply)
        reply->deleteLater();
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (s->httpError || status >= 400 ||
        (reply->error() != QNetworkReply::NoError && status == 0)) {
        s->errorBody += reply->readAll();
        Q_EMIT failed(id, errorMessage(reply, s->errorBody));
        return;
    }
    if (reply->error() != QNetworkReply::NoError && s->finishReason.isEmpty()) {
        Q_EMIT failed(id, tr("The connection to %1 broke during the answer: %2")
                              .arg(hostLabel(), reply->errorString()));
        return;
    }
    // A final event without its blank line still counts.
    if (!s->buffer.trimmed().isEmpty() || !s->eventData.isEmpty()) {
        QByteArray tail = s->eventData;
        QByteArray rest = s->buffer.trimmed();
        if (rest.startsWith("data:")) {
            rest.remove(0, 5);
            tail += rest.trimmed();
        } else if (!rest.isEmpty()) {
            Q_EMIT failed(id, tr("The server at %1 sent a garbled stream (not server-sent "
                                 "events): \"%2\"")
                                  .arg(hostLabel(), QString::fromUtf8(rest.left(120))));
            return;
        }
        m_streams.insert(id, s);
        if (!tail.isEmpty() && !handleEvent(id, *s, tail))
            return;
        m_streams.remove(id);
    }
    if (s->finishReason.isEmpty()) {
        Q_EMIT failed(id, s->sawEvent
                              ? tr("The answer from %1 ended without a finish reason: the stream "
                                   "was cut off.")
                                    .arg(hostLabel())
                              : tr("The server at %1 sent no answer stream (an empty or non-SSE "
                                   "reply).")
                                    .arg(hostLabel()));
        return;
    }
    int n = 0;
    for (const Stream::PendingCall &call : std::as_const(s->calls)) {
        ++n;
        const QString callId = call.id.isEmpty() ? u"call_%1_%2"_s.arg(id).arg(n) : call.id;
        Q_EMIT toolCallProposed(id, callId, call.name,
                                call.arguments.isEmpty() ? u"{}"_s : call.arguments);
    }
    if (s->completionTokens >= 0) {
        const double seconds = double(s->clock.elapsed()) / 1000.0;
        Q_EMIT statsUpdated(id, seconds > 0 ? s->completionTokens / seconds : 0.0,
                            std::max(s->totalTokens, 0), m_contextLength);
    }
    Q_EMIT finished(id, knownFinishReason(s->finishReason));
}

void RemoteEngine::cancel(quint64 requestId)
{
    // "cancelled" arrives later, like the local engine's: callers may still be mid-update.
    QPointer<QNetworkReply> reply;
    if (const auto it = m_loads.find(requestId); it != m_loads.end()) {
        reply = it.value();
        m_loads.erase(it);
    } else if (const auto st = m_streams.find(requestId); st != m_streams.end()) {
        reply = st.value()->reply;
        m_streams.erase(st);
    } else {
        return;
    }
    if (reply) {
        reply->disconnect(this);
        reply->abort(); // closes the connection: the server stops generating
        reply->deleteLater();
    }
    QMetaObject::invokeMethod(
        this, [this, requestId] { Q_EMIT finished(requestId, u"cancelled"_s); },
        Qt::QueuedConnection);
}

void RemoteEngine::unloadModel()
{
    QList<quint64> ids = m_streams.keys();
    ids += m_loads.keys();
    for (quint64 id : std::as_const(ids))
        cancel(id);
    m_currentModel.clear();
}

} // namespace glmdesk::app
