// Applies the "Engine and server" settings to the main window: swaps the window's engine between
// the local EngineBridge and a RemoteEngine, and runs the app's own OpenAI server over the local
// model. The local bridge is kept (owned here) while a remote engine answers, so switching back
// finds the model still loaded, and the server keeps serving it either way.
#pragma once

#include "ui/settings/connection_settings.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QLabel;

namespace glmdesk::app {
class AppServer;
class EngineBridge;
class RemoteEngine;
} // namespace glmdesk::app

namespace glmdesk::ui {

class MainWindow;

class ConnectionController : public QObject
{
    Q_OBJECT
public:
    ConnectionController(MainWindow *window, app::EngineBridge *local);
    ~ConnectionController() override; // the server stops before the local engine goes

    // Reads ConnectionSettings (and the keys) and applies what changed.
    void reload();

    app::RemoteEngine *remoteEngine() const { return m_remote; }
    app::AppServer *server() const { return m_server; }
    // "http://127.0.0.1:PORT" while the app's server runs, else empty.
    QString serverUrl() const;

Q_SIGNALS:
    void applied();

private:
    void apply(const ConnectionSettings &settings, const QString &remoteKey,
               const QString &serverKey);
    void updateLabel();

    MainWindow *m_window;
    QPointer<app::EngineBridge> m_local;
    app::RemoteEngine *m_remote = nullptr;
    app::AppServer *m_server = nullptr;
    QLabel *m_serverLabel = nullptr;
    std::optional<ConnectionSettings> m_applied;
    QString m_appliedRemoteKey;
    QString m_appliedServerKey;
    QString m_serverError;
};

} // namespace glmdesk::ui
