// The main window: menus, the conversation sidebar beside a page stack (welcome, chat) and a
// status bar with the backends this build can use. It owns nothing of the engine; the bridge
// arrives through app/. It also keeps the conversation on disk: the question is saved before it
// goes to the engine and the answer is saved as it streams (app/conversation_store.h).
#pragma once

#include "ui/settings/settings_dialog.h"

#include <QElapsedTimer>
#include <QMainWindow>

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QSplitter;
class QStackedWidget;

namespace glmdesk::app {
class AppTranslator;
class ConversationStore;
class ChatEngine;
struct LoadOptions;
class StreamingSaver;
class ToolSession;
struct ChatTurn;
struct ToolCallRecord;
enum class MessageState;
} // namespace glmdesk::app

namespace glmdesk::ui {

class ApprovalCard;
class ConnectionController;
class ChatPage;
class ConversationList;
class WelcomePage;
class ModelPanel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(app::AppTranslator *translator, QWidget *parent = nullptr);
    ~MainWindow() override;

    // A model the user picked: a .gguf path, a Hugging Face folder, or empty for the demo model.
    // Loads it on the engine thread; the chat page opens at once and enables itself when ready.
    void selectModel(const QString &path);
    void selectModel(const QString &path, const app::LoadOptions &options);
    // The Models dialog (recent models, info, memory estimate, load options), created on first use.
    ModelPanel *modelPanel();

    app::ChatEngine *chatEngine() const { return m_engine; }
    // The longest answer, in tokens (4096 by default).
    void setMaxAnswerTokens(int tokens) { m_maxAnswerTokens = tokens; }
    // The built-in demo model's file, or empty when this install has none.
    static QString demoModelPath();
    app::ConversationStore *conversationStore() const { return m_store; }
    qint64 currentConversation() const { return m_conversationId; }

    // Shows a saved conversation in the chat page (0: a new, empty one).
    void openConversation(qint64 id);
    void newConversation();
    void openSettings();

    // The code assistant (app/tool_session.h): the open conversation's project folder and tools.
    app::ToolSession *toolSession() const { return m_tools; }
    // Sets (empty: clears) the open conversation's project folder; false when it cannot be opened.
    bool setProjectFolder(const QString &path);
    // Replaces the engine (a remote one; tests: a scripted one). The window does not take
    // `engine` and does not delete the old one.
    void setChatEngine(app::ChatEngine *engine);
    // Engine and server settings (local or remote engine, the app's own OpenAI server).
    ConnectionController *connectionController() const { return m_connection; }

Q_SIGNALS:
    void modelSelected(const QString &path);

protected:
    void changeEvent(QEvent *event) override;

private:
    void createMenus();
    void retranslateUi();
    void openModelDialog();
    void showAbout();
    void setLanguage(const QString &language);
    void connectEngine();
    void sendMessage(const QString &text, bool thinking);
    void startAnswer(bool thinking);
    void regenerate();
    void editAndResend(int userMessageIndex, const QString &text);
    // Ends the answer streaming now (if any) and saves it with `state`.
    void finishAnswer(app::MessageState state);
    void stopStreaming();
    void showStoreError(const QString &message);
    void connectTools();
    void chooseProjectFolder();
    ApprovalCard *addToolCard(const app::ToolCallRecord &record);
    void updateProjectLabel();

    enum class ModelState { None, Loading, Loaded, Failed };

    app::AppTranslator *m_translator = nullptr;
    QSplitter *m_splitter = nullptr;
    QStackedWidget *m_pages = nullptr;
    ConversationList *m_sidebar = nullptr;
    app::ConversationStore *m_store = nullptr;
    app::StreamingSaver *m_saver = nullptr; // the answer streaming now
    qint64 m_conversationId = 0;
    QString m_systemPrompt; // the open conversation's
    AppSettings m_settings;
    QElapsedTimer m_thinkingClock;
    qint64 m_thinkingMs = 0;
    double m_tokensPerSecond = 0.0;
    int m_contextUsed = 0;
    WelcomePage *m_welcome = nullptr;
    ChatPage *m_chat = nullptr;
    QLabel *m_modelLabel = nullptr;
    QLabel *m_backendLabel = nullptr;
    QLabel *m_speedLabel = nullptr;
    app::ChatEngine *m_engine = nullptr; // the local EngineBridge unless set otherwise
    ConnectionController *m_connection = nullptr;
    QString m_modelPath;
    int m_maxAnswerTokens = 4096;
    QString m_loadError;
    ModelState m_modelState = ModelState::None;
    double m_loadFraction = 0.0;
    quint64 m_loadRequest = 0;
    ModelPanel *m_modelPanel = nullptr;
    quint64 m_activeRequest = 0;
    QList<app::ChatTurn> m_turns;
    QString m_answer; // the answer streaming now
    app::ToolSession *m_tools = nullptr;
    QLabel *m_projectLabel = nullptr;
    QAction *m_projectAction = nullptr;
    QAction *m_closeProjectAction = nullptr;

    QMenu *m_fileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_searchAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_demoAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QActionGroup *m_languageGroup = nullptr;
};

} // namespace glmdesk::ui
