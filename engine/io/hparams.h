// Hyperparameters of the GLM-4.5 family (GLM-4.5, 4.5-Air, 4.6, 4.7: one architecture, GGUF
// `glm4moe`, transformers `Glm4MoeForCausalLM`), read from GGUF keys or a Hugging Face config.json
// into one struct and validated with messages a user can act on. Everything that sizes memory
// later (widths, counts) is range-checked here, so shape arithmetic downstream cannot overflow.
#pragma once

#include "engine/common/status.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace glmdesk::engine {

class GgufReader;

struct Glm45Config
{
    std::string architecture;          // "glm4moe" for every member, GGUF or Hugging Face
    std::uint32_t n_vocab = 0;         // embedding / lm_head rows (padded vocabulary)
    std::uint32_t n_embd = 0;          // hidden_size
    std::uint32_t n_layer = 0;         // transformer layers, MTP layers not counted
    std::uint32_t n_nextn = 0;         // MTP layers, stored as layers n_layer, n_layer+1, ...
    std::uint32_t n_leading_dense = 0; // layers [0, n) use the dense MLP
    std::uint32_t n_ff = 0;            // dense MLP width
    std::uint32_t n_ff_exp = 0;        // routed / shared expert width
    std::uint32_t n_expert = 0;        // routed experts per MoE layer
    std::uint32_t n_expert_used = 0;   // top-k
    std::uint32_t n_expert_shared = 0; // shared experts (their width is n_ff_exp * this)
    std::uint32_t n_head = 0;
    std::uint32_t n_head_kv = 0;
    std::uint32_t head_dim = 0;       // key length
    std::uint32_t head_dim_v = 0;     // value length
    std::uint32_t n_rot = 0;          // RoPE dims per head (partial rotary)
    std::uint32_t context_length = 0; // 0 when the file does not say
    std::uint32_t n_group = 1;        // router groups (1 in every published model)
    std::uint32_t topk_group = 1;
    float rope_theta = 10000.0f;
    float rms_eps = 1e-5f;
    float expert_weights_scale = 1.0f; // routed_scaling_factor
    bool expert_weights_norm = true;   // norm_topk_prob
    bool use_qk_norm = false;          // GLM-4.5 (not Air)
    bool attention_bias = true;
    bool tie_word_embeddings = false;

    std::uint32_t n_block() const { return n_layer + n_nextn; }
    bool is_mtp_layer(std::uint32_t layer) const { return layer >= n_layer; }
    bool is_dense_layer(std::uint32_t layer) const { return layer < n_leading_dense; }
};

// From a GGUF file's glm4moe.* keys; vocabulary size, QK-norm and attention bias come from the
// tensor table (the keys do not say). A missing rope.freq_base means 10000, as in llama.cpp.
Expected<Glm45Config> glm45_config_from_gguf(const GgufReader &gguf);

// From config.json's text (`source` labels errors). rope_theta is read from the top level (or
// rope_parameters); missing means 10000, the transformers default.
Expected<Glm45Config> glm45_config_from_hf_json(std::string_view json_text,
                                                std::string_view source);

// Range and consistency checks; both readers call it.
Status validate_glm45_config(const Glm45Config &config);

} // namespace glmdesk::engine
