#include "engine/model/demo_model.h"

#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>

namespace glmdesk::engine {

namespace {

// Element `offset` of row `index` in rows of `stride` floats, computed in size_t.
std::size_t flat(int index, int stride, int offset)
{
    return static_cast<std::size_t>(index) * static_cast<std::size_t>(stride) +
           static_cast<std::size_t>(offset);
}

// The script. A token pair must never be followed by two different tokens (build_demo_model
// checks it), which is why the texts avoid repeating phrases; the last is also why they stay
// under 128 distinct tokens: the residual stream has 128 dims for each of its two slots.
constexpr std::string_view k_thinking =
    "Someone is trying the built-in example. I should say plainly what it is and explain how to "
    "load a real model.";
constexpr std::string_view k_answer =
    "Hello! I am the demo that ships with this app: a tiny network whose weights are scripted, "
    "so this is the only answer I know.\n\nFor actual conversations, download GLM-4.5-Air as GGUF "
    "(or a Hugging Face folder) and choose File > Open Model. Everything runs locally on your "
    "computer.";

constexpr int k_classes = 128;         // class 0: every token outside the script
constexpr float k_embed = 16.0f;       // a one-hot of this size has RMS 1 over 256 dims
constexpr float k_margin = 24.0f;      // L: the next token's lead in logits
constexpr float k_noise = 1.0f / 256;  // the scale left on the random branches
constexpr double k_prev_nats = 48.0;   // the previous-token head's lead in attention score
constexpr int k_prev_heads[] = {0, 4}; // one query head per KV head (group size 4)

std::size_t tensor_index(const SyntheticModel &model, WeightKind kind, int layer)
{
    const auto &t = model.tensors();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].kind == kind && t[i].layer == layer)
            return i;
    return t.size();
}

// A tensor as rows of floats, read and written through its block format (q8_0 or f32 here).
class Rows
{
public:
    Rows(SyntheticModel &model, std::size_t index)
        : m_format(model.tensors()[index].format), m_data(model.mutable_data(index))
    {
        const auto &dims = model.tensors()[index].dims;
        m_row_len = static_cast<std::size_t>(dims[0]);
        m_n_rows = 1;
        for (std::size_t d = 1; d < dims.size(); ++d)
            m_n_rows *= static_cast<std::size_t>(dims[d]);
        m_row_bytes = m_data.size() / m_n_rows;
    }

    std::size_t row_len() const { return m_row_len; }
    std::size_t n_rows() const { return m_n_rows; }

    Status read(std::size_t row, std::vector<float> &out) const
    {
        out.resize(m_row_len);
        return dequantize_row(m_format, m_data.data() + row * m_row_bytes, m_row_len, out.data());
    }

    Status write(std::size_t row, const std::vector<float> &v)
    {
        std::uint8_t *dst = m_data.data() + row * m_row_bytes;
        if (m_format == BlockFormat::F32) {
            std::memcpy(dst, v.data(), m_row_len * sizeof(float));
            return {};
        }
        if (m_format != BlockFormat::Q8_0)
            return error(StatusCode::Internal, "the demo model writes f32 and q8_0 only");
        for (std::size_t b = 0; b < m_row_len / k_qk_small; ++b) {
            BlockQ8_0 block{};
            const float *x = v.data() + b * k_qk_small;
            float amax = 0.0f;
            for (int i = 0; i < k_qk_small; ++i)
                amax = std::max(amax, std::fabs(x[i]));
            const float d = amax / 127.0f;
            block.d = float_to_fp16(d);
            const float dq = fp16_to_float(block.d);
            for (int i = 0; i < k_qk_small; ++i)
                block.qs[i] = static_cast<std::int8_t>(
                    dq > 0.0f ? std::clamp(std::lround(x[i] / dq), -127L, 127L) : 0L);
            std::memcpy(dst + b * sizeof(BlockQ8_0), &block, sizeof block);
        }
        return {};
    }

    Status fill(float value)
    {
        const std::vector<float> v(m_row_len, value);
        for (std::size_t r = 0; r < m_n_rows; ++r)
            if (Status s = write(r, v); !s.ok())
                return s;
        return {};
    }

    // Scales every weight (q8_0: the block scales), keeping the random pattern.
    Status scale(float factor)
    {
        if (m_format != BlockFormat::Q8_0)
            return error(StatusCode::Internal, "the demo model scales q8_0 weights only");
        for (std::size_t off = 0; off + sizeof(BlockQ8_0) <= m_data.size();
             off += sizeof(BlockQ8_0)) {
            Fp16Bits d = 0;
            std::memcpy(&d, m_data.data() + off, sizeof d);
            d = float_to_fp16(fp16_to_float(d) * factor);
            std::memcpy(m_data.data() + off, &d, sizeof d);
        }
        return {};
    }

private:
    BlockFormat m_format;
    std::span<std::uint8_t> m_data;
    std::size_t m_row_len = 0, m_n_rows = 0, m_row_bytes = 0;
};

std::string show(const Tokenizer &tok, TokenId id)
{
    std::string s(tok.token_bytes(id));
    std::string out = "'";
    for (const char c : s)
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out + "' (" + std::to_string(id) + ")";
}

} // namespace

DemoScript demo_script()
{
    return {k_thinking, k_answer};
}

Expected<std::vector<TokenId>> demo_token_chain(const Tokenizer &tok)
{
    std::vector<TokenId> chain;
    auto special = [&](std::string_view text) -> Status {
        const auto id = tok.special_id(text);
        if (!id)
            return error(StatusCode::NotFound,
                         "the vocabulary has no " + std::string(text) + " token");
        chain.push_back(*id);
        return {};
    };
    auto text = [&](std::string_view t) {
        return tok.encode_append(t, SpecialTokens::AsText, chain);
    };
    for (Status s : {special("<|assistant|>"), text("\n"), special("<think>"), text(k_thinking),
                     special("</think>"), text("\n"), text(k_answer), special("<|user|>")})
        if (!s.ok())
            return s;
    return chain;
}

Expected<SyntheticModel> build_demo_model(const Tokenizer &tok)
{
    auto chain_or = demo_token_chain(tok);
    if (!chain_or)
        return chain_or.status();
    const std::vector<TokenId> &chain = *chain_or;

    // Classes in order of first appearance.
    std::map<TokenId, int> cls;
    for (const TokenId t : chain)
        if (!cls.contains(t)) {
            const int c = static_cast<int>(cls.size()) + 1;
            if (c >= k_classes)
                return error(StatusCode::InvalidArgument, "the demo script has more than " +
                                                              std::to_string(k_classes - 1) +
                                                              " distinct tokens");
            cls[t] = c;
        }
    // follows[c]: tokens right after class c; skips[p]: tokens two after class p.
    std::vector<std::set<TokenId>> follows(k_classes), skips(k_classes);
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        follows[static_cast<std::size_t>(cls[chain[i]])].insert(chain[i + 1]);
        if (i >= 1)
            skips[static_cast<std::size_t>(cls[chain[i - 1]])].insert(chain[i + 1]);
    }
    const auto think_id = tok.special_id("<think>");
    const auto end_think_id = tok.special_id("</think>");
    if (!think_id || !end_think_id)
        return error(StatusCode::NotFound, "the vocabulary has no <think> and </think> tokens");
    const TokenId think = *think_id;
    const TokenId end_think = *end_think_id;
    follows[0].insert(think); // after a token outside the script: open the think block

    // Every context the script meets must lead to its next token by at least L: each position
    // (previous, this) of the chain, and "<think></think>" (thinking off) continuing like the
    // chain's "</think>". The first token follows arbitrary user text: it must be the only
    // successor of <|assistant|>, then no previous token can outvote it.
    auto score = [&](int p, int c, TokenId j) {
        return 2.0f * k_margin * static_cast<float>(follows[static_cast<std::size_t>(c)].count(j)) +
               k_margin * static_cast<float>(skips[static_cast<std::size_t>(p)].count(j));
    };
    auto check = [&](int p, int c, TokenId next, std::string_view where) -> Status {
        std::set<TokenId> rivals = follows[static_cast<std::size_t>(c)];
        rivals.insert(skips[static_cast<std::size_t>(p)].begin(),
                      skips[static_cast<std::size_t>(p)].end());
        for (const TokenId j : rivals)
            if (j != next && score(p, c, next) - score(p, c, j) < k_margin)
                return error(StatusCode::InvalidArgument,
                             "the demo script is ambiguous " + std::string(where) + ": " +
                                 show(tok, j) + " competes with " + show(tok, next));
        return {};
    };
    if (follows[static_cast<std::size_t>(cls[chain[0]])].size() != 1)
        return error(StatusCode::InvalidArgument, "the demo script repeats <|assistant|>");
    for (std::size_t i = 1; i + 1 < chain.size(); ++i)
        if (Status s = check(cls[chain[i - 1]], cls[chain[i]], chain[i + 1],
                             "after " + show(tok, chain[i - 1]) + " " + show(tok, chain[i]));
            !s.ok())
            return s;
    const auto after_end_think = std::find(chain.begin(), chain.end(), end_think);
    if (after_end_think == chain.end() || after_end_think + 1 == chain.end())
        return error(StatusCode::InvalidArgument, "the demo script has no answer");
    if (Status s = check(cls[think], cls[end_think], *(after_end_think + 1), "with thinking off");
        !s.ok())
        return s;

    SyntheticOptions options;
    options.preset = "air-mini";
    options.format = "q8_0";
    options.mtp = true;
    options.seed = 1;
    options.name = "GLM Desk demo model (air-mini dims, scripted weights)";
    auto built = SyntheticModel::build(options);
    if (!built)
        return built.status();
    SyntheticModel model = std::move(built).value();
    const Glm45Config &c = model.config();
    const Glm45Dims &d = model.dims();
    const int H = static_cast<int>(c.n_embd);
    const int hd = static_cast<int>(c.head_dim);
    const int n_vocab = static_cast<int>(c.n_vocab);
    if (H != 2 * k_classes || static_cast<int>(tok.size()) > n_vocab || c.n_head != 8 ||
        c.n_head_kv != 2 || c.head_dim_v * c.n_head_kv != static_cast<std::uint32_t>(k_classes))
        return error(StatusCode::InvalidArgument, "the demo model is built for air-mini's dims and "
                                                  "a vocabulary of at most its 1600 tokens");
    const int mtp_layer = static_cast<int>(c.n_layer);

    auto rows = [&](WeightKind kind, int layer) -> Expected<Rows> {
        const std::size_t i = tensor_index(model, kind, layer);
        if (i >= model.tensors().size())
            return error(StatusCode::Internal,
                         "the demo model has no tensor " + gguf_weight_name(kind, layer));
        return Rows(model, i);
    };
#define GLMDESK_DEMO_TRY(expr)                                                                     \
    if (Status s_ = (expr); !s_.ok())                                                              \
        return s_;

    std::vector<float> row;
    // Embeddings: the class one-hot in the "this token" slot.
    {
        auto t = rows(WeightKind::TokenEmbd, -1);
        if (!t)
            return t.status();
        for (int v = 0; v < n_vocab; ++v) {
            row.assign(static_cast<std::size_t>(H), 0.0f);
            const auto it = cls.find(v);
            row[static_cast<std::size_t>(it == cls.end() ? 0 : it->second)] = k_embed;
            GLMDESK_DEMO_TRY(t->write(static_cast<std::size_t>(v), row));
        }
    }
    // Unit norms where the construction reads the stream exactly.
    for (auto [kind, layer] :
         {std::pair{WeightKind::AttnNorm, 0}, std::pair{WeightKind::OutputNorm, -1},
          std::pair{WeightKind::NextnEnorm, mtp_layer},
          std::pair{WeightKind::NextnHnorm, mtp_layer},
          std::pair{WeightKind::NextnSharedHeadNorm, mtp_layer}}) {
        auto t = rows(kind, layer);
        if (!t)
            return t.status();
        GLMDESK_DEMO_TRY(t->fill(1.0f));
    }
    // The random branches, made quiet.
    for (int layer = 0; layer <= mtp_layer; ++layer)
        for (WeightKind kind : {WeightKind::AttnOutput, WeightKind::FfnDown, WeightKind::ExpDown,
                                WeightKind::ShexpDown}) {
            if (tensor_index(model, kind, layer) >= model.tensors().size())
                continue; // dense layers have no experts, MoE layers no dense FFN
            auto t = rows(kind, layer);
            if (!t)
                return t.status();
            GLMDESK_DEMO_TRY(t->scale(k_noise));
        }

    // Layer 0's previous-token heads. Pair i of the rotary dims (i, i + rd/2) turns by pos *
    // theta_i; a constant query a * e^{-i theta_i} against a constant key b scores
    // a * b * cos((distance - 1) * theta_i), highest at distance 1.
    const int half = d.rotary_dim / 2;
    std::vector<double> theta(static_cast<std::size_t>(half));
    double gap = 0.0; // sum of (1 - cos theta_i): the lead over distance 0 per unit of a*b
    for (int i = 0; i < half; ++i) {
        // As the forward pass computes it (float inv_freq).
        theta[static_cast<std::size_t>(i)] = static_cast<double>(
            1.0f /
            std::pow(c.rope_theta, static_cast<float>(2 * i) / static_cast<float>(d.rotary_dim)));
        gap += 1.0 - std::cos(theta[static_cast<std::size_t>(i)]);
    }
    const double score_scale = 1.0 / std::sqrt(static_cast<double>(hd));
    const double ab = k_prev_nats / (gap * score_scale);
    const double amp = std::sqrt(ab);
    for (int distance = 0; distance < static_cast<int>(c.context_length); ++distance) {
        if (distance == 1)
            continue;
        double lead = 0.0;
        for (const double t : theta)
            lead += 1.0 - std::cos((distance - 1) * t);
        if (lead * ab * score_scale < k_prev_nats * 0.9)
            return error(StatusCode::Internal, "the previous-token head is not sharp at distance " +
                                                   std::to_string(distance));
    }
    {
        auto wq = rows(WeightKind::AttnQ, 0);
        auto bq = rows(WeightKind::AttnQBias, 0);
        auto wk = rows(WeightKind::AttnK, 0);
        auto bk = rows(WeightKind::AttnKBias, 0);
        auto wv = rows(WeightKind::AttnV, 0);
        auto bv = rows(WeightKind::AttnVBias, 0);
        auto wo = rows(WeightKind::AttnOutput, 0);
        for (auto *t : {&wq, &bq, &wk, &bk, &wv, &bv, &wo})
            if (!*t)
                return t->status();
        const std::vector<float> zero(wq->row_len(), 0.0f);
        std::vector<float> q_bias, k_bias(bk->row_len(), 0.0f), v_bias(bv->row_len(), 0.0f);
        GLMDESK_DEMO_TRY(bq->read(0, q_bias));
        for (const int h : k_prev_heads) {
            for (int r = 0; r < hd; ++r) {
                GLMDESK_DEMO_TRY(wq->write(flat(h, hd, r), zero));
                q_bias[flat(h, hd, r)] = 0.0f;
            }
            for (int i = 0; i < half; ++i) {
                const double t = theta[static_cast<std::size_t>(i)];
                q_bias[flat(h, hd, i)] = static_cast<float>(amp * std::cos(t));
                q_bias[flat(h, hd, i + half)] = static_cast<float>(-amp * std::sin(t));
            }
        }
        for (std::size_t r = 0; r < wk->n_rows(); ++r)
            GLMDESK_DEMO_TRY(wk->write(r, zero));
        for (int kvh = 0; kvh < static_cast<int>(c.n_head_kv); ++kvh)
            for (int i = 0; i < half; ++i)
                k_bias[flat(kvh, hd, i)] = static_cast<float>(amp);
        GLMDESK_DEMO_TRY(bq->write(0, q_bias));
        GLMDESK_DEMO_TRY(bk->write(0, k_bias));
        GLMDESK_DEMO_TRY(bv->write(0, v_bias));
        // Values: the class one-hot (value dim r = class r; KV head r / 64).
        for (std::size_t r = 0; r < wv->n_rows(); ++r) {
            row.assign(wv->row_len(), 0.0f);
            row[r] = 1.0f / k_embed;
            GLMDESK_DEMO_TRY(wv->write(r, row));
        }
        // o_proj: head 0's output (classes 0-63) and head 4's (64-127) into the "previous
        // token" slot, dims 128-255; the other heads keep their quiet random columns.
        for (std::size_t r = 0; r < wo->n_rows(); ++r) {
            GLMDESK_DEMO_TRY(wo->read(r, row));
            for (const int h : k_prev_heads)
                std::fill_n(row.begin() + h * hd, hd, 0.0f);
            if (r >= static_cast<std::size_t>(k_classes)) {
                const int value_dim = static_cast<int>(r) - k_classes; // 0-127
                const int h = k_prev_heads[value_dim / hd];
                row[flat(h, hd, value_dim % hd)] = k_embed;
            }
            GLMDESK_DEMO_TRY(wo->write(r, row));
        }
    }

    // lm_head. The final norm sees 16 e_this + 16 e_prev (RMS sqrt 2) and hands on 16/sqrt(2)
    // times each one-hot.
    {
        auto out = rows(WeightKind::Output, -1);
        if (!out)
            return out.status();
        const float unit = 1.0f / (k_embed / std::sqrt(2.0f));
        std::vector<std::vector<float>> head(static_cast<std::size_t>(n_vocab));
        auto head_row = [&](TokenId j) -> std::vector<float> & {
            auto &h = head[static_cast<std::size_t>(j)];
            if (h.empty())
                h.assign(static_cast<std::size_t>(H), 0.0f);
            return h;
        };
        for (int k = 0; k < k_classes; ++k) {
            for (const TokenId j : follows[static_cast<std::size_t>(k)])
                head_row(j)[static_cast<std::size_t>(k)] = 2.0f * k_margin * unit;
            for (const TokenId j : skips[static_cast<std::size_t>(k)])
                head_row(j)[static_cast<std::size_t>(k_classes) + static_cast<std::size_t>(k)] =
                    k_margin * unit;
        }
        const std::vector<float> zero(static_cast<std::size_t>(H), 0.0f);
        for (int j = 0; j < n_vocab; ++j) {
            const auto &h = head[static_cast<std::size_t>(j)];
            GLMDESK_DEMO_TRY(out->write(static_cast<std::size_t>(j), h.empty() ? zero : h));
        }
    }

    // MTP: eh_proj takes the next token's embedding into "this token" and the hidden state's
    // "this token" (the token before it) into "previous token", so the layer's output reads as
    // the main model's would one step later.
    {
        auto eh = rows(WeightKind::NextnEhProj, mtp_layer);
        if (!eh)
            return eh.status();
        for (std::size_t r = 0; r < eh->n_rows(); ++r) {
            row.assign(eh->row_len(), 0.0f);
            if (r < static_cast<std::size_t>(k_classes))
                row[r] = 1.0f; // enorm(16 e_c) = 16 e_c
            else               // hnorm(16 e_c + 16 e_p) = 16/sqrt(2) (e_c + e_p)
                row[static_cast<std::size_t>(H) + r - static_cast<std::size_t>(k_classes)] =
                    std::sqrt(2.0f);
            GLMDESK_DEMO_TRY(eh->write(r, row));
        }
    }
#undef GLMDESK_DEMO_TRY
    return model;
}

} // namespace glmdesk::engine
