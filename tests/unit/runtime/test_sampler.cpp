#include "engine/runtime/sampler.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

using namespace glmdesk::engine;

namespace {

std::vector<double> softmax(const std::vector<float> &logits, double temperature)
{
    double max = -INFINITY, sum = 0.0;
    for (float l : logits)
        max = std::max(max, double(l));
    std::vector<double> p;
    for (float l : logits) {
        p.push_back(std::exp((l - max) / temperature));
        sum += p.back();
    }
    for (double &x : p)
        x /= sum;
    return p;
}

std::map<int, int> histogram(Sampler &s, const std::vector<float> &logits, int draws)
{
    std::map<int, int> h;
    for (int i = 0; i < draws; ++i)
        ++h[s.sample(logits).value()];
    return h;
}

} // namespace

TEST(Sampler, GreedyPicksTheArgmax)
{
    const auto logits = glmdesk::test::random_floats(1600, 5, -8.0f, 8.0f);
    Sampler s(SamplingParams::greedy_params());
    const auto expected =
        static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(s.sample(logits).value(), expected);
}

TEST(Sampler, FrequenciesFollowTheSoftmaxAtTheTemperature)
{
    const std::vector<float> logits = {1.0f, 0.2f, -0.5f, 2.0f, 0.0f};
    SamplingParams p;
    p.temperature = 0.8f;
    p.top_p = 1.0f;
    Sampler s(p);
    const int draws = 40000;
    const auto h = histogram(s, logits, draws);
    const auto want = softmax(logits, 0.8);
    for (int i = 0; i < 5; ++i) {
        const double got = double(h.count(i) ? h.at(i) : 0) / draws;
        // 5 standard deviations of a binomial proportion.
        const double sd = std::sqrt(want[i] * (1 - want[i]) / draws);
        EXPECT_NEAR(got, want[i], 5 * sd + 1e-4) << "token " << i;
    }
}

TEST(Sampler, TopKAndTopPAndMinPCutTheTail)
{
    const std::vector<float> logits = {3.0f, 2.9f, 0.0f, -1.0f, 2.8f, -3.0f};
    SamplingParams k;
    k.temperature = 1.0f;
    k.top_p = 1.0f;
    k.top_k = 2;
    Sampler sk(k);
    for (const auto &[id, n] : histogram(sk, logits, 2000))
        EXPECT_TRUE(id == 0 || id == 1) << id;

    SamplingParams tp = k;
    tp.top_k = 0;
    tp.top_p = 0.5f; // token 0 alone has ~0.34 of the mass, 0 and 1 together ~0.65
    Sampler sp(tp);
    for (const auto &[id, n] : histogram(sp, logits, 2000))
        EXPECT_TRUE(id == 0 || id == 1) << id;

    SamplingParams mp = k;
    mp.top_k = 0;
    mp.min_p = 0.5f; // keeps p >= 0.5 * p(token 0): tokens 0, 1, 4
    Sampler sm(mp);
    const auto h = histogram(sm, logits, 4000);
    for (const auto &[id, n] : h)
        EXPECT_TRUE(id == 0 || id == 1 || id == 4) << id;
    EXPECT_EQ(h.size(), 3u);
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDifferentTokens)
{
    const auto logits = glmdesk::test::random_floats(500, 9, -2.0f, 2.0f);
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_p = 1.0f;
    p.seed = 42;
    Sampler a(p), b(p);
    p.seed = 43;
    Sampler c(p);
    std::vector<int> ta, tb, tc;
    for (int i = 0; i < 50; ++i) {
        ta.push_back(a.sample(logits).value());
        tb.push_back(b.sample(logits).value());
        tc.push_back(c.sample(logits).value());
    }
    EXPECT_EQ(ta, tb);
    EXPECT_NE(ta, tc);
}

TEST(Sampler, PenaltiesDemoteRepeatedTokens)
{
    const std::vector<float> logits = {2.0f, 1.9f, -5.0f};
    const std::vector<std::int32_t> history = {0, 0, 0};
    SamplingParams p = SamplingParams::greedy_params();
    p.repetition_penalty = 1.2f; // 2.0 / 1.2 = 1.67 < 1.9
    EXPECT_EQ(Sampler(p).sample(logits, history).value(), 1);
    p.repetition_penalty = 1.0f;
    p.frequency_penalty = 0.05f; // 2.0 - 0.15 = 1.85 < 1.9
    EXPECT_EQ(Sampler(p).sample(logits, history).value(), 1);
    p.frequency_penalty = 0.0f;
    p.presence_penalty = 0.05f; // 2.0 - 0.05 = 1.95 > 1.9: counted once only
    EXPECT_EQ(Sampler(p).sample(logits, history).value(), 0);
    p.penalty_last_n = 0; // window off
    p.presence_penalty = 10.0f;
    EXPECT_EQ(Sampler(p).sample(logits, history).value(), 0);
}

TEST(Sampler, HostileLogitsAndParametersGiveErrors)
{
    Sampler s(SamplingParams::glm45_defaults());
    EXPECT_FALSE(s.sample({}));
    const std::vector<float> all_bad = {NAN, -INFINITY, NAN};
    EXPECT_FALSE(s.sample(all_bad));
    const std::vector<float> one_good = {NAN, -1.0f, -INFINITY};
    EXPECT_EQ(s.sample(one_good).value(), 1);
    SamplingParams bad;
    bad.top_p = 0.0f;
    EXPECT_EQ(Sampler(bad).sample(one_good).status().code(), StatusCode::InvalidArgument);
    bad = SamplingParams{};
    bad.temperature = NAN;
    EXPECT_FALSE(Sampler(bad).sample(one_good));
    // History ids outside the vocabulary are ignored, not used as indices.
    SamplingParams p = SamplingParams::greedy_params();
    p.repetition_penalty = 2.0f;
    const std::vector<std::int32_t> odd_history = {-7, 1000000};
    EXPECT_EQ(Sampler(p).sample(one_good, odd_history).value(), 1);
}

// Speculative sampling's one promise: whatever the draft distribution q, the emitted token is
// distributed as the main model's p. Distributions come from real sampler settings (top-k and
// top-p cut different tails), so q proposes tokens p has cut and p keeps tokens q never proposes.
TEST(Sampler, VerifyDraftEmitsTokensDistributedAsTheMainModel)
{
    const auto main_logits = glmdesk::test::random_floats(40, 11, -3.0f, 3.0f);
    const auto draft_logits = glmdesk::test::random_floats(40, 12, -3.0f, 3.0f);
    SamplingParams main_params;
    main_params.temperature = 0.9f;
    main_params.top_p = 0.9f;
    SamplingParams draft_params = main_params;
    draft_params.top_k = 12;
    Sampler main_sampler(main_params), draft_sampler(draft_params);
    const TokenDistribution p = main_sampler.distribution(main_logits).value();
    const TokenDistribution q = draft_sampler.distribution(draft_logits).value();
    ASSERT_GT(p.ids.size(), 12u) << "the test wants p to keep tokens q cannot propose";

    const int trials = 200000;
    std::map<int, int> emitted;
    int accepted = 0;
    for (int i = 0; i < trials; ++i) {
        const std::int32_t draft = draft_sampler.draw(q);
        const SpeculativeVerdict v = verify_draft(p, q, draft, main_sampler);
        accepted += v.accepted;
        if (v.accepted) {
            EXPECT_EQ(v.token, draft);
        }
        ++emitted[v.token];
    }
    double chi2 = 0.0;
    for (std::size_t i = 0; i < p.ids.size(); ++i) {
        const double expected = p.probs[i] * trials;
        const double got = emitted.count(p.ids[i]) ? emitted.at(p.ids[i]) : 0;
        chi2 += (got - expected) * (got - expected) / expected;
        emitted.erase(p.ids[i]);
    }
    EXPECT_TRUE(emitted.empty()) << "a token p gives no probability was emitted";
    // Degrees of freedom = |p| - 1 (< 40): the 99.99th percentile of chi2(40) is about 80.
    EXPECT_LT(chi2, 80.0) << p.ids.size() << " tokens";
    // The acceptance rate is the overlap sum(min(p, q)).
    double overlap = 0.0;
    for (std::size_t i = 0; i < p.ids.size(); ++i)
        overlap += std::min(p.probs[i], q.prob(p.ids[i]));
    EXPECT_NEAR(double(accepted) / trials, overlap, 0.01);
    EXPECT_GT(overlap, 0.05);
    EXPECT_LT(overlap, 0.95) << "p and q too alike to test anything";
}

TEST(Sampler, GreedyVerificationKeepsTheDraftOnlyWhenItIsTheArgmax)
{
    Sampler s(SamplingParams::greedy_params());
    const auto logits = glmdesk::test::random_floats(64, 13, -4.0f, 4.0f);
    const TokenDistribution p = s.distribution(logits).value();
    ASSERT_EQ(p.ids.size(), 1u);
    const std::int32_t best = p.ids[0], other = (best + 1) % 64;
    const TokenDistribution q_right{{best}, {1.0}}, q_wrong{{other}, {1.0}};
    EXPECT_TRUE(verify_draft(p, q_right, best, s).accepted);
    const SpeculativeVerdict v = verify_draft(p, q_wrong, other, s);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.token, best);
}
