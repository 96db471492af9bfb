#include "engine/runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

namespace glmdesk::engine {

Status SamplingParams::validate() const
{
    auto bad = [](const std::string &what) { return error(StatusCode::InvalidArgument, what); };
    if (!std::isfinite(temperature))
        return bad("temperature must be a number");
    if (top_k < 0)
        return bad("top_k must be 0 (off) or positive");
    if (!(top_p > 0.0f && top_p <= 1.0f))
        return bad("top_p must be in (0, 1]");
    if (!(min_p >= 0.0f && min_p < 1.0f))
        return bad("min_p must be in [0, 1)");
    if (!(repetition_penalty > 0.0f) || !std::isfinite(repetition_penalty))
        return bad("repetition_penalty must be positive");
    if (!std::isfinite(presence_penalty) || !std::isfinite(frequency_penalty))
        return bad("penalties must be numbers");
    if (penalty_last_n < 0)
        return bad("penalty_last_n must not be negative");
    return {};
}

std::int32_t argmax(std::span<const float> logits)
{
    std::int32_t best = -1;
    float best_value = -INFINITY;
    for (std::size_t i = 0; i < logits.size(); ++i)
        if (logits[i] > best_value) { // false for NaN, so NaN never wins
            best_value = logits[i];
            best = static_cast<std::int32_t>(i);
        }
    return best;
}

Sampler::Sampler(const SamplingParams &params) : m_params(params), m_rng(params.seed) {}

double TokenDistribution::prob(std::int32_t id) const
{
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == id)
            return probs[i];
    return 0.0;
}

double Sampler::uniform()
{
    return static_cast<double>(m_rng() >> 11) * 0x1.0p-53;
}

std::int32_t Sampler::draw(const TokenDistribution &dist)
{
    if (dist.ids.size() == 1)
        return dist.ids[0]; // greedy draws nothing, so a seed's later draws do not shift
    double total = 0.0;
    for (const double p : dist.probs)
        total += p;
    const double u = uniform() * total;
    double acc = 0.0;
    for (std::size_t i = 0; i < dist.ids.size(); ++i) {
        acc += dist.probs[i];
        if (u < acc)
            return dist.ids[i];
    }
    return dist.ids.back();
}

Expected<std::int32_t> Sampler::sample(std::span<const float> logits,
                                       std::span<const std::int32_t> history)
{
    auto dist = distribution(logits, history);
    if (!dist)
        return dist.status();
    return draw(*dist);
}

Expected<TokenDistribution> Sampler::distribution(std::span<const float> logits,
                                                  std::span<const std::int32_t> history)
{
    if (Status s = m_params.validate(); !s.ok())
        return s;
    if (logits.empty())
        return error(StatusCode::InvalidArgument, "no logits to sample from");
    const auto n_vocab = logits.size();
    m_work.assign(logits.begin(), logits.end());
    for (float &l : m_work)
        if (std::isnan(l))
            l = -INFINITY;

    // Penalties over the recent window.
    const bool penalize = m_params.repetition_penalty != 1.0f ||
                          m_params.presence_penalty != 0.0f || m_params.frequency_penalty != 0.0f;
    if (penalize && m_params.penalty_last_n > 0 && !history.empty()) {
        const std::size_t n =
            std::min(history.size(), static_cast<std::size_t>(m_params.penalty_last_n));
        std::unordered_map<std::int32_t, int> counts;
        for (const std::int32_t id : history.subspan(history.size() - n))
            if (id >= 0 && static_cast<std::size_t>(id) < n_vocab)
                ++counts[id];
        for (const auto &[id, count] : counts) {
            float &l = m_work[static_cast<std::size_t>(id)];
            l = l > 0.0f ? l / m_params.repetition_penalty : l * m_params.repetition_penalty;
            l -= m_params.presence_penalty + m_params.frequency_penalty * static_cast<float>(count);
        }
    }

    const std::int32_t best = argmax(m_work);
    if (best < 0)
        return error(StatusCode::InvalidArgument, "every logit is -inf or NaN");
    if (m_params.is_greedy())
        return TokenDistribution{{best}, {1.0}};

    // Candidates sorted by logit (ties: lower id first, so results do not depend on sort order).
    m_ids.resize(n_vocab);
    std::iota(m_ids.begin(), m_ids.end(), 0);
    auto by_logit = [&](std::int32_t a, std::int32_t b) {
        const float la = m_work[static_cast<std::size_t>(a)],
                    lb = m_work[static_cast<std::size_t>(b)];
        return la != lb ? la > lb : a < b;
    };
    std::size_t keep = n_vocab;
    if (m_params.top_k > 0 && static_cast<std::size_t>(m_params.top_k) < n_vocab) {
        keep = static_cast<std::size_t>(m_params.top_k);
        std::partial_sort(m_ids.begin(), m_ids.begin() + static_cast<std::ptrdiff_t>(keep),
                          m_ids.end(), by_logit);
    } else {
        std::sort(m_ids.begin(), m_ids.end(), by_logit);
    }
    while (keep > 1 && std::isinf(m_work[static_cast<std::size_t>(m_ids[keep - 1])]))
        --keep;

    // Softmax at the temperature over the kept candidates (max first for stability).
    const double max_logit = m_work[static_cast<std::size_t>(m_ids[0])];
    std::vector<double> probs(keep);
    double sum = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        probs[i] = std::exp((m_work[static_cast<std::size_t>(m_ids[i])] - max_logit) /
                            static_cast<double>(m_params.temperature));
        sum += probs[i];
    }
    for (double &p : probs)
        p /= sum;

    // top-p: the smallest prefix whose mass reaches top_p; min-p: relative to the best token.
    if (m_params.top_p < 1.0f) {
        double mass = 0.0;
        std::size_t i = 0;
        while (i < keep) {
            mass += probs[i++];
            if (mass >= m_params.top_p)
                break;
        }
        keep = std::max<std::size_t>(i, 1);
    }
    if (m_params.min_p > 0.0f) {
        const double floor = m_params.min_p * probs[0];
        std::size_t i = 1;
        while (i < keep && probs[i] >= floor)
            ++i;
        keep = i;
    }

    TokenDistribution dist;
    dist.ids.assign(m_ids.begin(), m_ids.begin() + static_cast<std::ptrdiff_t>(keep));
    dist.probs.assign(probs.begin(), probs.begin() + static_cast<std::ptrdiff_t>(keep));
    double total = 0.0;
    for (const double p : dist.probs)
        total += p;
    for (double &p : dist.probs)
        p /= total;
    return dist;
}

SpeculativeVerdict verify_draft(const TokenDistribution &p, const TokenDistribution &q,
                                std::int32_t draft, Sampler &sampler)
{
    const double p_draft = p.prob(draft), q_draft = q.prob(draft);
    if (p_draft > 0.0) {
        // q_draft > 0 when the draft was drawn from q; p >= q keeps it without spending a draw.
        if (p_draft >= q_draft || sampler.uniform() * q_draft < p_draft)
            return {true, draft};
    }
    // q by id, so the leftover costs O((|p| + |q|) log |q|) even when top-p keeps most of the
    // vocabulary (a flat distribution).
    std::vector<std::pair<std::int32_t, double>> q_by_id(q.ids.size());
    for (std::size_t i = 0; i < q.ids.size(); ++i)
        q_by_id[i] = {q.ids[i], q.probs[i]};
    std::sort(q_by_id.begin(), q_by_id.end());
    auto q_prob = [&](std::int32_t id) {
        auto it = std::lower_bound(q_by_id.begin(), q_by_id.end(), std::pair{id, -1.0});
        return it != q_by_id.end() && it->first == id ? it->second : 0.0;
    };
    TokenDistribution residual;
    for (std::size_t i = 0; i < p.ids.size(); ++i) {
        const double left = p.probs[i] - q_prob(p.ids[i]);
        if (left > 0.0) {
            residual.ids.push_back(p.ids[i]);
            residual.probs.push_back(left);
        }
    }
    // Nothing left over only when p == q up to rounding, where a rejection has probability ~0:
    // p itself is then the right distribution.
    return {false, sampler.draw(residual.ids.empty() ? p : residual)};
}

} // namespace glmdesk::engine
