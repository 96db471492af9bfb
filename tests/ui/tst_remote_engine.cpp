// RemoteEngine over real HTTP on loopback: against the real `glmdesk-cli serve` on the demo model,
// and against a tiny in-test server that writes canned answers in odd-sized pieces, so that the
// SSE parser sees events, lines and UTF-8 characters split anywhere.
#include "app/remote_engine.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using glmdesk::app::ChatTurn;
using glmdesk::app::GenerateOptions;
using glmdesk::app::RemoteEngine;
using glmdesk::app::RemoteSettings;

namespace {

struct CannedReply
{
    int status = 200;
    QByteArray contentType = "text/event-stream";
    QByteArray body;
    bool holdOpen = false; // keep the connection open after the body (a stream that never ends)
};

// One canned reply per path; the body goes out in pieces of `chunk` bytes, one per event-loop
// turn, so the client reads them in as many pieces as the socket delivers.
class CannedServer : public QObject
{
public:
    explicit CannedServer(int chunk) : m_chunk(chunk)
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *sock = m_server.nextPendingConnection()) {
                // Small pieces go out as they are written, not gathered by Nagle's algorithm.
                sock->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                auto buffer = std::make_shared<QByteArray>();
                connect(sock, &QTcpSocket::readyRead, this,
                        [this, sock, buffer] { onRead(sock, *buffer); });
                connect(sock, &QTcpSocket::disconnected, sock, &QObject::deleteLater);
            }
        });
    }
    QString baseUrl() const { return u"http://127.0.0.1:%1/v1"_s.arg(m_server.serverPort()); }
    void set(const QByteArray &path, CannedReply reply) { m_replies[path] = std::move(reply); }

    QHash<QByteArray, QByteArray> bodies;  // request bodies by path
    QHash<QByteArray, QByteArray> headers; // request heads by path
    int disconnects = 0;

private:
    void onRead(QTcpSocket *sock, QByteArray &buffer)
    {
        buffer += sock->readAll();
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        const QByteArray head = buffer.left(headEnd);
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n'))
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            return;
        const QByteArray path = head.split(' ').value(1);
        bodies[path] = buffer.mid(headEnd + 4, length);
        headers[path] = head;
        buffer.clear();
        const CannedReply reply =
            m_replies.value(path, CannedReply{404, "text/plain", "no", false});
        QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) +
                         (reply.status == 200 ? " OK" : " Error") +
                         "\r\nContent-Type: " + reply.contentType +
                         "\r\nConnection: close\r\n\r\n" + reply.body;
        connect(sock, &QTcpSocket::disconnected, this, [this] { ++disconnects; });
        sendPieces(sock, out, 0, reply.holdOpen);
    }
    void sendPieces(QPointer<QTcpSocket> sock, QByteArray data, qsizetype from, bool holdOpen)
    {
        if (!sock)
            return;
        if (from >= data.size()) {
            if (!holdOpen)
                sock->disconnectFromHost();
            return;
        }
        sock->write(data.mid(from, m_chunk));
        sock->flush();
        QTimer::singleShot(0, this, [this, sock, data, from, holdOpen] {
            sendPieces(sock, data, from + m_chunk, holdOpen);
        });
    }

    QTcpServer m_server;
    int m_chunk;
    QHash<QByteArray, CannedReply> m_replies;
};

const QByteArray kModels = R"({"object":"list","data":[{"id":"glm-4.5-air","object":"model"}]})";

QByteArray sse(const QList<QByteArray> &events)
{
    QByteArray out;
    for (const QByteArray &e : events)
        out += "data: " + e + "\n\n";
    return out;
}

int freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
        return 0;
    return probe.serverPort(); // closed again when probe goes
}

struct Recorder
{
    explicit Recorder(RemoteEngine &e)
        : engine(&e), loaded(&e, &RemoteEngine::modelLoaded), finished(&e, &RemoteEngine::finished),
          failed(&e, &RemoteEngine::failed), tools(&e, &RemoteEngine::toolCallProposed),
          stats(&e, &RemoteEngine::statsUpdated)
    {
        QObject::connect(&e, &RemoteEngine::thinkingDelta, &context,
                         [this](quint64, const QString &t) { thinking += t; });
        QObject::connect(&e, &RemoteEngine::answerDelta, &context,
                         [this](quint64, const QString &t) { answer += t; });
    }
    // An event loop, not QTest::qWaitFor: that sleeps 10 ms between looks, which a stream sent
    // one byte per event-loop turn would pay for every byte.
    bool waitEnd(int ms = 20000)
    {
        if (finished.size() + failed.size() == 0) {
            QEventLoop loop;
            QTimer::singleShot(ms, &loop, &QEventLoop::quit);
            QObject::connect(engine, &RemoteEngine::finished, &loop, &QEventLoop::quit);
            QObject::connect(engine, &RemoteEngine::failed, &loop, &QEventLoop::quit);
            loop.exec();
        }
        return finished.size() + failed.size() > 0;
    }
    RemoteEngine *engine;
    QSignalSpy loaded, finished, failed, tools, stats;
    QString thinking, answer;
    QObject context; // the lambdas' connections go with the recorder
};

// Connects `engine` to `url` and waits for the model list.
bool connectTo(RemoteEngine &engine, const QString &url, const QString &model = {},
               const QString &key = {})
{
    engine.setSettings(RemoteSettings{QUrl(url), key, model});
    Recorder r(engine);
    engine.loadModel(QString());
    return r.waitEnd() && r.loaded.size() == 1 && r.finished.size() == 1;
}

} // namespace

class TestRemoteEngine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reasoningAndToolCallsSplitAnywhere_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::newRow("1 byte") << 1;
        QTest::newRow("7 bytes") << 7;
        QTest::newRow("13 bytes") << 13;
        QTest::newRow("whole") << 100000;
    }
    void reasoningAndToolCallsSplitAnywhere()
    {
        QFETCH(int, chunk);
        CannedServer server(chunk);
        server.set("/v1/models", {200, "application/json", kModels, false});
        const QByteArray head =
            R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,)";
        QByteArray body = sse({
            head + R"("delta":{"role":"assistant","content":""},"finish_reason":null}]})",
            head + R"("delta":{"reasoning_content":"Let me think 思"},"finish_reason":null}]})",
            head + R"("delta":{"reasoning_content":"考."},"finish_reason":null}]})",
            head + R"("delta":{"content":"I will read it. ✓"},"finish_reason":null}]})",
            head + R"("delta":{"tool_calls":[{"index":0,"id":"call_abc","type":"function",)"
                   "\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"pa\"}}]},"
                   "\"finish_reason\":null}]}",
            head + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                   "\"th\\\": \\\"a.py\\\"}\"}}]},"
                   R"("finish_reason":null}]})",
            head + R"("delta":{"tool_calls":[{"index":1,"id":"call_def","type":"function",)"
                   R"("function":{"name":"list_dir","arguments":"{}"}}]},"finish_reason":null}]})",
            head + R"("delta":{},"finish_reason":"tool_calls"}]})",
            R"({"id":"c1","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42}})",
            "[DONE]",
        });
        // A keep-alive comment and CRLF line ends, as some proxies write them.
        body.prepend(": keep-alive\r\n\r\n");
        server.set("/v1/chat/completions", {200, "text/event-stream", body, false});

        RemoteEngine engine;
        QVERIFY(connectTo(engine, server.baseUrl(), u"glm-4.5-air"_s, u"sekret"_s));
        QVERIFY(
            server.headers.value("/v1/models").toLower().contains("authorization: bearer sekret"));

        QList<ChatTurn> conv;
        conv.append({ChatTurn::Role::System, u"You are helpful."_s});
        conv.append({ChatTurn::Role::User, u"Read a.py"_s});
        ChatTurn asst(ChatTurn::Role::Assistant, QString());
        asst.reasoning = u"need the file"_s;
        asst.toolCalls.append({u"call_1"_s, u"read_file"_s, u"{\"path\":\"b.py\"}"_s});
        conv.append(asst);
        ChatTurn tool(ChatTurn::Role::Tool, u"print(1)"_s);
        tool.toolCallId = u"call_1"_s;
        conv.append(tool);
        GenerateOptions opt;
        opt.thinking = false;
        opt.maxTokens = 77;
        opt.sampling.topK = 40;
        opt.toolsJson = R"([{"type":"function","function":{"name":"read_file","parameters":{}}}])";

        Recorder r(engine);
        const quint64 id = engine.generate(conv, opt);
        QVERIFY(id != 0);
        QVERIFY(r.waitEnd());
        QCOMPARE(r.failed.size(), 0);
        QCOMPARE(r.finished.at(0).at(0).toULongLong(), id);
        QCOMPARE(r.finished.at(0).at(1).toString(), u"tool_calls"_s);
        QCOMPARE(r.thinking, u"Let me think 思考."_s);
        QCOMPARE(r.answer, u"I will read it. ✓"_s);
        QCOMPARE(r.tools.size(), 2);
        QCOMPARE(r.tools.at(0).at(1).toString(), u"call_abc"_s);
        QCOMPARE(r.tools.at(0).at(2).toString(), u"read_file"_s);
        QCOMPARE(r.tools.at(0).at(3).toString(), u"{\"path\": \"a.py\"}"_s);
        QCOMPARE(r.tools.at(1).at(2).toString(), u"list_dir"_s);
        QCOMPARE(r.stats.size(), 1);
        QCOMPARE(r.stats.at(0).at(2).toInt(), 42);

        // What went out: the conversation and options in OpenAI form.
        const QJsonObject req =
            QJsonDocument::fromJson(server.bodies.value("/v1/chat/completions")).object();
        QCOMPARE(req.value(u"model"_s).toString(), u"glm-4.5-air"_s);
        QCOMPARE(req.value(u"stream"_s).toBool(), true);
        QCOMPARE(req.value(u"max_tokens"_s).toInt(), 77);
        QCOMPARE(req.value(u"top_k"_s).toInt(), 40);
        QCOMPARE(req.value(u"chat_template_kwargs"_s).toObject().value(u"enable_thinking"_s),
                 QJsonValue(false));
        QCOMPARE(req.value(u"tools"_s).toArray().size(), 1);
        const QJsonArray msgs = req.value(u"messages"_s).toArray();
        QCOMPARE(msgs.size(), 4);
        QCOMPARE(msgs[0].toObject().value(u"role"_s).toString(), u"system"_s);
        const QJsonObject a = msgs[2].toObject();
        QCOMPARE(a.value(u"role"_s).toString(), u"assistant"_s);
        QCOMPARE(a.value(u"reasoning_content"_s).toString(), u"need the file"_s);
        QVERIFY(a.value(u"content"_s).isNull());
        const QJsonObject call = a.value(u"tool_calls"_s).toArray().at(0).toObject();
        QCOMPARE(call.value(u"id"_s).toString(), u"call_1"_s);
        QCOMPARE(call.value(u"function"_s).toObject().value(u"name"_s).toString(), u"read_file"_s);
        QCOMPARE(msgs[3].toObject().value(u"role"_s).toString(), u"tool"_s);
        QCOMPARE(msgs[3].toObject().value(u"tool_call_id"_s).toString(), u"call_1"_s);
    }

    void badToolsJsonIsRefused()
    {
        RemoteEngine engine;
        GenerateOptions opt;
        opt.toolsJson = R"({"not":"an array"})";
        QCOMPARE(engine.generate({{ChatTurn::Role::User, u"hi"_s}}, opt), quint64(0));
    }

    void badKeyIs401()
    {
        CannedServer server(5);
        server.set("/v1/models",
                   {401, "application/json",
                    R"({"error":{"message":"Invalid API key","type":"auth"}})", false});
        RemoteEngine engine;
        engine.setSettings({QUrl(server.baseUrl()), u"wrong"_s, {}});
        Recorder r(engine);
        engine.loadModel(QString());
        QVERIFY(r.waitEnd());
        QCOMPARE(r.failed.size(), 1);
        const QString msg = r.failed.at(0).at(1).toString();
        QVERIFY2(msg.contains(u"API key"_s) && msg.contains(u"Invalid API key"_s) &&
                     msg.contains(u"401"_s),
                 qPrintable(msg));
    }

    void unknownModelIsNamed()
    {
        CannedServer server(5);
        server.set("/v1/models", {200, "application/json", kModels, false});
        RemoteEngine engine;
        engine.setSettings({QUrl(server.baseUrl()), {}, u"glm-9"_s});
        Recorder r(engine);
        engine.loadModel(QString());
        QVERIFY(r.waitEnd());
        QCOMPARE(r.failed.size(), 1);
        const QString msg = r.failed.at(0).at(1).toString();
        QVERIFY2(msg.contains(u"glm-9"_s) && msg.contains(u"not found"_s) &&
                     msg.contains(u"glm-4.5-air"_s),
                 qPrintable(msg));
    }

    void chat404CarriesServerMessage()
    {
        CannedServer server(3);
        server.set("/v1/models", {200, "application/json", kModels, false});
        server.set("/v1/chat/completions",
                   {404, "application/json",
                    R"({"error":{"message":"The model `glm-4.5-air` does not exist."}})", false});
        RemoteEngine engine;
        QVERIFY(connectTo(engine, server.baseUrl()));
        Recorder r(engine);
        engine.generate({{ChatTurn::Role::User, u"hi"_s}}, true);
        QVERIFY(r.waitEnd());
        QCOMPARE(r.failed.size(), 1);
        const QString msg = r.failed.at(0).at(1).toString();
        QVERIFY2(msg.contains(u"404"_s) && msg.contains(u"does not exist"_s), qPrintable(msg));
    }

    void garbageStreamFails_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expect");
        QTest::newRow("html") << QByteArray("<html><body>Bad gateway</body></html>\n")
                              << u"garbled"_s;
        QTest::newRow("not json") << QByteArray("data: {\"choices\": [tru\n\n") << u"not JSON"_s;
        QTest::newRow("cut off") << sse({QByteArray(
                                        R"({"choices":[{"index":0,"delta":{"content":"Hel"}}]})")})
                                 << u"cut off"_s;
        QTest::newRow("empty") << QByteArray() << u"no answer stream"_s;
        QTest::newRow("error event")
            << sse({QByteArray(R"({"error":{"message":"CUDA out of memory"}})")})
            << u"CUDA out of memory"_s;
    }
    void garbageStreamFails()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expect);
        CannedServer server(4);
        server.set("/v1/models", {200, "application/json", kModels, false});
        server.set("/v1/chat/completions", {200, "text/event-stream", body, false});
        RemoteEngine engine;
        QVERIFY(connectTo(engine, server.baseUrl()));
        Recorder r(engine);
        engine.generate({{ChatTurn::Role::User, u"hi"_s}}, true);
        QVERIFY(r.waitEnd());
        QCOMPARE(r.finished.size(), 0);
        QCOMPARE(r.failed.size(), 1);
        const QString msg = r.failed.at(0).at(1).toString();
        QVERIFY2(msg.contains(expect), qPrintable(msg));
    }

    void unreachableServerIsNamed()
    {
        const int port = freePort();
        QVERIFY(port > 0);
        RemoteEngine engine;
        engine.setSettings({QUrl(u"http://127.0.0.1:%1/v1"_s.arg(port)), {}, {}});
        Recorder r(engine);
        engine.loadModel(QString());
        QVERIFY(r.waitEnd());
        QCOMPARE(r.failed.size(), 1);
        const QString msg = r.failed.at(0).at(1).toString();
        QVERIFY2(msg.contains(u"Cannot reach"_s) && msg.contains(u"127.0.0.1:%1"_s.arg(port)),
                 qPrintable(msg));
    }

    void cancelMidStream()
    {
        CannedServer server(1000);
        server.set("/v1/models", {200, "application/json", kModels, false});
        server.set("/v1/chat/completions",
                   {200, "text/event-stream",
                    sse({QByteArray(R"({"choices":[{"index":0,"delta":{"content":"Hello"}}]})")}),
                    true});
        RemoteEngine engine;
        QVERIFY(connectTo(engine, server.baseUrl()));
        Recorder r(engine);
        const quint64 id = engine.generate({{ChatTurn::Role::User, u"hi"_s}}, true);
        QVERIFY(QTest::qWaitFor([&] { return !r.answer.isEmpty(); }, 10000));
        QCOMPARE(r.finished.size(), 0); // the stream is still open
        engine.cancel(id);
        QVERIFY(r.waitEnd());
        QCOMPARE(r.failed.size(), 0);
        QCOMPARE(r.finished.at(0).at(1).toString(), u"cancelled"_s);
        // The server sees the client go.
        QVERIFY(QTest::qWaitFor([&] { return server.disconnects > 0; }, 5000));
    }

    // The app against the real server: `glmdesk-cli serve` on the demo model.
    void endToEndWithServe()
    {
        const QString model = QStringLiteral(GLMDESK_DEMO_MODEL_PATH);
        if (!QFile::exists(model))
            QSKIP("the demo model is not built (target glmdesk_demo_model)");
        QProcess serve;
        serve.setProcessChannelMode(QProcess::SeparateChannels);
        serve.start(QStringLiteral(GLMDESK_CLI_PATH),
                    {u"serve"_s, u"--model"_s, model, u"--port"_s, u"0"_s, u"--name"_s,
                     u"glmdesk-demo"_s, u"--ctx"_s, u"2048"_s});
        QVERIFY(serve.waitForStarted());
        QString url;
        const QRegularExpression re(u"(http://127\\.0\\.0\\.1:\\d+/v1)"_s);
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const auto m = re.match(QString::fromUtf8(serve.peek(4096)));
                         if (m.hasMatch())
                             url = m.captured(1);
                         return !url.isEmpty() || serve.state() == QProcess::NotRunning;
                     },
                     60000),
                 "glmdesk-cli serve did not start");
        QVERIFY2(!url.isEmpty(), serve.readAllStandardError().constData());

        RemoteEngine engine;
        engine.setSettings({QUrl(url), {}, u"glmdesk-demo"_s});
        {
            Recorder r(engine);
            engine.loadModel(QString());
            QVERIFY(r.waitEnd());
            QCOMPARE(r.failed.size(), 0);
            QCOMPARE(r.loaded.at(0).at(2).toString(),
                     u"remote: glmdesk-demo at 127.0.0.1:%1"_s.arg(QUrl(url).port()));
        }
        GenerateOptions opt;
        opt.thinking = false;
        opt.maxTokens = 12;
        opt.sampling.temperature = 0; // greedy: the streamed and the plain answer must agree
        const QList<ChatTurn> conv{{ChatTurn::Role::User, u"hello"_s}};
        Recorder r(engine);
        engine.generate(conv, opt);
        QVERIFY(r.waitEnd(60000));
        QVERIFY2(r.failed.isEmpty(),
                 r.failed.isEmpty() ? "" : qPrintable(r.failed.at(0).at(1).toString()));
        const QString reason = r.finished.at(0).at(1).toString();
        QVERIFY2(reason == u"stop"_s || reason == u"length"_s || reason == u"tool_calls"_s,
                 qPrintable(reason));
        QVERIFY(!r.answer.isEmpty() || !r.thinking.isEmpty() || r.tools.size() > 0);
        QCOMPARE(r.stats.size(), 1);

        // The same request without streaming, straight over HTTP.
        QNetworkAccessManager nam;
        QNetworkRequest req(QUrl(url + u"/chat/completions"_s));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        const QByteArray body =
            R"({"model":"glmdesk-demo","messages":[{"role":"user","content":"hello"}],)"
            R"("max_tokens":12,"temperature":0,"top_p":0.95,)"
            R"("chat_template_kwargs":{"enable_thinking":false}})";
        QNetworkReply *reply = nam.post(req, body);
        QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, 60000));
        const QJsonObject msg = QJsonDocument::fromJson(reply->readAll())
                                    .object()
                                    .value(u"choices"_s)
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(u"message"_s)
                                    .toObject();
        reply->deleteLater();
        QCOMPARE(r.answer, msg.value(u"content"_s).toString());
        QCOMPARE(r.thinking, msg.value(u"reasoning_content"_s).toString());

        serve.terminate();
        QVERIFY(serve.waitForFinished(20000));
    }
};

QTEST_GUILESS_MAIN(TestRemoteEngine)
#include "tst_remote_engine.moc"
