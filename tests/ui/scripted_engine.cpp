#include "tests/ui/scripted_engine.h"

#include "engine/chat/output_parser.h"

#include <QTimer>

#include <string>
#include <variant>
#include <vector>

using namespace Qt::StringLiterals;

namespace glmdesk::test {

namespace {

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace

ScriptedEngine::ScriptedEngine(QObject *parent) : app::ChatEngine(parent) {}

quint64 ScriptedEngine::loadModel(const QString &path, const app::LoadOptions &options)
{
    const quint64 id = ++m_nextId;
    // Signals arrive later, on the event loop, as they do from the real engine.
    QTimer::singleShot(0, this, [this, id, path, ctx = options.contextLength] {
        Q_EMIT loadProgress(id, 1.0);
        Q_EMIT modelLoaded(id, path, u"scripted engine"_s, ctx);
        Q_EMIT finished(id, u"loaded"_s);
    });
    return id;
}

quint64 ScriptedEngine::generate(const QList<app::ChatTurn> &conversation,
                                 const app::GenerateOptions &options)
{
    const quint64 id = ++m_nextId;
    m_requests.append({id, conversation, options});
    const QString raw = m_script.isEmpty() ? u"(end of script)"_s : m_script.takeFirst();
    QTimer::singleShot(0, this,
                       [this, id, raw, tools = options.toolsJson] { play(id, raw, tools); });
    return id;
}

void ScriptedEngine::cancel(quint64 requestId)
{
    m_cancelled.insert(requestId);
}

void ScriptedEngine::play(quint64 id, const QString &raw, const QByteArray &toolsJson)
{
    if (m_cancelled.contains(id)) {
        Q_EMIT finished(id, u"cancelled"_s);
        return;
    }
    std::vector<engine::ToolDefinition> tools;
    if (!toolsJson.isEmpty()) {
        const engine::Json array = engine::Json::parse(toolsJson.toStdString(), nullptr, false);
        if (array.is_array())
            for (const engine::Json &entry : array)
                if (auto def = engine::tool_definition_from_json(entry))
                    tools.push_back(std::move(def).value());
    }
    engine::OutputParser parser(std::move(tools));
    const std::string bytes = raw.toStdString();
    std::vector<engine::OutputEvent> events;
    const size_t step = static_cast<size_t>(std::max(1, m_chunkBytes));
    for (size_t at = 0; at < bytes.size(); at += step)
        parser.feed(std::string_view(bytes).substr(at, step), events);
    parser.finish(events);
    bool calledTools = false;
    for (const engine::OutputEvent &event : events) {
        if (const auto *t = std::get_if<engine::ThinkingDelta>(&event)) {
            Q_EMIT thinkingDelta(id, qs(t->text));
        } else if (const auto *a = std::get_if<engine::AnswerDelta>(&event)) {
            Q_EMIT answerDelta(id, qs(a->text));
        } else if (const auto *c = std::get_if<engine::ToolCallEvent>(&event)) {
            calledTools = true;
            Q_EMIT toolCallProposed(id, u"call_%1_%2"_s.arg(id).arg(++m_toolCalls), qs(c->name),
                                    qs(c->arguments.dump()));
        } else if (const auto *w = std::get_if<engine::ParseWarning>(&event)) {
            Q_EMIT warning(id, qs(w->message));
        }
    }
    Q_EMIT finished(id, calledTools ? u"tool_calls"_s : u"stop"_s);
}

} // namespace glmdesk::test
