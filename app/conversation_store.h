// The conversation store: conversations and their messages in one SQLite file (Qt SQL, QSQLITE).
//
// Durability is the point of this class. The database runs in WAL mode with synchronous=FULL:
// every commit appends to the WAL and fsyncs it, so a committed message survives a crash of the
// app (kill -9) and of the machine. NORMAL would survive kill -9 too, but a power cut could lose
// every commit since the last checkpoint, far more than "the last second". FULL costs one fsync
// per commit, and commits are rare: one per user message and at most one per StreamingSaver
// interval while an answer streams.
//
// Errors are values: a failed call returns false / std::nullopt / an empty list, sets lastError()
// and emits errorOccurred(). One store object, one connection, used from the thread that opened it.
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <optional>

class QTimer;

namespace glmdesk::app {

enum class MessageRole { System, User, Assistant, Tool };
enum class MessageState { Streaming, Complete, Cancelled, Error };

struct ConversationInfo
{
    qint64 id = 0;
    QString title;
    QDateTime created;
    QDateTime updated;
    QString model;
    QString systemPrompt;
    QString workspacePath; // null when the conversation has no workspace
    QJsonObject settings;
};

struct StoredMessage
{
    qint64 id = 0;
    qint64 conversationId = 0;
    int ordinal = 0; // 0, 1, 2... in conversation order
    MessageRole role = MessageRole::User;
    QString text;
    QString thinking;
    qint64 thinkingMs = 0;
    QJsonArray toolCalls;
    QJsonObject timings;
    double tokensPerSecond = 0.0;
    QString model;
    MessageState state = MessageState::Complete;
    QDateTime created;
    QDateTime updated;
};

// How a tool call was decided (the audit trail of the code assistant, app/tool_session.h).
enum class ToolDecision { Pending, AllowedOnce, AllowedConversation, Auto, Denied };

// One tool call the model proposed in a conversation, with the user's decision and the result.
struct ToolCallRecord
{
    qint64 id = 0; // the row; 0 before addToolCall()
    qint64 conversationId = 0;
    QString callId; // "call_…", the id the Tool turn answers
    QString tool;
    QString argumentsJson;
    ToolDecision decision = ToolDecision::Pending;
    QString reason;     // the user's reason for a denial, or why it was refused
    QString resultText; // the observation sent to the model
    QString diff;       // write_file / edit_file: the unified diff
    bool ok = false;
    qint64 undoId = 0; // the session's UndoJournal entry; 0: none
    bool undone = false;
    QDateTime proposed;
    QDateTime decided;  // invalid while pending
    QDateTime finished; // invalid until the result is in
};

// What finishMessage() writes along with the final text.
struct MessageResult
{
    MessageState state = MessageState::Complete;
    qint64 thinkingMs = 0;
    QJsonArray toolCalls;
    QJsonObject timings;
    double tokensPerSecond = 0.0;
};

class ConversationStore : public QObject
{
    Q_OBJECT
public:
    static constexpr int kSchemaVersion = 3;

    explicit ConversationStore(QObject *parent = nullptr);
    ~ConversationStore() override;

    // $GLMDESK_DATA_DIR/conversations.sqlite when that variable is set (tests, portable
    // installs), else the XDG data dir (QStandardPaths::AppDataLocation).
    static QString defaultPath();

    // Opens (creating the file and its folder if needed) and migrates the schema to the current
    // version. A database written by a newer version is refused, not touched.
    bool open(const QString &path = defaultPath());
    bool isOpen() const;
    QString path() const { return m_path; }
    QString lastError() const { return m_lastError; }
    int schemaVersion();
    // The value of PRAGMA `name` on the store's own connection (synchronous and foreign_keys are
    // per connection): for diagnostics and tests. Only [a-z_] names are accepted.
    QVariant pragma(const QString &name);

    // ---- conversations
    std::optional<qint64> createConversation(const QString &title, const QString &model = {},
                                             const QString &systemPrompt = {});
    bool renameConversation(qint64 id, const QString &title);
    // Writes model, system prompt, workspace path and settings (not the title or times).
    bool updateConversation(const ConversationInfo &info);
    // Soft delete: the conversation disappears from lists and search until restored or purged.
    bool deleteConversation(qint64 id);
    bool restoreConversation(qint64 id);
    // Removes for good the conversations deleted before `deletedBefore` (all deleted ones by
    // default), with their messages. Returns how many went, or nullopt on error.
    std::optional<int> purgeDeleted(const QDateTime &deletedBefore = {});
    std::optional<ConversationInfo> conversation(qint64 id);
    // Not deleted, most recently updated first.
    QList<ConversationInfo> conversations();
    // Conversations whose title or any message text contains `text` (case-insensitive for
    // ASCII; substring match, so it works for Chinese, which has no spaces between words).
    QList<ConversationInfo> search(const QString &text);

    // ---- messages
    // Appends a message at the end of the conversation; returns its id. Call it before the
    // request goes to the engine so that the question is on disk whatever happens next.
    std::optional<qint64> addMessage(qint64 conversationId, MessageRole role, const QString &text,
                                     const QString &thinking = {},
                                     MessageState state = MessageState::Complete,
                                     const QString &model = {});
    // Rewrites the text and thinking of a message while it streams (whole values, not deltas).
    bool updateStreamingMessage(qint64 messageId, const QString &text, const QString &thinking);
    bool finishMessage(qint64 messageId, const QString &text, const QString &thinking,
                       const MessageResult &result);
    QList<StoredMessage> messages(qint64 conversationId);
    std::optional<StoredMessage> message(qint64 messageId);
    // Removes the messages at `ordinal` and after (regenerate, edit and resend). Returns how many.
    std::optional<int> deleteMessagesFrom(qint64 conversationId, int ordinal);
    // Messages still marked streaming when the app starts were cut off by a crash or kill:
    // they become cancelled. Returns how many.
    std::optional<int> markInterruptedMessages();

    // ---- tool calls (the audit trail)
    // Inserts the record (its id is ignored); returns the new row id.
    std::optional<qint64> addToolCall(const ToolCallRecord &record);
    // Writes decision, reason, result, diff, ok, undo id, undone and the times of row record.id.
    bool updateToolCall(const ToolCallRecord &record);
    // In the order they were proposed.
    QList<ToolCallRecord> toolCalls(qint64 conversationId);

    static QString roleName(MessageRole role);
    static QString stateName(MessageState state);
    static QString decisionName(ToolDecision decision);

Q_SIGNALS:
    void errorOccurred(const QString &message);
    // Any change to the list of conversations (created, renamed, deleted, restored, touched).
    void conversationsChanged();

private:
    bool ready(); // open, or an error reported
    bool migrate();
    bool exec(const QString &sql);
    bool fail(const QString &what, const QString &detail);
    bool touchConversation(qint64 id, qint64 nowMs);

    QSqlDatabase m_db;
    QString m_connection;
    QString m_path;
    QString m_lastError;
};

// Saves a streaming answer as it grows. Deltas accumulate in memory; the first delta after a
// write arms a single-shot timer, and when it fires the whole text so far is written. So writes
// happen at most once per interval and no delta waits longer than one interval (plus the time of
// a write) to reach the disk. A timer that restarted on every delta would never fire during a
// steady stream. finish() writes at once.
class StreamingSaver : public QObject
{
    Q_OBJECT
public:
    StreamingSaver(ConversationStore *store, qint64 messageId, int intervalMs = 500,
                   QObject *parent = nullptr);
    ~StreamingSaver() override; // writes what is pending

    qint64 messageId() const { return m_messageId; }
    QString text() const { return m_text; }
    QString thinking() const { return m_thinking; }

    void appendAnswer(const QString &delta);
    void appendThinking(const QString &delta);
    // Writes what is pending now (no-op when nothing changed).
    bool flush();
    // Final write: text, thinking and the result; the saver does nothing afterwards.
    bool finish(const MessageResult &result);

Q_SIGNALS:
    // After each successful write, with the lengths written (tests use it to know what is safe).
    void flushed(qsizetype textLength, qsizetype thinkingLength);

private:
    void changed();

    ConversationStore *m_store;
    qint64 m_messageId;
    QTimer *m_timer;
    QString m_text;
    QString m_thinking;
    bool m_dirty = false;
    bool m_finished = false;
};

} // namespace glmdesk::app
