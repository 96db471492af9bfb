#include "app/conversation_store.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTimer>
#include <QVariant>

#include <algorithm>
#include <atomic>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

namespace {

// ------------------------------------------------------------------------------------- schema
// Each step takes the database from version i to i + 1 and runs in one transaction with the
// version bump, so a crash mid-migration leaves the old version intact.
//
// v1: conversations and messages with their text and thinking. AUTOINCREMENT: an id is never
//     reused after a delete, so nothing that still holds an old id (an undo, a saver) can reach
//     a newer row.
// v2: workspace, settings and soft delete on conversations; per-message thinking time, tool
//     calls, timings, model, streaming state and update time.
// v3: tool_calls, the code assistant's audit trail: every call the model proposed, how it was
//     decided (and why, for a denial), its result and its undo entry.
const QStringList kMigrationV1 = {
    uR"(CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL DEFAULT '',
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        system_prompt TEXT NOT NULL DEFAULT ''))"_s,
    uR"(CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
        text TEXT NOT NULL DEFAULT '',
        thinking TEXT NOT NULL DEFAULT '',
        created INTEGER NOT NULL,
        UNIQUE (conversation_id, ordinal)))"_s,
};

const QStringList kMigrationV2 = {
    u"ALTER TABLE conversations ADD COLUMN workspace_path TEXT"_s,
    u"ALTER TABLE conversations ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}'"_s,
    u"ALTER TABLE conversations ADD COLUMN deleted_at INTEGER"_s,
    u"ALTER TABLE messages ADD COLUMN thinking_ms INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE messages ADD COLUMN tool_calls_json TEXT NOT NULL DEFAULT '[]'"_s,
    u"ALTER TABLE messages ADD COLUMN timings_json TEXT NOT NULL DEFAULT '{}'"_s,
    u"ALTER TABLE messages ADD COLUMN tokens_per_second REAL NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE messages ADD COLUMN model TEXT NOT NULL DEFAULT ''"_s,
    uR"(ALTER TABLE messages ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'
        CHECK (state IN ('streaming', 'complete', 'cancelled', 'error')))"_s,
    u"ALTER TABLE messages ADD COLUMN updated INTEGER NOT NULL DEFAULT 0"_s,
    u"UPDATE messages SET updated = created"_s,
    u"CREATE INDEX conversations_by_update ON conversations (deleted_at, updated DESC)"_s,
};

const QStringList kMigrationV3 = {
    uR"(CREATE TABLE tool_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        call_id TEXT NOT NULL DEFAULT '',
        tool TEXT NOT NULL,
        arguments_json TEXT NOT NULL DEFAULT '{}',
        decision TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN
            ('pending', 'allowed_once', 'allowed_conversation', 'auto', 'denied')),
        reason TEXT NOT NULL DEFAULT '',
        result_text TEXT NOT NULL DEFAULT '',
        diff TEXT NOT NULL DEFAULT '',
        ok INTEGER NOT NULL DEFAULT 0,
        undo_id INTEGER NOT NULL DEFAULT 0,
        undone INTEGER NOT NULL DEFAULT 0,
        proposed INTEGER NOT NULL,
        decided INTEGER,
        finished INTEGER))"_s,
    u"CREATE INDEX tool_calls_by_conversation ON tool_calls (conversation_id, id)"_s,
};

const QList<const QStringList *> kMigrations = {&kMigrationV1, &kMigrationV2, &kMigrationV3};
static_assert(ConversationStore::kSchemaVersion == 3, "add the new step to kMigrations");

const QString kConversationColumns =
    u"id, title, created, updated, model, system_prompt, workspace_path, settings_json"_s;
const QString kMessageColumns =
    u"id, conversation_id, ordinal, role, text, thinking, thinking_ms, tool_calls_json, "
    u"timings_json, tokens_per_second, model, state, created, updated"_s;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(const QVariant &v)
{
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), QTimeZone::UTC);
}

QString toJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString toJson(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

ConversationInfo readConversation(const QSqlQuery &q)
{
    ConversationInfo c;
    c.id = q.value(0).toLongLong();
    c.title = q.value(1).toString();
    c.created = fromMs(q.value(2));
    c.updated = fromMs(q.value(3));
    c.model = q.value(4).toString();
    c.systemPrompt = q.value(5).toString();
    c.workspacePath = q.value(6).isNull() ? QString() : q.value(6).toString();
    c.settings = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    return c;
}

std::optional<MessageRole> roleFromName(const QString &name)
{
    for (MessageRole r :
         {MessageRole::System, MessageRole::User, MessageRole::Assistant, MessageRole::Tool})
        if (ConversationStore::roleName(r) == name)
            return r;
    return std::nullopt;
}

std::optional<MessageState> stateFromName(const QString &name)
{
    for (MessageState s : {MessageState::Streaming, MessageState::Complete, MessageState::Cancelled,
                           MessageState::Error})
        if (ConversationStore::stateName(s) == name)
            return s;
    return std::nullopt;
}

StoredMessage readMessage(const QSqlQuery &q)
{
    StoredMessage m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.ordinal = q.value(2).toInt();
    m.role = roleFromName(q.value(3).toString()).value_or(MessageRole::User);
    m.text = q.value(4).toString();
    m.thinking = q.value(5).toString();
    m.thinkingMs = q.value(6).toLongLong();
    m.toolCalls = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).array();
    m.timings = QJsonDocument::fromJson(q.value(8).toString().toUtf8()).object();
    m.tokensPerSecond = q.value(9).toDouble();
    m.model = q.value(10).toString();
    m.state = stateFromName(q.value(11).toString()).value_or(MessageState::Complete);
    m.created = fromMs(q.value(12));
    m.updated = fromMs(q.value(13));
    return m;
}

// LIKE with our own escape character, so that a search for "100%" or "a_b" means what it says.
QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    return u'%' + escaped + u'%';
}

} // namespace

// ---------------------------------------------------------------------------------- the store

ConversationStore::ConversationStore(QObject *parent) : QObject(parent)
{
    static std::atomic<int> counter{0};
    m_connection = u"glmdesk-store-%1"_s.arg(counter.fetch_add(1));
}

ConversationStore::~ConversationStore()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QString ConversationStore::defaultPath()
{
    QString dir = qEnvironmentVariable("GLMDESK_DATA_DIR");
    if (dir.isEmpty()) // ~/.local/share/glmdesk: one short folder a user can find and back up
        dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/glmdesk"_s;
    return dir + u"/conversations.sqlite"_s;
}

bool ConversationStore::fail(const QString &what, const QString &detail)
{
    m_lastError = detail.isEmpty() ? what : what + u": "_s + detail;
    Q_EMIT errorOccurred(m_lastError);
    return false;
}

bool ConversationStore::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql))
        return fail(tr("Database statement failed"), q.lastError().text());
    return true;
}

bool ConversationStore::open(const QString &path)
{
    m_lastError.clear();
    if (m_db.isValid())
        return fail(tr("The conversation store is already open"), m_path);
    m_path = path;
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(tr("Cannot create the folder for conversations"), info.absolutePath());
    if (!QSqlDatabase::isDriverAvailable(u"QSQLITE"_s))
        return fail(tr("Qt's SQLite driver (QSQLITE) is not installed"), {});
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!m_db.open()) {
        const QString detail = m_db.lastError().text();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connection);
        return fail(tr("Cannot open the conversation database %1").arg(path), detail);
    }
    QSqlQuery q(m_db);
    if (!q.exec(u"PRAGMA journal_mode = WAL"_s) || !q.next() ||
        q.value(0).toString().compare(u"wal"_s, Qt::CaseInsensitive) != 0)
        return fail(tr("Cannot switch the conversation database to WAL mode"),
                    q.lastError().text());
    q.finish();
    if (!exec(u"PRAGMA synchronous = FULL"_s) || !exec(u"PRAGMA foreign_keys = ON"_s))
        return false;
    if (!q.exec(u"PRAGMA quick_check"_s) || !q.next() || q.value(0).toString() != u"ok"_s)
        return fail(tr("The conversation database %1 is damaged").arg(path),
                    q.lastError().isValid() ? q.lastError().text() : q.value(0).toString());
    q.finish();
    return migrate();
}

bool ConversationStore::ready()
{
    if (isOpen())
        return true;
    return fail(tr("The conversation store is not open"), m_lastError);
}

bool ConversationStore::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

int ConversationStore::schemaVersion()
{
    QSqlQuery q(m_db);
    if (!q.exec(u"SELECT version FROM schema_version"_s) || !q.next())
        return 0;
    return q.value(0).toInt();
}

QVariant ConversationStore::pragma(const QString &name)
{
    const bool plain = !name.isEmpty() && std::all_of(name.begin(), name.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || c == u'_';
    });
    QSqlQuery q(m_db);
    if (!plain || !q.exec(u"PRAGMA "_s + name) || !q.next())
        return {};
    return q.value(0);
}

bool ConversationStore::migrate()
{
    if (!exec(u"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"_s))
        return false;
    QSqlQuery q(m_db);
    if (!q.exec(u"SELECT version FROM schema_version"_s))
        return fail(tr("Cannot read the schema version"), q.lastError().text());
    int version = 0;
    if (q.next())
        version = q.value(0).toInt();
    else if (!exec(u"INSERT INTO schema_version (version) VALUES (0)"_s))
        return false;
    q.finish();
    if (version > kSchemaVersion)
        return fail(tr("The conversation database was written by a newer GLM Desk (schema %1; "
                       "this version reads up to %2)")
                        .arg(version)
                        .arg(kSchemaVersion),
                    {});
    for (; version < kSchemaVersion; ++version) {
        if (!m_db.transaction())
            return fail(tr("Cannot start the schema migration"), m_db.lastError().text());
        for (const QString &sql : *kMigrations[version]) {
            QSqlQuery step(m_db);
            if (!step.exec(sql)) {
                const QString detail = step.lastError().text();
                m_db.rollback();
                return fail(tr("Schema migration to version %1 failed").arg(version + 1), detail);
            }
        }
        QSqlQuery bump(m_db);
        bump.prepare(u"UPDATE schema_version SET version = ?"_s);
        bump.addBindValue(version + 1);
        if (!bump.exec() || !m_db.commit()) {
            const QString detail = bump.lastError().text() + m_db.lastError().text();
            m_db.rollback();
            return fail(tr("Schema migration to version %1 failed").arg(version + 1), detail);
        }
    }
    return true;
}

// ------------------------------------------------------------------------------ conversations

std::optional<qint64> ConversationStore::createConversation(const QString &title,
                                                            const QString &model,
                                                            const QString &systemPrompt)
{
    if (!ready())
        return std::nullopt;
    const qint64 now = nowMs();
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO conversations (title, created, updated, model, system_prompt) "
              u"VALUES (COALESCE(?, ''), ?, ?, COALESCE(?, ''), COALESCE(?, ''))"_s);
    q.addBindValue(title);
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(model);
    q.addBindValue(systemPrompt);
    if (!q.exec()) {
        fail(tr("Cannot create a conversation"), q.lastError().text());
        return std::nullopt;
    }
    Q_EMIT conversationsChanged();
    return q.lastInsertId().toLongLong();
}

bool ConversationStore::renameConversation(qint64 id, const QString &title)
{
    if (!ready())
        return false;
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE conversations SET title = COALESCE(?, '') WHERE id = ?"_s);
    q.addBindValue(title);
    q.addBindValue(id);
    if (!q.exec())
        return fail(tr("Cannot rename the conversation"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return fail(tr("No conversation %1").arg(id), {});
    Q_EMIT conversationsChanged();
    return true;
}

bool ConversationStore::updateConversation(const ConversationInfo &info)
{
    if (!ready())
        return false;
    QSqlQuery q(m_db);
    q.prepare(
        u"UPDATE conversations SET model = COALESCE(?, ''), "
        u"system_prompt = COALESCE(?, ''), workspace_path = ?, settings_json = ? WHERE id = ?"_s);
    q.addBindValue(info.model);
    q.addBindValue(info.systemPrompt);
    q.addBindValue(info.workspacePath.isNull() ? QVariant(QMetaType::fromType<QString>())
                                               : QVariant(info.workspacePath));
    q.addBindValue(toJson(info.settings));
    q.addBindValue(info.id);
    if (!q.exec())
        return fail(tr("Cannot save the conversation's settings"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return fail(tr("No conversation %1").arg(info.id), {});
    return true;
}

bool ConversationStore::deleteConversation(qint64 id)
{
    if (!ready())
        return false;
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"_s);
    q.addBindValue(nowMs());
    q.addBindValue(id);
    if (!q.exec())
        return fail(tr("Cannot delete the conversation"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return fail(tr("No conversation %1").arg(id), {});
    Q_EMIT conversationsChanged();
    return true;
}

bool ConversationStore::restoreConversation(qint64 id)
{
    if (!ready())
        return false;
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT "
              u"NULL"_s);
    q.addBindValue(id);
    if (!q.exec())
        return fail(tr("Cannot restore the conversation"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return fail(tr("No deleted conversation %1 to restore").arg(id), {});
    Q_EMIT conversationsChanged();
    return true;
}

std::optional<int> ConversationStore::purgeDeleted(const QDateTime &deletedBefore)
{
    if (!ready())
        return std::nullopt;
    QSqlQuery q(m_db);
    if (deletedBefore.isValid()) {
        q.prepare(u"DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?"_s);
        q.addBindValue(deletedBefore.toMSecsSinceEpoch());
    } else {
        q.prepare(u"DELETE FROM conversations WHERE deleted_at IS NOT NULL"_s);
    }
    if (!q.exec()) {
        fail(tr("Cannot remove deleted conversations"), q.lastError().text());
        return std::nullopt;
    }
    return q.numRowsAffected();
}

std::optional<ConversationInfo> ConversationStore::conversation(qint64 id)
{
    if (!ready())
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT "_s + kConversationColumns + u" FROM conversations WHERE id = ?"_s);
    q.addBindValue(id);
    if (!q.exec()) {
        fail(tr("Cannot read the conversation"), q.lastError().text());
        return std::nullopt;
    }
    if (!q.next()) {
        fail(tr("No conversation %1").arg(id), {});
        return std::nullopt;
    }
    return readConversation(q);
}

QList<ConversationInfo> ConversationStore::conversations()
{
    if (!ready())
        return {};
    QList<ConversationInfo> list;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT "_s + kConversationColumns +
                u" FROM conversations WHERE deleted_at IS NULL ORDER BY updated DESC, id DESC"_s)) {
        fail(tr("Cannot list the conversations"), q.lastError().text());
        return list;
    }
    while (q.next())
        list.append(readConversation(q));
    return list;
}

QList<ConversationInfo> ConversationStore::search(const QString &text)
{
    if (!ready())
        return {};
    if (text.trimmed().isEmpty())
        return conversations();
    // A LIKE scan rather than FTS5: the unicode61 tokenizer would treat a whole run of Chinese
    // characters as one word, so "排序" would not find "快速排序"; a scan over a person's
    // chat history takes milliseconds.
    QList<ConversationInfo> list;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT "_s + kConversationColumns +
              u" FROM conversations c WHERE deleted_at IS NULL AND (title LIKE :p ESCAPE '\\' "
              u"OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
              u"AND m.text LIKE :p ESCAPE '\\')) ORDER BY updated DESC, id DESC"_s);
    q.bindValue(u":p"_s, likePattern(text.trimmed()));
    if (!q.exec()) {
        fail(tr("Cannot search the conversations"), q.lastError().text());
        return list;
    }
    while (q.next())
        list.append(readConversation(q));
    return list;
}

bool ConversationStore::touchConversation(qint64 id, qint64 now)
{
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE conversations SET updated = ? WHERE id = ?"_s);
    q.addBindValue(now);
    q.addBindValue(id);
    if (!q.exec())
        return fail(tr("Cannot update the conversation"), q.lastError().text());
    return true;
}

// ----------------------------------------------------------------------------------- messages

std::optional<qint64> ConversationStore::addMessage(qint64 conversationId, MessageRole role,
                                                    const QString &text, const QString &thinking,
                                                    MessageState state, const QString &model)
{
    if (!ready())
        return std::nullopt;
    if (!m_db.transaction()) {
        fail(tr("Cannot save the message"), m_db.lastError().text());
        return std::nullopt;
    }
    const qint64 now = nowMs();
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO messages (conversation_id, ordinal, role, text, thinking, state, "
              u"model, created, updated) VALUES (?, (SELECT COALESCE(MAX(ordinal) + 1, 0) FROM "
              u"messages WHERE conversation_id = ?), ?, COALESCE(?, ''), COALESCE(?, ''), ?, "
              u"COALESCE(?, ''), ?, ?)"_s);
    q.addBindValue(conversationId);
    q.addBindValue(conversationId);
    q.addBindValue(roleName(role));
    q.addBindValue(text);
    q.addBindValue(thinking);
    q.addBindValue(stateName(state));
    q.addBindValue(model);
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec()) {
        const QString detail = q.lastError().text();
        m_db.rollback();
        fail(tr("Cannot save the message"), detail);
        return std::nullopt;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    if (!touchConversation(conversationId, now) || !m_db.commit()) {
        const QString detail = m_db.lastError().text();
        m_db.rollback();
        fail(tr("Cannot save the message"), detail);
        return std::nullopt;
    }
    Q_EMIT conversationsChanged();
    return id;
}

bool ConversationStore::updateStreamingMessage(qint64 messageId, const QString &text,
                                               const QString &thinking)
{
    if (!ready())
        return false;
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE messages SET text = COALESCE(?, ''), thinking = COALESCE(?, ''), "
              u"updated = ? WHERE id = ?"_s);
    q.addBindValue(text);
    q.addBindValue(thinking);
    q.addBindValue(nowMs());
    q.addBindValue(messageId);
    if (!q.exec())
        return fail(tr("Cannot save the answer"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return fail(tr("No message %1").arg(messageId), {});
    return true;
}

bool ConversationStore::finishMessage(qint64 messageId, const QString &text,
                                      const QString &thinking, const MessageResult &result)
{
    if (!ready())
        return false;
    const qint64 now = nowMs();
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE messages SET text = COALESCE(?, ''), thinking = COALESCE(?, ''), "
              u"thinking_ms = ?, tool_calls_json = ?, timings_json = ?, tokens_per_second = ?, "
              u"state = ?, updated = ? WHERE id = ? RETURNING conversation_id"_s);
    q.addBindValue(text);
    q.addBindValue(thinking);
    q.addBindValue(result.thinkingMs);
    q.addBindValue(toJson(result.toolCalls));
    q.addBindValue(toJson(result.timings));
    q.addBindValue(result.tokensPerSecond);
    q.addBindValue(stateName(result.state));
    q.addBindValue(now);
    q.addBindValue(messageId);
    if (!q.exec())
        return fail(tr("Cannot save the answer"), q.lastError().text());
    if (!q.next())
        return fail(tr("No message %1").arg(messageId), {});
    const qint64 conversationId = q.value(0).toLongLong();
    q.finish();
    if (!touchConversation(conversationId, now))
        return false;
    Q_EMIT conversationsChanged();
    return true;
}

QList<StoredMessage> ConversationStore::messages(qint64 conversationId)
{
    if (!ready())
        return {};
    QList<StoredMessage> list;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT "_s + kMessageColumns +
              u" FROM messages WHERE conversation_id = ? ORDER BY ordinal"_s);
    q.addBindValue(conversationId);
    if (!q.exec()) {
        fail(tr("Cannot read the messages"), q.lastError().text());
        return list;
    }
    while (q.next())
        list.append(readMessage(q));
    return list;
}

std::optional<StoredMessage> ConversationStore::message(qint64 messageId)
{
    if (!ready())
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT "_s + kMessageColumns + u" FROM messages WHERE id = ?"_s);
    q.addBindValue(messageId);
    if (!q.exec()) {
        fail(tr("Cannot read the message"), q.lastError().text());
        return std::nullopt;
    }
    if (!q.next()) {
        fail(tr("No message %1").arg(messageId), {});
        return std::nullopt;
    }
    return readMessage(q);
}

std::optional<int> ConversationStore::deleteMessagesFrom(qint64 conversationId, int ordinal)
{
    if (!ready())
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM messages WHERE conversation_id = ? AND ordinal >= ?"_s);
    q.addBindValue(conversationId);
    q.addBindValue(ordinal);
    if (!q.exec()) {
        fail(tr("Cannot remove the messages"), q.lastError().text());
        return std::nullopt;
    }
    const int removed = q.numRowsAffected();
    if (removed > 0 && touchConversation(conversationId, nowMs()))
        Q_EMIT conversationsChanged();
    return removed;
}

std::optional<int> ConversationStore::markInterruptedMessages()
{
    if (!ready())
        return std::nullopt;
    QSqlQuery q(m_db);
    if (!q.exec(u"UPDATE messages SET state = 'cancelled' WHERE state = 'streaming'"_s)) {
        fail(tr("Cannot mark interrupted answers"), q.lastError().text());
        return std::nullopt;
    }
    return q.numRowsAffected();
}

QString ConversationStore::roleName(MessageRole role)
{
    switch (role) {
    case MessageRole::System:
        return u"system"_s;
    case MessageRole::User:
        return u"user"_s;
    case MessageRole::Assistant:
        return u"assistant"_s;
    case MessageRole::Tool:
        return u"tool"_s;
    }
    return u"user"_s;
}

QString ConversationStore::stateName(MessageState state)
{
    switch (state) {
    case MessageState::Streaming:
        return u"streaming"_s;
    case MessageState::Complete:
        return u"complete"_s;
    case MessageState::Cancelled:
        return u"cancelled"_s;
    case MessageState::Error:
        return u"error"_s;
    }
    return u"complete"_s;
}

QString ConversationStore::decisionName(ToolDecision decision)
{
    switch (decision) {
    case ToolDecision::Pending:
        return u"pending"_s;
    case ToolDecision::AllowedOnce:
        return u"allowed_once"_s;
    case ToolDecision::AllowedConversation:
        return u"allowed_conversation"_s;
    case ToolDecision::Auto:
        return u"auto"_s;
    case ToolDecision::Denied:
        return u"denied"_s;
    }
    return u"pending"_s;
}

// ------------------------------------------------------------------------------ tool calls

namespace {

const QString kToolCallColumns =
    u"id, conversation_id, call_id, tool, arguments_json, decision, reason, result_text, diff, "
    u"ok, undo_id, undone, proposed, decided, finished"_s;

QVariant msOrNull(const QDateTime &t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>());
}

QDateTime fromMsOrNull(const QVariant &v)
{
    return v.isNull() ? QDateTime() : fromMs(v);
}

ToolDecision decisionFromName(const QString &name)
{
    for (ToolDecision d :
         {ToolDecision::Pending, ToolDecision::AllowedOnce, ToolDecision::AllowedConversation,
          ToolDecision::Auto, ToolDecision::Denied})
        if (ConversationStore::decisionName(d) == name)
            return d;
    return ToolDecision::Pending;
}

ToolCallRecord readToolCall(const QSqlQuery &q)
{
    ToolCallRecord r;
    r.id = q.value(0).toLongLong();
    r.conversationId = q.value(1).toLongLong();
    r.callId = q.value(2).toString();
    r.tool = q.value(3).toString();
    r.argumentsJson = q.value(4).toString();
    r.decision = decisionFromName(q.value(5).toString());
    r.reason = q.value(6).toString();
    r.resultText = q.value(7).toString();
    r.diff = q.value(8).toString();
    r.ok = q.value(9).toLongLong() != 0;
    r.undoId = q.value(10).toLongLong();
    r.undone = q.value(11).toLongLong() != 0;
    r.proposed = fromMs(q.value(12));
    r.decided = fromMsOrNull(q.value(13));
    r.finished = fromMsOrNull(q.value(14));
    return r;
}

} // namespace

std::optional<qint64> ConversationStore::addToolCall(const ToolCallRecord &record)
{
    if (!ready())
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO tool_calls (conversation_id, call_id, tool, arguments_json, decision, "
              u"reason, result_text, diff, ok, undo_id, undone, proposed, decided, finished) "
              u"VALUES (?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, '{}'), ?, COALESCE(?, "
              u"''), COALESCE(?, ''), COALESCE(?, ''), ?, ?, ?, ?, ?, ?)"_s);
    q.addBindValue(record.conversationId);
    q.addBindValue(record.callId);
    q.addBindValue(record.tool);
    q.addBindValue(record.argumentsJson);
    q.addBindValue(decisionName(record.decision));
    q.addBindValue(record.reason);
    q.addBindValue(record.resultText);
    q.addBindValue(record.diff);
    q.addBindValue(record.ok ? 1 : 0);
    q.addBindValue(record.undoId);
    q.addBindValue(record.undone ? 1 : 0);
    q.addBindValue(record.proposed.isValid() ? record.proposed.toMSecsSinceEpoch() : nowMs());
    q.addBindValue(msOrNull(record.decided));
    q.addBindValue(msOrNull(record.finished));
    if (!q.exec()) {
        fail(tr("Cannot save the tool call"), q.lastError().text());
        return std::nullopt;
    }
    return q.lastInsertId().toLongLong();
}

bool ConversationStore::updateToolCall(const ToolCallRecord &record)
{
    if (!ready())
        return false;
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE tool_calls SET decision = ?, reason = COALESCE(?, ''), result_text = "
              u"COALESCE(?, ''), diff = COALESCE(?, ''), ok = ?, undo_id = ?, undone = ?, "
              u"decided = ?, finished = ? WHERE id = ?"_s);
    q.addBindValue(decisionName(record.decision));
    q.addBindValue(record.reason);
    q.addBindValue(record.resultText);
    q.addBindValue(record.diff);
    q.addBindValue(record.ok ? 1 : 0);
    q.addBindValue(record.undoId);
    q.addBindValue(record.undone ? 1 : 0);
    q.addBindValue(msOrNull(record.decided));
    q.addBindValue(msOrNull(record.finished));
    q.addBindValue(record.id);
    if (!q.exec())
        return fail(tr("Cannot save the tool call"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return fail(tr("No tool call %1").arg(record.id), {});
    return true;
}

QList<ToolCallRecord> ConversationStore::toolCalls(qint64 conversationId)
{
    QList<ToolCallRecord> list;
    if (!ready())
        return list;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT "_s + kToolCallColumns +
              u" FROM tool_calls WHERE conversation_id = ? ORDER BY id"_s);
    q.addBindValue(conversationId);
    if (!q.exec()) {
        fail(tr("Cannot read the tool calls"), q.lastError().text());
        return list;
    }
    while (q.next())
        list.append(readToolCall(q));
    return list;
}

// ------------------------------------------------------------------------------ the saver

StreamingSaver::StreamingSaver(ConversationStore *store, qint64 messageId, int intervalMs,
                               QObject *parent)
    : QObject(parent), m_store(store), m_messageId(messageId), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &StreamingSaver::flush);
    // The store may go first (window teardown): stop writing then.
    connect(store, &QObject::destroyed, this, [this] {
        m_store = nullptr;
        m_timer->stop();
    });
}

StreamingSaver::~StreamingSaver()
{
    if (!m_finished)
        flush();
}

void StreamingSaver::appendAnswer(const QString &delta)
{
    m_text += delta;
    changed();
}

void StreamingSaver::appendThinking(const QString &delta)
{
    m_thinking += delta;
    changed();
}

void StreamingSaver::changed()
{
    if (m_finished)
        return;
    m_dirty = true;
    if (!m_timer->isActive())
        m_timer->start();
}

bool StreamingSaver::flush()
{
    m_timer->stop();
    if (!m_dirty || m_finished || !m_store)
        return true;
    if (!m_store->updateStreamingMessage(m_messageId, m_text, m_thinking))
        return false; // the store reported it; the next delta tries again
    m_dirty = false;
    Q_EMIT flushed(m_text.size(), m_thinking.size());
    return true;
}

bool StreamingSaver::finish(const MessageResult &result)
{
    m_timer->stop();
    if (m_finished || !m_store)
        return false;
    m_finished = true;
    if (!m_store->finishMessage(m_messageId, m_text, m_thinking, result))
        return false;
    m_dirty = false;
    Q_EMIT flushed(m_text.size(), m_thinking.size());
    return true;
}

} // namespace glmdesk::app
