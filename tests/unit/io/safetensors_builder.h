// Writes safetensors images for tests (header JSON through nlohmann, deterministic non-zero data),
// and a complete tiny GLM-4.5 Hugging Face checkpoint (per-expert tensors, optional FP8 + scales).
#pragma once

#include "tests/unit/io/gguf_builder.h"

#include <nlohmann/json.hpp>

namespace glmdesk::test {

struct StTensor
{
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
};

inline std::uint64_t st_dtype_size(const std::string &d)
{
    return d == "F32" ? 4 : d == "F8_E4M3" ? 1 : 2;
}

inline std::vector<std::uint8_t> build_safetensors(const std::vector<StTensor> &tensors,
                                                   std::uint32_t seed = 3)
{
    nlohmann::json header = nlohmann::json::object();
    header["__metadata__"] = {{"format", "pt"}};
    std::uint64_t offset = 0;
    for (const auto &t : tensors) {
        std::uint64_t n = st_dtype_size(t.dtype);
        for (const auto d : t.shape)
            n *= d;
        header[t.name] = {
            {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + n}}};
        offset += n;
    }
    std::string text = header.dump();
    while (text.size() % 8 != 0)
        text += ' ';
    std::vector<std::uint8_t> out(8);
    const std::uint64_t len = text.size();
    std::memcpy(out.data(), &len, 8);
    out.insert(out.end(), text.begin(), text.end());
    std::mt19937 rng(seed);
    for (std::uint64_t i = 0; i < offset; ++i)
        out.push_back(static_cast<std::uint8_t>(rng() % 255 + 1));
    return out;
}

inline std::string tiny_hf_config_json(const engine::Glm45Config &c)
{
    nlohmann::json j = {
        {"architectures", {"Glm4MoeForCausalLM"}},
        {"model_type", "glm4_moe"},
        {"attention_bias", c.attention_bias},
        {"first_k_dense_replace", c.n_leading_dense},
        {"head_dim", c.head_dim},
        {"hidden_size", c.n_embd},
        {"intermediate_size", c.n_ff},
        {"max_position_embeddings", c.context_length},
        {"moe_intermediate_size", c.n_ff_exp},
        {"n_group", 1},
        {"n_routed_experts", c.n_expert},
        {"n_shared_experts", c.n_expert_shared},
        {"norm_topk_prob", true},
        {"num_attention_heads", c.n_head},
        {"num_experts_per_tok", c.n_expert_used},
        {"num_hidden_layers", c.n_layer},
        {"num_key_value_heads", c.n_head_kv},
        {"num_nextn_predict_layers", c.n_nextn},
        {"partial_rotary_factor", static_cast<double>(c.n_rot) / c.head_dim},
        {"rms_norm_eps", 1e-5},
        {"rope_theta", 1000000.0},
        {"routed_scaling_factor", 1.0},
        {"tie_word_embeddings", false},
        {"topk_group", 1},
        {"use_qk_norm", false},
        {"vocab_size", c.n_vocab},
    };
    return j.dump(2);
}

// Hugging Face names for every weight of the tiny model; 2-D matrices in `matrix_dtype` (with a
// weight_scale_inv F32 companion when it is F8_E4M3), vectors F32 like the router bias.
inline std::vector<StTensor> tiny_hf_tensors(const engine::Glm45Config &c,
                                             const std::string &matrix_dtype = "BF16")
{
    using engine::WeightKind;
    std::vector<StTensor> out;
    const bool fp8 = matrix_dtype == "F8_E4M3";
    auto add = [&](const std::string &name, std::vector<std::uint64_t> ggml_shape) {
        const std::vector<std::uint64_t> shape(ggml_shape.rbegin(), ggml_shape.rend());
        const bool matrix = shape.size() == 2 && name.find("embed") == std::string::npos &&
                            name.find("lm_head") == std::string::npos &&
                            name.find("shared_head.head") == std::string::npos &&
                            name.find("mlp.gate.weight") == std::string::npos;
        out.push_back({name, shape.size() == 1 ? "F32" : matrix ? matrix_dtype : "BF16", shape});
        if (fp8 && matrix) {
            const std::string base = name.substr(0, name.size() - std::string("weight").size());
            out.push_back({base + "weight_scale_inv",
                           "F32",
                           {(shape[0] + 127) / 128, (shape[1] + 127) / 128}});
        }
    };
    const std::map<WeightKind, std::string> hf = {
        {WeightKind::TokenEmbd, "model.embed_tokens.weight"},
        {WeightKind::OutputNorm, "model.norm.weight"},
        {WeightKind::Output, "lm_head.weight"},
        {WeightKind::AttnNorm, "input_layernorm.weight"},
        {WeightKind::AttnQ, "self_attn.q_proj.weight"},
        {WeightKind::AttnQBias, "self_attn.q_proj.bias"},
        {WeightKind::AttnK, "self_attn.k_proj.weight"},
        {WeightKind::AttnKBias, "self_attn.k_proj.bias"},
        {WeightKind::AttnV, "self_attn.v_proj.weight"},
        {WeightKind::AttnVBias, "self_attn.v_proj.bias"},
        {WeightKind::AttnOutput, "self_attn.o_proj.weight"},
        {WeightKind::PostAttnNorm, "post_attention_layernorm.weight"},
        {WeightKind::FfnGate, "mlp.gate_proj.weight"},
        {WeightKind::FfnUp, "mlp.up_proj.weight"},
        {WeightKind::FfnDown, "mlp.down_proj.weight"},
        {WeightKind::Router, "mlp.gate.weight"},
        {WeightKind::RouterBias, "mlp.gate.e_score_correction_bias"},
        {WeightKind::ExpGate, "gate_proj.weight"},
        {WeightKind::ExpUp, "up_proj.weight"},
        {WeightKind::ExpDown, "down_proj.weight"},
        {WeightKind::ShexpGate, "mlp.shared_experts.gate_proj.weight"},
        {WeightKind::ShexpUp, "mlp.shared_experts.up_proj.weight"},
        {WeightKind::ShexpDown, "mlp.shared_experts.down_proj.weight"},
        {WeightKind::NextnEhProj, "eh_proj.weight"},
        {WeightKind::NextnEnorm, "enorm.weight"},
        {WeightKind::NextnHnorm, "hnorm.weight"},
        {WeightKind::NextnSharedHeadNorm, "shared_head.norm.weight"},
        {WeightKind::NextnEmbedTokens, "embed_tokens.weight"},
        {WeightKind::NextnSharedHeadHead, "shared_head.head.weight"},
    };
    for (const auto &[kind, layer] : glm_weights(c)) {
        auto shape = engine::expected_weight_shape(kind, c);
        if (layer < 0) {
            add(hf.at(kind), shape);
        } else if (kind == WeightKind::ExpGate || kind == WeightKind::ExpUp ||
                   kind == WeightKind::ExpDown) {
            shape.pop_back();
            for (std::uint32_t e = 0; e < c.n_expert; ++e)
                add("model.layers." + std::to_string(layer) + ".mlp.experts." + std::to_string(e) +
                        "." + hf.at(kind),
                    shape);
        } else {
            add("model.layers." + std::to_string(layer) + "." + hf.at(kind), shape);
        }
    }
    return out;
}

} // namespace glmdesk::test
