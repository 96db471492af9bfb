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
}

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
    void selectModel(const QString &path);

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

    app::AppTranslator *m_translator = nullptr;
    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcome = nullptr;
    ChatPage *m_chat = nullptr;
    QLabel *m_modelLabel = nullptr;
    QLabel *m_backendLabel = nullptr;
    QString m_modelPath;
    bool m_modelChosen = false;

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
