#include "app/secret_store.h"

#ifdef GLMDESK_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

#include <QTimer>

#include <utility>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

#ifdef GLMDESK_HAVE_KEYCHAIN
namespace {

// Errors that mean "there is no usable keyring here", as opposed to "no such entry".
bool isNoKeyring(QKeychain::Error e)
{
    return e == QKeychain::NoBackendAvailable || e == QKeychain::NotImplemented ||
           e == QKeychain::OtherError || e == QKeychain::AccessDenied;
}

} // namespace
#endif

SecretStore::SecretStore(QString service, Backend backend, QObject *parent)
    : QObject(parent), m_service(std::move(service)), m_sessionOnly(backend == Backend::SessionOnly)
{
#ifndef GLMDESK_HAVE_KEYCHAIN
    m_sessionOnly = true; // built without QtKeychain
#endif
}

QString SecretStore::sessionOnlyNote() const
{
    if (!m_sessionOnly)
        return {};
    return tr("No system keyring is available: the API key is kept only until GLM Desk closes "
              "and must be entered again next time.");
}

void SecretStore::fallBack()
{
    if (m_sessionOnly)
        return;
    m_sessionOnly = true;
    Q_EMIT sessionOnlyChanged(true);
}

void SecretStore::store(const QString &key, const QString &secret,
                        std::function<void(bool persistent)> done)
{
    if (secret.isEmpty())
        m_memory.remove(key);
    else
        m_memory.insert(key, secret);
    if (m_sessionOnly) {
        if (done)
            QTimer::singleShot(0, this, [done = std::move(done)] { done(false); });
        return;
    }
#ifdef GLMDESK_HAVE_KEYCHAIN
    QKeychain::Job *job = nullptr;
    if (secret.isEmpty()) {
        job = new QKeychain::DeletePasswordJob(m_service, this);
    } else {
        auto *write = new QKeychain::WritePasswordJob(m_service, this);
        write->setTextData(secret);
        job = write;
    }
    job->setKey(key);
    job->setInsecureFallback(false); // plain-text files are exactly what must not happen
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this,
            [this, done = std::move(done)](QKeychain::Job *j) {
                const QKeychain::Error e = j->error();
                bool persistent = e == QKeychain::NoError || e == QKeychain::EntryNotFound;
                if (!persistent && isNoKeyring(e))
                    fallBack();
                if (done)
                    done(persistent);
            });
    job->start();
#endif
}

void SecretStore::load(const QString &key, std::function<void(const QString &secret)> done)
{
    if (m_sessionOnly || m_memory.contains(key)) {
        QTimer::singleShot(0, this,
                           [this, key, done = std::move(done)] { done(m_memory.value(key)); });
        return;
    }
#ifdef GLMDESK_HAVE_KEYCHAIN
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(key);
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this,
            [this, key, done = std::move(done)](QKeychain::Job *j) {
                if (j->error() == QKeychain::NoError) {
                    const QString secret = static_cast<QKeychain::ReadPasswordJob *>(j)->textData();
                    m_memory.insert(key, secret);
                    done(secret);
                    return;
                }
                if (isNoKeyring(j->error()))
                    fallBack();
                done(m_memory.value(key));
            });
    job->start();
#endif
}

} // namespace glmdesk::app
