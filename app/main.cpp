// glmdesk: the desktop app. The only app/ file that includes ui/.
#include "app/app_translator.h"
#include "app/backend_summary.h"
#include "app/chat_engine.h"
#include "ui/chat/chat_page.h"
#include "ui/chat/thinking_panel.h"
#include "ui/main_window.h"
#include "ui/settings/settings_dialog.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QIcon>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QTimer>
#include <QToolButton>
#include <QWindow>

#include <cstdio>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

// Writes `path` once the window has been exposed for ~300 ms, i.e. painted: the end-to-end test
// takes its screenshot then instead of sleeping a guessed time. `contents` is what the file says.
void reportReadyWhenPainted(QMainWindow &window, const QString &path,
                            const QByteArray &contents = "ready\n")
{
    auto *poll = new QTimer(&window);
    auto ticks = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, ticks, path, contents] {
        QWindow *handle = window.windowHandle();
        if (!handle || !handle->isExposed() || ++*ticks < 6)
            return;
        poll->stop();
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(contents);
    });
    poll->start(50);
}

// --send: once the model has loaded, the text is typed into the composer and sent with
// Ctrl+Enter, as a user would; when the answer has ended, the ready file gets the transcript.
// With expandThinking the reader's click then opens every thinking panel, and the ready file also
// says whether each is open and what it shows.
void sendWhenLoaded(glmdesk::ui::MainWindow &window, const QString &text, const QString &readyPath,
                    bool expandThinking = false)
{
    using glmdesk::app::ChatEngine;
    ChatEngine *bridge = window.chatEngine();
    QObject::connect(bridge, &ChatEngine::modelLoaded, &window, [&window, text] {
        // After the window has handled the same signal and enabled the composer.
        QTimer::singleShot(0, &window, [&window, text] {
            auto *composer = window.findChild<QPlainTextEdit *>(u"composer"_s);
            if (!composer)
                return;
            composer->setFocus();
            composer->setPlainText(text);
            QKeyEvent press(QEvent::KeyPress, Qt::Key_Return, Qt::ControlModifier);
            QCoreApplication::sendEvent(composer, &press);
        });
    });
    QObject::connect(bridge, &ChatEngine::finished, &window,
                     [&window, readyPath, expandThinking](quint64, const QString &reason) {
                         if (reason == u"loaded"_s || readyPath.isEmpty())
                             return;
                         const auto *page = window.findChild<glmdesk::ui::ChatPage *>();
                         QByteArray contents = page ? page->transcriptText().toUtf8() : "";
                         if (expandThinking) {
                             using glmdesk::ui::ThinkingPanel;
                             for (ThinkingPanel *panel : window.findChildren<ThinkingPanel *>()) {
                                 if (!panel->isExpanded())
                                     panel->headerButton()->click();
                                 contents += "\nthinking panel: " +
                                             QByteArray(panel->isExpanded() ? "open" : "closed") +
                                             "\n" + panel->text().trimmed().toUtf8();
                             }
                         }
                         reportReadyWhenPainted(window, readyPath, contents);
                     });
    QObject::connect(bridge, &ChatEngine::failed, &window, [](quint64, const QString &message) {
        std::fprintf(stderr, "glmdesk: %s\n", message.toUtf8().constData());
    });
}

} // namespace

int main(int argc, char **argv)
{
    // --version must work without a display (scripts, packaging checks, CI over ssh).
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("%s\n", glmdesk::app::versionLine().toUtf8().constData());
            return 0;
        }
    }

    QApplication app(argc, argv);
    // The names decide the paths: settings in ~/.config/glmdesk/, conversations in
    // ~/.local/share/glmdesk/ (see ConversationStore); the display name is for windows.
    QApplication::setApplicationName(u"glmdesk"_s);
    QApplication::setOrganizationName(u"glmdesk"_s);
    QApplication::setApplicationDisplayName(u"GLM Desk"_s);
    QApplication::setOrganizationDomain(u"glmdesk.org"_s);
    QApplication::setApplicationVersion(QString::fromLatin1(GLMDESK_APP_VERSION));
    QApplication::setDesktopFileName(u"org.glmdesk.GlmDesk"_s);
    QApplication::setWindowIcon(QIcon(u":/icons/glmdesk.png"_s));

    glmdesk::app::AppTranslator translator;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "GLM-4.5-Air on your own machine"));
    parser.addHelpOption();
    const QCommandLineOption versionOpt(
        {u"v"_s, u"version"_s},
        QApplication::translate("main", "Print the version and the backends"));
    const QCommandLineOption langOpt(
        u"lang"_s, QApplication::translate("main", "User interface language (en, zh_CN)"),
        u"code"_s);
    const QCommandLineOption readyOpt(
        u"ready-file"_s,
        QApplication::translate("main", "Write this file once the window is on screen (for tests)"),
        u"path"_s);
    const QCommandLineOption quitOpt(
        u"quit-after"_s,
        QApplication::translate("main", "Quit after this many milliseconds (for tests)"), u"ms"_s);
    const QCommandLineOption sendOpt(
        u"send"_s,
        QApplication::translate("main", "Send this message once the model has loaded (for tests)"),
        u"text"_s);
    const QCommandLineOption maxTokensOpt(
        u"max-tokens"_s, QApplication::translate("main", "Longest answer in tokens (default 4096)"),
        u"n"_s);
    const QCommandLineOption demoOpt(
        u"demo"_s, QApplication::translate("main", "Open the built-in demo model"));
    const QCommandLineOption expandThinkingOpt(
        u"expand-thinking"_s,
        QApplication::translate("main", "With --send: open the thinking panel after the answer "
                                        "(for tests)"));
    parser.addOptions({versionOpt, langOpt, readyOpt, quitOpt, sendOpt, maxTokensOpt, demoOpt,
                       expandThinkingOpt});
    parser.addPositionalArgument(
        u"model"_s,
        QApplication::translate("main", "A .gguf file or a Hugging Face model folder to open"),
        u"[model]"_s);
    parser.process(app);

    // Without --lang, the language chosen in Settings; a saved choice that no longer exists falls
    // back to the system's instead of refusing to start.
    if (!parser.isSet(langOpt)) {
        if (!translator.setLanguage(glmdesk::ui::AppSettings::load().language))
            translator.setLanguage(QString());
    } else if (!translator.setLanguage(parser.value(langOpt))) {
        std::fprintf(
            stderr, "glmdesk: no translation for language '%s'; available: %s\n",
            parser.value(langOpt).toUtf8().constData(),
            glmdesk::app::AppTranslator::availableLanguages().join(u", "_s).toUtf8().constData());
        return 2;
    }

    glmdesk::ui::MainWindow window(&translator);
    window.show();
    if (parser.isSet(maxTokensOpt)) {
        bool ok = false;
        const int n = parser.value(maxTokensOpt).toInt(&ok);
        if (!ok || n < 1) {
            std::fprintf(stderr, "glmdesk: --max-tokens needs a positive number\n");
            return 2;
        }
        window.setMaxAnswerTokens(n);
    }
    if (parser.isSet(sendOpt))
        sendWhenLoaded(window, parser.value(sendOpt), parser.value(readyOpt),
                       parser.isSet(expandThinkingOpt));
    if (!parser.positionalArguments().isEmpty())
        window.selectModel(parser.positionalArguments().constFirst());
    else if (parser.isSet(demoOpt))
        window.selectModel(QString());
    if (parser.isSet(readyOpt) && !parser.isSet(sendOpt))
        reportReadyWhenPainted(window, parser.value(readyOpt));
    if (parser.isSet(quitOpt)) {
        bool ok = false;
        const int ms = parser.value(quitOpt).toInt(&ok);
        if (!ok || ms < 0) {
            std::fprintf(stderr, "glmdesk: --quit-after needs a number of milliseconds\n");
            return 2;
        }
        QTimer::singleShot(ms, &app, &QCoreApplication::quit);
    }
    return app.exec();
}
