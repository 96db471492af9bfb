#include "ui/main_window.h"

#include "app/app_translator.h"
#include "app/backend_summary.h"
#include "app/engine_bridge.h"
#include "ui/chat/chat_page.h"
#include "ui/welcome_page.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcessEnvironment>
#include <QStackedWidget>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

MainWindow::MainWindow(app::AppTranslator *translator, QWidget *parent)
    : QMainWindow(parent), m_translator(translator)
{
    setObjectName(u"mainWindow"_s);
    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(u"pages"_s);
    m_welcome = new WelcomePage(m_pages);
    m_chat = new ChatPage(m_pages);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_chat);
    setCentralWidget(m_pages);

    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName(u"modelLabel"_s);
    m_backendLabel = new QLabel(this);
    m_backendLabel->setObjectName(u"backendLabel"_s);
    m_speedLabel = new QLabel(this);
    m_speedLabel->setObjectName(u"speedLabel"_s);
    statusBar()->addWidget(m_modelLabel, 1);
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_backendLabel);

    m_bridge = new app::EngineBridge(this);
    connectEngine();

    createMenus();
    connect(m_welcome, &WelcomePage::demoModelRequested, this, [this] { selectModel({}); });
    connect(m_welcome, &WelcomePage::openModelRequested, this, &MainWindow::openModelDialog);
    retranslateUi();
    resize(1100, 720);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_openAction = m_fileMenu->addAction(QString(), this, &MainWindow::openModelDialog);
    m_openAction->setShortcut(QKeySequence::Open);
    m_demoAction = m_fileMenu->addAction(QString(), this, [this] { selectModel({}); });
    m_fileMenu->addSeparator();
    m_quitAction = m_fileMenu->addAction(QString(), qApp, &QApplication::closeAllWindows);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);

    m_viewMenu = menuBar()->addMenu(QString());
    m_languageMenu = m_viewMenu->addMenu(QString());
    m_languageGroup = new QActionGroup(this);
    // Language names are written in their own language, so anyone can find theirs.
    const QList<std::pair<QString, QString>> languages = {{u"en"_s, u"English"_s},
                                                          {u"zh_CN"_s, u"简体中文"_s}};
    for (const auto &[code, name] : languages) {
        QAction *action = m_languageMenu->addAction(name);
        action->setCheckable(true);
        action->setData(code);
        action->setChecked(m_translator && m_translator->language() == code);
        m_languageGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, code] { setLanguage(code); });
    }

    m_helpMenu = menuBar()->addMenu(QString());
    m_aboutAction = m_helpMenu->addAction(QString(), this, &MainWindow::showAbout);
    m_aboutAction->setMenuRole(QAction::AboutRole);
}

void MainWindow::setLanguage(const QString &language)
{
    // Installing a translator sends LanguageChange to every widget: they retranslate themselves.
    if (m_translator)
        m_translator->setLanguage(language);
}

void MainWindow::openModelDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model"), QString(),
        tr("GLM-4.5 models (*.gguf config.json);;GGUF files (*.gguf);;Hugging Face folder "
           "(config.json)"));
    if (path.isEmpty())
        return;
    // A Hugging Face model is a folder; the dialog hands us its config.json.
    const QFileInfo info(path);
    selectModel(info.fileName() == u"config.json"_s ? info.absolutePath() : path);
}

void MainWindow::selectModel(const QString &path)
{
    QString file = path;
    if (file.isEmpty()) // the demo model: where the installer puts it, or where a developer says
        file = QProcessEnvironment::systemEnvironment().value(u"GLMDESK_DEMO_MODEL"_s);
    m_pages->setCurrentWidget(m_chat);
    Q_EMIT modelSelected(path);
    if (file.isEmpty()) {
        m_modelState = ModelState::Failed;
        m_modelPath.clear();
        m_loadError.clear();
        retranslateUi();
        return;
    }
    if (m_activeRequest)
        m_bridge->cancel(m_activeRequest);
    m_modelPath = file;
    m_modelState = ModelState::Loading;
    m_loadFraction = 0.0;
    m_loadError.clear();
    m_turns.clear();
    m_chat->clearTranscript();
    m_loadRequest = m_bridge->loadModel(file);
    retranslateUi();
}

void MainWindow::connectEngine()
{
    using app::EngineBridge;
    connect(m_bridge, &EngineBridge::loadProgress, this, [this](quint64 id, double fraction) {
        if (id != m_loadRequest)
            return;
        m_loadFraction = fraction;
        retranslateUi();
    });
    connect(m_bridge, &EngineBridge::modelLoaded, this, [this](quint64 id, const QString &) {
        if (id != m_loadRequest)
            return;
        m_modelState = ModelState::Loaded;
        retranslateUi();
        m_chat->setFocus();
    });
    connect(m_bridge, &EngineBridge::thinkingDelta, this, [this](quint64 id, const QString &t) {
        if (id == m_activeRequest)
            m_chat->appendThinking(t);
    });
    connect(m_bridge, &EngineBridge::answerDelta, this, [this](quint64 id, const QString &t) {
        if (id != m_activeRequest)
            return;
        m_answer += t;
        m_chat->appendAnswer(t);
    });
    connect(m_bridge, &EngineBridge::statsUpdated, this,
            [this](quint64 id, double tokensPerSecond, int used, int size) {
                if (id != m_activeRequest)
                    return;
                m_speedLabel->setText(tr("%1 tokens/s · context %2 of %3")
                                          .arg(tokensPerSecond, 0, 'f', 1)
                                          .arg(used)
                                          .arg(size));
            });
    connect(m_bridge, &EngineBridge::finished, this, [this](quint64 id, const QString &reason) {
        if (id != m_activeRequest)
            return;
        m_turns.append({app::ChatTurn::Role::Assistant, m_answer.trimmed()});
        m_activeRequest = 0;
        m_chat->setGenerating(false);
        if (reason == u"cancelled"_s)
            m_chat->endAnswer(tr("stopped"));
        else if (reason == u"length"_s)
            m_chat->endAnswer(tr("the answer reached its length limit"));
        else
            m_chat->endAnswer();
    });
    connect(m_bridge, &EngineBridge::failed, this, [this](quint64 id, const QString &message) {
        if (id == m_loadRequest) {
            m_modelState = ModelState::Failed;
            m_loadError = message;
            retranslateUi();
        } else if (id == m_activeRequest) {
            m_activeRequest = 0;
            m_chat->setGenerating(false);
            m_chat->endAnswer(tr("error: %1").arg(message));
        }
    });
    connect(m_chat, &ChatPage::sendRequested, this, &MainWindow::sendMessage);
    connect(m_chat, &ChatPage::stopRequested, this, [this] {
        if (m_activeRequest)
            m_bridge->cancel(m_activeRequest);
    });
}

void MainWindow::sendMessage(const QString &text, bool thinking)
{
    if (m_modelState != ModelState::Loaded || m_activeRequest)
        return;
    m_turns.append({app::ChatTurn::Role::User, text});
    m_chat->addUserMessage(text);
    m_chat->beginAnswer();
    m_answer.clear();
    m_activeRequest = m_bridge->generate(m_turns, thinking);
    m_chat->setGenerating(true);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About GLM Desk"),
                       tr("<h3>GLM Desk %1</h3><p>GLM-4.5-Air on your own machine.</p>"
                          "<p>Backends in this build: %2</p>")
                           .arg(QApplication::applicationVersion(), app::compiledBackendsText()));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMainWindow::changeEvent(event);
}

void MainWindow::retranslateUi()
{
    setWindowTitle(tr("GLM Desk"));
    m_fileMenu->setTitle(tr("&File"));
    m_openAction->setText(tr("&Open Model…"));
    m_demoAction->setText(tr("Use the &Demo Model"));
    m_quitAction->setText(tr("&Quit"));
    m_viewMenu->setTitle(tr("&View"));
    m_languageMenu->setTitle(tr("&Language"));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About GLM Desk"));
    m_backendLabel->setText(tr("Backends: %1").arg(app::compiledBackendsText()));
    if (m_translator) {
        for (QAction *action : m_languageGroup->actions())
            action->setChecked(action->data().toString() == m_translator->language());
    }
    const QString name = QFileInfo(m_modelPath).fileName();
    switch (m_modelState) {
    case ModelState::None:
        m_modelLabel->setText(tr("No model loaded"));
        break;
    case ModelState::Loading:
        m_modelLabel->setText(tr("Loading %1… %2%").arg(name).arg(qRound(m_loadFraction * 100)));
        m_chat->setReady(false, tr("Loading %1…").arg(name));
        break;
    case ModelState::Loaded:
        m_modelLabel->setText(tr("Model: %1").arg(name));
        m_chat->setReady(true);
        break;
    case ModelState::Failed:
        m_modelLabel->setText(tr("No model loaded"));
        m_chat->setReady(false, m_modelPath.isEmpty()
                                    ? tr("The demo model is not installed with this build. Use "
                                         "File › Open Model… to choose a GLM-4.5 model file.")
                                    : tr("Could not load %1: %2").arg(name, m_loadError));
        break;
    }
}

} // namespace glmdesk::ui
