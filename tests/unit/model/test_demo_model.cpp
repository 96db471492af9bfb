// The built-in demo model (engine/model/demo_model.h), as the build writes it, run by the real
// Engine: with thinking on it writes exactly the scripted thinking and answer, with thinking off
// exactly the answer, greedy and sampled with GLM-4.5's defaults alike, its MTP drafts are
// accepted, and a second turn gets the same answer. The script itself is checked against the
// air-mini tokenizer from tests/data.
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/engine.h"
#include "engine/model/demo_model.h"
#include "engine/tokenizer/bpe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

using namespace glmdesk::engine;
using namespace std::chrono_literals;

namespace {

class Collector
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

    std::vector<Event> wait(RequestId id)
    {
        std::unique_lock lock(m_mutex);
        const bool ended = m_changed.wait_for(lock, 120s, [&] {
            auto it = m_events.find(id);
            if (it == m_events.end() || it->second.empty())
                return false;
            const auto &p = it->second.back().payload;
            return std::holds_alternative<events::Done>(p) ||
                   std::holds_alternative<events::Error>(p);
        });
        EXPECT_TRUE(ended) << "request " << id << " never ended";
        return m_events[id];
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<RequestId, std::vector<Event>> m_events;
};

struct Reply
{
    std::string thinking, answer, error;
    std::optional<events::DoneReason> done;
    events::Stats stats;
};

Reply collect(const std::vector<Event> &events)
{
    Reply r;
    for (const Event &e : events) {
        if (auto *t = std::get_if<events::ThinkingDelta>(&e.payload))
            r.thinking += t->text;
        else if (auto *a = std::get_if<events::TextDelta>(&e.payload))
            r.answer += a->text;
        else if (auto *s = std::get_if<events::Stats>(&e.payload))
            r.stats = *s;
        else if (auto *d = std::get_if<events::Done>(&e.payload))
            r.done = d->reason;
        else if (auto *x = std::get_if<events::Error>(&e.payload))
            r.error = x->message;
    }
    return r;
}

Tokenizer air_mini_tokenizer()
{
    auto tok = Tokenizer::from_tokenizer_json(std::filesystem::path(GLMDESK_TEST_DATA) /
                                              "tokenizer" / "tokenizer.json");
    EXPECT_TRUE(tok) << tok.status().to_string();
    return std::move(tok).value();
}

TEST(DemoModel, ScriptFitsTheConstruction)
{
    const Tokenizer tok = air_mini_tokenizer();
    auto chain = demo_token_chain(tok);
    ASSERT_TRUE(chain) << chain.status().to_string();
    EXPECT_EQ(chain->front(), *tok.special_id("<|assistant|>"));
    EXPECT_EQ(chain->back(), *tok.special_id("<|user|>"));
    const std::set<TokenId> distinct(chain->begin(), chain->end());
    EXPECT_LT(distinct.size(), 128u);
    const DemoScript script = demo_script();
    EXPECT_EQ(tok.decode(*chain), "<|assistant|>\n<think>" + std::string(script.thinking) +
                                      "</think>\n" + std::string(script.answer) + "<|user|>");
    EXPECT_NE(script.answer.find("demo"), std::string_view::npos);
    EXPECT_NE(script.answer.find("GLM-4.5-Air"), std::string_view::npos);
    // The build refuses a script it cannot follow; this one it accepts.
    auto model = build_demo_model(tok);
    ASSERT_TRUE(model) << model.status().to_string();
    EXPECT_TRUE(model->config().n_nextn == 1);
}

class DemoModelRun : public ::testing::Test
{
protected:
    void SetUp() override
    {
#ifndef GLMDESK_DEMO_MODEL
        GTEST_SKIP() << "this build writes no demo model (target glmdesk_demo_model)";
#else
        if (!std::filesystem::exists(GLMDESK_DEMO_MODEL))
            GTEST_SKIP() << GLMDESK_DEMO_MODEL << " is missing: build glmdesk_demo_model";
        LoadRequest load;
        load.path = GLMDESK_DEMO_MODEL;
        load.n_ctx = 1024;
        load.threads = 2;
        const Reply loaded = collect(m_rec.wait(m_engine.submit(load)));
        ASSERT_TRUE(loaded.error.empty()) << loaded.error;
#endif
    }

    Reply ask(std::vector<Message> messages, bool thinking, const SamplingParams &sampling)
    {
        GenerateRequest g;
        g.conversation.messages = std::move(messages);
        g.options.enable_thinking = thinking;
        g.sampling = sampling;
        g.max_tokens = 400;
        return collect(m_rec.wait(m_engine.submit(g)));
    }

    static std::vector<Message> hello()
    {
        Message m;
        m.role = Role::User;
        m.content = "Hello! Write a quicksort in Python, please.";
        return {m};
    }

    Collector m_rec;
    Engine m_engine{m_rec.sink()};
};

// The UI trims the newline after </think>; the parser hands it on as answer text.
std::string trimmed(const std::string &s)
{
    return s.substr(s.find_first_not_of('\n') == std::string::npos ? s.size()
                                                                   : s.find_first_not_of('\n'));
}

TEST_F(DemoModelRun, ThinksThenAnswersTheScriptGreedyAndSampled)
{
    const DemoScript script = demo_script();
    std::vector<SamplingParams> samplings{SamplingParams::greedy_params()};
    for (const std::uint64_t seed : {1ull, 2ull, 12345ull}) {
        SamplingParams p = SamplingParams::glm45_defaults();
        p.seed = seed;
        samplings.push_back(p);
    }
    SamplingParams hot = SamplingParams::glm45_defaults();
    hot.temperature = 1.0f;
    hot.top_p = 1.0f;
    samplings.push_back(hot);
    for (const SamplingParams &p : samplings) {
        SCOPED_TRACE("temperature " + std::to_string(p.temperature) + ", seed " +
                     std::to_string(p.seed));
        const Reply r = ask(hello(), true, p);
        ASSERT_TRUE(r.error.empty()) << r.error;
        EXPECT_EQ(r.thinking, script.thinking);
        EXPECT_EQ(trimmed(r.answer), script.answer);
        EXPECT_EQ(r.done, events::DoneReason::Stop);
        // The MTP layer predicts the script too: its drafts are accepted.
        EXPECT_GT(r.stats.drafted, 20);
        EXPECT_GE(r.stats.accepted * 10, r.stats.drafted * 9)
            << r.stats.accepted << " of " << r.stats.drafted;
    }
}

TEST_F(DemoModelRun, AnswersWithoutThinkingWhenThinkingIsOff)
{
    const DemoScript script = demo_script();
    for (const std::uint64_t seed : {7ull, 8ull}) {
        SamplingParams p = SamplingParams::glm45_defaults();
        p.seed = seed;
        for (const SamplingParams &s : {p, SamplingParams::greedy_params()}) {
            const Reply r = ask(hello(), false, s);
            ASSERT_TRUE(r.error.empty()) << r.error;
            EXPECT_EQ(r.thinking, "");
            EXPECT_EQ(trimmed(r.answer), script.answer);
            EXPECT_EQ(r.done, events::DoneReason::Stop);
        }
    }
}

TEST_F(DemoModelRun, ASecondTurnGetsTheSameScript)
{
    const DemoScript script = demo_script();
    std::vector<Message> messages = hello();
    Message assistant;
    assistant.role = Role::Assistant;
    assistant.content = std::string(script.answer);
    assistant.reasoning = std::string(script.thinking);
    messages.push_back(assistant);
    Message again;
    again.role = Role::User;
    again.content = "Tell me more about the demo model.";
    messages.push_back(again);
    const Reply r = ask(messages, true, SamplingParams::glm45_defaults());
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.thinking, script.thinking);
    EXPECT_EQ(trimmed(r.answer), script.answer);
}

// The same file on the Vulkan backend (lavapipe in CI) through the same Engine: the script, greedy
// and sampled, and a second turn that reuses the cached prompt prefix on the device.
TEST(DemoModelVulkan, TheEngineRunsTheScriptOnVulkan)
{
#ifndef GLMDESK_DEMO_MODEL
    GTEST_SKIP() << "this build writes no demo model (target glmdesk_demo_model)";
#else
    if (!std::filesystem::exists(GLMDESK_DEMO_MODEL))
        GTEST_SKIP() << GLMDESK_DEMO_MODEL << " is missing: build glmdesk_demo_model";
    if (auto ctx = VulkanContext::create(); !ctx)
        GTEST_SKIP() << "no Vulkan device: " << ctx.status().message();
    Collector rec;
    Engine engine{rec.sink()};
    LoadRequest load;
    load.path = GLMDESK_DEMO_MODEL;
    load.n_ctx = 1024;
    load.backend = "vulkan";
    std::string summary;
    for (const Event &e : rec.wait(engine.submit(load))) {
        if (auto *l = std::get_if<events::Loaded>(&e.payload))
            summary = l->summary;
        if (auto *x = std::get_if<events::Error>(&e.payload))
            FAIL() << x->message;
    }
    EXPECT_NE(summary.find("(Vulkan; routed experts of 2 of 2 MoE layers on it)"),
              std::string::npos)
        << summary;

    const DemoScript script = demo_script();
    Message user;
    user.role = Role::User;
    user.content = "Hello! Write a quicksort in Python, please.";
    std::vector<Message> messages = {user};
    auto ask = [&](const SamplingParams &sampling) {
        GenerateRequest g;
        g.conversation.messages = messages;
        g.options.enable_thinking = true;
        g.sampling = sampling;
        g.max_tokens = 400;
        return collect(rec.wait(engine.submit(g)));
    };
    SamplingParams sampled = SamplingParams::glm45_defaults();
    sampled.seed = 3;
    for (const SamplingParams &p : {SamplingParams::greedy_params(), sampled}) {
        const Reply r = ask(p);
        ASSERT_TRUE(r.error.empty()) << r.error;
        EXPECT_EQ(r.thinking, script.thinking);
        EXPECT_EQ(trimmed(r.answer), script.answer);
        EXPECT_EQ(r.done, events::DoneReason::Stop);
        EXPECT_EQ(r.stats.drafted, 0); // drafts are a CPU feature for now
    }
    Message assistant;
    assistant.role = Role::Assistant;
    assistant.content = std::string(script.answer);
    assistant.reasoning = std::string(script.thinking);
    Message again;
    again.role = Role::User;
    again.content = "Tell me more about the demo model.";
    messages.push_back(assistant);
    messages.push_back(again);
    const Reply second = ask(SamplingParams::greedy_params());
    ASSERT_TRUE(second.error.empty()) << second.error;
    EXPECT_EQ(trimmed(second.answer), script.answer);
    EXPECT_LT(second.stats.prefilled_tokens, second.stats.prompt_tokens); // the prefix was reused
#endif
}

} // namespace
