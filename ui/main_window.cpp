#include "ui/main_window.h"

#include "app/app_translator.h"
#include "app/backend_summary.h"
#include "app/conversation_store.h"
#include "app/engine_bridge.h"
#include "app/tool_session.h"
#include "ui/chat/chat_page.h"
#include "ui/chat/chat_view.h"
#include "ui/connection_controller.h"
#include "ui/model/model_panel.h"
#include "ui/sidebar/conversation_list.h"
#include "ui/tools/approval_card.h"
#include "ui/welcome_page.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProcessEnvironment>
#include <QSettings>
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
    m_projectLabel = new QLabel(this);
    m_projectLabel->setObjectName(u"projectLabel"_s);
    statusBar()->addPermanentWidget(m_projectLabel);
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_backendLabel);

    m_tools = new app::ToolSession(m_store, this);
    m_tools->setAutoAllowReadOnly(m_settings.autoAllowReadOnlyTools);
    connectTools();
    auto *bridge = new app::EngineBridge(this);
    m_engine = bridge;
    connectEngine();
    m_connection = new ConnectionController(this, bridge);
    m_connection->reload();

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
    m_projectAction = m_fileMenu->addAction(QString(), this, &MainWindow::chooseProjectFolder);
    m_closeProjectAction =
        m_fileMenu->addAction(QString(), this, [this] { setProjectFolder(QString()); });
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
        connect(dialog, &SettingsDialog::settingsChanged, this, [this, dialog] {
            m_settings = dialog->settings();
            m_tools->setAutoAllowReadOnly(m_settings.autoAllowReadOnlyTools);
        });
        if (auto *box = dialog->findChild<ConnectionBox *>())
            connect(box, &ConnectionBox::changed, m_connection, &ConnectionController::reload);
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
    m_tools->setConversation(0); // stops its calls before the transcript goes
    stopStreaming();
    m_chat->clearTranscript();
    m_turns.clear();
    m_conversationId = 0;
    m_systemPrompt = m_settings.systemPrompt();
    m_sidebar->setCurrentConversation(id);
    updateProjectLabel();
    if (!id || !m_store->isOpen())
        return;
    const auto info = m_store->conversation(id);
    if (!info)
        return;
    m_conversationId = id;
    m_systemPrompt = info->systemPrompt;
    m_tools->setConversation(id);
    updateProjectLabel();
    // Tool messages answer the calls of the assistant message before them, in order; the audit
    // row of each call is found by its id.
    QHash<QString, app::ToolCallRecord> records;
    for (const app::ToolCallRecord &r : m_store->toolCalls(id))
        records.insert(r.callId, r);
    QStringList unanswered;
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
            unanswered.clear();
            for (const QJsonValue &v : m.toolCalls) {
                const QJsonObject call = v.toObject();
                m_turns.last().toolCalls.append({call.value(u"id"_s).toString(),
                                                 call.value(u"name"_s).toString(),
                                                 call.value(u"arguments"_s).toString()});
                unanswered.append(m_turns.last().toolCalls.last().id);
            }
            break;
        case app::MessageRole::Tool: {
            app::ChatTurn turn(app::ChatTurn::Role::Tool, m.text);
            if (!unanswered.isEmpty()) {
                turn.toolCallId = unanswered.takeFirst();
                if (const auto r = records.constFind(turn.toolCallId); r != records.cend())
                    addToolCard(*r)->setRecord(*r, false);
            }
            m_turns.append(turn);
            break;
        }
        case app::MessageRole::System:
            break; // not shown; the system prompt is the conversation's
        }
    }
    m_pages->setCurrentWidget(m_chat);
}

void MainWindow::stopStreaming()
{
    if (m_tools->isBusy())
        m_tools->cancel();
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
    ModelPanel *panel = modelPanel();
    if (panel->currentPath().isEmpty()) {
        const QStringList recent = panel->recentModels();
        panel->showModel(!m_modelPath.isEmpty() ? m_modelPath
                         : !recent.isEmpty()    ? recent.first()
                                                : demoModelPath());
    }
    panel->show();
    panel->raise();
    panel->activateWindow();
}

ModelPanel *MainWindow::modelPanel()
{
    if (!m_modelPanel) {
        m_modelPanel = new ModelPanel(new QSettings(this), this);
        m_modelPanel->setDemoModelPath(demoModelPath());
        connect(m_modelPanel, &ModelPanel::loadRequested, this,
                [this](const QString &path, const app::LoadOptions &options) {
                    selectModel(path, options);
                });
        connect(m_modelPanel, &ModelPanel::cancelLoadRequested, this, [this] {
            if (m_loadRequest && m_modelState == ModelState::Loading)
                m_engine->cancel(m_loadRequest);
        });
    }
    return m_modelPanel;
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
    selectModel(path, app::LoadOptions{});
}

void MainWindow::selectModel(const QString &path, const app::LoadOptions &options)
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
    m_loadRequest = m_engine->loadModel(file, options);
    retranslateUi();
}

void MainWindow::connectEngine()
{
    using app::ChatEngine;
    connect(m_engine, &ChatEngine::loadProgress, this, [this](quint64 id, double fraction) {
        if (id != m_loadRequest)
            return;
        m_loadFraction = fraction;
        if (m_modelPanel)
            m_modelPanel->setLoadProgress(fraction);
        retranslateUi();
    });
    connect(m_engine, &ChatEngine::modelLoaded, this, [this](quint64 id, const QString &) {
        if (id != m_loadRequest)
            return;
        m_modelState = ModelState::Loaded;
        if (m_modelPanel)
            m_modelPanel->setLoadFinished(true, tr("Loaded."));
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
    connect(m_engine, &ChatEngine::toolCallProposed, this,
            [this](quint64 id, const QString &callId, const QString &name, const QString &args) {
                if (id == m_activeRequest)
                    m_tools->propose(callId, name, args);
            });
    connect(m_engine, &ChatEngine::finished, this, [this](quint64 id, const QString &reason) {
        if (id == m_loadRequest && reason == u"cancelled"_s &&
            m_modelState == ModelState::Loading) {
            m_modelState = ModelState::None;
            m_modelPath.clear();
            if (m_modelPanel)
                m_modelPanel->setLoadFinished(false, tr("Loading was cancelled."));
            retranslateUi();
            return;
        }
        if (id != m_activeRequest)
            return;
        if (reason == u"tool_calls"_s && !m_tools->proposals().isEmpty()) {
            // The answer asks for tools: it becomes a turn with its calls, the calls run (after
            // approval) and their results go back to the model (connectTools()).
            app::ChatTurn turn(app::ChatTurn::Role::Assistant, m_answer.trimmed());
            turn.toolCalls = m_tools->proposals();
            m_turns.append(turn);
            m_activeRequest = 0;
            if (m_saver) {
                QJsonArray calls;
                for (const app::ChatToolCall &c : std::as_const(turn.toolCalls))
                    calls.append(QJsonObject{
                        {u"id"_s, c.id}, {u"name"_s, c.name}, {u"arguments"_s, c.argumentsJson}});
                m_saver->finish([&] {
                    app::MessageResult r;
                    r.thinkingMs = m_thinkingMs;
                    r.tokensPerSecond = m_tokensPerSecond;
                    r.toolCalls = calls;
                    return r;
                }());
                delete m_saver;
                m_saver = nullptr;
            }
            m_chat->endAnswer();
            m_tools->start();
            return;
        }
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
            if (m_modelPanel)
                m_modelPanel->setLoadFinished(false, message);
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
        else if (m_tools->isBusy())
            m_tools->cancel();
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
                    titleFrom(text), QFileInfo(m_modelPath).fileName(), m_systemPrompt)) {
                m_conversationId = *id;
                m_tools->attachConversation(*id);
            }
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
    m_tools->beginUserTurn();
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
    app::GenerateOptions options;
    options.thinking = thinking;
    options.maxTokens = m_maxAnswerTokens;
    options.sampling = m_settings.sampling;
    options.toolsJson = m_tools->toolsJson(); // empty without a project folder: no tools
    m_tools->discardProposals();
    m_activeRequest = m_engine->generate(conversation, options);
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

// ------------------------------------------------------------------------ the code assistant

void MainWindow::connectTools()
{
    using app::ToolSession;
    connect(m_tools, &ToolSession::approvalRequested, this,
            [this](const app::ToolCallRecord &record, const QString &diff, const QString &error) {
                auto *card = new ApprovalCard(record, diff, error);
                connect(card, &ApprovalCard::decided, this,
                        [this](qint64 id, app::ToolDecision decision, const QString &reason) {
                            m_tools->decide(id, decision, reason);
                        });
                connect(card, &ApprovalCard::undoRequested, this, [this](qint64 id) {
                    if (!m_tools->undo(id))
                        statusBar()->showMessage(m_tools->lastError(), 10000);
                });
                m_chat->chatView()->addToolCard(card);
                m_chat->chatView()->scrollToBottom();
            });
    connect(m_tools, &ToolSession::callStarted, this,
            [this](const app::ToolCallRecord &record) { addToolCard(record)->setRunning(); });
    connect(m_tools, &ToolSession::callFinished, this, [this](const app::ToolCallRecord &record) {
        addToolCard(record)->setRecord(record, m_tools->canUndo(record.id));
    });
    connect(m_tools, &ToolSession::recordChanged, this, [this](const app::ToolCallRecord &record) {
        addToolCard(record)->setRecord(record, m_tools->canUndo(record.id));
    });
    connect(m_tools, &ToolSession::capReached, this, [this](int calls) {
        statusBar()->showMessage(tr("GLM made %1 tool calls in a row and was stopped. Send a "
                                    "message to let it go on.")
                                     .arg(calls),
                                 15000);
    });
    connect(m_tools, &ToolSession::errorOccurred, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_tools, &ToolSession::callsAnswered, this,
            [this](const QList<app::ChatTurn> &toolTurns, bool continueGeneration) {
                m_turns += toolTurns;
                if (m_store->isOpen() && m_conversationId) {
                    for (const app::ChatTurn &t : toolTurns)
                        m_store->addMessage(m_conversationId, app::MessageRole::Tool, t.text);
                }
                if (continueGeneration && m_modelState == ModelState::Loaded)
                    startAnswer(m_chat->thinkingEnabled());
                else
                    m_chat->setGenerating(false);
            });
}

ApprovalCard *MainWindow::addToolCard(const app::ToolCallRecord &record)
{
    // The card of this call if it has one (asked for approval), else a new audit entry.
    for (QWidget *w : m_chat->chatView()->toolCards()) {
        auto *card = qobject_cast<ApprovalCard *>(w);
        if (card && card->recordId() == record.id)
            return card;
    }
    auto *card = new ApprovalCard(record);
    connect(card, &ApprovalCard::undoRequested, this, [this](qint64 id) {
        if (!m_tools->undo(id))
            statusBar()->showMessage(m_tools->lastError(), 10000);
    });
    m_chat->chatView()->addToolCard(card);
    return card;
}

void MainWindow::chooseProjectFolder()
{
    const QString path = QFileDialog::getExistingDirectory(
        this, tr("Project folder for this conversation"), m_tools->workspacePath());
    if (!path.isEmpty())
        setProjectFolder(path);
}

bool MainWindow::setProjectFolder(const QString &path)
{
    if (!m_tools->setWorkspace(path)) {
        QMessageBox::warning(this, tr("Project folder"), m_tools->lastError());
        return false;
    }
    updateProjectLabel();
    return true;
}

void MainWindow::updateProjectLabel()
{
    if (!m_projectLabel || !m_tools)
        return;
    const QString path = m_tools->workspacePath();
    m_projectLabel->setText(path.isEmpty() ? QString()
                                           : tr("Project: %1").arg(QFileInfo(path).fileName()));
    m_projectLabel->setToolTip(QDir::toNativeSeparators(path));
    m_projectLabel->setVisible(!path.isEmpty());
    if (m_closeProjectAction)
        m_closeProjectAction->setEnabled(!path.isEmpty());
}

void MainWindow::setChatEngine(app::ChatEngine *engine)
{
    stopStreaming();
    if (m_engine)
        disconnect(m_engine, nullptr, this, nullptr);
    // connectEngine() also connects the chat page: those go too, so nothing is connected twice.
    disconnect(m_chat, nullptr, this, nullptr);
    m_engine = engine; // the old one stays with its owner (a switch back finds it loaded)
    m_modelState = ModelState::None;
    m_loadRequest = 0;
    connectEngine();
    retranslateUi();
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
    m_projectAction->setText(tr("&Project Folder…"));
    m_closeProjectAction->setText(tr("&Close Project Folder"));
    updateProjectLabel();
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
            // Said plainly, every time: it knows one scripted answer and nothing else.
            m_modelLabel->setText(tr("Demo model (scripted)"));
            m_chat->setReady(true, tr("This is the built-in demo model: it always gives the same "
                                      "short answer. Open a GLM-4.5 model (File › Open Model…) "
                                      "for real answers."));
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
