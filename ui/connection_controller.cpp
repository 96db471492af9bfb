#include "ui/connection_controller.h"

#include "app/engine_bridge.h"
#include "app/remote_engine.h"
#include "app/secret_store.h"
#include "ui/main_window.h"

#ifdef GLMDESK_HAVE_APP_SERVER
#include "app/app_server.h"
#endif

#include <QLabel>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

ConnectionController::ConnectionController(MainWindow *window, app::EngineBridge *local)
    : QObject(window), m_window(window), m_local(local)
{
    // Owned here from now on: the window deletes the engines it owns when another replaces them.
    local->setParent(this);
    m_serverLabel = new QLabel(window);
    m_serverLabel->setObjectName(u"serverLabel"_s);
    m_serverLabel->setVisible(false);
    window->statusBar()->addPermanentWidget(m_serverLabel);
}

ConnectionController::~ConnectionController()
{
#ifdef GLMDESK_HAVE_APP_SERVER
    delete m_server; // its generations end while the bridge still runs
    m_server = nullptr;
#endif
}

QString ConnectionController::serverUrl() const
{
#ifdef GLMDESK_HAVE_APP_SERVER
    return m_server ? m_server->url() : QString();
#else
    return {};
#endif
}

void ConnectionController::reload()
{
    const ConnectionSettings s = ConnectionSettings::load();
    const bool wantRemote = s.engine == ConnectionSettings::Engine::Remote;
    const bool wantServerKey = s.serverEnabled && s.serverAllowOthers;
    if (!wantRemote && !wantServerKey) {
        apply(s, {}, {});
        return;
    }
    // Keys come from the keyring asynchronously; nothing is asked of it that is not needed.
    app::SecretStore &store = ConnectionSettings::secrets();
    QPointer<ConnectionController> self(this);
    store.load(ConnectionSettings::remoteKeyName(),
               [self, s, wantRemote, wantServerKey](const QString &remoteKey) {
                   if (!self)
                       return;
                   const QString rk = wantRemote ? remoteKey : QString();
                   if (!wantServerKey) {
                       self->apply(s, rk, {});
                       return;
                   }
                   ConnectionSettings::secrets().load(ConnectionSettings::serverKeyName(),
                                                      [self, s, rk](const QString &serverKey) {
                                                          if (self)
                                                              self->apply(s, rk, serverKey);
                                                      });
               });
}

void ConnectionController::apply(const ConnectionSettings &s, const QString &remoteKey,
                                 const QString &serverKey)
{
    const std::optional<ConnectionSettings> before = m_applied;
    m_applied = s;

    // The engine.
    const bool remote = s.engine == ConnectionSettings::Engine::Remote;
    if (remote) {
        const bool changed = !before || before->engine != s.engine ||
                             before->remoteUrl != s.remoteUrl ||
                             before->remoteModel != s.remoteModel ||
                             m_appliedRemoteKey != remoteKey || m_window->chatEngine() != m_remote;
        if (!m_remote)
            m_remote = new app::RemoteEngine(this);
        m_remote->setSettings({QUrl(s.remoteUrl), remoteKey, s.remoteModel});
        if (changed) {
            if (m_window->chatEngine() != m_remote)
                m_window->setChatEngine(m_remote);
            // The model name, or none: the remote engine then takes the server's first model.
            m_window->selectModel(s.remoteModel);
        }
    } else if (m_window->chatEngine() == m_remote && m_remote && m_local) {
        m_window->setChatEngine(m_local);
    }
    m_appliedRemoteKey = remoteKey;

    // The app's own server.
#ifdef GLMDESK_HAVE_APP_SERVER
    const bool serverChanged =
        !before || before->serverEnabled != s.serverEnabled || before->serverPort != s.serverPort ||
        before->serverAllowOthers != s.serverAllowOthers || m_appliedServerKey != serverKey;
    m_appliedServerKey = serverKey;
    if (serverChanged && m_local) {
        if (!s.serverEnabled) {
            delete m_server;
            m_server = nullptr;
            m_serverError.clear();
        } else {
            if (!m_server)
                m_server = new app::AppServer(m_local, this);
            app::AppServer::Options o;
            o.port = s.serverPort;
            o.allowOtherComputers = s.serverAllowOthers;
            o.apiKey = serverKey;
            m_serverError = m_server->start(o);
            if (!m_serverError.isEmpty())
                m_window->statusBar()->showMessage(m_serverError, 15000);
        }
    }
#else
    if (s.serverEnabled)
        m_serverError = tr("This build has no server (cpp-httplib was missing).");
#endif
    updateLabel();
    Q_EMIT applied();
}

void ConnectionController::updateLabel()
{
    const QString url = serverUrl();
    if (!url.isEmpty())
        m_serverLabel->setText(tr("Server: %1").arg(url));
    else if (!m_serverError.isEmpty())
        m_serverLabel->setText(tr("Server: off (%1)").arg(m_serverError));
    m_serverLabel->setVisible(!url.isEmpty() || !m_serverError.isEmpty());
}

} // namespace glmdesk::ui
