// The "Engine and server" settings in the live window: the server toggle starts the app's own
// OpenAI server (status bar, /v1/models over real HTTP), "allow other computers" without a key is
// refused, and the engine switches to a remote server (here the window's own) and back.
#include "app/app_translator.h"
#include "app/engine_bridge.h"
#include "app/remote_engine.h"
#include "ui/connection_controller.h"
#include "ui/main_window.h"
#include "ui/settings/connection_settings.h"
#include "ui/settings/settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace glmdesk;

namespace {

int freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
        return 0;
    return probe.serverPort();
}

int httpStatus(const QUrl &url, QByteArray *body = nullptr)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 20000))
        return -1;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (body)
        *body = reply->readAll();
    delete reply;
    return status;
}

} // namespace

class TestConnectionSettings : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("GLMDESK_DATA_DIR", m_home.filePath(u"data"_s).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
        // No keyring in this session: keys stay in memory, and the settings say so.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/glmdesk-test-bus");
    }

    void serverToggleAndRemoteEngine()
    {
        app::AppTranslator translator;
        QVERIFY(translator.setLanguage(u"en"_s));
        ui::MainWindow window(&translator);
        auto *controller = window.connectionController();
        QVERIFY(controller);
        auto *label = window.findChild<QLabel *>(u"serverLabel"_s);
        QVERIFY(label);
        QVERIFY(!label->isVisibleTo(&window));
        QVERIFY(qobject_cast<app::EngineBridge *>(window.chatEngine()));

        window.openSettings();
        auto *dialog = window.findChild<ui::SettingsDialog *>();
        QVERIFY(dialog);
        auto *enabled = dialog->findChild<QCheckBox *>(u"serverEnabled"_s);
        auto *port = dialog->findChild<QSpinBox *>(u"serverPort"_s);
        auto *others = dialog->findChild<QCheckBox *>(u"serverAllowOthers"_s);
        QVERIFY(enabled && port && others);
        QCOMPARE(port->value(), 8080); // the default

        // On: the app's server answers /v1/models and the status bar names it.
        const int p = freePort();
        QVERIFY(p > 0);
        port->setValue(p);
        Q_EMIT port->editingFinished();
        QSignalSpy applied(controller, &ui::ConnectionController::applied);
        enabled->setChecked(true);
        QVERIFY(QTest::qWaitFor([&] { return !controller->serverUrl().isEmpty(); }, 10000));
        const QString url = u"http://127.0.0.1:%1"_s.arg(p);
        QCOMPARE(controller->serverUrl(), url);
        QCOMPARE(label->text(), u"Server: %1"_s.arg(url));
        QVERIFY(label->isVisibleTo(&window));
        QByteArray body;
        QCOMPARE(httpStatus(QUrl(url + u"/v1/models"_s), &body), 200);
        QCOMPARE(QJsonDocument::fromJson(body)
                     .object()
                     .value(u"data"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"id"_s)
                     .toString(),
                 u"glmdesk"_s);

        // Other computers without a key: refused, and it says why.
        others->setChecked(true);
        QVERIFY(QTest::qWaitFor([&] { return controller->serverUrl().isEmpty(); }, 10000));
        QVERIFY2(label->text().contains(u"API key"_s), qPrintable(label->text()));
        others->setChecked(false);
        QVERIFY(QTest::qWaitFor([&] { return !controller->serverUrl().isEmpty(); }, 10000));

        // The engine: a remote server (the window's own), with an API key the keyring cannot keep.
        auto *engine = dialog->findChild<QComboBox *>(u"engineKind"_s);
        auto *remoteUrl = dialog->findChild<QLineEdit *>(u"remoteUrl"_s);
        auto *model = dialog->findChild<QLineEdit *>(u"remoteModel"_s);
        auto *key = dialog->findChild<QLineEdit *>(u"remoteApiKey"_s);
        auto *note = dialog->findChild<QLabel *>(u"keyNote"_s);
        QVERIFY(engine && remoteUrl && model && key && note);
        remoteUrl->setText(url + u"/v1"_s);
        Q_EMIT remoteUrl->editingFinished();
        model->setText(u"glmdesk"_s);
        Q_EMIT model->editingFinished();
        key->setText(u"sk-session"_s);
        Q_EMIT key->editingFinished();
        QVERIFY(QTest::qWaitFor([&] { return !note->text().isEmpty(); }, 10000));
        QVERIFY(note->isVisibleTo(dialog));
        engine->setCurrentIndex(1);
        QVERIFY(QTest::qWaitFor(
            [&] { return qobject_cast<app::RemoteEngine *>(window.chatEngine()) != nullptr; },
            10000));
        auto *remote = qobject_cast<app::RemoteEngine *>(window.chatEngine());
        QCOMPARE(remote->settings().apiKey, u"sk-session"_s);
        QVERIFY(QTest::qWaitFor([&] { return remote->currentModel() == u"glmdesk"_s; }, 10000));

        // And back to this computer's engine.
        engine->setCurrentIndex(0);
        QVERIFY(QTest::qWaitFor(
            [&] { return qobject_cast<app::EngineBridge *>(window.chatEngine()) != nullptr; },
            10000));

        // Off.
        enabled->setChecked(false);
        QVERIFY(QTest::qWaitFor([&] { return controller->serverUrl().isEmpty(); }, 10000));
        QVERIFY(!label->isVisibleTo(&window));
        QCOMPARE(httpStatus(QUrl(url + u"/v1/models"_s)), 0);
        // Nothing secret in the settings file.
        QSettings settings;
        for (const QString &k : settings.allKeys())
            QVERIFY2(!settings.value(k).toString().contains(u"sk-session"_s), qPrintable(k));
    }
};

QTEST_MAIN(TestConnectionSettings)
#include "tst_connection_settings.moc"
