// The Engine from the outside: requests in, events out on the worker thread. Every request ends
// with exactly one Done or Error; sequence numbers have no gaps; cancel converges; the prompt
// cache makes the second turn prefill only the new tokens and changes nothing in the output.
#include "engine/engine.h"
#include "engine/io/model_info.h"
#include "engine/model/placement.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <random>

using namespace glmdesk::engine;
using namespace std::chrono_literals;

namespace {

// Collects events and lets a test wait for a request's terminal event.
class Recorder
{
public:
    EventSink sink()
    {
        return [this](Event &&e) {
            std::lock_guard lock(m_mutex);
            m_events[e.request].push_back(std::move(e));
            m_changed.notify_all();
        };
    }

    static bool terminal(const Event &e)
    {
        return std::holds_alternative<events::Done>(e.payload) ||
               std::holds_alternative<events::Error>(e.payload);
    }

    // The events of `id` once it has ended (fails the test after a timeout).
    std::vector<Event> wait(RequestId id, std::chrono::seconds timeout = 120s)
    {
        std::unique_lock lock(m_mutex);
        const bool ended = m_changed.wait_for(lock, timeout, [&] {
            auto it = m_events.find(id);
            return it != m_events.end() && !it->second.empty() && terminal(it->second.back());
        });
        EXPECT_TRUE(ended) << "request " << id << " never ended";
        return m_events[id];
    }

    std::map<RequestId, std::vector<Event>> all()
    {
        std::lock_guard lock(m_mutex);
        return m_events;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<RequestId, std::vector<Event>> m_events;
};

template <typename T> const T *last_of(const std::vector<Event> &events)
{
    for (auto it = events.rbegin(); it != events.rend(); ++it)
        if (auto *p = std::get_if<T>(&it->payload))
            return p;
    return nullptr;
}

std::string answer_text(const std::vector<Event> &events)
{
    std::string text;
    for (const Event &e : events) {
        if (auto *t = std::get_if<events::TextDelta>(&e.payload))
            text += t->text;
        if (auto *t = std::get_if<events::ThinkingDelta>(&e.payload))
            text += t->text;
    }
    return text;
}

void expect_well_formed(const std::vector<Event> &events)
{
    ASSERT_FALSE(events.empty());
    int terminals = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].seq, i);
        terminals += Recorder::terminal(events[i]);
    }
    EXPECT_EQ(terminals, 1);
    EXPECT_TRUE(Recorder::terminal(events.back()));
}

GenerateRequest chat_request(const std::string &text, int max_tokens)
{
    GenerateRequest r;
    Message system;
    system.role = Role::System;
    system.content = "你是一个乐于助人的助手。";
    Message user;
    user.role = Role::User;
    user.content = text;
    r.conversation.messages = {system, user};
    r.sampling = SamplingParams::greedy_params();
    r.max_tokens = max_tokens;
    return r;
}

std::optional<std::string> air_mini_gguf()
{
    const auto fixtures = glmdesk::test::shared_fixtures_dir();
    if (!fixtures)
        return std::nullopt;
    return (*fixtures / "air-mini/gguf/air-mini-bf16.gguf").string();
}

} // namespace

TEST(Engine, RequestsWithoutAModelEndInClearErrors)
{
    Recorder rec;
    Engine engine(rec.sink());
    const RequestId gen = engine.submit(chat_request("hi", 4));
    const auto events = rec.wait(gen);
    expect_well_formed(events);
    const auto *err = last_of<events::Error>(events);
    ASSERT_NE(err, nullptr);
    EXPECT_NE(err->message.find("no model is loaded"), std::string::npos) << err->message;

    const RequestId load = engine.submit(LoadRequest{"/nonexistent/model.gguf"});
    const auto load_events = rec.wait(load);
    expect_well_formed(load_events);
    const auto *load_err = last_of<events::Error>(load_events);
    ASSERT_NE(load_err, nullptr);
    EXPECT_NE(load_err->message.find("/nonexistent/model.gguf"), std::string::npos)
        << load_err->message;

    const RequestId unload = engine.submit(UnloadRequest{});
    const auto unload_events = rec.wait(unload);
    expect_well_formed(unload_events);
    ASSERT_NE(last_of<events::Done>(unload_events), nullptr);
    EXPECT_NE(gen, load);
}

TEST(Engine, ShutdownEndsEveryQueuedRequestAndDropsLaterOnes)
{
    Recorder rec;
    std::vector<RequestId> ids;
    // The first request's event blocks the worker until everything is queued, so the cancel
    // below surely finds request 10 waiting.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto sink = rec.sink();
    {
        Engine engine([&, first = true](Event &&e) mutable {
            if (first) {
                first = false;
                released.wait();
            }
            sink(std::move(e));
        });
        for (int i = 0; i < 50; ++i)
            ids.push_back(engine.submit(UnloadRequest{}));
        engine.cancel(ids[10]);
        release.set_value();
        rec.wait(ids[20]);
        engine.shutdown();
        engine.shutdown(); // idempotent
        EXPECT_NE(engine.submit(UnloadRequest{}), 0u);
    }
    const auto all = rec.all();
    EXPECT_EQ(all.size(), ids.size());
    for (RequestId id : ids) {
        ASSERT_TRUE(all.count(id)) << id;
        expect_well_formed(all.at(id));
    }
    const auto *done = last_of<events::Done>(all.at(ids[10]));
    ASSERT_NE(done, nullptr);
    EXPECT_EQ(done->reason, events::DoneReason::Cancelled);
}

class EngineWithModel : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_path = air_mini_gguf();
        if (!m_path)
            GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run it)";
    }

    RequestId load(Engine &engine, int n_ctx = 1024)
    {
        LoadRequest l;
        l.path = *m_path;
        l.n_ctx = n_ctx;
        return engine.submit(l);
    }

    std::optional<std::string> m_path;
};

TEST_F(EngineWithModel, LoadReportsProgressThenLoaded)
{
    Recorder rec;
    Engine engine(rec.sink());
    const auto events = rec.wait(load(engine));
    expect_well_formed(events);
    const auto *loaded = last_of<events::Loaded>(events);
    ASSERT_NE(loaded, nullptr);
    EXPECT_TRUE(loaded->has_mtp);
    EXPECT_EQ(loaded->n_ctx, 1024);
    EXPECT_EQ(loaded->summary.rfind("glm4moe, 3 layers + MTP, ", 0), 0u) << loaded->summary;
    const auto *progress = last_of<events::LoadProgress>(events);
    ASSERT_NE(progress, nullptr);
    EXPECT_EQ(progress->bytes_done, progress->bytes_total);
    EXPECT_GT(progress->bytes_total, 10'000'000u);
    EXPECT_EQ(last_of<events::Done>(events)->reason, events::DoneReason::Loaded);
}

TEST_F(EngineWithModel, SecondTurnPrefillsOnlyTheNewTokensAndMatchesAColdRun)
{
    Recorder rec;
    Engine engine(rec.sink());
    rec.wait(load(engine));
    GenerateRequest first = chat_request("请用 Python 写一个快速排序。", 12);
    const auto turn1 = rec.wait(engine.submit(first));
    expect_well_formed(turn1);
    ASSERT_NE(last_of<events::Done>(turn1), nullptr);
    const std::string reply = answer_text(turn1);

    GenerateRequest second = first;
    Message assistant;
    assistant.role = Role::Assistant;
    assistant.content = reply;
    Message user;
    user.role = Role::User;
    user.content = "Explain briefly.";
    second.conversation.messages.push_back(assistant);
    second.conversation.messages.push_back(user);
    const auto turn2 = rec.wait(engine.submit(second));
    expect_well_formed(turn2);
    const auto *stats = last_of<events::Stats>(turn2);
    ASSERT_NE(stats, nullptr);
    EXPECT_LT(stats->prefilled_tokens, stats->prompt_tokens / 2)
        << "the cached first turn should not be computed again";
    EXPECT_GT(stats->prefilled_tokens, 3);

    Recorder cold_rec;
    Engine cold(cold_rec.sink());
    cold_rec.wait(load(cold));
    const auto cold_turn2 = cold_rec.wait(cold.submit(second));
    EXPECT_EQ(answer_text(turn2), answer_text(cold_turn2));
    const auto *cold_stats = last_of<events::Stats>(cold_turn2);
    ASSERT_NE(cold_stats, nullptr);
    EXPECT_EQ(cold_stats->prefilled_tokens, cold_stats->prompt_tokens);
}

TEST_F(EngineWithModel, ContextPolicyFailsClearlyOrDropsOldestTurns)
{
    Recorder rec;
    Engine engine(rec.sink());
    rec.wait(load(engine, 128));
    GenerateRequest r = chat_request("hello", 8);
    for (int i = 0; i < 12; ++i) {
        Message u{
            Role::User, "question number " + std::to_string(i) + " about sorting", {}, {}, {}};
        Message a{Role::Assistant, "answer number " + std::to_string(i), {}, {}, {}};
        r.conversation.messages.insert(r.conversation.messages.begin() + 1, {u, a});
    }
    const auto failed = rec.wait(engine.submit(r));
    expect_well_formed(failed);
    const auto *err = last_of<events::Error>(failed);
    ASSERT_NE(err, nullptr);
    EXPECT_NE(err->message.find("context"), std::string::npos) << err->message;

    r.context_policy = ContextPolicy::DropOldest;
    const auto dropped = rec.wait(engine.submit(r));
    expect_well_formed(dropped);
    ASSERT_NE(last_of<events::Done>(dropped), nullptr);
    const auto *stats = last_of<events::Stats>(dropped);
    ASSERT_NE(stats, nullptr);
    EXPECT_GT(stats->dropped_messages, 0);
    EXPECT_LE(stats->prompt_tokens + 8, 128 + 8);
    EXPECT_NE(last_of<events::Warning>(dropped), nullptr);
}

// Random submit / cancel / unload interleavings: nothing deadlocks, nothing is lost.
TEST_F(EngineWithModel, RandomInterleavingsAlwaysEndEveryRequest)
{
    Recorder rec;
    std::vector<RequestId> ids;
    std::mt19937 rng(7);
    {
        Engine engine(rec.sink());
        for (int i = 0; i < 1000; ++i) {
            switch (rng() % 6) {
            case 0:
                ids.push_back(load(engine, 256));
                break;
            case 1:
                ids.push_back(engine.submit(UnloadRequest{}));
                break;
            default:
                ids.push_back(
                    engine.submit(chat_request("hi " + std::to_string(i), 1 + rng() % 6)));
            }
            if (rng() % 3 == 0)
                engine.cancel(ids[rng() % ids.size()]);
            if (rng() % 20 == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 20));
        }
        rec.wait(ids.back(), 600s);
    }
    const auto all = rec.all();
    for (RequestId id : ids) {
        ASSERT_TRUE(all.count(id)) << "request " << id << " has no events";
        expect_well_formed(all.at(id));
    }
}

// A model that does not fit the memory it may use: an Error that says what it needs and a
// context that would fit, and no model left loaded.
TEST_F(EngineWithModel, AModelThatDoesNotFitSaysWhatWouldFit)
{
    Recorder rec;
    Engine engine(rec.sink());
    auto files = ModelFiles::open(*m_path);
    ASSERT_TRUE(files);
    const ModelFootprint fp = model_footprint(files->inventory(), files->config(), KvType::F16);
    LoadRequest l;
    l.path = *m_path;
    l.n_ctx = 4096; // the model's maximum
    // Weights and working buffers fit, and 3000 tokens of KV: not 4096.
    l.host_memory_limit = fp.weight_bytes() + k_working_bytes + 3000 * fp.kv_bytes_per_token;
    const auto events = rec.wait(engine.submit(l));
    expect_well_formed(events);
    const auto *err = last_of<events::Error>(events);
    ASSERT_NE(err, nullptr);
    EXPECT_NE(err->message.find("4096-token context"), std::string::npos) << err->message;
    EXPECT_NE(err->message.find("a context of at most 2048 tokens"), std::string::npos)
        << err->message;
    EXPECT_EQ(last_of<events::Loaded>(events), nullptr);
    const auto gen = rec.wait(engine.submit(chat_request("hi", 2)));
    ASSERT_NE(last_of<events::Error>(gen), nullptr) << "a failed load left a model behind";

    l.n_ctx = 2048; // what the advice allows
    const auto ok = rec.wait(engine.submit(l));
    EXPECT_NE(last_of<events::Loaded>(ok), nullptr);
}
