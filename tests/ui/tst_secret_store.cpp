// SecretStore without a keyring: the API key must still work for the session, the user must be
// told it is not saved, and nothing may land in plain settings.
#include "app/secret_store.h"

#include <QCoreApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using glmdesk::app::SecretStore;

namespace {

struct Result
{
    bool done = false;
    bool persistent = true;
    QString secret;
};

Result storeAndWait(SecretStore &s, const QString &key, const QString &secret)
{
    Result r;
    s.store(key, secret, [&r](bool p) {
        r.persistent = p;
        r.done = true;
    });
    [&] { QVERIFY(QTest::qWaitFor([&] { return r.done; }, 20000)); }();
    return r;
}

Result loadAndWait(SecretStore &s, const QString &key)
{
    Result r;
    s.load(key, [&r](const QString &v) {
        r.secret = v;
        r.done = true;
    });
    [&] { QVERIFY(QTest::qWaitFor([&] { return r.done; }, 20000)); }();
    return r;
}

} // namespace

class TestSecretStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"glmdesk-test"_s);
        QCoreApplication::setApplicationName(u"tst_secret_store"_s);
        QSettings().clear();
    }

    void sessionOnlyKeepsTheKeyInMemory()
    {
        SecretStore store(u"GLM Desk test"_s, SecretStore::Backend::SessionOnly);
        QVERIFY(store.sessionOnly());
        QVERIFY(!store.sessionOnlyNote().isEmpty());
        QCOMPARE(storeAndWait(store, u"remote/api-key"_s, u"sk-123"_s).persistent, false);
        QCOMPARE(loadAndWait(store, u"remote/api-key"_s).secret, u"sk-123"_s);
        QCOMPARE(loadAndWait(store, u"other"_s).secret, QString());
        storeAndWait(store, u"remote/api-key"_s, QString());
        QCOMPARE(loadAndWait(store, u"remote/api-key"_s).secret, QString());
        // A fresh store (the next run) has nothing.
        SecretStore next(u"GLM Desk test"_s, SecretStore::Backend::SessionOnly);
        QCOMPARE(loadAndWait(next, u"remote/api-key"_s).secret, QString());
    }

    void noKeyringFallsBackWithANote()
    {
        // No session bus: no Secret Service and no KWallet can answer.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/glmdesk-test-bus");
        SecretStore store(u"GLM Desk test"_s);
        QSignalSpy changed(&store, &SecretStore::sessionOnlyChanged);
        const Result stored = storeAndWait(store, u"remote/api-key"_s, u"sk-fallback"_s);
        QCOMPARE(stored.persistent, false);
        QVERIFY(store.sessionOnly());
        QCOMPARE(changed.size(), 1);
        QVERIFY(store.sessionOnlyNote().contains(u"keyring"_s));
        QCOMPARE(loadAndWait(store, u"remote/api-key"_s).secret, u"sk-fallback"_s);
        // Not written anywhere in plain text.
        QSettings settings;
        QVERIFY2(settings.allKeys().isEmpty(), qPrintable(settings.allKeys().join(u',')));
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secret_store.moc"
