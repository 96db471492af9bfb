// The main window: menus, a page stack (welcome, chat) and a status bar with the backends this
// build can use. It owns nothing of the engine; the bridge arrives through app/.
#pragma once

#include <QMainWindow>

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QStackedWidget;

namespace glmdesk::app {
class AppTranslator;
class EngineBridge;
struct ChatTurn;
} // namespace glmdesk::app

namespace glmdesk::ui {

class ChatPage;
class WelcomePage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(app::AppTranslator *translator, QWidget *parent = nullptr);
    ~MainWindow() override;

    // A model the user picked: a .gguf path, a Hugging Face folder, or empty for the demo model.
    // Loads it on the engine thread; the chat page opens at once and enables itself when ready.
    void selectModel(const QString &path);

    app::EngineBridge *engineBridge() const { return m_bridge; }

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

    enum class ModelState { None, Loading, Loaded, Failed };

    app::AppTranslator *m_translator = nullptr;
    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcome = nullptr;
    ChatPage *m_chat = nullptr;
    QLabel *m_modelLabel = nullptr;
    QLabel *m_backendLabel = nullptr;
    QLabel *m_speedLabel = nullptr;
    app::EngineBridge *m_bridge = nullptr;
    QString m_modelPath;
    QString m_loadError;
    ModelState m_modelState = ModelState::None;
    double m_loadFraction = 0.0;
    quint64 m_loadRequest = 0;
    quint64 m_activeRequest = 0;
    QList<app::ChatTurn> m_turns;
    QString m_answer; // the answer streaming now

    QMenu *m_fileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_demoAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QActionGroup *m_languageGroup = nullptr;
};

} // namespace glmdesk::ui
