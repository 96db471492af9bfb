#include "app/engine_bridge.h"

#include "engine/engine.h"

#include <QMetaObject>

#include <mutex>
#include <unordered_map>
#include <vector>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

struct EngineBridge::Private
{
    std::mutex mutex;
    std::vector<engine::Event> pending;
    bool flushQueued = false;
    quint64 toolCallCount = 0;                            // UI thread only: numbers tool call ids
    std::unordered_map<engine::RequestId, EventTap> taps; // under mutex
    bool shuttingDown = false;                            // under mutex
    std::unique_ptr<engine::Engine> engine;               // last member: destroyed (joined) first
};

namespace {

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString reasonName(engine::events::DoneReason r)
{
    using R = engine::events::DoneReason;
    switch (r) {
    case R::Stop:
        return u"stop"_s;
    case R::Length:
        return u"length"_s;
    case R::ToolCalls:
        return u"tool_calls"_s;
    case R::Cancelled:
        return u"cancelled"_s;
    case R::Unloaded:
        return u"unloaded"_s;
    case R::Loaded:
        return u"loaded"_s;
    }
    return u"stop"_s;
}

} // namespace

EngineBridge::EngineBridge(QObject *parent) : ChatEngine(parent), d(std::make_unique<Private>())
{
    d->engine = std::make_unique<engine::Engine>([this](engine::Event &&event) {
        // Engine thread: append, and post one flush unless one is already on its way.
        std::lock_guard lock(d->mutex);
        if (const auto tap = d->taps.find(event.request); tap != d->taps.end()) {
            const bool last = std::holds_alternative<engine::events::Done>(event.payload) ||
                              std::holds_alternative<engine::events::Error>(event.payload);
            tap->second(std::move(event.payload));
            if (last)
                d->taps.erase(tap);
            return;
        }
        d->pending.push_back(std::move(event));
        if (!d->flushQueued) {
            d->flushQueued = true;
            QMetaObject::invokeMethod(this, &EngineBridge::flush, Qt::QueuedConnection);
        }
    });
}

EngineBridge::~EngineBridge()
{
    // Join the engine thread while every member it might touch is still alive; flushes posted
    // after this point are dropped by Qt along with this object.
    d->engine->shutdown();
    // Tapped requests the engine dropped still get their one terminal event.
    std::lock_guard lock(d->mutex);
    d->shuttingDown = true;
    for (auto &[id, tap] : d->taps)
        tap(engine::events::Error{"the application is closing"});
    d->taps.clear();
}

quint64 EngineBridge::submitTapped(engine::GenerateRequest request, EventTap tap)
{
    // Under the lock: the worker's first event for this request waits until the tap is in place.
    std::lock_guard lock(d->mutex);
    if (d->shuttingDown) {
        tap(engine::events::Error{"the application is closing"});
        return 0;
    }
    const engine::RequestId id = d->engine->submit(std::move(request));
    d->taps.emplace(id, std::move(tap));
    return id;
}

quint64 EngineBridge::loadModel(const QString &path, const LoadOptions &options)
{
    engine::LoadRequest request;
    request.path = path.toStdString();
    request.n_ctx = options.contextLength;
    request.threads = options.threads;
    request.draft_tokens = options.draftTokens;
    switch (options.kvType) {
    case LoadOptions::KvType::F16:
        request.kv_cache = engine::KvCacheType::F16;
        break;
    case LoadOptions::KvType::F32:
        request.kv_cache = engine::KvCacheType::F32;
        break;
    case LoadOptions::KvType::Q8_0:
        request.kv_cache = engine::KvCacheType::Q8_0;
        break;
    }
    // gpuExpertLayers waits for a GPU backend in the engine; the CPU engine runs every layer.
    return d->engine->submit(std::move(request));
}

quint64 EngineBridge::generate(const QList<ChatTurn> &conversation, const GenerateOptions &options)
{
    engine::GenerateRequest request;
    for (const ChatTurn &turn : conversation) {
        engine::Message m;
        switch (turn.role) {
        case ChatTurn::Role::System:
            m.role = engine::Role::System;
            break;
        case ChatTurn::Role::User:
            m.role = engine::Role::User;
            break;
        case ChatTurn::Role::Assistant:
            m.role = engine::Role::Assistant;
            break;
        case ChatTurn::Role::Tool:
            m.role = engine::Role::Tool;
            m.tool_call_id = turn.toolCallId.toStdString();
            break;
        }
        m.content = turn.text.toStdString();
        if (!turn.reasoning.isEmpty())
            m.reasoning = turn.reasoning.toStdString();
        for (const ChatToolCall &call : turn.toolCalls) {
            engine::ToolCallRequest c;
            c.name = call.name.toStdString();
            // Arguments that are not a JSON object go through the template's raw fallback.
            engine::Json args = engine::Json::parse(call.argumentsJson.toStdString(), nullptr,
                                                    /*allow_exceptions=*/false);
            c.arguments =
                args.is_object() ? std::move(args) : engine::Json(call.argumentsJson.toStdString());
            m.tool_calls.push_back(std::move(c));
        }
        request.conversation.messages.push_back(std::move(m));
    }
    if (!options.toolsJson.isEmpty()) {
        const engine::Json tools = engine::Json::parse(options.toolsJson.toStdString(), nullptr,
                                                       /*allow_exceptions=*/false);
        if (!tools.is_array())
            return 0;
        for (const engine::Json &entry : tools) {
            auto def = engine::tool_definition_from_json(entry);
            if (!def)
                return 0;
            request.conversation.tools.push_back(std::move(def).value());
        }
    }
    request.options.enable_thinking = options.thinking;
    request.max_tokens = options.maxTokens;
    request.sampling.temperature = static_cast<float>(options.sampling.temperature);
    request.sampling.top_p = static_cast<float>(options.sampling.topP);
    request.sampling.top_k = options.sampling.topK;
    request.context_policy = engine::ContextPolicy::DropOldest;
    return d->engine->submit(std::move(request));
}

void EngineBridge::cancel(quint64 requestId)
{
    d->engine->cancel(requestId);
}

void EngineBridge::unloadModel()
{
    d->engine->submit(engine::UnloadRequest{});
}

void EngineBridge::flush()
{
    std::vector<engine::Event> events;
    {
        std::lock_guard lock(d->mutex);
        events.swap(d->pending);
        d->flushQueued = false;
    }
    // Merge runs of deltas of one kind and one request into one signal.
    for (std::size_t i = 0; i < events.size(); ++i) {
        const engine::Event &e = events[i];
        const quint64 id = e.request;
        if (auto *t = std::get_if<engine::events::TextDelta>(&e.payload)) {
            std::string text = t->text;
            while (i + 1 < events.size() && events[i + 1].request == id)
                if (auto *n = std::get_if<engine::events::TextDelta>(&events[i + 1].payload)) {
                    text += n->text;
                    ++i;
                } else {
                    break;
                }
            Q_EMIT answerDelta(id, qs(text));
        } else if (auto *th = std::get_if<engine::events::ThinkingDelta>(&e.payload)) {
            std::string text = th->text;
            while (i + 1 < events.size() && events[i + 1].request == id)
                if (auto *n = std::get_if<engine::events::ThinkingDelta>(&events[i + 1].payload)) {
                    text += n->text;
                    ++i;
                } else {
                    break;
                }
            Q_EMIT thinkingDelta(id, qs(text));
        } else if (auto *p = std::get_if<engine::events::LoadProgress>(&e.payload)) {
            Q_EMIT loadProgress(id, p->bytes_total ? double(p->bytes_done) / p->bytes_total : 0.0);
        } else if (auto *l = std::get_if<engine::events::Loaded>(&e.payload)) {
            Q_EMIT modelLoaded(id, qs(l->path), qs(l->summary), l->n_ctx);
        } else if (auto *c = std::get_if<engine::events::ToolCall>(&e.payload)) {
            Q_EMIT toolCallProposed(id, u"call_%1_%2"_s.arg(id).arg(++d->toolCallCount),
                                    qs(c->name), qs(c->arguments_json));
        } else if (auto *w = std::get_if<engine::events::Warning>(&e.payload)) {
            Q_EMIT warning(id, qs(w->message));
        } else if (auto *s = std::get_if<engine::events::Stats>(&e.payload)) {
            Q_EMIT statsUpdated(id, s->decode_tokens_per_s, s->context_used, s->context_size);
        } else if (auto *dn = std::get_if<engine::events::Done>(&e.payload)) {
            Q_EMIT finished(id, reasonName(dn->reason));
        } else if (auto *er = std::get_if<engine::events::Error>(&e.payload)) {
            Q_EMIT failed(id, qs(er->message));
        }
    }
}

} // namespace glmdesk::app
