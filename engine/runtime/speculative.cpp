#include "engine/runtime/speculative.h"

#include "engine/backend/vulkan/vulkan_model.h"
#include "engine/runtime/sampler.h"

#include <algorithm>

namespace glmdesk::engine {
namespace {

class Emitter
{
public:
    Emitter(const GenerateOptions &options, GenerateResult &result) : m_opt(options), m_res(result)
    {}

    // False once generation must end (limit, stop id, callback).
    bool emit(std::int32_t token)
    {
        m_res.tokens.push_back(token);
        if (std::find(m_opt.stop_ids.begin(), m_opt.stop_ids.end(), token) !=
            m_opt.stop_ids.end()) {
            m_res.stopped_by_stop_id = true;
            m_done = true;
        }
        if (m_opt.on_token && !m_opt.on_token(token))
            m_done = true;
        if (static_cast<int>(m_res.tokens.size()) >= m_opt.max_tokens)
            m_done = true;
        return !m_done;
    }

private:
    const GenerateOptions &m_opt;
    GenerateResult &m_res;
    bool m_done = false;
};

bool cancelled(const GenerateOptions &o)
{
    return o.cancel && o.cancel->load(std::memory_order_relaxed);
}

std::span<const float> row(const std::vector<float> &rows, int i, int width)
{
    return std::span<const float>(rows).subspan(static_cast<std::size_t>(i) * width,
                                                static_cast<std::size_t>(width));
}

// Plain decoding after the prompt: one forward per token. `next` is the token the prompt's logits
// chose; `seen` holds everything before it.
template <typename Model>
Expected<GenerateResult> decode_plain(Model &model, std::int32_t next, Sampler &sampler,
                                      std::vector<std::int32_t> &seen, const GenerateOptions &opt,
                                      Emitter &out, GenerateResult &res)
{
    while (out.emit(next)) {
        if (cancelled(opt))
            return error(StatusCode::Cancelled, "cancelled");
        seen.push_back(next);
        auto logits = model.forward(std::span(&next, 1), false, nullptr, opt.cancel);
        if (!logits)
            return logits.status();
        ++res.main_forwards;
        auto dist = sampler.distribution(*logits, seen);
        if (!dist)
            return dist.status();
        next = sampler.draw(*dist);
    }
    return res;
}

} // namespace

Expected<GenerateResult> generate(Glm45VulkanModel &model, std::span<const std::int32_t> prompt,
                                  const GenerateOptions &opt)
{
    if (prompt.empty())
        return error(StatusCode::InvalidArgument, "empty prompt");
    if (opt.draft_tokens != 0)
        return error(StatusCode::Unsupported,
                     "MTP drafts run on the CPU backend only: set draft_tokens to 0");
    GenerateResult res;
    if (opt.max_tokens <= 0)
        return res;
    Emitter out(opt, res);
    Sampler greedy(SamplingParams::greedy_params());
    Sampler &sampler = opt.sampler ? *opt.sampler : greedy;
    std::vector<std::int32_t> seen(opt.history.begin(), opt.history.end());
    seen.insert(seen.end(), prompt.begin(), prompt.end());
    auto logits = model.forward(prompt, false, nullptr, opt.cancel);
    if (!logits)
        return logits.status();
    auto first = sampler.distribution(*logits, seen);
    if (!first)
        return first.status();
    return decode_plain(model, sampler.draw(*first), sampler, seen, opt, out, res);
}

Expected<GenerateResult> generate(Glm45CpuModel &model, std::span<const std::int32_t> prompt,
                                  const GenerateOptions &opt)
{
    if (prompt.empty())
        return error(StatusCode::InvalidArgument, "empty prompt");
    if (opt.draft_tokens < 0 || opt.draft_tokens > 8)
        return error(StatusCode::InvalidArgument, "draft_tokens must be between 0 and 8");
    if (opt.draft_tokens > 0 && !model.has_mtp())
        return error(StatusCode::Unsupported,
                     "speculative decoding needs the model's MTP layer, which this file lacks");
    // The MTP pair for the prompt's first token (hidden before it, the token) must already be in
    // the MTP cache: true for an empty cache, and for a cache truncated with the prompt's first
    // token re-fed (see truncate_mtp). Otherwise drafting would read a gap.
    const bool speculate = opt.draft_tokens > 0 && model.mtp_n_past() == model.n_past();
    const int H = model.dims().n_embd, V = model.dims().n_vocab;
    GenerateResult res;
    if (opt.max_tokens <= 0)
        return res;
    Emitter out(opt, res);

    // Without a sampler: plain argmax. A greedy sampler still applies its penalties.
    Sampler greedy(SamplingParams::greedy_params());
    Sampler &sampler = opt.sampler ? *opt.sampler : greedy;
    // Penalties look at everything the model has seen: history, prompt, output so far.
    std::vector<std::int32_t> seen(opt.history.begin(), opt.history.end());
    seen.insert(seen.end(), prompt.begin(), prompt.end());

    // With drafts, the prompt's own MTP pairs run inside the prefill, batch by batch: keeping
    // the prompt's [n, H] hidden rows for later would cost 16 KB per token at Air's width.
    auto logits = model.prefill(prompt, speculate, opt.cancel);
    if (!logits)
        return logits.status();
    auto first = sampler.distribution(*logits, seen);
    if (!first)
        return first.status();
    std::int32_t next = sampler.draw(*first);

    if (!speculate)
        return decode_plain(model, next, sampler, seen, opt, out, res);

    // The MTP layer needs a (hidden at p-1, token at p) pair for every position p the main model
    // has accepted; pairs not yet run wait in `pending_*` and ride along with the next draft call.
    std::vector<float> pending_hidden;
    std::vector<std::int32_t> pending_tokens;
    std::vector<float> h_prev = model.last_hidden(); // the prompt's last row: [H]
    // On the way out the pending pairs are run, so the MTP cache covers every position the main
    // cache holds and the next turn can draft at once.
    auto finish = [&]() -> Expected<GenerateResult> {
        if (!pending_tokens.empty())
            if (auto flushed = model.mtp_forward(pending_hidden, pending_tokens, false); !flushed)
                return flushed.status();
        return res;
    };

    std::vector<std::int32_t> drafts;
    std::vector<TokenDistribution> draft_dists;
    while (out.emit(next)) {
        if (cancelled(opt))
            return error(StatusCode::Cancelled, "cancelled");
        seen.push_back(next);
        const int n_main = model.n_past(); // `next` goes to this position
        if (n_main + 1 >= model.n_ctx())
            return error(StatusCode::InvalidArgument, "the context is full");
        // Draft: the pending pairs plus (h_prev, next), then deeper drafts chained on the MTP
        // layer's own normalised output. Only the first call's pairs are real; the chained steps
        // are rolled back after verification. Each draft is drawn from the MTP layer's
        // distribution under the same sampler settings, and that distribution is kept for
        // verification.
        pending_hidden.insert(pending_hidden.end(), h_prev.begin(), h_prev.end());
        pending_tokens.push_back(next);
        auto draft_logits = model.mtp_forward(pending_hidden, pending_tokens, false);
        if (!draft_logits)
            return draft_logits.status();
        pending_hidden.clear();
        pending_tokens.clear();
        const int mtp_confirmed = model.mtp_n_past();
        const int max_drafts = std::min(opt.draft_tokens, model.n_ctx() - n_main - 1);
        drafts.clear();
        draft_dists.clear();
        const std::size_t seen_before_drafts = seen.size();
        for (;;) {
            auto q = sampler.distribution(*draft_logits, seen);
            if (!q)
                return q.status();
            drafts.push_back(sampler.draw(*q));
            draft_dists.push_back(std::move(q).value());
            if (opt.draft_override)
                if (const std::int32_t forced = opt.draft_override(seen);
                    forced >= 0 && forced < V) {
                    drafts.back() = forced;
                    draft_dists.back() = TokenDistribution{{forced}, {1.0}};
                }
            seen.push_back(drafts.back());
            if (static_cast<int>(drafts.size()) >= max_drafts)
                break;
            const std::span<const float> mtp_hidden = model.last_mtp_hidden();
            const std::vector<float> chained(mtp_hidden.begin(), mtp_hidden.end());
            draft_logits = model.mtp_forward(chained, std::span(&drafts.back(), 1), false);
            if (!draft_logits)
                return draft_logits.status();
        }
        seen.resize(seen_before_drafts);
        model.truncate_mtp(mtp_confirmed);

        // Verify with one forward over [next, drafts...]: row i predicts the token after input i.
        std::vector<std::int32_t> batch{next};
        batch.insert(batch.end(), drafts.begin(), drafts.end());
        auto verify = model.forward(batch, true, nullptr, opt.cancel);
        if (!verify)
            return verify.status();
        ++res.main_forwards;
        const std::vector<float> &verified_hidden = model.last_hidden();
        res.drafted += static_cast<int>(drafts.size());
        int accepted = 0;
        std::int32_t choice = -1;
        for (; accepted <= static_cast<int>(drafts.size()); ++accepted) {
            auto p = sampler.distribution(row(*verify, accepted, V), seen);
            if (!p)
                return p.status();
            if (accepted == static_cast<int>(drafts.size())) {
                choice = sampler.draw(*p); // every draft kept: the row after them is free
                break;
            }
            const auto a = static_cast<std::size_t>(accepted);
            const SpeculativeVerdict verdict = verify_draft(*p, draft_dists[a], drafts[a], sampler);
            if (!verdict.accepted) {
                choice = verdict.token;
                break;
            }
            seen.push_back(drafts[a]);
        }
        seen.resize(seen_before_drafts);
        res.accepted += accepted;
        // Keep `next` and the accepted drafts; each accepted draft's MTP pair is still to run.
        model.truncate(n_main + 1 + accepted);
        model.truncate_mtp(mtp_confirmed);
        for (int i = 0; i < accepted; ++i) {
            const auto h = row(verified_hidden, i, H);
            pending_hidden.insert(pending_hidden.end(), h.begin(), h.end());
            pending_tokens.push_back(drafts[static_cast<std::size_t>(i)]);
        }
        const auto h_last = row(verified_hidden, accepted, H);
        h_prev.assign(h_last.begin(), h_last.end());
        for (int i = 0; i < accepted; ++i) {
            const std::int32_t token = drafts[static_cast<std::size_t>(i)];
            if (!out.emit(token))
                return finish();
            seen.push_back(token);
        }
        next = choice;
    }
    return finish();
}

} // namespace glmdesk::engine
