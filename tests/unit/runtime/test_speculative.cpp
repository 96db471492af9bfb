// MTP speculative decoding produces exactly plain greedy's tokens (air-mini fixture, 128 tokens),
// for 1-3 drafts per step, across two turns that reuse the cache, and honours cancel.
#include "engine/io/model_info.h"
#include "engine/model/glm45_loader.h"
#include "engine/runtime/sampler.h"
#include "engine/runtime/speculative.h"
#include "tests/support/reference_tensors.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

using namespace glmdesk::engine;

namespace {

class Speculative : public ::testing::Test
{
protected:
    void SetUp() override
    {
        const auto fixtures = glmdesk::test::shared_fixtures_dir();
        if (!fixtures)
            GTEST_SKIP() << "../shared/fixtures is absent (set GLMDESK_FIXTURES to run the oracle)";
        auto files = ModelFiles::open(*fixtures / "air-mini/gguf/air-mini-bf16.gguf");
        ASSERT_TRUE(files) << files.status().to_string();
        m_files = std::make_unique<ModelFiles>(std::move(files).value());
        auto refs =
            glmdesk::test::load_reference_tensors(*fixtures / "air-mini/reference.safetensors");
        ASSERT_TRUE(refs);
        m_chat = refs->at("chat.ids").i32;
        m_random = refs->at("random.ids").i32;
        auto model = glm45_model(*m_files);
        ASSERT_TRUE(model) << model.status().to_string();
        m_dims = model->dims;
        m_weights = std::move(model->weights);
    }

    Glm45CpuModel model()
    {
        auto m = Glm45CpuModel::create(m_dims, m_weights, 512);
        EXPECT_TRUE(m) << m.status().to_string();
        return std::move(m).value();
    }

    // Plain greedy decoding of the chat prompt on a fresh model: the output every draft setting
    // must reproduce.
    GenerateResult plain_greedy(int n_tokens)
    {
        GenerateOptions opt;
        opt.max_tokens = n_tokens;
        opt.draft_tokens = 0;
        Glm45CpuModel m = model();
        auto r = generate(m, m_chat, opt);
        EXPECT_TRUE(r) << r.status().to_string();
        return r ? std::move(r).value() : GenerateResult{};
    }

    std::unique_ptr<ModelFiles> m_files;
    Glm45Dims m_dims;
    Glm45Weights m_weights;
    std::vector<std::int32_t> m_chat, m_random;
};

} // namespace

TEST_F(Speculative, GreedyOutputIsIdenticalToPlainGreedy)
{
    const GenerateResult plain = plain_greedy(128);
    ASSERT_EQ(plain.tokens.size(), 128u);
    GenerateOptions plain_opt;
    plain_opt.max_tokens = 128;
    EXPECT_EQ(plain.drafted, 0);

    for (int k : {1, 2, 3}) {
        GenerateOptions opt = plain_opt;
        opt.draft_tokens = k;
        Glm45CpuModel m = model();
        auto spec = generate(m, m_chat, opt);
        ASSERT_TRUE(spec) << spec.status().to_string();
        EXPECT_EQ(spec->tokens, plain.tokens) << k << " drafts";
        EXPECT_GT(spec->drafted, 0);
        EXPECT_LE(spec->main_forwards, plain.main_forwards);
        std::printf("drafts %d: %d forwards instead of %d, acceptance %.1f%% (random weights)\n", k,
                    spec->main_forwards, plain.main_forwards, 100 * spec->acceptance());
        // The MTP cache covers every position of the main cache (ready for the next turn).
        EXPECT_EQ(m.mtp_n_past(), m.n_past() - 1);
    }
}

TEST_F(Speculative, SecondTurnReusingTheCacheEqualsAColdRun)
{
    GenerateOptions opt;
    opt.max_tokens = 24;
    opt.draft_tokens = 2;
    Glm45CpuModel m = model();
    auto first = generate(m, m_chat, opt);
    ASSERT_TRUE(first) << first.status().to_string();

    // Turn two: everything so far plus a new "message"; the cache holds all but the last emitted
    // token. Reuse it by re-feeding the last cached token.
    std::vector<std::int32_t> history = m_chat;
    history.insert(history.end(), first->tokens.begin(), first->tokens.end());
    history.insert(history.end(), m_random.begin(), m_random.begin() + 10);
    const int cached = m.n_past();
    ASSERT_EQ(cached, static_cast<int>(m_chat.size() + first->tokens.size()) - 1);
    m.truncate_for_refeed(cached - 1);
    auto second = generate(m, std::span(history).subspan(std::size_t(cached - 1)), opt);
    ASSERT_TRUE(second) << second.status().to_string();
    EXPECT_GT(second->drafted, 0) << "the MTP cache should have stayed usable";

    Glm45CpuModel cold = model();
    opt.draft_tokens = 0;
    auto want = generate(cold, history, opt);
    ASSERT_TRUE(want);
    EXPECT_EQ(second->tokens, want->tokens);
}

TEST_F(Speculative, CancelStopsAndStopIdsEnd)
{
    std::atomic<bool> cancel{false};
    GenerateOptions opt;
    opt.max_tokens = 100;
    opt.draft_tokens = 1;
    opt.cancel = &cancel;
    int seen = 0;
    opt.on_token = [&](std::int32_t) {
        if (++seen == 5)
            cancel = true;
        return true;
    };
    Glm45CpuModel m = model();
    auto r = generate(m, m_chat, opt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), StatusCode::Cancelled);
    EXPECT_LT(seen, 10);

    // Stop at the first token plain greedy emits.
    const GenerateResult three = plain_greedy(3);
    Glm45CpuModel m3 = model();
    GenerateOptions stop;
    stop.draft_tokens = 1;
    stop.stop_ids = {three.tokens[1]};
    auto stopped = generate(m3, m_chat, stop);
    ASSERT_TRUE(stopped);
    EXPECT_TRUE(stopped->stopped_by_stop_id);
    EXPECT_EQ(stopped->tokens,
              std::vector<std::int32_t>(three.tokens.begin(), three.tokens.begin() + 2));
}

// Drafts with a sampler: reproducible for a seed, drafts accepted at a rate between 0 and 1, and
// at a temperature so low that every distribution is one token, the same tokens as plain greedy
// (the acceptance test drawn against the main model's own distribution).
TEST_F(Speculative, SamplingWithDraftsIsSeededAndCollapsesToGreedyWhenCold)
{
    SamplingParams params;
    params.temperature = 0.8f;
    params.top_p = 0.95f;
    params.seed = 1234;
    auto run = [&](const SamplingParams &p, int drafts) {
        Sampler sampler(p);
        GenerateOptions opt;
        opt.max_tokens = 48;
        opt.draft_tokens = drafts;
        opt.sampler = &sampler;
        Glm45CpuModel m = model();
        auto r = generate(m, m_chat, opt);
        EXPECT_TRUE(r) << r.status().to_string();
        return r ? std::move(r).value() : GenerateResult{};
    };
    const GenerateResult a = run(params, 2), b = run(params, 2);
    ASSERT_EQ(a.tokens.size(), 48u);
    EXPECT_EQ(a.tokens, b.tokens);
    EXPECT_GT(a.drafted, 0);
    EXPECT_GE(a.accepted, 0);
    EXPECT_LE(a.accepted, a.drafted);
    for (const std::int32_t t : a.tokens)
        EXPECT_TRUE(t >= 0 && t < m_dims.n_vocab);
    std::printf("sampled, 2 drafts: acceptance %.1f%% (random weights)\n", 100 * a.acceptance());

    SamplingParams cold = params;
    cold.temperature = 1e-4f;
    cold.top_p = 1.0f;
    EXPECT_EQ(run(cold, 2).tokens, plain_greedy(48).tokens);
}

// Drafts that are right most of the time (plain greedy's own tokens, every fifth one wrong): the
// accept path, the truncation after a partial accept and the MTP pairs of accepted drafts all run,
// and the output is still plain greedy's, token for token.
TEST_F(Speculative, AcceptedDraftsKeepTheOutputIdenticalToPlainGreedy)
{
    const GenerateResult plain = plain_greedy(64);
    const std::vector<std::int32_t> &want = plain.tokens;
    GenerateOptions plain_opt;
    plain_opt.max_tokens = 64;

    for (int k : {1, 3}) {
        GenerateOptions opt = plain_opt;
        opt.draft_tokens = k;
        int calls = 0;
        opt.draft_override = [&](std::span<const std::int32_t> seen) -> std::int32_t {
            const std::size_t i = seen.size() - m_chat.size();
            if (i >= want.size())
                return -1;
            return ++calls % 5 == 0 ? (want[i] + 1) % m_dims.n_vocab : want[i];
        };
        Glm45CpuModel m = model();
        auto spec = generate(m, m_chat, opt);
        ASSERT_TRUE(spec) << spec.status().to_string();
        EXPECT_EQ(spec->tokens, want) << k << " drafts";
        EXPECT_GT(spec->accepted, 0);
        EXPECT_LT(spec->accepted, spec->drafted);
        EXPECT_LT(spec->main_forwards, plain.main_forwards);
        EXPECT_EQ(m.mtp_n_past(), m.n_past() - 1);
        std::printf("%d drafts, scripted: %d forwards instead of %d, acceptance %.1f%%\n", k,
                    spec->main_forwards, plain.main_forwards, 100 * spec->acceptance());
    }
}
