#include "engine/model/glm45_loader.h"

#include "engine/io/hparams.h"
#include "engine/io/model_info.h"
#include "engine/io/tensor_inventory.h"

#include <string>

namespace glmdesk::engine {
namespace {

// One view per part; a single stacked part ([row_len, rows, n]) is cut into n views.
Expected<std::vector<WeightView>> views_of(const InventoryEntry &e, std::size_t n_wanted)
{
    if (!e.block_format)
        return error(StatusCode::Unsupported, e.name + ": " + e.format +
                                                  " weights are not supported yet; use a GGUF file "
                                                  "(for example Q8_0 or Q4_K_M)");
    if (e.shape.empty() || e.parts.empty())
        return error(StatusCode::CorruptFile, e.name + ": empty tensor");
    WeightView base;
    base.format = *e.block_format;
    base.row_len = static_cast<std::int64_t>(e.shape[0]);
    base.name = e.name;
    std::vector<WeightView> views;
    if (e.parts.size() == n_wanted) {
        const std::int64_t rows = e.shape.size() > 1 ? static_cast<std::int64_t>(e.shape[1]) : 1;
        for (std::size_t i = 0; i < e.parts.size(); ++i) {
            WeightView v = base;
            v.n_rows = rows;
            v.data = e.parts[i].data;
            if (n_wanted > 1)
                v.name = e.parts[i].source_name;
            views.push_back(std::move(v));
        }
        return views;
    }
    if (e.parts.size() == 1 && e.shape.size() == 3 && e.shape[2] == n_wanted) {
        const auto rows = static_cast<std::int64_t>(e.shape[1]);
        const std::uint64_t stride = static_cast<std::uint64_t>(rows) * base.row_bytes();
        for (std::size_t i = 0; i < n_wanted; ++i) {
            WeightView v = base;
            v.n_rows = rows;
            v.data = e.parts[0].data + i * stride;
            v.name = e.name + "[" + std::to_string(i) + "]";
            views.push_back(std::move(v));
        }
        return views;
    }
    return error(StatusCode::CorruptFile, e.name + ": expected " + std::to_string(n_wanted) +
                                              " parts, found " + std::to_string(e.parts.size()));
}

class Collector
{
public:
    Collector(const TensorInventory &inv, const Glm45Config &cfg) : m_inv(inv), m_cfg(cfg) {}

    // Optional tensors (QK-norm, MTP's own embedding) come back empty when absent; required
    // ones are reported by the shape check in Glm45CpuModel::create, by name.
    void take(WeightView &out, WeightKind kind, int layer)
    {
        const InventoryEntry *e = m_inv.find(kind, layer);
        if (!e) {
            out = WeightView{};
            out.name = gguf_weight_name(kind, layer);
            return;
        }
        auto views = views_of(*e, 1);
        if (!views) {
            if (m_status.ok())
                m_status = views.status();
            return;
        }
        out = std::move(views->front());
        // 1-D tensors are one row.
        if (e->shape.size() == 1)
            out.n_rows = 1;
    }

    void take_experts(std::vector<WeightView> &out, WeightKind kind, int layer)
    {
        const InventoryEntry *e = m_inv.find(kind, layer);
        if (!e) {
            if (m_status.ok())
                m_status =
                    error(StatusCode::NotFound, "missing tensor " + gguf_weight_name(kind, layer));
            return;
        }
        auto views = views_of(*e, m_cfg.n_expert);
        if (!views) {
            if (m_status.ok())
                m_status = views.status();
            return;
        }
        out = std::move(views).value();
    }

    Glm45LayerWeights layer(int i, bool moe)
    {
        Glm45LayerWeights w;
        take(w.attn_norm, WeightKind::AttnNorm, i);
        take(w.attn_q, WeightKind::AttnQ, i);
        take(w.attn_q_bias, WeightKind::AttnQBias, i);
        take(w.attn_k, WeightKind::AttnK, i);
        take(w.attn_k_bias, WeightKind::AttnKBias, i);
        take(w.attn_v, WeightKind::AttnV, i);
        take(w.attn_v_bias, WeightKind::AttnVBias, i);
        take(w.attn_output, WeightKind::AttnOutput, i);
        take(w.attn_q_norm, WeightKind::AttnQNorm, i);
        take(w.attn_k_norm, WeightKind::AttnKNorm, i);
        take(w.post_attention_norm, WeightKind::PostAttnNorm, i);
        if (!moe) {
            take(w.ffn_gate, WeightKind::FfnGate, i);
            take(w.ffn_up, WeightKind::FfnUp, i);
            take(w.ffn_down, WeightKind::FfnDown, i);
            return w;
        }
        take(w.router, WeightKind::Router, i);
        take(w.router_bias, WeightKind::RouterBias, i);
        take_experts(w.exp_gate, WeightKind::ExpGate, i);
        take_experts(w.exp_up, WeightKind::ExpUp, i);
        take_experts(w.exp_down, WeightKind::ExpDown, i);
        take(w.shexp_gate, WeightKind::ShexpGate, i);
        take(w.shexp_up, WeightKind::ShexpUp, i);
        take(w.shexp_down, WeightKind::ShexpDown, i);
        return w;
    }

    const Status &status() const { return m_status; }

private:
    const TensorInventory &m_inv;
    const Glm45Config &m_cfg;
    Status m_status;
};

} // namespace

Expected<Glm45Dims> glm45_dims(const Glm45Config &c)
{
    if (c.n_group > 1)
        return error(StatusCode::Unsupported,
                     "group-limited routing (n_group " + std::to_string(c.n_group) +
                         ") is not supported; every published GLM-4.5 model has n_group 1");
    if (c.head_dim_v != 0 && c.head_dim_v != c.head_dim)
        return error(StatusCode::Unsupported, "value heads wider than key heads are not supported");
    if (c.n_expert_shared > 1)
        return error(StatusCode::Unsupported, "more than one shared expert is not supported");
    Glm45Dims d;
    d.n_embd = static_cast<int>(c.n_embd);
    d.n_layers = static_cast<int>(c.n_layer);
    d.n_dense_layers = static_cast<int>(c.n_leading_dense);
    d.n_heads = static_cast<int>(c.n_head);
    d.n_kv_heads = static_cast<int>(c.n_head_kv);
    d.head_dim = static_cast<int>(c.head_dim);
    d.rotary_dim = static_cast<int>(c.n_rot);
    d.rope_theta = c.rope_theta;
    d.rms_eps = c.rms_eps;
    d.n_experts = static_cast<int>(c.n_expert);
    d.n_experts_used = static_cast<int>(c.n_expert_used);
    d.norm_topk_prob = c.expert_weights_norm;
    d.routed_scaling_factor = c.expert_weights_scale;
    d.use_qk_norm = c.use_qk_norm;
    d.n_vocab = static_cast<int>(c.n_vocab);
    return d;
}

Expected<Glm45Weights> glm45_weights(const TensorInventory &inv, const Glm45Config &cfg)
{
    Collector take(inv, cfg);
    Glm45Weights w;
    take.take(w.token_embd, WeightKind::TokenEmbd, -1);
    take.take(w.output_norm, WeightKind::OutputNorm, -1);
    take.take(w.output, WeightKind::Output, -1);
    // Tied embeddings (no GLM-4.5 model has them, but config.json may say so): lm_head = embedding.
    if (!w.output.present() && cfg.tie_word_embeddings)
        w.output = w.token_embd;
    for (std::uint32_t i = 0; i < cfg.n_layer; ++i)
        w.layers.push_back(take.layer(static_cast<int>(i), !cfg.is_dense_layer(i)));
    if (inv.has_mtp() && cfg.n_nextn > 0) {
        const int L = static_cast<int>(cfg.n_layer);
        Glm45MtpWeights m;
        take.take(m.eh_proj, WeightKind::NextnEhProj, L);
        take.take(m.enorm, WeightKind::NextnEnorm, L);
        take.take(m.hnorm, WeightKind::NextnHnorm, L);
        take.take(m.shared_head_norm, WeightKind::NextnSharedHeadNorm, L);
        take.take(m.embed, WeightKind::NextnEmbedTokens, L);
        take.take(m.head, WeightKind::NextnSharedHeadHead, L);
        m.layer = take.layer(L, true);
        w.mtp = std::move(m);
    }
    if (!take.status().ok())
        return take.status();
    return w;
}

Expected<Glm45Model> glm45_model(const ModelFiles &files)
{
    auto dims = glm45_dims(files.config());
    if (!dims)
        return dims.status();
    auto weights = glm45_weights(files.inventory(), files.config());
    if (!weights)
        return weights.status();
    return Glm45Model{*dims, std::move(weights).value()};
}

} // namespace glmdesk::engine
