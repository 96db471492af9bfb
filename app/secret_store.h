// Where the remote server's API key lives: the system keyring (Secret Service, KWallet, macOS
// Keychain, Windows Credential Manager) through QtKeychain. Never the conversation database and
// never plain QSettings. Where no keyring answers (a bare session, CI, offscreen) the secret is
// kept in memory for this run only, and sessionOnlyNote() says so, for the settings to show.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace glmdesk::app {

class SecretStore : public QObject
{
    Q_OBJECT
public:
    enum class Backend { Keyring, SessionOnly };
    // service: the keyring's namespace ("GLM Desk"); SessionOnly never touches the keyring.
    explicit SecretStore(QString service, Backend backend = Backend::Keyring,
                         QObject *parent = nullptr);

    // Stores (an empty secret: removes) and calls done(persistent) on the UI thread once it is
    // kept; persistent is false when the keyring was not available and the memory holds it.
    void store(const QString &key, const QString &secret,
               std::function<void(bool persistent)> done = {});
    // Calls done(secret) (empty when none) on the UI thread.
    void load(const QString &key, std::function<void(const QString &secret)> done);

    bool sessionOnly() const { return m_sessionOnly; }
    // Empty while the keyring works; else a translated sentence saying the key is not saved.
    QString sessionOnlyNote() const;

Q_SIGNALS:
    void sessionOnlyChanged(bool sessionOnly);

private:
    void fallBack();

    QString m_service;
    bool m_sessionOnly = false;
    QHash<QString, QString> m_memory; // session-only secrets, and a cache of the keyring's
};

} // namespace glmdesk::app
