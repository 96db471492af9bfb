#include "engine/io/hparams.h"

#include "engine/io/gguf_reader.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace glmdesk::engine {
namespace {

constexpr std::string_view k_gguf_arch = "glm4moe";
constexpr std::string_view k_hf_arch = "Glm4MoeForCausalLM";
constexpr std::uint32_t k_gating_sigmoid = 2; // llama.cpp's expert_gating_func enum

Status invalid(std::string msg)
{
    return error(StatusCode::CorruptFile, std::move(msg));
}

Status range(std::string_view what, std::uint64_t v, std::uint64_t lo, std::uint64_t hi)
{
    if (v < lo || v > hi)
        return invalid(std::string(what) + " is " + std::to_string(v) + ", expected " +
                       std::to_string(lo) + " to " + std::to_string(hi));
    return Status::success();
}

// Reads `prefix.name` into out; absent keys keep the default unless required.
class GgufKeys
{
public:
    GgufKeys(const GgufReader &r, std::string prefix) : m_r(r), m_prefix(std::move(prefix)) {}

    Status u32(std::string_view name, std::uint32_t &out, bool required)
    {
        return read(m_r.get_u32(m_prefix + std::string(name)), out, required);
    }
    Status f32(std::string_view name, float &out, bool required)
    {
        return read(m_r.get_f32(m_prefix + std::string(name)), out, required);
    }
    Status boolean(std::string_view name, bool &out)
    {
        return read(m_r.get_bool(m_prefix + std::string(name)), out, false);
    }

private:
    // A present key sets `out`; an absent optional one leaves the default.
    template <typename T> static Status read(Expected<T> v, T &out, bool required)
    {
        if (v) {
            out = *v;
            return Status::success();
        }
        if (v.status().code() == StatusCode::NotFound && !required)
            return Status::success();
        return v.status();
    }

    const GgufReader &m_r;
    std::string m_prefix;
};

} // namespace

Status validate_glm45_config(const Glm45Config &c)
{
    // Upper bounds are far above any GLM release but keep every product of two of them (and of
    // an expert count) inside 64 bits.
    const Status checks[] = {
        range("hidden size", c.n_embd, 1, 1u << 17),
        range("layer count", c.n_layer, 1, 1024),
        range("MTP (nextn) layer count", c.n_nextn, 0, 4),
        range("vocabulary size", c.n_vocab, 1, 1u << 22),
        range("dense MLP width", c.n_ff, 1, 1u << 20),
        range("expert width", c.n_ff_exp, 1, 1u << 20),
        range("routed expert count", c.n_expert, 1, 4096),
        range("experts per token", c.n_expert_used, 1, c.n_expert),
        range("shared expert count", c.n_expert_shared, 0, 64),
        range("leading dense layers", c.n_leading_dense, 0, c.n_layer),
        range("attention heads", c.n_head, 1, 1024),
        range("KV heads", c.n_head_kv, 1, c.n_head),
        range("head size", c.head_dim, 1, 1024),
        range("value head size", c.head_dim_v, 1, 1024),
        range("RoPE dimensions", c.n_rot, 0, c.head_dim),
        range("router groups", c.n_group, 1, c.n_expert),
        range("router groups kept", c.topk_group, 1, c.n_group),
    };
    for (const auto &s : checks)
        if (!s)
            return s;
    if (c.n_head % c.n_head_kv != 0)
        return invalid("attention heads (" + std::to_string(c.n_head) +
                       ") are not a multiple of KV heads (" + std::to_string(c.n_head_kv) + ")");
    if (c.n_rot % 2 != 0)
        return invalid("RoPE dimensions (" + std::to_string(c.n_rot) + ") must be even");
    if (c.n_expert % c.n_group != 0)
        return invalid("routed experts (" + std::to_string(c.n_expert) + ") do not split into " +
                       std::to_string(c.n_group) + " router groups");
    if (!(std::isfinite(c.rope_theta) && c.rope_theta > 0))
        return invalid("RoPE base (rope_theta) must be a positive number");
    if (!(std::isfinite(c.rms_eps) && c.rms_eps > 0 && c.rms_eps < 1))
        return invalid("RMSNorm epsilon must be in (0, 1)");
    if (!(std::isfinite(c.expert_weights_scale) && c.expert_weights_scale > 0))
        return invalid("routed_scaling_factor must be a positive number");
    return Status::success();
}

Expected<Glm45Config> glm45_config_from_gguf(const GgufReader &r)
{
    const auto arch = r.get_string("general.architecture");
    if (!arch)
        return arch.status().with_context(r.path().string());
    if (*arch != k_gguf_arch)
        return error(StatusCode::Unsupported, r.path().string() + ": architecture '" +
                                                  std::string(*arch) +
                                                  "' is not a GLM-4.5-family model (expected '" +
                                                  std::string(k_gguf_arch) + "')");
    Glm45Config c;
    c.architecture = std::string(*arch);
    GgufKeys k(r, c.architecture + ".");
    std::uint32_t block_count = 0;
    std::uint32_t gating = k_gating_sigmoid;
    const Status statuses[] = {
        k.u32("embedding_length", c.n_embd, true),
        k.u32("block_count", block_count, true),
        k.u32("nextn_predict_layers", c.n_nextn, false),
        k.u32("leading_dense_block_count", c.n_leading_dense, true),
        k.u32("feed_forward_length", c.n_ff, true),
        k.u32("expert_feed_forward_length", c.n_ff_exp, true),
        k.u32("expert_count", c.n_expert, true),
        k.u32("expert_used_count", c.n_expert_used, true),
        k.u32("expert_shared_count", c.n_expert_shared, false),
        k.u32("expert_group_count", c.n_group, false),
        k.u32("expert_group_used_count", c.topk_group, false),
        k.u32("expert_gating_func", gating, false),
        k.u32("attention.head_count", c.n_head, true),
        k.u32("attention.head_count_kv", c.n_head_kv, true),
        k.u32("context_length", c.context_length, false),
        k.f32("attention.layer_norm_rms_epsilon", c.rms_eps, true),
        k.f32("rope.freq_base", c.rope_theta, false),
        k.f32("expert_weights_scale", c.expert_weights_scale, false),
        k.boolean("expert_weights_norm", c.expert_weights_norm),
    };
    for (const auto &s : statuses)
        if (!s)
            return s.with_context(r.path().string());
    if (c.n_head == 0)
        return invalid(r.path().string() + ": attention.head_count is 0");
    c.head_dim = c.n_embd / c.n_head;
    if (Status s = k.u32("attention.key_length", c.head_dim, false); !s)
        return std::move(s).with_context(r.path().string());
    c.head_dim_v = c.head_dim;
    c.n_rot = c.head_dim;
    if (Status s = k.u32("attention.value_length", c.head_dim_v, false); !s)
        return std::move(s).with_context(r.path().string());
    if (Status s = k.u32("rope.dimension_count", c.n_rot, false); !s)
        return std::move(s).with_context(r.path().string());
    if (gating != k_gating_sigmoid)
        return error(StatusCode::Unsupported, r.path().string() + ": expert_gating_func " +
                                                  std::to_string(gating) +
                                                  " is not the sigmoid router (2) of GLM-4.5");
    if (c.n_nextn > block_count)
        return invalid(r.path().string() + ": nextn_predict_layers (" + std::to_string(c.n_nextn) +
                       ") exceeds block_count (" + std::to_string(block_count) + ")");
    c.n_layer = block_count - c.n_nextn;

    const GgufTensor *embd = r.find_tensor("token_embd.weight");
    if (!embd || embd->dims.size() != 2)
        return error(StatusCode::CorruptFile,
                     r.path().string() + ": no 2-D token_embd.weight to size the vocabulary");
    if (embd->dims[1] > std::numeric_limits<std::uint32_t>::max())
        return invalid(r.path().string() + ": token_embd.weight has too many rows");
    c.n_vocab = static_cast<std::uint32_t>(embd->dims[1]);
    c.use_qk_norm = r.find_tensor("blk.0.attn_q_norm.weight") != nullptr;
    c.attention_bias = r.find_tensor("blk.0.attn_q.bias") != nullptr;
    c.tie_word_embeddings = r.find_tensor("output.weight") == nullptr;
    if (Status s = validate_glm45_config(c); !s)
        return std::move(s).with_context(r.path().string());
    return c;
}

namespace {

// Typed config.json field access: absent keys keep the default unless required, a wrong type is
// an error naming the key.
class JsonFields
{
public:
    JsonFields(const nlohmann::json &j, std::string source) : m_j(j), m_source(std::move(source)) {}

    Status u32(const char *key, std::uint32_t &out, bool required) const
    {
        const auto it = m_j.find(key);
        if (it == m_j.end() || it->is_null())
            return required ? missing(key) : Status::success();
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
            it->get<std::int64_t>() > std::numeric_limits<std::uint32_t>::max())
            return invalid(m_source + ": '" + key + "' must be a non-negative integer");
        out = static_cast<std::uint32_t>(it->get<std::int64_t>());
        return Status::success();
    }
    Status number(const nlohmann::json &obj, const char *key, double &out, bool required) const
    {
        const auto it = obj.find(key);
        if (it == obj.end() || it->is_null())
            return required ? missing(key) : Status::success();
        if (!it->is_number())
            return invalid(m_source + ": '" + key + "' must be a number");
        out = it->get<double>();
        return Status::success();
    }
    Status boolean(const char *key, bool &out) const
    {
        const auto it = m_j.find(key);
        if (it == m_j.end() || it->is_null())
            return Status::success();
        if (!it->is_boolean())
            return invalid(m_source + ": '" + key + "' must be true or false");
        out = it->get<bool>();
        return Status::success();
    }

private:
    Status missing(const char *key) const
    {
        return error(StatusCode::NotFound, m_source + ": missing '" + key + "'");
    }

    const nlohmann::json &m_j;
    std::string m_source;
};

Expected<Glm45Config> from_hf_json(std::string_view text, const std::string &source)
{
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return invalid(source + ": not a JSON object");
    std::string arch;
    if (const auto it = j.find("architectures");
        it != j.end() && it->is_array() && !it->empty() && (*it)[0].is_string())
        arch = (*it)[0].get<std::string>();
    std::string model_type;
    if (const auto it = j.find("model_type"); it != j.end() && it->is_string())
        model_type = it->get<std::string>();
    if (arch != k_hf_arch && model_type != "glm4_moe") {
        const std::string shown = !arch.empty() ? arch : !model_type.empty() ? model_type : "?";
        return error(StatusCode::Unsupported, source + ": architecture '" + shown +
                                                  "' is not a GLM-4.5-family model (expected '" +
                                                  std::string(k_hf_arch) + "')");
    }
    Glm45Config c;
    c.architecture = std::string(k_gguf_arch); // one name for the family, whatever the container
    const JsonFields f(j, source);
    const Status statuses[] = {
        f.u32("vocab_size", c.n_vocab, true),
        f.u32("hidden_size", c.n_embd, true),
        f.u32("num_hidden_layers", c.n_layer, true),
        f.u32("num_nextn_predict_layers", c.n_nextn, false),
        f.u32("first_k_dense_replace", c.n_leading_dense, false),
        f.u32("intermediate_size", c.n_ff, true),
        f.u32("moe_intermediate_size", c.n_ff_exp, true),
        f.u32("n_routed_experts", c.n_expert, true),
        f.u32("num_experts_per_tok", c.n_expert_used, true),
        f.u32("n_shared_experts", c.n_expert_shared, false),
        f.u32("num_attention_heads", c.n_head, true),
        f.u32("num_key_value_heads", c.n_head_kv, true),
        f.u32("max_position_embeddings", c.context_length, false),
        f.u32("n_group", c.n_group, false),
        f.u32("topk_group", c.topk_group, false),
        f.boolean("norm_topk_prob", c.expert_weights_norm),
        f.boolean("use_qk_norm", c.use_qk_norm),
        f.boolean("attention_bias", c.attention_bias),
        f.boolean("tie_word_embeddings", c.tie_word_embeddings),
    };
    for (const auto &s : statuses)
        if (!s)
            return s;
    // transformers defaults for keys a config may leave out
    c.n_leading_dense = j.contains("first_k_dense_replace") ? c.n_leading_dense : 1;
    c.n_expert_shared = j.contains("n_shared_experts") ? c.n_expert_shared : 1;
    if (c.n_head == 0)
        return invalid(source + ": num_attention_heads is 0");
    c.head_dim = c.n_embd / c.n_head;
    if (Status s = f.u32("head_dim", c.head_dim, false); !s)
        return s;
    c.head_dim_v = c.head_dim;

    // Published configs keep rope_theta / partial_rotary_factor at the top level; transformers 5
    // writes them into rope_parameters.
    const nlohmann::json *rope = &j;
    if (const auto it = j.find("rope_parameters");
        it != j.end() && it->is_object() && !j.contains("rope_theta"))
        rope = &*it;
    double theta = 10000.0;
    double partial = 0.5;
    double eps = 1e-5;
    double scale = 1.0;
    const Status numbers[] = {
        f.number(*rope, "rope_theta", theta, false),
        f.number(*rope, "partial_rotary_factor", partial, false),
        f.number(j, "rms_norm_eps", eps, false),
        f.number(j, "routed_scaling_factor", scale, false),
    };
    for (const auto &s : numbers)
        if (!s)
            return s;
    if (!(partial > 0 && partial <= 1))
        return invalid(source + ": partial_rotary_factor must be in (0, 1]");
    const double rot = c.head_dim * partial;
    if (rot != std::floor(rot))
        return invalid(source + ": partial_rotary_factor x head_dim is not a whole number");
    c.n_rot = static_cast<std::uint32_t>(rot);
    c.rope_theta = static_cast<float>(theta);
    c.rms_eps = static_cast<float>(eps);
    c.expert_weights_scale = static_cast<float>(scale);
    if (Status s = validate_glm45_config(c); !s)
        return std::move(s).with_context(source);
    return c;
}

} // namespace

Expected<Glm45Config> glm45_config_from_hf_json(std::string_view json_text, std::string_view source)
{
    try {
        return from_hf_json(json_text, std::string(source));
    } catch (const std::exception &e) {
        return invalid(std::string(source) + ": " + e.what());
    }
}

} // namespace glmdesk::engine
