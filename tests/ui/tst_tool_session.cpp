// The code assistant end to end in the real main window, offscreen: a scripted engine replays
// GLM-formatted outputs through the real output parser, the approval card appears in the
// transcript, the buttons decide, the tool really runs on a temporary project, the audit row is
// stored, and the next request carries the result (or the denial and its reason) to the model.
#include "app/conversation_store.h"
#include "app/tool_session.h"
#include "tests/ui/scripted_engine.h"
#include "ui/chat/chat_page.h"
#include "ui/chat/chat_view.h"
#include "ui/code/code_view.h"
#include "ui/main_window.h"
#include "ui/tools/approval_card.h"

#include <QCheckBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using glmdesk::app::ChatTurn;
using glmdesk::app::ToolCallRecord;
using glmdesk::app::ToolDecision;
using glmdesk::test::ScriptedEngine;
using glmdesk::ui::ApprovalCard;
using glmdesk::ui::ChatPage;
using glmdesk::ui::MainWindow;

namespace {

QString toolCall(const QString &name, const QList<std::pair<QString, QString>> &args)
{
    QString s = u"<tool_call>"_s + name + u'\n';
    for (const auto &[key, value] : args)
        s += u"<arg_key>"_s + key + u"</arg_key>\n<arg_value>"_s + value + u"</arg_value>\n"_s;
    return s + u"</tool_call>"_s;
}

QString readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return u"<missing>"_s;
    return QString::fromUtf8(f.readAll());
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// The Tool turns of a request, in order.
QList<ChatTurn> toolTurns(const ScriptedEngine::Request &request)
{
    QList<ChatTurn> turns;
    for (const ChatTurn &t : request.conversation)
        if (t.role == ChatTurn::Role::Tool)
            turns.append(t);
    return turns;
}

} // namespace

class TestToolSession : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    }
    void init();
    void cleanup();

    void noProjectFolderOffersNoTools();
    void approveOnceReadsTheFileAndStoresTheAudit();
    void denyWithReasonSendsTheReasonAndWritesNothing();
    void allowForConversationRunsTheNextCallWithoutACard();
    void perTurnCapStopsTheLoop();
    void editCardShowsTheDiffAndUndoRestoresTheFile();
    void stopKillsARunningCommandAndEndsTheLoop();
    void switchingConversationStopsARunningCommand();
    void settingsCheckboxAutoAllowsReadOnlyTools();

private:
    void start();
    void send(const QString &text);
    ApprovalCard *askingCard() const;
    QList<ApprovalCard *> cards() const;
    QList<ToolCallRecord> audit() const;
    QString project(const QString &relative) const { return m_project->filePath(relative); }

    std::unique_ptr<QTemporaryDir> m_project;
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<ScriptedEngine> m_engine;
    std::unique_ptr<MainWindow> m_window;
};

void TestToolSession::init()
{
    m_project = std::make_unique<QTemporaryDir>();
    QVERIFY(m_project->isValid());
    // Each test its own conversation database (outside the project folder).
    m_data = std::make_unique<QTemporaryDir>();
    QVERIFY(m_data->isValid());
    qputenv("GLMDESK_DATA_DIR", m_data->path().toUtf8());
    QVERIFY(writeAll(project(u"README.md"_s), "# Demo\nThe project readme.\n"));
    QVERIFY(writeAll(project(u"src/main.c"_s),
                     "#include <stdio.h>\n\nint main(void)\n{\n    puts(\"old\");\n    return "
                     "0;\n}\n"));
    m_engine = std::make_unique<ScriptedEngine>();
    m_window = std::make_unique<MainWindow>(nullptr);
}

void TestToolSession::cleanup()
{
    m_window.reset();
    m_engine.reset();
    m_project.reset();
    m_data.reset();
}

void TestToolSession::start()
{
    m_window->setChatEngine(m_engine.get());
    m_window->resize(1100, 760);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->selectModel(u"/scripted/glm-4.5-air.gguf"_s);
    auto *model = m_window->findChild<QLabel *>(u"modelLabel"_s);
    QVERIFY(model);
    QTRY_COMPARE(model->text(), u"Model: glm-4.5-air.gguf"_s);
}

void TestToolSession::send(const QString &text)
{
    auto *page = m_window->findChild<ChatPage *>();
    QVERIFY(page);
    Q_EMIT page->sendRequested(text, false);
}

QList<ApprovalCard *> TestToolSession::cards() const
{
    QList<ApprovalCard *> list;
    for (QWidget *w : m_window->findChild<ChatPage *>()->chatView()->toolCards())
        if (auto *card = qobject_cast<ApprovalCard *>(w))
            list.append(card);
    return list;
}

ApprovalCard *TestToolSession::askingCard() const
{
    for (ApprovalCard *card : cards())
        if (card->isAsking())
            return card;
    return nullptr;
}

QList<ToolCallRecord> TestToolSession::audit() const
{
    return m_window->conversationStore()->toolCalls(m_window->currentConversation());
}

void TestToolSession::noProjectFolderOffersNoTools()
{
    start();
    m_engine->addOutput(u"Hello."_s);
    send(u"hi"_s);
    QTRY_COMPARE(m_engine->requests().size(), 1);
    QVERIFY(m_engine->requests()[0].options.toolsJson.isEmpty());
    QTRY_VERIFY(m_window->findChild<ChatPage *>()->transcriptText().contains(u"Hello."_s));
    QVERIFY(!m_window->toolSession()->hasWorkspace());

    // With a folder the declarations go with the next request.
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(u"Sure."_s);
    send(u"and now?"_s);
    QTRY_COMPARE(m_engine->requests().size(), 2);
    const QByteArray tools = m_engine->requests()[1].options.toolsJson;
    for (const char *name :
         {"list_directory", "read_file", "search_text", "write_file", "edit_file", "run_command"})
        QVERIFY2(tools.contains(name), name);
    // The folder is saved with the conversation.
    const auto info = m_window->conversationStore()->conversation(m_window->currentConversation());
    QVERIFY(info);
    QCOMPARE(QDir(info->workspacePath).canonicalPath(), QDir(m_project->path()).canonicalPath());
}

void TestToolSession::approveOnceReadsTheFileAndStoresTheAudit()
{
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(u"<think>The user wants the readme.</think>I'll read it.\n"_s +
                        toolCall(u"read_file"_s, {{u"path"_s, u"README.md"_s}}));
    m_engine->addOutput(u"The readme says it is a demo."_s);
    send(u"What does the readme say?"_s);

    QTRY_VERIFY(askingCard());
    ApprovalCard *card = askingCard();
    QCOMPARE(card->record().tool, u"read_file"_s);
    QCOMPARE(m_engine->requests().size(), 1); // waits for the user
    auto *allow = card->findChild<QPushButton *>(u"toolCardAllowOnce"_s);
    QVERIFY(allow && allow->isVisible());
    QCOMPARE(allow->accessibleName(), u"Allow this call once"_s);
    QTest::mouseClick(allow, Qt::LeftButton);

    QTRY_COMPARE(m_engine->requests().size(), 2);
    const ScriptedEngine::Request &next = m_engine->requests()[1];
    // The assistant turn with its call, then the Tool turn with the file's text.
    const QList<ChatTurn> tools = toolTurns(next);
    QCOMPARE(tools.size(), 1);
    QVERIFY2(tools[0].text.contains(u"The project readme."_s), qPrintable(tools[0].text));
    const ChatTurn &assistant = next.conversation[next.conversation.size() - 2];
    QCOMPARE(assistant.role, ChatTurn::Role::Assistant);
    QCOMPARE(assistant.text, u"I'll read it."_s);
    QCOMPARE(assistant.toolCalls.size(), 1);
    QCOMPARE(assistant.toolCalls[0].name, u"read_file"_s);
    QCOMPARE(tools[0].toolCallId, assistant.toolCalls[0].id);
    QVERIFY(!next.options.toolsJson.isEmpty());

    QTRY_VERIFY(!m_window->toolSession()->isBusy());
    const QList<ToolCallRecord> rows = audit();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].tool, u"read_file"_s);
    QCOMPARE(rows[0].decision, ToolDecision::AllowedOnce);
    QVERIFY(rows[0].ok);
    QCOMPARE(rows[0].callId, assistant.toolCalls[0].id);
    QVERIFY(rows[0].resultText.contains(u"The project readme."_s));
    QVERIFY(rows[0].decided.isValid() && rows[0].finished.isValid());
    // The card is now the audit entry.
    QVERIFY(!card->isAsking());
    QVERIFY(!allow->isVisible());
    auto *status = card->findChild<QLabel *>(u"toolCardStatus"_s);
    QVERIFY(status->text().startsWith(u"Done"_s));

    // Reopened later, the conversation has its audit entry, its folder, and the call and its
    // result go to the model again with the next message.
    const qint64 id = m_window->currentConversation();
    QTRY_VERIFY(m_window->findChild<ChatPage *>()->transcriptText().contains(u"demo."_s));
    m_window->newConversation();
    QVERIFY(cards().isEmpty());
    QVERIFY(!m_window->toolSession()->hasWorkspace());
    m_window->openConversation(id);
    QCOMPARE(cards().size(), 1);
    QCOMPARE(cards()[0]->record().decision, ToolDecision::AllowedOnce);
    QVERIFY(!cards()[0]->isAsking());
    QVERIFY(m_window->toolSession()->hasWorkspace());
    m_engine->addOutput(u"Anything else?"_s);
    send(u"Thanks."_s);
    QTRY_COMPARE(m_engine->requests().size(), 3);
    const ScriptedEngine::Request &again = m_engine->requests()[2];
    const QList<ChatTurn> replayed = toolTurns(again);
    QCOMPARE(replayed.size(), 1);
    QCOMPARE(replayed[0].toolCallId, rows[0].callId);
    QCOMPARE(replayed[0].text, rows[0].resultText);
    bool foundCall = false;
    for (const ChatTurn &t : again.conversation)
        foundCall = foundCall || (t.toolCalls.size() == 1 && t.toolCalls[0].id == rows[0].callId &&
                                  t.toolCalls[0].name == u"read_file"_s);
    QVERIFY(foundCall);
}

void TestToolSession::denyWithReasonSendsTheReasonAndWritesNothing()
{
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(
        toolCall(u"write_file"_s, {{u"path"_s, u"notes.txt"_s}, {u"content"_s, u"secret\n"_s}}));
    m_engine->addOutput(u"Understood, I will not write it."_s);
    send(u"Write notes."_s);

    QTRY_VERIFY(askingCard());
    ApprovalCard *card = askingCard();
    QVERIFY(card->diffText().contains(u"+secret"_s));
    auto *reason = card->findChild<QLineEdit *>(u"toolCardReason"_s);
    QVERIFY(reason);
    reason->setText(u"不要写文件 — use"_s); // keyClicks types Latin-1 only
    QTest::keyClicks(reason, u" the README instead"_s);
    QTest::mouseClick(card->findChild<QPushButton *>(u"toolCardDeny"_s), Qt::LeftButton);

    QTRY_COMPARE(m_engine->requests().size(), 2);
    const QList<ChatTurn> tools = toolTurns(m_engine->requests()[1]);
    QCOMPARE(tools.size(), 1);
    QVERIFY2(tools[0].text.contains(u"denied"_s), qPrintable(tools[0].text));
    QVERIFY2(tools[0].text.contains(u"不要写文件 — use the README instead"_s),
             qPrintable(tools[0].text));
    QVERIFY(!QFileInfo::exists(project(u"notes.txt"_s)));

    QTRY_VERIFY(!m_window->toolSession()->isBusy());
    const QList<ToolCallRecord> rows = audit();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].decision, ToolDecision::Denied);
    QCOMPARE(rows[0].reason, u"不要写文件 — use the README instead"_s);
    QVERIFY(!rows[0].ok);
}

void TestToolSession::allowForConversationRunsTheNextCallWithoutACard()
{
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(toolCall(u"read_file"_s, {{u"path"_s, u"README.md"_s}}));
    m_engine->addOutput(u"And the source:"_s +
                        toolCall(u"read_file"_s, {{u"path"_s, u"src/main.c"_s}}));
    m_engine->addOutput(u"Both read."_s);
    send(u"Read both files."_s);

    QTRY_VERIFY(askingCard());
    auto *always = askingCard()->findChild<QPushButton *>(u"toolCardAllowConversation"_s);
    QVERIFY(always);
    QCOMPARE(always->text(), u"Allow read_file for this conversation"_s);
    QTest::mouseClick(always, Qt::LeftButton);

    QTRY_COMPARE(m_engine->requests().size(), 3);
    QVERIFY(!askingCard()); // the second call never asked
    const QList<ChatTurn> tools = toolTurns(m_engine->requests()[2]);
    QCOMPARE(tools.size(), 2);
    QVERIFY(tools[0].text.contains(u"The project readme."_s));
    QVERIFY(tools[1].text.contains(u"puts(\"old\");"_s));
    QTRY_VERIFY(!m_window->toolSession()->isBusy());
    const QList<ToolCallRecord> rows = audit();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].decision, ToolDecision::AllowedConversation);
    QCOMPARE(rows[1].decision, ToolDecision::AllowedConversation);
    QVERIFY(rows[1].ok);
    QCOMPARE(cards().size(), 2); // both calls are in the transcript's audit trail
    // Another tool still asks.
    QVERIFY(!m_window->toolSession()->isToolAllowedForConversation(u"write_file"_s));
}

void TestToolSession::perTurnCapStopsTheLoop()
{
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_window->toolSession()->setAutoAllowReadOnly(true);
    m_window->toolSession()->setMaxCallsPerTurn(2);
    for (int i = 0; i < 3; ++i)
        m_engine->addOutput(toolCall(u"list_directory"_s, {{u"path"_s, u"."_s}}));
    m_engine->addOutput(u"never asked for"_s);
    send(u"Look around."_s);

    // Two calls run without cards (read-only, auto-allowed); the third is refused and the model
    // is not asked again.
    QTRY_COMPARE(m_engine->requests().size(), 3);
    QTRY_VERIFY(!m_window->toolSession()->isBusy());
    QTest::qWait(50);
    QCOMPARE(m_engine->requests().size(), 3);
    QVERIFY(!askingCard());
    const QList<ToolCallRecord> rows = audit();
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].decision, ToolDecision::Auto);
    QVERIFY(rows[0].ok);
    QVERIFY(rows[0].resultText.contains(u"README.md"_s));
    QCOMPARE(rows[2].decision, ToolDecision::Denied);
    QVERIFY2(rows[2].reason.contains(u"limit of 2"_s), qPrintable(rows[2].reason));
    // The refusal is in the conversation as a Tool message, so the next turn sees it.
    const auto messages = m_window->conversationStore()->messages(m_window->currentConversation());
    QCOMPARE(messages.last().role, glmdesk::app::MessageRole::Tool);
    QVERIFY(messages.last().text.contains(u"limit of 2"_s));

    // A new user message starts a new turn: the count starts again.
    send(u"Go on."_s);
    QTRY_COMPARE(m_engine->requests().size(), 4);
    const QList<ChatTurn> tools = toolTurns(m_engine->requests()[3]);
    QCOMPARE(tools.size(), 3);
    QVERIFY(tools[2].text.contains(u"limit of 2"_s));
}

void TestToolSession::editCardShowsTheDiffAndUndoRestoresTheFile()
{
    const QString before = readAll(project(u"src/main.c"_s));
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(u"<think>Change the greeting.</think>I'll change the greeting.\n"_s +
                        toolCall(u"edit_file"_s, {{u"path"_s, u"src/main.c"_s},
                                                  {u"old_text"_s, u"puts(\"old\");"_s},
                                                  {u"new_text"_s, u"puts(\"new\");"_s}}));
    m_engine->addOutput(u"Changed."_s);
    send(u"Say new instead of old in main.c."_s);

    QTRY_VERIFY(askingCard());
    ApprovalCard *card = askingCard();
    QCOMPARE(card->record().tool, u"edit_file"_s);
    QVERIFY(card->diffView());
    QCOMPARE(card->diffView()->definition().name(), u"Diff"_s);
    const QString diff = card->diffText();
    QVERIFY2(diff.contains(u"-    puts(\"old\");"_s), qPrintable(diff));
    QVERIFY2(diff.contains(u"+    puts(\"new\");"_s), qPrintable(diff));
    QVERIFY(diff.contains(u"src/main.c"_s));
    QCOMPARE(readAll(project(u"src/main.c"_s)), before); // nothing written before approval

    // The screenshot CI keeps: the main window with the approval card and its diff.
    QTest::qWait(50);
    const QImage shot = m_window->grab().toImage();
    QSet<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 3)
        for (int x = 0; x < shot.width(); x += 3)
            colours.insert(shot.pixel(x, y));
    QVERIFY2(colours.size() > 16, "the screenshot is blank");
    QDir().mkpath(QStringLiteral(GLMDESK_SCREENSHOT_DIR));
    const QString png = QStringLiteral(GLMDESK_SCREENSHOT_DIR) + u"/glmdesk-tool-approval-en.png"_s;
    QVERIFY2(shot.save(png), qPrintable(png));
    qInfo("screenshot %s", qPrintable(png));

    QTest::mouseClick(card->findChild<QPushButton *>(u"toolCardAllowOnce"_s), Qt::LeftButton);
    QTRY_COMPARE(m_engine->requests().size(), 2);
    QTRY_VERIFY(!m_window->toolSession()->isBusy());
    QVERIFY(readAll(project(u"src/main.c"_s)).contains(u"puts(\"new\");"_s));
    QList<ToolCallRecord> rows = audit();
    QCOMPARE(rows.size(), 1);
    QVERIFY(rows[0].ok);
    QVERIFY(rows[0].undoId > 0);
    QVERIFY(rows[0].diff.contains(u"+    puts(\"new\");"_s));

    auto *undo = card->findChild<QPushButton *>(u"toolCardUndo"_s);
    QVERIFY(undo);
    QTRY_VERIFY(undo->isVisible());
    QTest::mouseClick(undo, Qt::LeftButton);
    QCOMPARE(readAll(project(u"src/main.c"_s)), before);
    QVERIFY(!undo->isVisible());
    rows = audit();
    QVERIFY(rows[0].undone);
    // Undone once is undone: a second undo is refused.
    QVERIFY(!m_window->toolSession()->undo(rows[0].id));
}

void TestToolSession::stopKillsARunningCommandAndEndsTheLoop()
{
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(toolCall(u"run_command"_s, {{u"argv"_s, u"[\"sleep\", \"30\"]"_s}}));
    m_engine->addOutput(u"never asked for"_s);
    send(u"Wait a while."_s);

    QTRY_VERIFY(askingCard());
    ApprovalCard *card = askingCard();
    QVERIFY(!card->diffView()); // no diff for a command
    QTest::mouseClick(card->findChild<QPushButton *>(u"toolCardAllowOnce"_s), Qt::LeftButton);
    auto *status = card->findChild<QLabel *>(u"toolCardStatus"_s);
    QTRY_COMPARE(status->text(), u"Running…"_s);
    QTest::qWait(200);
    QVERIFY(m_window->toolSession()->isBusy());

    QElapsedTimer clock;
    clock.start();
    Q_EMIT m_window->findChild<ChatPage *>()->stopRequested();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->toolSession()->isBusy(), 10000);
    QVERIFY2(clock.elapsed() < 10000, "the command was not killed");
    QTest::qWait(50);
    QCOMPARE(m_engine->requests().size(), 1); // stopped: the model is not asked again
    const QList<ToolCallRecord> rows = audit();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].decision, ToolDecision::AllowedOnce);
    QVERIFY(!rows[0].ok);
    QVERIFY(rows[0].finished.isValid());
}

void TestToolSession::switchingConversationStopsARunningCommand()
{
    start();
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(toolCall(u"run_command"_s, {{u"argv"_s, u"[\"sleep\", \"30\"]"_s}}));
    send(u"Wait a while."_s);
    QTRY_VERIFY(askingCard());
    QTest::mouseClick(askingCard()->findChild<QPushButton *>(u"toolCardAllowOnce"_s),
                      Qt::LeftButton);
    QTRY_VERIFY(m_window->toolSession()->isBusy());
    QTest::qWait(200);
    const qint64 id = m_window->currentConversation();

    QElapsedTimer clock;
    clock.start();
    m_window->newConversation(); // cancels the command and waits for it
    QVERIFY2(clock.elapsed() < 10000, "the command was not killed");
    QVERIFY(!m_window->toolSession()->isBusy());
    QVERIFY(cards().isEmpty());
    const QList<ToolCallRecord> rows = m_window->conversationStore()->toolCalls(id);
    QCOMPARE(rows.size(), 1);
    QVERIFY(rows[0].finished.isValid()); // the audit row has its end
    QVERIFY(!rows[0].ok);
}

void TestToolSession::settingsCheckboxAutoAllowsReadOnlyTools()
{
    start();
    QVERIFY(!m_window->toolSession()->autoAllowReadOnly()); // asks by default
    m_window->openSettings();
    auto *box = m_window->findChild<QCheckBox *>(u"autoAllowReadOnlyTools"_s);
    QVERIFY(box);
    QVERIFY(!box->isChecked());
    QCOMPARE(box->accessibleName(), u"Auto-allow read-only tools"_s);
    box->setChecked(true);
    QVERIFY(m_window->toolSession()->autoAllowReadOnly());
    QVERIFY(glmdesk::ui::AppSettings::load().autoAllowReadOnlyTools);

    // Now a read runs without a card; a write still asks.
    QVERIFY(m_window->setProjectFolder(m_project->path()));
    m_engine->addOutput(toolCall(u"read_file"_s, {{u"path"_s, u"README.md"_s}}));
    m_engine->addOutput(
        toolCall(u"write_file"_s, {{u"path"_s, u"a.txt"_s}, {u"content"_s, u"a\n"_s}}));
    send(u"Read, then write."_s);
    QTRY_VERIFY(askingCard());
    QCOMPARE(askingCard()->record().tool, u"write_file"_s);
    QCOMPARE(audit()[0].decision, ToolDecision::Auto);
    box->setChecked(false); // the next test's window starts from the default again
    QVERIFY(!glmdesk::ui::AppSettings::load().autoAllowReadOnlyTools);
}

QTEST_MAIN(TestToolSession)
#include "tst_tool_session.moc"
