// The conversation store: CRUD, search (Chinese included), delete with undo, migration from a
// version 1 database, the streaming saver's timing, and durability: a child process streams an
// answer through the real StreamingSaver and is killed with SIGKILL; the parent reopens the file.
//
// The child is this same binary started with --stream-child DB; it prints "A <length> <ms>" after
// each appended delta and "F <length> <ms>" after each write that reached the database.
#include "app/conversation_store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>

#include <sys/types.h>

using namespace Qt::StringLiterals;
using namespace glmdesk::app;

namespace {

// The text the child streams: numbered chunks, so any prefix can be checked exactly.
QString streamChunk(int i)
{
    return u"块%1;"_s.arg(i);
}

QString streamText(int chunks)
{
    QString s;
    for (int i = 0; i < chunks; ++i)
        s += streamChunk(i);
    return s;
}

constexpr int kChunkIntervalMs = 5;

int runStreamChild(const QString &dbPath)
{
    ConversationStore store;
    if (!store.open(dbPath)) {
        std::fprintf(stderr, "child: %s\n", qPrintable(store.lastError()));
        return 3;
    }
    const auto conv = store.createConversation(u"kill -9"_s);
    if (!conv || !store.addMessage(*conv, MessageRole::User, u"stream please"_s))
        return 4;
    const auto answer =
        store.addMessage(*conv, MessageRole::Assistant, {}, {}, MessageState::Streaming);
    if (!answer)
        return 5;
    StreamingSaver saver(&store, *answer); // the default interval, as the app uses it
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&saver, &StreamingSaver::flushed, [&](qsizetype length, qsizetype) {
        std::printf("F %lld %lld\n", static_cast<long long>(length),
                    static_cast<long long>(clock.elapsed()));
        std::fflush(stdout);
    });
    int chunk = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        saver.appendAnswer(streamChunk(chunk++));
        std::printf("A %lld %lld\n", static_cast<long long>(saver.text().size()),
                    static_cast<long long>(clock.elapsed()));
        std::fflush(stdout);
    });
    tick.start(kChunkIntervalMs);
    std::printf("ready %lld\n", static_cast<long long>(*answer));
    std::fflush(stdout);
    // The parent kills us long before this; if it does not, the test fails on the final state.
    QTimer::singleShot(60000, qApp, &QCoreApplication::quit);
    return QCoreApplication::exec();
}

// Opens a raw connection for checks the store's API does not offer.
struct RawDb
{
    explicit RawDb(const QString &path)
    {
        db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDb()
    {
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    QString scalar(const QString &sql)
    {
        QSqlQuery q(db);
        if (!q.exec(sql) || !q.next())
            return u"<error>"_s;
        return q.value(0).toString();
    }
    QString name = u"raw"_s;
    QSqlDatabase db;
};

} // namespace

class TestConversationStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void opensWithWalFullSyncAndForeignKeys();
    void createsRenamesAndListsNewestFirst();
    void messagesKeepOrderAndAllFields();
    void searchFindsTitlesAndTextIncludingChinese();
    void deleteCanBeUndoneAndPurgeRemovesMessages();
    void errorsAreReportedNotThrown();
    void migratesAVersion1Database();
    void refusesANewerSchema();
    void migratesAVersion2DatabaseAndKeepsItsData();
    void toolCallsAreAddedUpdatedAndListed();
    void saverWritesAtMostOncePerIntervalAndOnFinish();
    void killDuringStreamingLosesAtMostTheLastSecond();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(u"conversations.sqlite"_s); }
};

void TestConversationStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestConversationStore::opensWithWalFullSyncAndForeignKeys()
{
    qputenv("GLMDESK_DATA_DIR", m_dir->path().toUtf8());
    QCOMPARE(ConversationStore::defaultPath(), dbPath());
    qunsetenv("GLMDESK_DATA_DIR");

    ConversationStore store;
    QVERIFY2(store.open(dbPath()), qPrintable(store.lastError()));
    QCOMPARE(store.schemaVersion(), ConversationStore::kSchemaVersion);
    QCOMPARE(store.pragma(u"journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(store.pragma(u"synchronous"_s).toInt(), 2); // FULL
    QCOMPARE(store.pragma(u"foreign_keys"_s).toInt(), 1);
    QVERIFY(!store.pragma(u"journal_mode; DROP TABLE messages"_s).isValid());
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"PRAGMA journal_mode"_s), u"wal"_s); // persistent, seen by others too
    const auto id = store.createConversation(u"t"_s);
    QVERIFY2(id, qPrintable(store.lastError()));
    // Foreign keys on: a message for a conversation that does not exist is refused.
    QVERIFY(!store.addMessage(*id + 1000, MessageRole::User, u"orphan"_s));
    QVERIFY(!store.lastError().isEmpty());
}

void TestConversationStore::createsRenamesAndListsNewestFirst()
{
    ConversationStore store;
    QVERIFY(store.open(dbPath()));
    QSignalSpy changed(&store, &ConversationStore::conversationsChanged);
    const auto a = store.createConversation(u"first"_s, u"air-mini"_s, u"be brief"_s);
    QTest::qWait(3);
    const auto b = store.createConversation(u"second"_s);
    QTest::qWait(3);
    const auto c = store.createConversation(u"third"_s);
    QVERIFY(a && b && c);
    QCOMPARE(changed.size(), 3);
    auto list = store.conversations();
    QCOMPARE(list.size(), 3);
    QCOMPARE(list[0].id, *c);
    QCOMPARE(list[2].id, *a);
    QCOMPARE(list[2].model, u"air-mini"_s);
    QCOMPARE(list[2].systemPrompt, u"be brief"_s);
    QVERIFY(list[2].workspacePath.isNull());

    // A new message makes its conversation the newest.
    QTest::qWait(3);
    QVERIFY(store.addMessage(*a, MessageRole::User, u"hello"_s));
    list = store.conversations();
    QCOMPARE(list[0].id, *a);
    QVERIFY(list[0].updated > list[0].created);

    QVERIFY(store.renameConversation(*b, u"第二个"_s));
    QCOMPARE(store.conversation(*b)->title, u"第二个"_s);

    ConversationInfo info = *store.conversation(*c);
    info.workspacePath = u"/home/me/project"_s;
    info.settings = QJsonObject{{u"temperature"_s, 0.6}, {u"thinking"_s, true}};
    QVERIFY(store.updateConversation(info));
    const ConversationInfo back = *store.conversation(*c);
    QCOMPARE(back.workspacePath, u"/home/me/project"_s);
    QCOMPARE(back.settings.value(u"temperature"_s).toDouble(), 0.6);
    QCOMPARE(back.settings.value(u"thinking"_s).toBool(), true);
}

void TestConversationStore::messagesKeepOrderAndAllFields()
{
    ConversationStore store;
    QVERIFY(store.open(dbPath()));
    const auto conv = store.createConversation(u"c"_s);
    QVERIFY(conv);
    const auto u1 = store.addMessage(*conv, MessageRole::User, u"请用 Python 写快速排序"_s);
    const auto a1 = store.addMessage(*conv, MessageRole::Assistant, {}, {}, MessageState::Streaming,
                                     u"GLM-4.5-Air"_s);
    const auto t1 = store.addMessage(*conv, MessageRole::Tool, u"{\"ok\":true}"_s);
    QVERIFY(u1 && a1 && t1);
    QVERIFY(store.updateStreamingMessage(*a1, u"partial"_s, u"hmm"_s));
    QCOMPARE(store.message(*a1)->state, MessageState::Streaming);
    QCOMPARE(store.message(*a1)->text, u"partial"_s);

    MessageResult result;
    result.state = MessageState::Cancelled;
    result.thinkingMs = 1234;
    result.toolCalls = QJsonArray{QJsonObject{{u"name"_s, u"run"_s}}};
    result.timings = QJsonObject{{u"prefill_ms"_s, 12.5}};
    result.tokensPerSecond = 17.25;
    QVERIFY(store.finishMessage(*a1, u"def quicksort(xs): ..."_s, u"thinking…"_s, result));

    const auto list = store.messages(*conv);
    QCOMPARE(list.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(list[i].ordinal, i);
    QCOMPARE(list[0].role, MessageRole::User);
    QCOMPARE(list[0].text, u"请用 Python 写快速排序"_s);
    QCOMPARE(list[0].state, MessageState::Complete);
    const StoredMessage &a = list[1];
    QCOMPARE(a.role, MessageRole::Assistant);
    QCOMPARE(a.text, u"def quicksort(xs): ..."_s);
    QCOMPARE(a.thinking, u"thinking…"_s);
    QCOMPARE(a.thinkingMs, 1234);
    QCOMPARE(a.state, MessageState::Cancelled);
    QCOMPARE(a.model, u"GLM-4.5-Air"_s);
    QCOMPARE(a.tokensPerSecond, 17.25);
    QCOMPARE(a.toolCalls.at(0).toObject().value(u"name"_s).toString(), u"run"_s);
    QCOMPARE(a.timings.value(u"prefill_ms"_s).toDouble(), 12.5);
    QVERIFY(a.updated >= a.created);
    QCOMPARE(list[2].role, MessageRole::Tool);

    // Regenerate / edit and resend: everything from an ordinal on goes; new ones follow on.
    QCOMPARE(store.deleteMessagesFrom(*conv, 1).value_or(-1), 2);
    QCOMPARE(store.messages(*conv).size(), 1);
    const auto again = store.addMessage(*conv, MessageRole::Assistant, u"again"_s);
    QVERIFY(again);
    QCOMPARE(store.message(*again)->ordinal, 1);
    QVERIFY(*again > *t1); // ids are never reused
    QCOMPARE(store.deleteMessagesFrom(*conv, 5).value_or(-1), 0);

    // A message left streaming (the app was killed) becomes cancelled at the next start.
    const auto a2 =
        store.addMessage(*conv, MessageRole::Assistant, u"half"_s, {}, MessageState::Streaming);
    QVERIFY(a2);
    QCOMPARE(store.markInterruptedMessages().value_or(-1), 1);
    QCOMPARE(store.message(*a2)->state, MessageState::Cancelled);
    QCOMPARE(store.message(*a2)->text, u"half"_s);
}

void TestConversationStore::searchFindsTitlesAndTextIncludingChinese()
{
    ConversationStore store;
    QVERIFY(store.open(dbPath()));
    const auto sort = store.createConversation(u"Sorting"_s);
    const auto moe = store.createConversation(u"MoE routing"_s);
    const auto pct = store.createConversation(u"Discounts"_s);
    QVERIFY(sort && moe && pct);
    QVERIFY(store.addMessage(*sort, MessageRole::User, u"请用 Python 写一个快速排序。"_s));
    QVERIFY(store.addMessage(*moe, MessageRole::Assistant, u"The router picks 8 experts."_s));
    QVERIFY(store.addMessage(*pct, MessageRole::User, u"is 100% off a_b real?"_s));

    auto ids = [](const QList<ConversationInfo> &l) {
        QList<qint64> out;
        for (const auto &c : l)
            out.append(c.id);
        std::sort(out.begin(), out.end());
        return out;
    };
    QCOMPARE(ids(store.search(u"排序"_s)), QList<qint64>{*sort});   // inside a run of Chinese
    QCOMPARE(ids(store.search(u"ROUTER"_s)), QList<qint64>{*moe});  // case-insensitive ASCII
    QCOMPARE(ids(store.search(u"routing"_s)), QList<qint64>{*moe}); // the title
    QCOMPARE(ids(store.search(u"100%"_s)), QList<qint64>{*pct});
    QCOMPARE(ids(store.search(u"0%"_s)), QList<qint64>{*pct});
    QCOMPARE(ids(store.search(u"a_b"_s)), QList<qint64>{*pct});
    QCOMPARE(ids(store.search(u"t_e"_s)), QList<qint64>{}); // "_" is not a wildcard
    QCOMPARE(ids(store.search(u"%"_s)), QList<qint64>{*pct});
    QCOMPARE(store.search(u"  "_s).size(), 3); // empty search = everything
    QCOMPARE(ids(store.search(u"nowhere"_s)), QList<qint64>{});
    QVERIFY(store.deleteConversation(*sort));
    QCOMPARE(ids(store.search(u"排序"_s)), QList<qint64>{}); // deleted ones are not found
}

void TestConversationStore::deleteCanBeUndoneAndPurgeRemovesMessages()
{
    ConversationStore store;
    QVERIFY(store.open(dbPath()));
    const auto keep = store.createConversation(u"keep"_s);
    const auto gone = store.createConversation(u"gone"_s);
    QVERIFY(keep && gone);
    QVERIFY(store.addMessage(*gone, MessageRole::User, u"bye"_s));
    QVERIFY(store.addMessage(*gone, MessageRole::Assistant, u"bye too"_s));

    QVERIFY(store.deleteConversation(*gone));
    QCOMPARE(store.conversations().size(), 1);
    QVERIFY(!store.deleteConversation(*gone)); // already deleted
    QVERIFY(store.restoreConversation(*gone)); // undo
    QCOMPARE(store.conversations().size(), 2);
    QCOMPARE(store.messages(*gone).size(), 2);
    QVERIFY(!store.restoreConversation(*gone)); // nothing to restore

    QVERIFY(store.deleteConversation(*gone));
    // Deleted "now": a purge of what was deleted before an hour ago keeps it.
    QCOMPARE(store.purgeDeleted(QDateTime::currentDateTimeUtc().addSecs(-3600)).value_or(-1), 0);
    QVERIFY(store.restoreConversation(*gone));
    QVERIFY(store.deleteConversation(*gone));
    QCOMPARE(store.purgeDeleted().value_or(-1), 1);
    QVERIFY(!store.restoreConversation(*gone));
    QCOMPARE(store.messages(*gone).size(), 0); // cascaded
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM messages"_s), u"0"_s);
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM conversations"_s), u"1"_s);
}

void TestConversationStore::errorsAreReportedNotThrown()
{
    ConversationStore store;
    QSignalSpy errors(&store, &ConversationStore::errorOccurred);
    // A folder where the file should be: open fails with a message.
    QVERIFY(QDir(m_dir->path()).mkpath(u"dir.sqlite"_s));
    QVERIFY(!store.open(m_dir->filePath(u"dir.sqlite"_s)));
    QVERIFY(!store.lastError().isEmpty());
    QCOMPARE(errors.size(), 1);
    // Not open: every call fails cleanly.
    QVERIFY(!store.createConversation(u"x"_s));
    QVERIFY(store.conversations().isEmpty());
    QVERIFY(!store.renameConversation(1, u"y"_s));
    QVERIFY(!store.updateStreamingMessage(1, u"a"_s, u"b"_s));
    QVERIFY(!store.deleteMessagesFrom(1, 0));
    QCOMPARE(errors.size(), 6);
    QVERIFY2(store.lastError().contains(u"not open"_s), qPrintable(store.lastError()));

    // A file that is not a database.
    QFile junk(m_dir->filePath(u"junk.sqlite"_s));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(8192, 'x'));
    junk.close();
    ConversationStore store2;
    QVERIFY(!store2.open(junk.fileName()));
    QVERIFY2(!store2.lastError().isEmpty(), "no message for a file that is not a database");

    ConversationStore ok;
    QVERIFY(ok.open(dbPath()));
    QVERIFY(!ok.renameConversation(424242, u"nobody"_s));
    QVERIFY(ok.lastError().contains(u"424242"_s));
    QVERIFY(!ok.message(99));
    QVERIFY(!ok.finishMessage(99, {}, {}, {}));
}

void TestConversationStore::migratesAVersion1Database()
{
    // A database as version 1 wrote it, built here with version 1's own statements.
    {
        RawDb raw(dbPath());
        QSqlQuery q(raw.db);
        const QStringList v1 = {
            u"CREATE TABLE schema_version (version INTEGER NOT NULL)"_s,
            u"INSERT INTO schema_version VALUES (1)"_s,
            u"CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT "
            u"NULL DEFAULT '', created INTEGER NOT NULL, updated INTEGER NOT NULL, model TEXT NOT "
            u"NULL DEFAULT '', system_prompt TEXT NOT NULL DEFAULT '')"_s,
            u"CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER "
            u"NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, ordinal INTEGER NOT NULL, "
            u"role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')), text "
            u"TEXT NOT NULL DEFAULT '', thinking TEXT NOT NULL DEFAULT '', created INTEGER NOT "
            u"NULL, UNIQUE (conversation_id, ordinal))"_s,
            u"INSERT INTO conversations VALUES (7, '旧的对话', 1000, 2000, 'glm', 'sys')"_s,
            u"INSERT INTO messages VALUES (1, 7, 0, 'user', 'old question', '', 1500)"_s,
            u"INSERT INTO messages VALUES (2, 7, 1, 'assistant', 'old answer', 'old thought', "
            u"1600)"_s,
        };
        for (const QString &sql : v1)
            QVERIFY2(q.exec(sql), qPrintable(sql));
    }
    ConversationStore store;
    QVERIFY2(store.open(dbPath()), qPrintable(store.lastError()));
    QCOMPARE(store.schemaVersion(), ConversationStore::kSchemaVersion);
    const auto list = store.conversations();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list[0].id, 7);
    QCOMPARE(list[0].title, u"旧的对话"_s);
    QCOMPARE(list[0].systemPrompt, u"sys"_s);
    QCOMPARE(list[0].created.toMSecsSinceEpoch(), 1000);
    QVERIFY(list[0].workspacePath.isNull());
    QVERIFY(list[0].settings.isEmpty());
    const auto messages = store.messages(7);
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[1].text, u"old answer"_s);
    QCOMPARE(messages[1].thinking, u"old thought"_s);
    QCOMPARE(messages[1].state, MessageState::Complete);
    QCOMPARE(messages[1].updated.toMSecsSinceEpoch(), 1600); // filled from created
    // The new columns work on migrated rows.
    QVERIFY(store.deleteConversation(7));
    QVERIFY(store.restoreConversation(7));
    const auto added = store.addMessage(7, MessageRole::User, u"new"_s);
    QVERIFY(added);
    QCOMPARE(store.message(*added)->ordinal, 2);
}

void TestConversationStore::refusesANewerSchema()
{
    {
        ConversationStore store;
        QVERIFY(store.open(dbPath()));
        QVERIFY(store.createConversation(u"precious"_s));
    }
    {
        RawDb raw(dbPath());
        QSqlQuery q(raw.db);
        QVERIFY(q.exec(u"UPDATE schema_version SET version = 99"_s));
    }
    ConversationStore store;
    QVERIFY(!store.open(dbPath()));
    QVERIFY2(store.lastError().contains(u"99"_s), qPrintable(store.lastError()));
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"SELECT title FROM conversations"_s), u"precious"_s); // untouched
}

void TestConversationStore::migratesAVersion2DatabaseAndKeepsItsData()
{
    // Version 2's schema (v1's tables plus v2's columns), with a workspace and a message.
    {
        RawDb raw(dbPath());
        QSqlQuery q(raw.db);
        const QStringList v2 = {
            u"CREATE TABLE schema_version (version INTEGER NOT NULL)"_s,
            u"INSERT INTO schema_version VALUES (2)"_s,
            u"CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT "
            u"NULL DEFAULT '', created INTEGER NOT NULL, updated INTEGER NOT NULL, model TEXT NOT "
            u"NULL DEFAULT '', system_prompt TEXT NOT NULL DEFAULT '', workspace_path TEXT, "
            u"settings_json TEXT NOT NULL DEFAULT '{}', deleted_at INTEGER)"_s,
            u"CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER "
            u"NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, ordinal INTEGER NOT NULL, "
            u"role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')), text "
            u"TEXT NOT NULL DEFAULT '', thinking TEXT NOT NULL DEFAULT '', created INTEGER NOT "
            u"NULL, thinking_ms INTEGER NOT NULL DEFAULT 0, tool_calls_json TEXT NOT NULL DEFAULT "
            u"'[]', timings_json TEXT NOT NULL DEFAULT '{}', tokens_per_second REAL NOT NULL "
            u"DEFAULT 0, model TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'complete', "
            u"updated INTEGER NOT NULL DEFAULT 0, UNIQUE (conversation_id, ordinal))"_s,
            u"INSERT INTO conversations (id, title, created, updated, workspace_path) VALUES (3, "
            u"'项目', 100, 200, '/home/me/project')"_s,
            u"INSERT INTO messages (id, conversation_id, ordinal, role, text, created, updated) "
            u"VALUES (1, 3, 0, 'user', 'fix the build', 150, 150)"_s,
        };
        for (const QString &sql : v2)
            QVERIFY2(q.exec(sql), qPrintable(sql));
    }
    ConversationStore store;
    QVERIFY2(store.open(dbPath()), qPrintable(store.lastError()));
    QCOMPARE(store.schemaVersion(), 3);
    const auto info = store.conversation(3);
    QVERIFY(info);
    QCOMPARE(info->title, u"项目"_s);
    QCOMPARE(info->workspacePath, u"/home/me/project"_s);
    QCOMPARE(store.messages(3).size(), 1);
    QCOMPARE(store.messages(3)[0].text, u"fix the build"_s);
    QVERIFY(store.toolCalls(3).isEmpty());
    ToolCallRecord r;
    r.conversationId = 3;
    r.tool = u"list_directory"_s;
    QVERIFY(store.addToolCall(r)); // the new table works on the migrated file
    QCOMPARE(store.toolCalls(3).size(), 1);
}

void TestConversationStore::toolCallsAreAddedUpdatedAndListed()
{
    ConversationStore store;
    QVERIFY(store.open(dbPath()));
    const auto a = store.createConversation(u"a"_s);
    const auto b = store.createConversation(u"b"_s);
    QVERIFY(a && b);
    ToolCallRecord first;
    first.conversationId = *a;
    first.callId = u"call_1_1"_s;
    first.tool = u"write_file"_s;
    first.argumentsJson = uR"({"path":"src/main.c","content":"int main;"})"_s;
    first.proposed = QDateTime::fromMSecsSinceEpoch(5000, QTimeZone::UTC);
    const auto firstId = store.addToolCall(first);
    QVERIFY(firstId);
    ToolCallRecord second = first;
    second.callId = u"call_1_2"_s;
    second.tool = u"read_file"_s;
    second.decision = ToolDecision::Auto;
    QVERIFY(store.addToolCall(second));
    ToolCallRecord other = first;
    other.conversationId = *b;
    QVERIFY(store.addToolCall(other));

    QList<ToolCallRecord> list = store.toolCalls(*a);
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].id, *firstId);
    QCOMPARE(list[0].callId, u"call_1_1"_s);
    QCOMPARE(list[0].decision, ToolDecision::Pending);
    QCOMPARE(list[0].argumentsJson, first.argumentsJson);
    QCOMPARE(list[0].proposed.toMSecsSinceEpoch(), 5000);
    QVERIFY(!list[0].decided.isValid());
    QVERIFY(!list[0].finished.isValid());
    QCOMPARE(list[1].decision, ToolDecision::Auto);

    ToolCallRecord done = list[0];
    done.decision = ToolDecision::Denied;
    done.reason = u"不要改 main.c"_s;
    done.resultText = u"denied"_s;
    done.diff = u"--- a/src/main.c\n+++ b/src/main.c\n"_s;
    done.undoId = 42;
    done.undone = true;
    done.decided = QDateTime::fromMSecsSinceEpoch(6000, QTimeZone::UTC);
    done.finished = QDateTime::fromMSecsSinceEpoch(7000, QTimeZone::UTC);
    QVERIFY(store.updateToolCall(done));
    list = store.toolCalls(*a);
    QCOMPARE(list[0].decision, ToolDecision::Denied);
    QCOMPARE(list[0].reason, u"不要改 main.c"_s);
    QCOMPARE(list[0].resultText, u"denied"_s);
    QCOMPARE(list[0].diff, done.diff);
    QCOMPARE(list[0].undoId, 42);
    QVERIFY(list[0].undone);
    QVERIFY(!list[0].ok);
    QCOMPARE(list[0].decided.toMSecsSinceEpoch(), 6000);
    QCOMPARE(list[0].finished.toMSecsSinceEpoch(), 7000);
    QCOMPARE(list[1].decision, ToolDecision::Auto); // the other row untouched

    ToolCallRecord missing = done;
    missing.id = 9999;
    QVERIFY(!store.updateToolCall(missing));
    QVERIFY(!store.lastError().isEmpty());

    // Purging the conversation takes its audit trail with it (and only its own).
    QVERIFY(store.deleteConversation(*a));
    QCOMPARE(store.purgeDeleted(), 1);
    QVERIFY(store.toolCalls(*a).isEmpty());
    QCOMPARE(store.toolCalls(*b).size(), 1);
}

void TestConversationStore::saverWritesAtMostOncePerIntervalAndOnFinish()
{
    ConversationStore store;
    QVERIFY(store.open(dbPath()));
    const auto conv = store.createConversation(u"c"_s);
    const auto id =
        store.addMessage(*conv, MessageRole::Assistant, {}, {}, MessageState::Streaming);
    QVERIFY(id);
    constexpr int interval = 200;
    StreamingSaver saver(&store, *id, interval);
    QSignalSpy flushed(&saver, &StreamingSaver::flushed);
    QElapsedTimer clock;
    clock.start();
    QList<qint64> flushTimes;
    connect(&saver, &StreamingSaver::flushed, this, [&] { flushTimes.append(clock.elapsed()); });
    // A steady stream for ~1 s: a delta every 10 ms.
    int chunks = 0;
    while (clock.elapsed() < 1000) {
        saver.appendThinking(u"t"_s);
        saver.appendAnswer(streamChunk(chunks++));
        QTest::qWait(10);
    }
    // Writes happened during the stream (a restarting timer would have written none) and no
    // more often than the interval allows.
    QVERIFY2(flushed.size() >= 3 && flushed.size() <= 1000 / interval + 1,
             qPrintable(QString::number(flushed.size())));
    for (qsizetype i = 1; i < flushTimes.size(); ++i)
        QVERIFY(flushTimes[i] - flushTimes[i - 1] >= interval - 20);
    const StoredMessage mid = *store.message(*id);
    QVERIFY(streamText(chunks).startsWith(mid.text));
    QVERIFY(mid.text.size() > 0);
    QCOMPARE(mid.state, MessageState::Streaming);

    MessageResult result;
    result.thinkingMs = 321;
    QVERIFY(saver.finish(result));
    const StoredMessage done = *store.message(*id);
    QCOMPARE(done.text, streamText(chunks));
    QCOMPARE(done.thinking, QString(chunks, u't'));
    QCOMPARE(done.state, MessageState::Complete);
    QCOMPARE(done.thinkingMs, 321);
    // After finish, nothing more is written.
    const qsizetype writes = flushed.size();
    saver.appendAnswer(u"late"_s);
    QTest::qWait(interval + 100);
    QCOMPARE(flushed.size(), writes);
    QCOMPARE(store.message(*id)->text, streamText(chunks));
}

void TestConversationStore::killDuringStreamingLosesAtMostTheLastSecond()
{
#ifndef Q_OS_UNIX
    QSKIP("SIGKILL is a Unix test");
#else
    // Three kills at different points of the write cycle.
    for (int round = 0; round < 3; ++round) {
        const QString path = m_dir->filePath(u"kill%1.sqlite"_s.arg(round));
        QProcess child;
        child.setProgram(QCoreApplication::applicationFilePath());
        child.setArguments({u"--stream-child"_s, path});
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start();
        QVERIFY(child.waitForStarted());
        // Let it stream long enough for several writes, then kill it at an arbitrary moment.
        QByteArray out;
        QElapsedTimer wait;
        wait.start();
        while (out.count("\nF ") < 3 + round && wait.elapsed() < 20000) {
            child.waitForReadyRead(100);
            out += child.readAllStandardOutput();
        }
        QVERIFY2(out.count("\nF ") >= 3, out.constData());
        QTest::qWait(37 + 131 * round);
        QCOMPARE(::kill(static_cast<pid_t>(child.processId()), SIGKILL), 0);
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        out += child.readAllStandardOutput();

        // What the child had appended (length -> time) and the last length it saw written.
        QMap<qint64, qint64> appendedAt;
        qint64 lastAppend = 0, lastAppendMs = 0, lastFlush = 0;
        for (const QByteArray &line : out.split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.size() != 3)
                continue;
            if (f[0] == "A") {
                lastAppend = f[1].toLongLong();
                lastAppendMs = f[2].toLongLong();
                appendedAt.insert(lastAppend, lastAppendMs);
            } else if (f[0] == "F") {
                lastFlush = f[1].toLongLong();
            }
        }
        QVERIFY(lastAppend > 0 && lastFlush > 0);

        RawDb raw(path);
        QCOMPARE(raw.scalar(u"PRAGMA integrity_check"_s), u"ok"_s);
        ConversationStore store;
        QVERIFY2(store.open(path), qPrintable(store.lastError()));
        const auto list = store.conversations();
        QCOMPARE(list.size(), 1);
        const auto messages = store.messages(list[0].id);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].text, u"stream please"_s); // saved before the answer began
        const StoredMessage &answer = messages[1];
        QCOMPARE(answer.state, MessageState::Streaming);
        const qint64 saved = answer.text.size();
        // Everything reported written is there, as an exact prefix of what was streamed...
        QVERIFY2(saved >= lastFlush, qPrintable(u"%1 < %2"_s.arg(saved).arg(lastFlush)));
        QVERIFY(saved <= lastAppend);
        QVERIFY(streamText(int(lastAppend)).startsWith(answer.text));
        QVERIFY(appendedAt.contains(saved));
        // ...and it is at most a second behind the last delta the child had before it died.
        const qint64 behindMs = lastAppendMs - appendedAt.value(saved);
        qInfo("round %d: %lld of %lld chars saved, %lld ms behind the last delta", round,
              static_cast<long long>(saved), static_cast<long long>(lastAppend),
              static_cast<long long>(behindMs));
        QVERIFY2(behindMs <= 1000, qPrintable(QString::number(behindMs)));
        QCOMPARE(store.markInterruptedMessages().value_or(-1), 1);
    }
#endif
}

int main(int argc, char **argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--stream-child") == 0) {
        QCoreApplication app(argc, argv);
        return runStreamChild(QString::fromLocal8Bit(argv[2]));
    }
    QCoreApplication app(argc, argv);
    TestConversationStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_conversation_store.moc"
