#include "ui/main_window.h"

#include "app/app_translator.h"
#include "app/backend_summary.h"
#include "app/conversation_store.h"
#include "app/engine_bridge.h"
#include "ui/chat/chat_page.h"
#include "ui/sidebar/conversation_list.h"
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
#include <QPointer>
#include <QProcessEnvironment>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {

// A conversation's title: its first user message, on one line and short enough for the sidebar.
QString titleFrom(const QString &text)
{
    constexpr qsizetype kMaxTitle = 48;
    const QString line = text.simplified();
    return line.size() <= kMaxTitle ? line : line.left(kMaxTitle - 1).trimmed() + u'…';
}

} // namespace

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

    m_settings = AppSettings::load();
    m_settings.applyAppearance();
    m_store = new app::ConversationStore(this);
    connect(m_store, &app::ConversationStore::errorOccurred, this, &MainWindow::showStoreError);
    if (m_store->open()) {
        m_store->markInterruptedMessages();
        // Undo lasts for the session that deleted; what is still deleted now goes for good.
        m_store->purgeDeleted();
    }
    m_sidebar = new ConversationList(m_store, this);
    m_sidebar->setEnabled(m_store->isOpen());
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->addWidget(m_sidebar);
    m_splitter->addWidget(m_pages);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({260, 840});
    setCentralWidget(m_splitter);
    connect(m_sidebar, &ConversationList::conversationSelected, this,
            &MainWindow::openConversation);
    connect(m_sidebar, &ConversationList::newConversationRequested, this,
            &MainWindow::newConversation);
    connect(m_sidebar, &ConversationList::conversationDeleted, this, [this](qint64 id) {
        if (id == m_conversationId)
            newConversation();
    });

    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName(u"modelLabel"_s);
    m_backendLabel = new QLabel(this);
    m_backendLabel->setObjectName(u"backendLabel"_s);
    m_speedLabel = new QLabel(this);
    m_speedLabel->setObjectName(u"speedLabel"_s);
    statusBar()->addWidget(m_modelLabel, 1);
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_backendLabel);

    m_engine = new app::EngineBridge(this);
    connectEngine();

    createMenus();
    connect(m_welcome, &WelcomePage::demoModelRequested, this, [this] { selectModel({}); });
    connect(m_welcome, &WelcomePage::openModelRequested, this, &MainWindow::openModelDialog);
    retranslateUi();
    resize(1100, 720);
}

MainWindow::~MainWindow()
{
    // An answer cut off by closing the window is kept, marked as stopped.
    finishAnswer(app::MessageState::Cancelled);
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_newAction = m_fileMenu->addAction(QString(), this, &MainWindow::newConversation);
    m_newAction->setShortcut(QKeySequence::New);
    m_openAction = m_fileMenu->addAction(QString(), this, &MainWindow::openModelDialog);
    m_openAction->setShortcut(QKeySequence::Open);
    m_demoAction = m_fileMenu->addAction(QString(), this, [this] { selectModel({}); });
    m_fileMenu->addSeparator();
    m_settingsAction = m_fileMenu->addAction(QString(), this, &MainWindow::openSettings);
    m_settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    m_fileMenu->addSeparator();
    m_quitAction = m_fileMenu->addAction(QString(), qApp, &QApplication::closeAllWindows);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);

    m_viewMenu = menuBar()->addMenu(QString());
    m_searchAction = m_viewMenu->addAction(QString(), m_sidebar, &ConversationList::focusSearch);
    m_searchAction->setShortcut(QKeySequence::Find);
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
    m_settings.language = language;
    m_settings.save();
}

void MainWindow::openSettings()
{
    auto *dialog = findChild<SettingsDialog *>();
    if (!dialog) {
        dialog = new SettingsDialog(m_translator, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &SettingsDialog::settingsChanged, this,
                [this, dialog] { m_settings = dialog->settings(); });
    }
    dialog->open();
    dialog->raise();
}

void MainWindow::showStoreError(const QString &message)
{
    statusBar()->showMessage(tr("Conversation history: %1").arg(message), 15000);
}

void MainWindow::newConversation()
{
    openConversation(0);
    if (m_modelState != ModelState::None)
        m_chat->setFocus();
}

void MainWindow::openConversation(qint64 id)
{
    stopStreaming();
    m_chat->clearTranscript();
    m_turns.clear();
    m_conversationId = 0;
    m_systemPrompt = m_settings.systemPrompt();
    m_sidebar->setCurrentConversation(id);
    if (!id || !m_store->isOpen())
        return;
    const auto info = m_store->conversation(id);
    if (!info)
        return;
    m_conversationId = id;
    m_systemPrompt = info->systemPrompt;
    for (const app::StoredMessage &m : m_store->messages(id)) {
        switch (m.role) {
        case app::MessageRole::User:
            m_chat->addUserMessage(m.text);
            m_turns.append({app::ChatTurn::Role::User, m.text});
            break;
        case app::MessageRole::Assistant:
            m_chat->beginAnswer();
            if (!m.thinking.isEmpty())
                m_chat->appendThinking(m.thinking);
            m_chat->appendAnswer(m.text);
            if (m.thinkingMs > 0)
                m_chat->setThinkingDuration(m.thinkingMs);
            m_chat->endAnswer(m.state == app::MessageState::Cancelled ? tr("stopped")
                              : m.state == app::MessageState::Error   ? tr("error")
                                                                      : QString());
            m_turns.append({app::ChatTurn::Role::Assistant, m.text.trimmed()});
            break;
        case app::MessageRole::System:
        case app::MessageRole::Tool:
            break; // not shown; the system prompt is the conversation's
        }
    }
    m_pages->setCurrentWidget(m_chat);
}

void MainWindow::stopStreaming()
{
    if (!m_activeRequest)
        return;
    m_engine->cancel(m_activeRequest);
    m_activeRequest = 0; // its remaining events are dropped
    finishAnswer(app::MessageState::Cancelled);
    m_chat->setGenerating(false);
    m_chat->endAnswer(tr("stopped"));
}

void MainWindow::finishAnswer(app::MessageState state)
{
    if (!m_saver)
        return;
    app::MessageResult result;
    result.state = state;
    result.thinkingMs = m_thinkingMs                ? m_thinkingMs
                        : m_thinkingClock.isValid() ? m_thinkingClock.elapsed()
                                                    : 0;
    result.tokensPerSecond = m_tokensPerSecond;
    result.timings = QJsonObject{{u"decode_tokens_per_s"_s, m_tokensPerSecond},
                                 {u"context_used"_s, m_contextUsed}};
    m_saver->finish(result);
    delete m_saver;
    m_saver = nullptr;
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

QString MainWindow::demoModelPath()
{
    // A developer's choice first; then beside the program, where both the build tree and every
    // install (the .deb's /usr, a moved .tar.gz) keep it: <bin>/../share/glmdesk/demo.
    QString file = QProcessEnvironment::systemEnvironment().value(u"GLMDESK_DEMO_MODEL"_s);
    if (file.isEmpty()) {
        const QString beside =
            QCoreApplication::applicationDirPath() + u"/../share/glmdesk/demo/glmdesk-demo.gguf"_s;
        if (QFileInfo::exists(beside))
            file = QFileInfo(beside).canonicalFilePath();
    }
    return file;
}

void MainWindow::selectModel(const QString &path)
{
    QString file = path;
    if (file.isEmpty())
        file = demoModelPath();
    m_pages->setCurrentWidget(m_chat);
    Q_EMIT modelSelected(path);
    if (file.isEmpty()) {
        m_modelState = ModelState::Failed;
        m_modelPath.clear();
        m_loadError.clear();
        retranslateUi();
        return;
    }
    // The open conversation stays: it goes on with the new model.
    stopStreaming();
    m_modelPath = file;
    m_modelState = ModelState::Loading;
    m_loadFraction = 0.0;
    m_loadError.clear();
    m_loadRequest = m_engine->loadModel(file);
    retranslateUi();
}

void MainWindow::connectEngine()
{
    using app::ChatEngine;
    connect(m_engine, &ChatEngine::loadProgress, this, [this](quint64 id, double fraction) {
        if (id != m_loadRequest)
            return;
        m_loadFraction = fraction;
        retranslateUi();
    });
    connect(m_engine, &ChatEngine::modelLoaded, this, [this](quint64 id, const QString &) {
        if (id != m_loadRequest)
            return;
        m_modelState = ModelState::Loaded;
        retranslateUi();
        m_chat->setFocus();
    });
    connect(m_engine, &ChatEngine::thinkingDelta, this, [this](quint64 id, const QString &t) {
        if (id != m_activeRequest)
            return;
        if (!m_thinkingClock.isValid())
            m_thinkingClock.start();
        if (m_saver)
            m_saver->appendThinking(t);
        m_chat->appendThinking(t);
    });
    connect(m_engine, &ChatEngine::answerDelta, this, [this](quint64 id, const QString &t) {
        if (id != m_activeRequest)
            return;
        m_answer += t;
        if (m_thinkingClock.isValid() && !m_thinkingMs)
            m_thinkingMs = std::max<qint64>(1, m_thinkingClock.elapsed());
        if (m_saver)
            m_saver->appendAnswer(t);
        m_chat->appendAnswer(t);
    });
    connect(m_engine, &ChatEngine::statsUpdated, this,
            [this](quint64 id, double tokensPerSecond, int used, int size) {
                if (id != m_activeRequest)
                    return;
                m_tokensPerSecond = tokensPerSecond;
                m_contextUsed = used;
                m_speedLabel->setText(tr("%1 tokens/s · context %2 of %3")
                                          .arg(tokensPerSecond, 0, 'f', 1)
                                          .arg(used)
                                          .arg(size));
            });
    connect(m_engine, &ChatEngine::finished, this, [this](quint64 id, const QString &reason) {
        if (id != m_activeRequest)
            return;
        m_turns.append({app::ChatTurn::Role::Assistant, m_answer.trimmed()});
        m_activeRequest = 0;
        finishAnswer(reason == u"cancelled"_s ? app::MessageState::Cancelled
                                              : app::MessageState::Complete);
        m_chat->setGenerating(false);
        if (reason == u"cancelled"_s)
            m_chat->endAnswer(tr("stopped"));
        else if (reason == u"length"_s)
            m_chat->endAnswer(tr("the answer reached its length limit"));
        else
            m_chat->endAnswer();
    });
    connect(m_engine, &ChatEngine::failed, this, [this](quint64 id, const QString &message) {
        if (id == m_loadRequest) {
            m_modelState = ModelState::Failed;
            m_loadError = message;
            retranslateUi();
        } else if (id == m_activeRequest) {
            m_activeRequest = 0;
            finishAnswer(app::MessageState::Error);
            m_chat->setGenerating(false);
            m_chat->endAnswer(tr("error: %1").arg(message));
        }
    });
    connect(m_chat, &ChatPage::sendRequested, this, &MainWindow::sendMessage);
    connect(m_chat, &ChatPage::regenerateRequested, this, &MainWindow::regenerate);
    connect(m_chat, &ChatPage::editResendRequested, this, &MainWindow::editAndResend);
    connect(m_chat, &ChatPage::stopRequested, this, [this] {
        if (m_activeRequest)
            m_engine->cancel(m_activeRequest);
    });
}

void MainWindow::sendMessage(const QString &text, bool thinking)
{
    if (m_modelState != ModelState::Loaded || m_activeRequest)
        return;
    // Saved before it is sent: whatever happens next, the question is on disk.
    if (m_store->isOpen()) {
        if (!m_conversationId) {
            m_systemPrompt = m_settings.systemPrompt();
            if (const auto id = m_store->createConversation(
                    titleFrom(text), QFileInfo(m_modelPath).fileName(), m_systemPrompt))
                m_conversationId = *id;
        } else if (const auto info = m_store->conversation(m_conversationId);
                   info && info->title.isEmpty()) {
            m_store->renameConversation(m_conversationId, titleFrom(text));
        }
        if (m_conversationId) {
            m_sidebar->setCurrentConversation(m_conversationId);
            m_store->addMessage(m_conversationId, app::MessageRole::User, text);
        }
    }
    m_turns.append({app::ChatTurn::Role::User, text});
    m_chat->addUserMessage(text);
    startAnswer(thinking);
}

void MainWindow::startAnswer(bool thinking)
{
    // The answer's row exists (empty, streaming) before the engine produces its first token.
    if (m_store->isOpen() && m_conversationId) {
        if (const auto answer = m_store->addMessage(m_conversationId, app::MessageRole::Assistant,
                                                    {}, {}, app::MessageState::Streaming,
                                                    QFileInfo(m_modelPath).fileName()))
            m_saver = new app::StreamingSaver(m_store, *answer, 500, this);
    }
    m_chat->beginAnswer();
    m_answer.clear();
    m_thinkingClock.invalidate();
    m_thinkingMs = 0;
    m_tokensPerSecond = 0.0;
    m_contextUsed = 0;
    QList<app::ChatTurn> conversation;
    if (!m_systemPrompt.isEmpty())
        conversation.append({app::ChatTurn::Role::System, m_systemPrompt});
    conversation += m_turns;
    m_activeRequest =
        m_engine->generate(conversation, thinking, m_maxAnswerTokens, m_settings.sampling);
    m_chat->setGenerating(true);
}

void MainWindow::regenerate()
{
    if (m_modelState != ModelState::Loaded || m_activeRequest || !m_chat->removeLastAnswer())
        return;
    // A failed answer never became a turn; a finished one did.
    if (!m_turns.isEmpty() && m_turns.last().role == app::ChatTurn::Role::Assistant)
        m_turns.removeLast();
    if (m_store->isOpen() && m_conversationId) {
        const QList<app::StoredMessage> stored = m_store->messages(m_conversationId);
        if (!stored.isEmpty() && stored.last().role == app::MessageRole::Assistant)
            m_store->deleteMessagesFrom(m_conversationId, stored.last().ordinal);
    }
    startAnswer(m_chat->thinkingEnabled());
}

void MainWindow::editAndResend(int userMessageIndex, const QString &text)
{
    if (m_modelState != ModelState::Loaded || m_activeRequest || userMessageIndex < 0)
        return;
    qsizetype turn = -1;
    for (qsizetype i = 0, seen = 0; i < m_turns.size(); ++i) {
        if (m_turns[i].role == app::ChatTurn::Role::User && seen++ == userMessageIndex) {
            turn = i;
            break;
        }
    }
    if (turn < 0)
        return;
    m_turns.resize(turn);
    m_chat->truncateFromUserMessage(userMessageIndex);
    if (m_store->isOpen() && m_conversationId) {
        int seen = 0;
        for (const app::StoredMessage &m : m_store->messages(m_conversationId)) {
            if (m.role == app::MessageRole::User && seen++ == userMessageIndex) {
                m_store->deleteMessagesFrom(m_conversationId, m.ordinal);
                break;
            }
        }
    }
    sendMessage(text, m_chat->thinkingEnabled());
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
    m_newAction->setText(tr("&New Conversation"));
    m_settingsAction->setText(tr("&Settings…"));
    m_searchAction->setText(tr("&Search Conversations"));
    m_splitter->setAccessibleName(tr("Conversations and chat"));
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
        m_chat->setReady(false, tr("Open a model (File › Open Model…) to continue this "
                                   "conversation."));
        break;
    case ModelState::Loading:
        m_modelLabel->setText(tr("Loading %1… %2%").arg(name).arg(qRound(m_loadFraction * 100)));
        m_chat->setReady(false, tr("Loading %1…").arg(name));
        break;
    case ModelState::Loaded:
        if (m_modelPath == demoModelPath()) {
            // Said plainly, every time: its weights are random, so its words are noise.
            m_modelLabel->setText(tr("Demo model (random weights)"));
            m_chat->setReady(true, tr("This is the built-in demo model: it shows how GLM Desk "
                                      "works, but its answers are random text. Open a GLM-4.5 "
                                      "model (File › Open Model…) for real answers."));
        } else {
            m_modelLabel->setText(tr("Model: %1").arg(name));
            m_chat->setReady(true);
        }
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
