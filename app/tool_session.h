// The code assistant's loop for one conversation: its project folder, the tools offered to the
// model, the decision on every call the model proposes, the call run off the UI thread, the audit
// row, and the Tool turns that carry the results (or the user's denial) back to the model.
//
// The session does not talk to the engine itself. Whoever streams the answer (MainWindow) hands
// it the calls (propose()) and, when the answer ends with "tool_calls", asks it to run them
// (start()); callsAnswered() then gives back one Tool turn per call, in order, and says whether
// the model may go on. Keeping generation in one place means one code path streams text, saves
// it and shows it, whether or not tools are involved.
//
// Decisions: a read-only tool runs at once when autoAllowReadOnly is set, a tool the user allowed
// for this conversation runs at once, everything else waits for decide() after
// approvalRequested(). A denial is a Tool turn too, with the user's reason, so the model can adapt.
// At most maxCallsPerTurn calls run between two user messages; past that the remaining calls are
// refused, capReached() fires and the model is not continued (the user says whether to go on).
//
// Calls run one at a time on a QThread of their own with a CancelToken: cancel() ends a running
// command (its whole process group) and refuses what is left. The workspace and the undo journal
// live in a block shared with that thread, so a session deleted mid-call never leaves the thread
// with dangling references (the destructor cancels and waits, which takes at most one poll
// interval of the process runner).
#pragma once

#include "app/chat_engine.h"
#include "app/conversation_store.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

#include <memory>

class QThread;

namespace glmdesk::app {

class ToolSession : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultMaxCallsPerTurn = 25;

    explicit ToolSession(ConversationStore *store, QObject *parent = nullptr);
    ~ToolSession() override;

    // ---- the conversation and its project folder
    // Switches to a conversation (0: a new one not yet saved): cancels what runs, forgets the
    // tools allowed for the previous one and loads this one's project folder from the store.
    void setConversation(qint64 conversationId);
    // A new conversation just got its row: keeps the folder chosen before and saves it there.
    void attachConversation(qint64 conversationId);
    qint64 conversationId() const { return m_conversationId; }
    // Opens `path` as the project folder (saved with the conversation); an empty path clears it.
    // False, with lastError(), when the folder cannot be opened; the old folder then stays.
    bool setWorkspace(const QString &path);
    QString workspacePath() const;
    bool hasWorkspace() const;
    bool isGitRepository() const { return m_isGit; }
    QString lastError() const { return m_lastError; }

    void setAutoAllowReadOnly(bool allow) { m_autoAllowReadOnly = allow; }
    bool autoAllowReadOnly() const { return m_autoAllowReadOnly; }
    void setMaxCallsPerTurn(int calls) { m_maxCallsPerTurn = calls; }
    int maxCallsPerTurn() const { return m_maxCallsPerTurn; }
    bool isToolAllowedForConversation(const QString &tool) const;

    // GenerateOptions::toolsJson: the tool declarations, empty when no folder is set.
    QByteArray toolsJson() const;

    // ---- the loop
    // A user message starts a new turn: the consecutive-call count starts again.
    void beginUserTurn();
    // A call the model proposed in the answer streaming now (ChatEngine::toolCallProposed).
    void propose(const QString &callId, const QString &name, const QString &argumentsJson);
    // A new answer starts: calls proposed by an answer that was stopped or failed are dropped.
    void discardProposals();
    // The calls proposed since the last start(): the assistant turn's toolCalls.
    QList<ChatToolCall> proposals() const { return m_proposals; }
    // The answer ended with its calls: decide and run them in order.
    void start();
    // The user's answer to approvalRequested(record.id). Allowed* runs the call; Denied answers
    // the model with `reason`.
    bool decide(qint64 recordId, ToolDecision decision, const QString &reason = {});
    // Stops: a running call is cancelled (its process group killed), the others are refused and
    // callsAnswered() comes with continueGeneration false.
    void cancel();
    bool isBusy() const { return m_busy; }
    // The call waiting for the user, or 0.
    qint64 awaitingRecord() const { return m_awaiting; }

    // ---- results
    std::optional<ToolCallRecord> record(qint64 recordId) const;
    // Whether the write of this record can still be undone in this session.
    bool canUndo(qint64 recordId) const;
    // Restores the file as it was before the record's write. False, with lastError(), when the
    // file changed since (or the journal no longer holds the entry).
    bool undo(qint64 recordId);

    // The text sent to the model for a denial.
    static QString denialText(const QString &reason);

Q_SIGNALS:
    // A call needs the user: show a card. `diff` is the unified diff of a write (empty otherwise;
    // `diffError` says why there is none when the preview failed).
    void approvalRequested(const glmdesk::app::ToolCallRecord &record, const QString &diff,
                           const QString &diffError);
    // A call starts running (after approval or at once when it needed none).
    void callStarted(const glmdesk::app::ToolCallRecord &record);
    // A call is done: run, failed, denied or refused. Its audit row is written.
    void callFinished(const glmdesk::app::ToolCallRecord &record);
    // An audit row changed after the call (undo).
    void recordChanged(const glmdesk::app::ToolCallRecord &record);
    // Every call of the answer has its Tool turn (in the order proposed).
    void callsAnswered(const QList<glmdesk::app::ChatTurn> &toolTurns, bool continueGeneration);
    // The per-turn cap stopped the loop.
    void capReached(int maxCalls);
    void errorOccurred(const QString &message);

private:
    struct Shared;
    struct Job;

    void processNext();
    void run(ToolCallRecord record);
    void jobDone();
    void finishCall(ToolCallRecord record);
    void refuse(ToolCallRecord record, const QString &text);
    void save(const ToolCallRecord &record);
    void stopThread();

    QPointer<ConversationStore> m_store; // may go first at teardown
    qint64 m_conversationId = 0;
    std::shared_ptr<Shared> m_shared; // null without a folder
    bool m_isGit = false;
    QString m_lastError;
    bool m_autoAllowReadOnly = false;
    int m_maxCallsPerTurn = kDefaultMaxCallsPerTurn;
    QSet<QString> m_allowedTools;

    QList<ChatToolCall> m_proposals;
    QList<ToolCallRecord> m_queue; // the calls of the answer being answered
    qsizetype m_next = 0;          // the next one in m_queue
    QList<ChatTurn> m_toolTurns;
    QHash<qint64, ToolCallRecord> m_records; // this session's calls, by row id
    qint64 m_localIds = 0;                   // ids for records the store could not save
    int m_callsThisTurn = 0;
    bool m_busy = false;
    bool m_stopping = false;
    bool m_capHit = false;
    qint64 m_awaiting = 0;

    QThread *m_thread = nullptr;
    std::shared_ptr<Job> m_job;
};

} // namespace glmdesk::app
