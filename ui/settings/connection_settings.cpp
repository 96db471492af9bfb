#include "ui/settings/connection_settings.h"

#include "app/secret_store.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QSettings>
#include <QSpinBox>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

ConnectionSettings ConnectionSettings::load()
{
    QSettings s;
    ConnectionSettings c;
    c.engine =
        s.value(u"connection/engine"_s).toString() == u"remote"_s ? Engine::Remote : Engine::Local;
    c.remoteUrl = s.value(u"connection/remoteUrl"_s, c.remoteUrl).toString();
    c.remoteModel = s.value(u"connection/remoteModel"_s).toString();
    c.serverEnabled = s.value(u"connection/serverEnabled"_s, false).toBool();
    c.serverPort = std::clamp(s.value(u"connection/serverPort"_s, 8080).toInt(), 1, 65535);
    c.serverAllowOthers = s.value(u"connection/serverAllowOthers"_s, false).toBool();
    return c;
}

void ConnectionSettings::save() const
{
    QSettings s;
    s.setValue(u"connection/engine"_s, engine == Engine::Remote ? u"remote"_s : u"local"_s);
    s.setValue(u"connection/remoteUrl"_s, remoteUrl);
    s.setValue(u"connection/remoteModel"_s, remoteModel);
    s.setValue(u"connection/serverEnabled"_s, serverEnabled);
    s.setValue(u"connection/serverPort"_s, serverPort);
    s.setValue(u"connection/serverAllowOthers"_s, serverAllowOthers);
}

app::SecretStore &ConnectionSettings::secrets()
{
    // Owned by the application object, so the session-only fallback lives as long as the run.
    static auto *store = new app::SecretStore(u"GLM Desk"_s, app::SecretStore::Backend::Keyring,
                                              QCoreApplication::instance());
    return *store;
}

ConnectionBox::ConnectionBox(QWidget *parent) : QGroupBox(parent)
{
    setObjectName(u"connectionBox"_s);
    m_engine = new QComboBox(this);
    m_engine->setObjectName(u"engineKind"_s);
    m_url = new QLineEdit(this);
    m_url->setObjectName(u"remoteUrl"_s);
    m_model = new QLineEdit(this);
    m_model->setObjectName(u"remoteModel"_s);
    m_remoteKey = new QLineEdit(this);
    m_remoteKey->setObjectName(u"remoteApiKey"_s);
    m_remoteKey->setEchoMode(QLineEdit::Password);
    m_serverEnabled = new QCheckBox(this);
    m_serverEnabled->setObjectName(u"serverEnabled"_s);
    m_port = new QSpinBox(this);
    m_port->setObjectName(u"serverPort"_s);
    m_port->setRange(1, 65535);
    m_allowOthers = new QCheckBox(this);
    m_allowOthers->setObjectName(u"serverAllowOthers"_s);
    m_serverKey = new QLineEdit(this);
    m_serverKey->setObjectName(u"serverApiKey"_s);
    m_serverKey->setEchoMode(QLineEdit::Password);
    m_keyNote = new QLabel(this);
    m_keyNote->setObjectName(u"keyNote"_s);
    m_keyNote->setWordWrap(true);

    m_form = new QFormLayout(this);
    m_form->addRow(new QLabel(this), m_engine);
    m_form->addRow(new QLabel(this), m_url);
    m_form->addRow(new QLabel(this), m_model);
    m_form->addRow(new QLabel(this), m_remoteKey);
    m_form->addRow(m_serverEnabled);
    m_form->addRow(new QLabel(this), m_port);
    m_form->addRow(m_allowOthers);
    m_form->addRow(new QLabel(this), m_serverKey);
    m_form->addRow(m_keyNote);

    retranslateUi();
    const ConnectionSettings c = ConnectionSettings::load();
    m_updating = true;
    m_engine->setCurrentIndex(c.engine == ConnectionSettings::Engine::Remote ? 1 : 0);
    m_url->setText(c.remoteUrl);
    m_model->setText(c.remoteModel);
    m_serverEnabled->setChecked(c.serverEnabled);
    m_port->setValue(c.serverPort);
    m_allowOthers->setChecked(c.serverAllowOthers);
    m_updating = false;
    updateEnabled();

    app::SecretStore &store = ConnectionSettings::secrets();
    QPointer<ConnectionBox> self(this);
    store.load(ConnectionSettings::remoteKeyName(), [self](const QString &key) {
        if (self && self->m_remoteKey->text().isEmpty())
            self->m_remoteKey->setText(key);
    });
    store.load(ConnectionSettings::serverKeyName(), [self](const QString &key) {
        if (self && self->m_serverKey->text().isEmpty())
            self->m_serverKey->setText(key);
    });
    connect(&store, &app::SecretStore::sessionOnlyChanged, this, &ConnectionBox::showKeyNote);
    showKeyNote();

    connect(m_engine, &QComboBox::currentIndexChanged, this, &ConnectionBox::save);
    connect(m_url, &QLineEdit::editingFinished, this, &ConnectionBox::save);
    connect(m_model, &QLineEdit::editingFinished, this, &ConnectionBox::save);
    connect(m_port, &QSpinBox::editingFinished, this, &ConnectionBox::save);
    connect(m_serverEnabled, &QCheckBox::toggled, this, &ConnectionBox::save);
    connect(m_allowOthers, &QCheckBox::toggled, this, &ConnectionBox::save);
    connect(m_remoteKey, &QLineEdit::editingFinished, this, [this] {
        ConnectionSettings::secrets().store(ConnectionSettings::remoteKeyName(),
                                            m_remoteKey->text(), [self = QPointer(this)](bool) {
                                                if (self)
                                                    Q_EMIT self->changed();
                                            });
    });
    connect(m_serverKey, &QLineEdit::editingFinished, this, [this] {
        ConnectionSettings::secrets().store(ConnectionSettings::serverKeyName(),
                                            m_serverKey->text(), [self = QPointer(this)](bool) {
                                                if (self)
                                                    Q_EMIT self->changed();
                                            });
    });
}

void ConnectionBox::save()
{
    if (m_updating)
        return;
    ConnectionSettings c;
    c.engine = m_engine->currentIndex() == 1 ? ConnectionSettings::Engine::Remote
                                             : ConnectionSettings::Engine::Local;
    c.remoteUrl = m_url->text().trimmed();
    c.remoteModel = m_model->text().trimmed();
    c.serverEnabled = m_serverEnabled->isChecked();
    c.serverPort = m_port->value();
    c.serverAllowOthers = m_allowOthers->isChecked();
    c.save();
    updateEnabled();
    Q_EMIT changed();
}

void ConnectionBox::updateEnabled()
{
    const bool remote = m_engine->currentIndex() == 1;
    m_url->setEnabled(remote);
    m_model->setEnabled(remote);
    m_remoteKey->setEnabled(remote);
    const bool server = m_serverEnabled->isChecked();
    m_port->setEnabled(server);
    m_allowOthers->setEnabled(server);
    m_serverKey->setEnabled(server && m_allowOthers->isChecked());
}

void ConnectionBox::showKeyNote()
{
    const QString note = ConnectionSettings::secrets().sessionOnlyNote();
    m_keyNote->setText(note);
    m_keyNote->setVisible(!note.isEmpty());
}

void ConnectionBox::retranslateUi()
{
    setTitle(tr("Engine and server"));
    const int engine = m_engine->currentIndex();
    m_updating = true;
    m_engine->clear();
    m_engine->addItem(tr("This computer"));
    m_engine->addItem(tr("Remote server (OpenAI-compatible)"));
    m_engine->setCurrentIndex(std::max(engine, 0));
    m_updating = false;
    const auto label = [this](QWidget *field, const QString &text) {
        if (auto *l = qobject_cast<QLabel *>(m_form->labelForField(field)))
            l->setText(text);
    };
    label(m_engine, tr("Engine:"));
    label(m_url, tr("Server URL:"));
    label(m_model, tr("Model:"));
    label(m_remoteKey, tr("API key:"));
    label(m_port, tr("Port:"));
    label(m_serverKey, tr("Server API key:"));
    m_url->setPlaceholderText(tr("http://host:8000/v1"));
    m_model->setPlaceholderText(tr("the server's first model"));
    m_remoteKey->setPlaceholderText(tr("none"));
    m_serverEnabled->setText(tr("Serve the loaded model to other programs (OpenAI API)"));
    m_allowOthers->setText(tr("Allow other computers (listens on every network interface; "
                              "needs an API key)"));
    showKeyNote();
}

void ConnectionBox::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QGroupBox::changeEvent(event);
}

} // namespace glmdesk::ui
