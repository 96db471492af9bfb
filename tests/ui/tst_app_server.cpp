// The app's own server toggle: AppServer over the window's EngineBridge answers /v1/models, and
// with the demo model loaded in the bridge it serves chat completions from that same model while
// the bridge keeps serving the window.
#include "app/app_server.h"
#include "app/engine_bridge.h"
#include "app/remote_engine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace glmdesk::app;

namespace {

QByteArray getBlocking(const QUrl &url, int *status)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 20000))
        return {};
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    delete reply;
    return body;
}

} // namespace

class TestAppServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void togglesAndServesModels()
    {
        EngineBridge bridge;
        AppServer server(&bridge);
        QSignalSpy running(&server, &AppServer::runningChanged);
        AppServer::Options opt;
        opt.port = 0;
        QCOMPARE(server.start(opt), QString());
        QVERIFY(server.isRunning());
        QVERIFY(server.port() > 0);
        QCOMPARE(server.url(), u"http://127.0.0.1:%1"_s.arg(server.port()));
        int status = 0;
        const QByteArray body = getBlocking(QUrl(server.url() + u"/v1/models"_s), &status);
        QCOMPARE(status, 200);
        const QJsonArray data = QJsonDocument::fromJson(body).object().value(u"data"_s).toArray();
        QCOMPARE(data.size(), 1);
        QCOMPARE(data.at(0).toObject().value(u"id"_s).toString(), u"glmdesk"_s);

        const int port = server.port();
        server.stop();
        QVERIFY(!server.isRunning());
        QCOMPARE(running.size(), 2);
        status = 0;
        getBlocking(QUrl(u"http://127.0.0.1:%1/v1/models"_s.arg(port)), &status);
        QCOMPARE(status, 0); // nobody listens any more
    }

    void otherComputersNeedAKey()
    {
        EngineBridge bridge;
        AppServer server(&bridge);
        AppServer::Options opt;
        opt.port = 0;
        opt.allowOtherComputers = true;
        const QString error = server.start(opt);
        QVERIFY(error.contains(u"API key"_s));
        QVERIFY(!server.isRunning());
    }

    // The window's model answers a RemoteEngine through the app's server, and the window's own
    // request on the same bridge still works afterwards.
    void oneModelServesBoth()
    {
        const QString model = QStringLiteral(GLMDESK_DEMO_MODEL_PATH);
        if (!QFile::exists(model))
            QSKIP("the demo model is not built (target glmdesk_demo_model)");
        EngineBridge bridge;
        QSignalSpy bridgeDone(&bridge, &ChatEngine::finished);
        QSignalSpy bridgeFailed(&bridge, &ChatEngine::failed);
        LoadOptions load;
        load.contextLength = 2048;
        bridge.loadModel(model, load);
        QVERIFY(
            QTest::qWaitFor([&] { return bridgeDone.size() + bridgeFailed.size() > 0; }, 60000));
        QCOMPARE(bridgeFailed.size(), 0);

        AppServer server(&bridge);
        AppServer::Options opt;
        opt.port = 0;
        QCOMPARE(server.start(opt), QString());

        RemoteEngine remote;
        remote.setSettings({QUrl(server.url() + u"/v1"_s), {}, u"glmdesk"_s});
        QSignalSpy remoteDone(&remote, &ChatEngine::finished);
        QSignalSpy remoteFailed(&remote, &ChatEngine::failed);
        QString answer;
        connect(&remote, &ChatEngine::answerDelta, this,
                [&](quint64, const QString &t) { answer += t; });
        remote.loadModel(QString());
        QVERIFY(
            QTest::qWaitFor([&] { return remoteDone.size() + remoteFailed.size() > 0; }, 20000));
        QCOMPARE(remoteFailed.size(), 0);
        remoteDone.clear();
        GenerateOptions g;
        g.thinking = false;
        g.maxTokens = 8;
        remote.generate({{ChatTurn::Role::User, u"hello"_s}}, g);
        QVERIFY(
            QTest::qWaitFor([&] { return remoteDone.size() + remoteFailed.size() > 0; }, 60000));
        QVERIFY2(remoteFailed.isEmpty(),
                 remoteFailed.isEmpty() ? "" : qPrintable(remoteFailed.at(0).at(1).toString()));
        const QString reason = remoteDone.at(0).at(1).toString();
        QVERIFY(reason == u"stop"_s || reason == u"length"_s || reason == u"tool_calls"_s);

        // The window's request: its events reach the bridge's signals, none of the server's did.
        bridgeDone.clear();
        const quint64 id = bridge.generate({{ChatTurn::Role::User, u"hi"_s}}, g);
        QVERIFY(
            QTest::qWaitFor([&] { return bridgeDone.size() + bridgeFailed.size() > 0; }, 60000));
        QCOMPARE(bridgeFailed.size(), 0);
        QCOMPARE(bridgeDone.size(), 1);
        QCOMPARE(bridgeDone.at(0).at(0).toULongLong(), id);
        server.stop();
    }
};

QTEST_GUILESS_MAIN(TestAppServer)
#include "tst_app_server.moc"
