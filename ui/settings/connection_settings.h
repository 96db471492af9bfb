// Settings for where answers come from and who else may ask: the engine (this computer's model,
// or a remote OpenAI-compatible server such as vLLM or SGLang) and the app's own local server.
// URLs, ports and switches go to QSettings; the two API keys go only to the SecretStore (the
// system keyring, or this session's memory), never to QSettings or the conversation database.
#pragma once

#include <QGroupBox>
#include <QString>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace glmdesk::app {
class SecretStore;
}

namespace glmdesk::ui {

struct ConnectionSettings
{
    enum class Engine { Local, Remote };
    Engine engine = Engine::Local;
    QString remoteUrl = QStringLiteral("http://127.0.0.1:8080/v1");
    QString remoteModel; // empty: the server's first model
    bool serverEnabled = false;
    int serverPort = 8080;
    bool serverAllowOthers = false; // 0.0.0.0, and then an API key is required

    static ConnectionSettings load();
    void save() const;
    bool operator==(const ConnectionSettings &) const = default;

    // The application's one secret store (the keyring's service "GLM Desk"), and its key names.
    static app::SecretStore &secrets();
    static QString remoteKeyName() { return QStringLiteral("remote-api-key"); }
    static QString serverKeyName() { return QStringLiteral("server-api-key"); }
};

// The "Engine and server" box of the settings dialog. Each finished edit is saved at once and
// announced with changed().
class ConnectionBox : public QGroupBox
{
    Q_OBJECT
public:
    explicit ConnectionBox(QWidget *parent = nullptr);
    void retranslateUi();

Q_SIGNALS:
    void changed();

protected:
    void changeEvent(QEvent *event) override;

private:
    void save();
    void updateEnabled();
    void showKeyNote();

    bool m_updating = false;
    QFormLayout *m_form = nullptr;
    QComboBox *m_engine = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_model = nullptr;
    QLineEdit *m_remoteKey = nullptr;
    QCheckBox *m_serverEnabled = nullptr;
    QSpinBox *m_port = nullptr;
    QCheckBox *m_allowOthers = nullptr;
    QLineEdit *m_serverKey = nullptr;
    QLabel *m_keyNote = nullptr;
};

} // namespace glmdesk::ui
