// The main window offscreen: the widgets a user needs are there, the welcome page leads to the
// chat page, Chinese typed into the composer arrives intact, and switching language retranslates
// the live window.
#include "app/app_translator.h"
#include "app/conversation_store.h"
#include "app/engine_bridge.h"
#include "ui/chat/chat_page.h"
#include "ui/main_window.h"

#include <QDir>
#include <QFileInfo>
#include <QInputMethodEvent>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using glmdesk::app::AppTranslator;
using glmdesk::ui::ChatPage;
using glmdesk::ui::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT
    // The window opens the conversation database and reads the settings: never the user's own.
    QTemporaryDir m_home;
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("GLMDESK_DATA_DIR", m_home.filePath(u"data"_s).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    }
    void opensOnTheWelcomePageWithItsWidgets();
    void demoButtonSelectsTheDemoModel();
    void chineseInputArrivesIntact();
    void switchingLanguageRetranslatesTheLiveWindow();
    void unknownLanguageIsRefused();
    void loadsAModelAndStreamsAnAnswer();
};

void TestMainWindow::opensOnTheWelcomePageWithItsWidgets()
{
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    auto *pages = window.findChild<QStackedWidget *>(u"pages"_s);
    QVERIFY(pages);
    QCOMPARE(pages->currentWidget()->objectName(), u"welcomePage"_s);
    QVERIFY(window.findChild<QPushButton *>(u"demoModelButton"_s));
    auto *open = window.findChild<QPushButton *>(u"openModelButton"_s);
    QVERIFY(open);
    QCOMPARE(open->text(), u"Open model…"_s);
    QCOMPARE(window.menuBar()->actions().size(), 3); // File, View, Help
    auto *backends = window.findChild<QLabel *>(u"backendLabel"_s);
    QVERIFY(backends);
    QVERIFY2(backends->text().contains(u"cpu"_s), qPrintable(backends->text()));
    QCOMPARE(window.findChild<QLabel *>(u"modelLabel"_s)->text(), u"No model loaded"_s);
}

void TestMainWindow::demoButtonSelectsTheDemoModel()
{
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    QSignalSpy selected(&window, &MainWindow::modelSelected);
    QTest::mouseClick(window.findChild<QPushButton *>(u"demoModelButton"_s), Qt::LeftButton);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().first().toString(), QString()); // empty path = the demo model
    auto *pages = window.findChild<QStackedWidget *>(u"pages"_s);
    QCOMPARE(pages->currentWidget()->objectName(), u"chatPage"_s);
    // Nothing can answer yet, so nothing may be sent: the composer says why instead.
    QVERIFY(!window.findChild<QPlainTextEdit *>(u"composer"_s)->isEnabled());
    QVERIFY(!window.findChild<QLabel *>(u"chatStatus"_s)->text().isEmpty());
}

void TestMainWindow::chineseInputArrivesIntact()
{
    ChatPage page;
    page.setReady(true);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QSignalSpy sent(&page, &ChatPage::sendRequested);
    auto *composer = page.findChild<QPlainTextEdit *>(u"composer"_s);
    composer->setFocus();
    // Chinese arrives from an input method as committed strings, not as key presses; Latin text
    // typed in between arrives as keys. Both must end up in the draft unchanged.
    const QString chinese = u"你好，GLM！请解释一下 MoE 路由。"_s;
    QInputMethodEvent commit;
    commit.setCommitString(chinese);
    QCoreApplication::sendEvent(composer, &commit);
    QTest::keyClicks(composer, u" ok 😀"_s.left(4));
    QInputMethodEvent emoji;
    emoji.setCommitString(u"😀"_s);
    QCoreApplication::sendEvent(composer, &emoji);
    const QString text = chinese + u" ok 😀"_s;
    QCOMPARE(page.draft(), text);
    QTest::keyClick(composer, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().at(0).toString(), text);
    QCOMPARE(sent.first().at(1).toBool(), true); // thinking on by default
    QVERIFY(page.draft().isEmpty());
}

void TestMainWindow::switchingLanguageRetranslatesTheLiveWindow()
{
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    auto *open = window.findChild<QPushButton *>(u"openModelButton"_s);
    const QString english = open->text();

    QVERIFY(translator.setLanguage(u"zh_CN"_s));
    QCOMPARE(translator.language(), u"zh_CN"_s);
    QCoreApplication::processEvents();
    const QString chinese = open->text();
    QVERIFY2(chinese != english, qPrintable(chinese));
    // Every character of a Chinese label lies outside Latin-1 except punctuation and "…".
    QVERIFY2(std::any_of(chinese.begin(), chinese.end(),
                         [](QChar c) { return c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF; }),
             qPrintable(chinese));
    QVERIFY(window.windowTitle().size() > 0);

    QVERIFY(translator.setLanguage(u"en"_s));
    QCoreApplication::processEvents();
    QCOMPARE(open->text(), english);
}

void TestMainWindow::unknownLanguageIsRefused()
{
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    QVERIFY(!translator.setLanguage(u"xx_YY"_s));
    QCOMPARE(translator.language(), u"en"_s);
}

// The whole path: MainWindow -> EngineBridge -> engine thread -> queued signals -> transcript.
void TestMainWindow::loadsAModelAndStreamsAnAnswer()
{
    QString fixtures = qEnvironmentVariable("GLMDESK_FIXTURES");
    if (fixtures.isEmpty())
        fixtures = QStringLiteral(GLMDESK_SOURCE_DIR) + u"/../shared/fixtures"_s;
    const QString model = fixtures + u"/air-mini/gguf/air-mini-bf16.gguf"_s;
    if (!QFileInfo::exists(model))
        QSKIP("../shared/fixtures is absent (set GLMDESK_FIXTURES to run it)");

    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    QSignalSpy loaded(window.chatEngine(), &glmdesk::app::ChatEngine::modelLoaded);
    QSignalSpy finished(window.chatEngine(), &glmdesk::app::ChatEngine::finished);
    window.selectModel(model);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 60000);
    auto *composer = window.findChild<QPlainTextEdit *>(u"composer"_s);
    QTRY_VERIFY(composer->isEnabled());
    QVERIFY(window.findChild<QLabel *>(u"modelLabel"_s)->text().contains(u"air-mini-bf16"_s));

    composer->setFocus();
    QInputMethodEvent commit;
    commit.setCommitString(u"请用 Python 写一个快速排序。"_s);
    QCoreApplication::sendEvent(composer, &commit);
    const qsizetype before = finished.size();
    QTest::keyClick(composer, Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(composer->toPlainText().isEmpty());
    // Load's own "finished" came first; now wait for the answer's.
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() > before, 120000);
    auto *page = window.findChild<ChatPage *>();
    const QString transcript = page->transcriptText();
    QVERIFY2(transcript.contains(u"请用 Python 写一个快速排序。"_s), qPrintable(transcript));
    // Something came back after the "GLM" heading (random weights: the words are noise).
    const qsizetype glm = transcript.lastIndexOf(u"GLM\n"_s);
    QVERIFY(glm >= 0);
    QVERIFY2(transcript.size() > glm + 6, qPrintable(transcript));
    QVERIFY(composer->isEnabled());

    // Saved: a conversation titled by the question, the question, and the whole answer.
    glmdesk::app::ConversationStore *store = window.conversationStore();
    QVERIFY(window.currentConversation() > 0);
    const auto info = store->conversation(window.currentConversation());
    QVERIFY(info);
    QCOMPARE(info->title, u"请用 Python 写一个快速排序。"_s);
    const auto messages = store->messages(window.currentConversation());
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].text, u"请用 Python 写一个快速排序。"_s);
    QCOMPARE(messages[1].role, glmdesk::app::MessageRole::Assistant);
    QVERIFY(messages[1].state != glmdesk::app::MessageState::Streaming);
    QVERIFY(!messages[1].text.isEmpty() || !messages[1].thinking.isEmpty());
    QVERIFY2(transcript.contains(messages[1].text.trimmed()), qPrintable(messages[1].text));

    // Regenerate replaces the saved answer; edit and resend replaces the question and answer.
    qsizetype ends = finished.size();
    // Stopped early (Esc): a random-weight model may talk for its whole token budget.
    Q_EMIT page->regenerateRequested();
    QTest::qWait(300);
    Q_EMIT page->stopRequested();
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() > ends, 120000);
    auto again = store->messages(window.currentConversation());
    QCOMPARE(again.size(), 2);
    QCOMPARE(again[1].ordinal, 1);
    QVERIFY(again[1].id != messages[1].id);
    QVERIFY(again[1].state != glmdesk::app::MessageState::Streaming);
    ends = finished.size();
    Q_EMIT page->editResendRequested(0, u"Explain MoE routing."_s);
    QTest::qWait(300);
    Q_EMIT page->stopRequested();
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() > ends, 120000);
    again = store->messages(window.currentConversation());
    QCOMPARE(again.size(), 2);
    QCOMPARE(again[0].text, u"Explain MoE routing."_s);
    QVERIFY(page->transcriptText().contains(u"Explain MoE routing."_s));
    QVERIFY(!page->transcriptText().contains(u"请用 Python 写一个快速排序。"_s));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
