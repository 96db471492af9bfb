// Token sampling: penalties, then temperature, top-k, top-p and min-p (the order Hugging Face
// applies its logits processors and warpers), then one draw from a seeded generator, so a seed
// reproduces a conversation exactly.
#pragma once

#include "engine/common/status.h"

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace glmdesk::engine {

struct SamplingParams
{
    float temperature = 0.6f;        // <= 0: greedy
    int top_k = 0;                   // 0: off
    float top_p = 0.95f;             // 1: off
    float min_p = 0.0f;              // 0: off; keeps tokens with p >= min_p * p_max
    float repetition_penalty = 1.0f; // 1: off; divides positive logits, multiplies negative ones
    float presence_penalty = 0.0f;   // subtracted once from every token seen in the window
    float frequency_penalty = 0.0f;  // subtracted per occurrence in the window
    int penalty_last_n = 64;         // the window: the last n tokens of the history
    std::uint64_t seed = 0x9E3779B97F4A7C15ull;

    // GLM-4.5's published defaults (GLM45_SPEC.md section 8).
    static SamplingParams glm45_defaults() { return {}; }
    static SamplingParams greedy_params()
    {
        SamplingParams p;
        p.temperature = 0.0f;
        p.top_p = 1.0f;
        return p;
    }
    bool is_greedy() const { return temperature <= 0.0f || top_k == 1; }
    Status validate() const;
};

// The distribution a Sampler draws from: the tokens left after the cut-offs, most probable first
// (ties: lower id first), with probabilities that sum to 1. Greedy is one token with probability 1.
struct TokenDistribution
{
    std::vector<std::int32_t> ids;
    std::vector<double> probs;

    double prob(std::int32_t id) const; // 0 for a token that was cut off
};

class Sampler
{
public:
    explicit Sampler(const SamplingParams &params);

    // Picks the next token from `logits` [V]. `history` is every token so far (prompt and
    // generated); only its last penalty_last_n tokens count for penalties. NaN logits count as
    // -inf; a row with no finite logit is an error, not a crash.
    Expected<std::int32_t> sample(std::span<const float> logits,
                                  std::span<const std::int32_t> history = {});

    // sample() in two halves, for speculative sampling, which needs the probabilities themselves.
    Expected<TokenDistribution> distribution(std::span<const float> logits,
                                             std::span<const std::int32_t> history = {});
    std::int32_t draw(const TokenDistribution &dist);
    double uniform(); // [0, 1), 53 random bits: the same on every platform for a seed

    void reseed(std::uint64_t seed) { m_rng.seed(seed); }
    const SamplingParams &params() const { return m_params; }

private:
    SamplingParams m_params;
    std::mt19937_64 m_rng;
    std::vector<float> m_work;
    std::vector<std::int32_t> m_ids;
};

// One verification step of speculative sampling (Leviathan et al. 2023; Chen et al. 2023). A draft
// token drawn from the draft model's distribution q is kept with probability min(1, p/q) under the
// main model's p; otherwise the token is drawn from the leftover mass max(0, p - q), renormalised.
// Either way the emitted token is distributed exactly as p, whatever q is. With greedy (one-hot)
// distributions this is "keep the draft iff it is the main model's argmax", and draws nothing.
struct SpeculativeVerdict
{
    bool accepted = false;
    std::int32_t token = -1; // the draft when accepted, else the replacement
};
SpeculativeVerdict verify_draft(const TokenDistribution &p, const TokenDistribution &q,
                                std::int32_t draft, Sampler &sampler);

// The index of the largest logit (lowest index on ties); -1 when none is finite.
std::int32_t argmax(std::span<const float> logits);

} // namespace glmdesk::engine
