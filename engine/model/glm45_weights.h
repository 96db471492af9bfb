// GLM-4.5 weights as views into the model file (mmapped; nothing is copied at load), grouped the
// way the forward pass reads them. One struct for both file layouts: GGUF stacks the experts of a
// layer in one tensor, Hugging Face stores one tensor per expert; either way an expert is a view.
//
// Shapes are in ggml order: `row_len` is the length of one row (the input width of a projection),
// `n_rows` the number of rows (its output width). y = W x means y[r] = dot(row r, x).
#pragma once

#include "engine/quant/block_formats.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace glmdesk::engine {

struct WeightView
{
    BlockFormat format = BlockFormat::F32;
    std::int64_t row_len = 0;
    std::int64_t n_rows = 0;
    const std::uint8_t *data = nullptr;
    std::string name; // for error messages: "blk.3.ffn_up_exps.weight[7]"

    bool present() const { return data != nullptr; }
    std::uint64_t row_bytes() const;
    const std::uint8_t *row(std::int64_t r) const { return data + r * row_bytes(); }
};

struct Glm45LayerWeights
{
    WeightView attn_norm;                        // [H]
    WeightView attn_q, attn_q_bias;              // [H, n_heads*head_dim], [n_heads*head_dim]
    WeightView attn_k, attn_k_bias;              // [H, n_kv*head_dim], [n_kv*head_dim]
    WeightView attn_v, attn_v_bias;              // [H, n_kv*head_dim], [n_kv*head_dim]
    WeightView attn_output;                      // [n_heads*head_dim, H], no bias
    WeightView attn_q_norm, attn_k_norm;         // [head_dim], GLM-4.5 (not Air) only
    WeightView post_attention_norm;              // [H]
    WeightView ffn_gate, ffn_up, ffn_down;       // dense layers: [H, F], [H, F], [F, H]
    WeightView router;                           // [H, n_experts], f32
    WeightView router_bias;                      // [n_experts], f32 e_score_correction_bias
    std::vector<WeightView> exp_gate;            // per expert [H, F_e]
    std::vector<WeightView> exp_up;              // per expert [H, F_e]
    std::vector<WeightView> exp_down;            // per expert [F_e, H]
    WeightView shexp_gate, shexp_up, shexp_down; // shared expert [H, F_s], [H, F_s], [F_s, H]

    bool is_moe() const { return router.present(); }
};

// The MTP (nextn) layer: a complete MoE decoder layer plus the projection that feeds it.
struct Glm45MtpWeights
{
    WeightView eh_proj;          // [2H, H]: concat(enorm(embed), hnorm(hidden)) -> H
    WeightView enorm, hnorm;     // [H]
    WeightView shared_head_norm; // [H]
    WeightView embed;            // [H, V]; absent in some GLM-4.6 files: use the main one
    WeightView head;             // [H, V]; absent: use the main lm_head
    Glm45LayerWeights layer;
};

struct Glm45Weights
{
    WeightView token_embd;  // [H, V]
    WeightView output_norm; // [H]
    WeightView output;      // [H, V] lm_head
    std::vector<Glm45LayerWeights> layers;
    std::optional<Glm45MtpWeights> mtp;
};

} // namespace glmdesk::engine
