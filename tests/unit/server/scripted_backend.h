// A ChatBackend for the server tests: plays a fixed list of GLM-style events (thinking, answer,
// tool calls, stats, done) with a small delay before each, honours cancel between events, and
// records what the server asked of it (tickets in call order, concurrency, cancels).
#pragma once

#include "app/server/chat_backend.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace glmdesk::test {

struct Script
{
    std::vector<app::BackendEvent> events; // the terminal Done/Error included
    std::chrono::milliseconds delay{1};    // before each event
};

struct BackendCall
{
    std::uint64_t ticket = 0;
    std::string lastUserText;
    app::BackendRequest request;
    bool cancelled = false;
    int eventsEmitted = 0;
};

class ScriptedBackend : public app::ChatBackend
{
public:
    // Default: thinks, then echoes the last user message.
    std::function<Script(const app::BackendRequest &)> script = [](const app::BackendRequest &r) {
        return echoScript(lastUserText(r));
    };
    // While true, generate() waits (before its first event) until released or cancelled.
    std::atomic<bool> hold{false};

    static std::string lastUserText(const app::BackendRequest &r)
    {
        const auto &messages = r.generate.conversation.messages;
        for (auto it = messages.rbegin(); it != messages.rend(); ++it)
            if (it->role == engine::Role::User)
                return it->content;
        return {};
    }

    static Script echoScript(const std::string &text)
    {
        namespace ev = engine::events;
        Script s;
        s.events = {ev::ThinkingDelta{"\nThe user said "},
                    ev::ThinkingDelta{"something; echo it."},
                    ev::TextDelta{"\n"},
                    ev::TextDelta{"You said: "},
                    ev::TextDelta{text},
                    ev::TextDelta{"."}};
        ev::Stats stats;
        stats.prompt_tokens = 17;
        stats.generated_tokens = 9;
        s.events.push_back(stats);
        s.events.push_back(ev::Done{ev::DoneReason::Stop});
        return s;
    }

    void generate(const app::BackendRequest &request, const app::BackendSink &sink,
                  const std::atomic<bool> &cancel) override
    {
        const int active = ++m_active;
        {
            std::lock_guard lock(m_mutex);
            m_maxActive = std::max(m_maxActive, active);
            BackendCall call;
            call.ticket = request.ticket;
            call.lastUserText = lastUserText(request);
            call.request = request;
            m_calls.push_back(std::move(call));
        }
        const std::size_t index = callCount() - 1;
        while (hold.load() && !cancel.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        const Script s = script(request);
        int emitted = 0;
        bool cancelled = false;
        for (const app::BackendEvent &event : s.events) {
            std::this_thread::sleep_for(s.delay);
            if (cancel.load()) {
                cancelled = true;
                sink(engine::events::Done{engine::events::DoneReason::Cancelled});
                break;
            }
            app::BackendEvent copy = event;
            sink(std::move(copy));
            ++emitted;
        }
        {
            std::lock_guard lock(m_mutex);
            m_calls[index].cancelled = cancelled;
            m_calls[index].eventsEmitted = emitted;
        }
        --m_active;
    }

    std::vector<BackendCall> calls() const
    {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }
    std::size_t callCount() const
    {
        std::lock_guard lock(m_mutex);
        return m_calls.size();
    }
    int maxActive() const
    {
        std::lock_guard lock(m_mutex);
        return m_maxActive;
    }
    int active() const { return m_active.load(); }

private:
    mutable std::mutex m_mutex;
    std::vector<BackendCall> m_calls;
    std::atomic<int> m_active{0};
    int m_maxActive = 0;
};

} // namespace glmdesk::test
