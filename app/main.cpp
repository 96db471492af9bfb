// glmdesk: the desktop app. The only app/ file that includes ui/.
#include "app/app_translator.h"
#include "app/backend_summary.h"
#include "ui/main_window.h"
#include "ui/settings/settings_dialog.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QIcon>
#include <QTimer>
#include <QWindow>

#include <cstdio>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

// Writes `path` once the window has been exposed for ~300 ms, i.e. painted: the end-to-end test
// takes its screenshot then instead of sleeping a guessed time.
void reportReadyWhenPainted(QMainWindow &window, const QString &path)
{
    auto *poll = new QTimer(&window);
    auto ticks = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, ticks, path] {
        QWindow *handle = window.windowHandle();
        if (!handle || !handle->isExposed() || ++*ticks < 6)
            return;
        poll->stop();
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write("ready\n");
    });
    poll->start(50);
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
    parser.addOptions({versionOpt, langOpt, readyOpt, quitOpt});
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
    if (!parser.positionalArguments().isEmpty())
        window.selectModel(parser.positionalArguments().constFirst());
    if (parser.isSet(readyOpt))
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
