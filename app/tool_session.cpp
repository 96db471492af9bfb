#include "app/tool_session.h"

#include "app/tools/tools.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

namespace {

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

std::string utf8(const QString &s)
{
    return s.toStdString();
}

} // namespace

// What the worker thread touches: the folder and the journal of its writes.
struct ToolSession::Shared
{
    explicit Shared(tools::Workspace w) : workspace(std::move(w)) {}
    tools::Workspace workspace;
    tools::UndoJournal journal;
    tools::ToolRunnerOptions options;
};

// One call on the worker thread: its input, its cancel token and, when the thread ends, its result.
struct ToolSession::Job
{
    std::shared_ptr<Shared> shared;
    std::string name;
    engine::Json arguments;
    tools::CancelToken cancel;
    tools::ToolResult result;
    qint64 recordId = 0;
};

ToolSession::ToolSession(ConversationStore *store, QObject *parent)
    : QObject(parent), m_store(store)
{}

ToolSession::~ToolSession()
{
    stopThread();
}

void ToolSession::stopThread()
{
    if (!m_thread)
        return;
    if (m_job)
        m_job->cancel.cancel();
    disconnect(m_thread, nullptr, this, nullptr);
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    // The audit row still gets the result of the call that was cut off.
    if (m_job && m_next < m_queue.size() && m_queue[m_next].id == m_job->recordId) {
        ToolCallRecord r = m_queue[m_next];
        r.ok = m_job->result.ok;
        r.resultText = qs(m_job->result.text);
        r.finished = QDateTime::currentDateTimeUtc();
        save(r);
    }
    m_job.reset();
}

// ------------------------------------------------------------------- conversation and folder

void ToolSession::setConversation(qint64 conversationId)
{
    cancel();
    stopThread(); // a running call is cancelled and waited for; its answer goes nowhere
    m_busy = false;
    m_stopping = false;
    m_capHit = false;
    m_awaiting = 0;
    m_queue.clear();
    m_next = 0;
    m_toolTurns.clear();
    m_conversationId = conversationId;
    m_allowedTools.clear();
    m_proposals.clear();
    m_records.clear();
    m_callsThisTurn = 0;
    m_shared.reset();
    m_isGit = false;
    if (!conversationId || !m_store || !m_store->isOpen())
        return;
    const auto info = m_store->conversation(conversationId);
    if (!info || info->workspacePath.isEmpty())
        return;
    const qint64 keep = m_conversationId;
    m_conversationId = 0; // opening it again must not write it back
    if (!setWorkspace(info->workspacePath))
        Q_EMIT errorOccurred(m_lastError);
    m_conversationId = keep;
}

void ToolSession::attachConversation(qint64 conversationId)
{
    m_conversationId = conversationId;
    if (!conversationId || !m_store || !m_store->isOpen() || !m_shared)
        return;
    if (auto info = m_store->conversation(conversationId)) {
        info->workspacePath = workspacePath();
        m_store->updateConversation(*info);
    }
}

bool ToolSession::setWorkspace(const QString &path)
{
    if (m_busy) {
        m_lastError = tr("The project folder cannot change while tools are running.");
        return false;
    }
    std::shared_ptr<Shared> shared;
    bool isGit = false;
    if (!path.isEmpty()) {
        auto workspace = tools::Workspace::open(utf8(QDir::cleanPath(path)));
        if (!workspace) {
            m_lastError =
                tr("Cannot use %1 as the project folder: %2")
                    .arg(QDir::toNativeSeparators(path), qs(workspace.status().message()));
            return false;
        }
        shared = std::make_shared<Shared>(std::move(workspace).value());
        tools::UndoJournal scratch;
        isGit = tools::ToolRunner(shared->workspace, scratch, shared->options).is_git_repository();
    }
    m_shared = std::move(shared);
    m_isGit = isGit;
    // Undo entries belong to the journal of the folder that wrote them; its ids start again.
    m_records.clear();
    if (m_conversationId && m_store && m_store->isOpen()) {
        if (auto info = m_store->conversation(m_conversationId)) {
            info->workspacePath = m_shared ? workspacePath() : QString();
            m_store->updateConversation(*info);
        }
    }
    return true;
}

QString ToolSession::workspacePath() const
{
    return m_shared ? qs(m_shared->workspace.root_path()) : QString();
}

bool ToolSession::hasWorkspace() const
{
    return m_shared != nullptr;
}

bool ToolSession::isToolAllowedForConversation(const QString &tool) const
{
    return m_allowedTools.contains(tool);
}

QByteArray ToolSession::toolsJson() const
{
    if (!m_shared)
        return {};
    engine::Json array = engine::Json::array();
    for (const engine::ToolDefinition &def : tools::tool_definitions(m_isGit))
        array.push_back(def.entry);
    const std::string text = array.dump();
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

// ------------------------------------------------------------------------------------ the loop

void ToolSession::beginUserTurn()
{
    m_callsThisTurn = 0;
    m_capHit = false;
}

void ToolSession::discardProposals()
{
    m_proposals.clear();
}

void ToolSession::propose(const QString &callId, const QString &name, const QString &argumentsJson)
{
    m_proposals.append({callId, name, argumentsJson});
}

void ToolSession::start()
{
    if (m_busy || m_proposals.isEmpty())
        return;
    m_busy = true;
    m_stopping = false;
    m_queue.clear();
    m_toolTurns.clear();
    m_next = 0;
    for (const ChatToolCall &call : std::as_const(m_proposals)) {
        ToolCallRecord r;
        r.conversationId = m_conversationId;
        r.callId = call.id;
        r.tool = call.name;
        r.argumentsJson = call.argumentsJson;
        r.proposed = QDateTime::currentDateTimeUtc();
        std::optional<qint64> id;
        if (m_conversationId && m_store && m_store->isOpen())
            id = m_store->addToolCall(r);
        r.id = id ? *id : --m_localIds; // unsaved calls still need an id for the UI
        m_records.insert(r.id, r);
        m_queue.append(r);
    }
    m_proposals.clear();
    processNext();
}

void ToolSession::processNext()
{
    while (m_next < m_queue.size()) {
        ToolCallRecord r = m_queue[m_next];
        if (m_stopping) {
            refuse(r, tr("Stopped by the user before it ran."));
            continue;
        }
        if (m_callsThisTurn >= m_maxCallsPerTurn) {
            if (!m_capHit) {
                m_capHit = true;
                Q_EMIT capReached(m_maxCallsPerTurn);
            }
            refuse(r,
                   tr("Not run: the limit of %1 tool calls in one turn was reached. Wait for the "
                      "user to say whether to go on.")
                       .arg(m_maxCallsPerTurn));
            continue;
        }
        ++m_callsThisTurn;
        if (!m_shared) {
            refuse(r, tr("Not run: no project folder is set for this conversation."));
            continue;
        }
        const std::optional<tools::ToolAccess> access = tools::tool_access(utf8(r.tool));
        const bool readOnly = access && *access == tools::ToolAccess::ReadOnly;
        if (!access) {
            // An unknown tool: the runner answers with the list of tools; nothing can happen.
            r.decision = ToolDecision::Auto;
            run(r);
            return;
        }
        if (readOnly && m_autoAllowReadOnly) {
            r.decision = ToolDecision::Auto;
            run(r);
            return;
        }
        if (m_allowedTools.contains(r.tool)) {
            r.decision = ToolDecision::AllowedConversation;
            run(r);
            return;
        }
        QString diff;
        QString diffError;
        if (r.tool == u"write_file"_s || r.tool == u"edit_file"_s) {
            engine::ToolCallEvent event;
            event.name = utf8(r.tool);
            event.arguments = engine::Json::parse(utf8(r.argumentsJson), nullptr);
            tools::UndoJournal scratch;
            const tools::ToolRunner runner(m_shared->workspace, scratch, m_shared->options);
            if (!event.arguments.is_object())
                diffError = tr("The arguments are not a JSON object.");
            else if (auto preview = runner.preview_diff(event))
                diff = qs(*preview);
            else
                diffError = qs(preview.status().message());
        }
        m_awaiting = r.id;
        Q_EMIT approvalRequested(r, diff, diffError);
        return;
    }
    m_busy = false;
    const QList<ChatTurn> turns = std::exchange(m_toolTurns, {});
    m_queue.clear();
    m_next = 0;
    Q_EMIT callsAnswered(turns, !m_stopping && !m_capHit);
}

bool ToolSession::decide(qint64 recordId, ToolDecision decision, const QString &reason)
{
    if (!m_awaiting || recordId != m_awaiting || m_next >= m_queue.size())
        return false;
    m_awaiting = 0;
    ToolCallRecord r = m_queue[m_next];
    switch (decision) {
    case ToolDecision::AllowedConversation:
        m_allowedTools.insert(r.tool);
        [[fallthrough]];
    case ToolDecision::AllowedOnce:
    case ToolDecision::Auto:
        r.decision = decision;
        r.decided = QDateTime::currentDateTimeUtc();
        run(r);
        return true;
    case ToolDecision::Denied:
    case ToolDecision::Pending:
        break;
    }
    r.decision = ToolDecision::Denied;
    r.decided = QDateTime::currentDateTimeUtc();
    r.reason = reason.trimmed();
    refuse(r, denialText(r.reason));
    processNext();
    return true;
}

QString ToolSession::denialText(const QString &reason)
{
    // Sent to the model, which reads English best whatever the UI language: not translated.
    QString text = u"The user denied this tool call; it was not run."_s;
    if (!reason.isEmpty())
        text += u" The user's reason: "_s + reason;
    return text;
}

void ToolSession::cancel()
{
    if (!m_busy)
        return;
    m_stopping = true;
    if (m_job) {
        m_job->cancel.cancel(); // jobDone() goes on with the rest, refusing them
        return;
    }
    if (m_awaiting) {
        m_awaiting = 0;
        refuse(m_queue[m_next], tr("Stopped by the user before it ran."));
    }
    processNext();
}

void ToolSession::refuse(ToolCallRecord r, const QString &text)
{
    // A denial by the user keeps their reason (maybe empty); a refusal by the loop gives its own.
    if (r.decision != ToolDecision::Denied) {
        r.decision = ToolDecision::Denied;
        r.reason = text;
    }
    if (!r.decided.isValid())
        r.decided = QDateTime::currentDateTimeUtc();
    r.ok = false;
    r.resultText = text;
    finishCall(r);
}

void ToolSession::run(ToolCallRecord r)
{
    if (!r.decided.isValid())
        r.decided = QDateTime::currentDateTimeUtc();
    m_queue[m_next] = r;
    m_records.insert(r.id, r);
    save(r);
    Q_EMIT callStarted(r);

    auto job = std::make_shared<Job>();
    job->shared = m_shared;
    job->name = utf8(r.tool);
    job->arguments = engine::Json::parse(utf8(r.argumentsJson), nullptr);
    job->recordId = r.id;
    m_job = job;
    m_thread = QThread::create([job] {
        if (!job->arguments.is_object()) {
            job->result.ok = false;
            job->result.error = job->name + ": the arguments are not a JSON object";
            job->result.text = "error: " + job->result.error;
            return;
        }
        tools::ToolRunner runner(job->shared->workspace, job->shared->journal,
                                 job->shared->options);
        job->result = runner.execute(job->name, job->arguments, &job->cancel);
    });
    m_thread->setObjectName(u"tool:"_s + r.tool);
    connect(m_thread, &QThread::finished, this, &ToolSession::jobDone, Qt::QueuedConnection);
    m_thread->start();
}

void ToolSession::jobDone()
{
    if (!m_thread || !m_job)
        return;
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    const std::shared_ptr<Job> job = std::exchange(m_job, nullptr);
    ToolCallRecord r = m_queue[m_next];
    r.ok = job->result.ok;
    r.resultText = qs(job->result.text);
    if (r.resultText.isEmpty() && !job->result.error.empty())
        r.resultText = qs(job->result.error);
    r.diff = job->result.diff ? qs(*job->result.diff) : QString();
    r.undoId = job->result.undo_id ? static_cast<qint64>(*job->result.undo_id) : 0;
    finishCall(r);
    processNext();
}

void ToolSession::finishCall(ToolCallRecord r)
{
    r.finished = QDateTime::currentDateTimeUtc();
    m_queue[m_next] = r;
    ++m_next;
    m_records.insert(r.id, r);
    save(r);
    ChatTurn turn(ChatTurn::Role::Tool, r.resultText);
    turn.toolCallId = r.callId;
    m_toolTurns.append(turn);
    Q_EMIT callFinished(r);
}

void ToolSession::save(const ToolCallRecord &record)
{
    if (record.id > 0 && m_store && m_store->isOpen())
        m_store->updateToolCall(record);
}

// ------------------------------------------------------------------------------------- results

std::optional<ToolCallRecord> ToolSession::record(qint64 recordId) const
{
    const auto it = m_records.constFind(recordId);
    if (it == m_records.cend())
        return std::nullopt;
    return *it;
}

bool ToolSession::canUndo(qint64 recordId) const
{
    const auto it = m_records.constFind(recordId);
    if (it == m_records.cend() || !m_shared || it->undone || !it->ok || it->undoId <= 0)
        return false;
    const auto entries = m_shared->journal.entries();
    return std::any_of(entries.begin(), entries.end(), [&](const tools::UndoJournal::EntryInfo &e) {
        return e.id == static_cast<uint64_t>(it->undoId);
    });
}

bool ToolSession::undo(qint64 recordId)
{
    if (m_thread) {
        m_lastError = tr("Wait for the running tool to finish before undoing.");
        return false;
    }
    if (!canUndo(recordId)) {
        m_lastError = tr("This change can no longer be undone.");
        return false;
    }
    ToolCallRecord &r = m_records[recordId];
    auto undone = m_shared->journal.undo(m_shared->workspace, static_cast<uint64_t>(r.undoId));
    if (!undone) {
        m_lastError = tr("Undo failed: %1").arg(qs(undone.status().message()));
        return false;
    }
    r.undone = true;
    save(r);
    Q_EMIT recordChanged(r);
    return true;
}

} // namespace glmdesk::app
