#include "ui/main_window.h"

#include "app/app_translator.h"
#include "app/backend_summary.h"
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
    statusBar()->addWidget(m_modelLabel, 1);
    statusBar()->addPermanentWidget(m_backendLabel);

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
    m_modelPath = path;
    m_modelChosen = true;
    m_pages->setCurrentWidget(m_chat);
    retranslateUi();
    Q_EMIT modelSelected(path);
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
    if (!m_modelChosen) {
        m_modelLabel->setText(tr("No model loaded"));
        return;
    }
    const QString name =
        m_modelPath.isEmpty() ? tr("Demo model") : QFileInfo(m_modelPath).fileName();
    m_modelLabel->setText(tr("Selected: %1").arg(name));
    m_chat->setReady(false, tr("%1 is selected, but this version of GLM Desk cannot load models "
                               "yet: the inference engine is still being built.")
                                .arg(name));
}

} // namespace glmdesk::ui
