#include "engine/io/tensor_inventory.h"

#include "engine/io/gguf_reader.h"
#include "engine/io/hf_folder.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace glmdesk::engine {
namespace {

enum class Scope { Global, AnyLayer, DenseLayer, MoeLayer, MtpLayer };

// The name table: GGUF suffix, Hugging Face suffix (after "model.layers.N." for layer weights;
// per-expert HF names have "E" where the expert index goes).
struct WeightName
{
    WeightKind kind;
    std::string_view gguf;
    std::string_view hf;
    TensorRole role;
    Scope scope;
};

constexpr WeightName k_names[] = {
    {WeightKind::TokenEmbd, "token_embd.weight", "model.embed_tokens.weight",
     TensorRole::Embeddings, Scope::Global},
    {WeightKind::OutputNorm, "output_norm.weight", "model.norm.weight", TensorRole::Norm,
     Scope::Global},
    {WeightKind::Output, "output.weight", "lm_head.weight", TensorRole::Output, Scope::Global},
    {WeightKind::AttnNorm, "attn_norm.weight", "input_layernorm.weight", TensorRole::Norm,
     Scope::AnyLayer},
    {WeightKind::AttnQ, "attn_q.weight", "self_attn.q_proj.weight", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnQBias, "attn_q.bias", "self_attn.q_proj.bias", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnK, "attn_k.weight", "self_attn.k_proj.weight", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnKBias, "attn_k.bias", "self_attn.k_proj.bias", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnV, "attn_v.weight", "self_attn.v_proj.weight", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnVBias, "attn_v.bias", "self_attn.v_proj.bias", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnOutput, "attn_output.weight", "self_attn.o_proj.weight", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnQNorm, "attn_q_norm.weight", "self_attn.q_norm.weight", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::AttnKNorm, "attn_k_norm.weight", "self_attn.k_norm.weight", TensorRole::Attention,
     Scope::AnyLayer},
    {WeightKind::PostAttnNorm, "post_attention_norm.weight", "post_attention_layernorm.weight",
     TensorRole::Norm, Scope::AnyLayer},
    {WeightKind::FfnGate, "ffn_gate.weight", "mlp.gate_proj.weight", TensorRole::DenseFfn,
     Scope::DenseLayer},
    {WeightKind::FfnUp, "ffn_up.weight", "mlp.up_proj.weight", TensorRole::DenseFfn,
     Scope::DenseLayer},
    {WeightKind::FfnDown, "ffn_down.weight", "mlp.down_proj.weight", TensorRole::DenseFfn,
     Scope::DenseLayer},
    {WeightKind::Router, "ffn_gate_inp.weight", "mlp.gate.weight", TensorRole::Router,
     Scope::MoeLayer},
    {WeightKind::RouterBias, "exp_probs_b.bias", "mlp.gate.e_score_correction_bias",
     TensorRole::Router, Scope::MoeLayer},
    {WeightKind::ExpGate, "ffn_gate_exps.weight", "mlp.experts.E.gate_proj.weight",
     TensorRole::RoutedExperts, Scope::MoeLayer},
    {WeightKind::ExpUp, "ffn_up_exps.weight", "mlp.experts.E.up_proj.weight",
     TensorRole::RoutedExperts, Scope::MoeLayer},
    {WeightKind::ExpDown, "ffn_down_exps.weight", "mlp.experts.E.down_proj.weight",
     TensorRole::RoutedExperts, Scope::MoeLayer},
    {WeightKind::ShexpGate, "ffn_gate_shexp.weight", "mlp.shared_experts.gate_proj.weight",
     TensorRole::SharedExperts, Scope::MoeLayer},
    {WeightKind::ShexpUp, "ffn_up_shexp.weight", "mlp.shared_experts.up_proj.weight",
     TensorRole::SharedExperts, Scope::MoeLayer},
    {WeightKind::ShexpDown, "ffn_down_shexp.weight", "mlp.shared_experts.down_proj.weight",
     TensorRole::SharedExperts, Scope::MoeLayer},
    {WeightKind::NextnEhProj, "nextn.eh_proj.weight", "eh_proj.weight", TensorRole::Mtp,
     Scope::MtpLayer},
    {WeightKind::NextnEnorm, "nextn.enorm.weight", "enorm.weight", TensorRole::Mtp,
     Scope::MtpLayer},
    {WeightKind::NextnHnorm, "nextn.hnorm.weight", "hnorm.weight", TensorRole::Mtp,
     Scope::MtpLayer},
    {WeightKind::NextnSharedHeadNorm, "nextn.shared_head_norm.weight", "shared_head.norm.weight",
     TensorRole::Mtp, Scope::MtpLayer},
    {WeightKind::NextnEmbedTokens, "nextn.embed_tokens.weight", "embed_tokens.weight",
     TensorRole::Mtp, Scope::MtpLayer},
    {WeightKind::NextnSharedHeadHead, "nextn.shared_head_head.weight", "shared_head.head.weight",
     TensorRole::Mtp, Scope::MtpLayer},
};

const WeightName &name_of(WeightKind kind)
{
    for (const auto &n : k_names)
        if (n.kind == kind)
            return n;
    return k_names[0]; // unreachable: every kind is in the table
}

bool is_per_expert(WeightKind k)
{
    return k == WeightKind::ExpGate || k == WeightKind::ExpUp || k == WeightKind::ExpDown;
}

std::optional<std::uint32_t> parse_index(std::string_view digits)
{
    if (digits.empty() || digits.size() > 6 || (digits.size() > 1 && digits[0] == '0'))
        return std::nullopt;
    std::uint32_t v = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (r.ec != std::errc{} || r.ptr != digits.data() + digits.size())
        return std::nullopt;
    return v;
}

// "prefix<N>.rest" -> {N, rest}
std::optional<std::pair<std::uint32_t, std::string_view>> split_index(std::string_view name,
                                                                      std::string_view prefix)
{
    if (!name.starts_with(prefix))
        return std::nullopt;
    name.remove_prefix(prefix.size());
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    const auto n = parse_index(name.substr(0, dot));
    if (!n)
        return std::nullopt;
    return std::pair{*n, name.substr(dot + 1)};
}

std::string shape_string(const std::vector<std::uint64_t> &shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

bool in_scope(Scope scope, int layer, const Glm45Config &c)
{
    if (scope == Scope::Global)
        return layer < 0;
    if (layer < 0 || static_cast<std::uint32_t>(layer) >= c.n_block())
        return false;
    const auto l = static_cast<std::uint32_t>(layer);
    switch (scope) {
    case Scope::Global:
        return false;
    case Scope::AnyLayer:
        return true;
    case Scope::DenseLayer:
        return c.is_dense_layer(l) && !c.is_mtp_layer(l);
    case Scope::MoeLayer:
        return !c.is_dense_layer(l) || c.is_mtp_layer(l);
    case Scope::MtpLayer:
        return c.is_mtp_layer(l);
    }
    return false;
}

bool is_required(WeightKind k, const Glm45Config &c)
{
    switch (k) {
    case WeightKind::Output:
        return !c.tie_word_embeddings;
    case WeightKind::AttnQBias:
    case WeightKind::AttnKBias:
    case WeightKind::AttnVBias:
        return c.attention_bias;
    case WeightKind::AttnQNorm:
    case WeightKind::AttnKNorm:
        return c.use_qk_norm;
    case WeightKind::ShexpGate:
    case WeightKind::ShexpUp:
    case WeightKind::ShexpDown:
        return c.n_expert_shared > 0;
    case WeightKind::NextnEmbedTokens: // GLM-4.6 falls back to the main embedding / head
    case WeightKind::NextnSharedHeadHead:
        return false;
    default:
        return true;
    }
}

std::string format_name(SafetensorsDtype d)
{
    switch (d) {
    case SafetensorsDtype::BF16:
        return "bf16";
    case SafetensorsDtype::F16:
        return "f16";
    case SafetensorsDtype::F32:
        return "f32";
    case SafetensorsDtype::F8_E4M3:
        return "f8_e4m3";
    }
    return "?";
}

std::optional<BlockFormat> block_format_of(SafetensorsDtype d)
{
    switch (d) {
    case SafetensorsDtype::BF16:
        return BlockFormat::BF16;
    case SafetensorsDtype::F16:
        return BlockFormat::F16;
    case SafetensorsDtype::F32:
        return BlockFormat::F32;
    case SafetensorsDtype::F8_E4M3:
        return std::nullopt;
    }
    return std::nullopt;
}

Status unexpected(std::string_view name)
{
    return error(StatusCode::Unsupported, "unexpected tensor '" + std::string(name) +
                                              "': not part of a GLM-4.5-family model with this "
                                              "config");
}

// Missing weights: every required (kind, layer) must have an entry. The MTP layer may be absent
// as a whole.
Status check_complete(const std::map<std::pair<WeightKind, int>, size_t> &have,
                      const Glm45Config &c, bool has_mtp, bool hf)
{
    for (const auto &n : k_names) {
        if (!is_required(n.kind, c))
            continue;
        const auto missing = [&](int layer) {
            std::string name =
                hf ? (layer < 0 ? std::string(n.hf)
                                : "model.layers." + std::to_string(layer) + "." + std::string(n.hf))
                   : gguf_weight_name(n.kind, layer);
            return error(StatusCode::CorruptFile, "missing tensor '" + name + "'");
        };
        if (n.scope == Scope::Global) {
            if (!have.contains({n.kind, -1}))
                return missing(-1);
            continue;
        }
        for (std::uint32_t l = 0; l < c.n_block(); ++l) {
            if (c.is_mtp_layer(l) && !has_mtp)
                continue;
            if (in_scope(n.scope, static_cast<int>(l), c) &&
                !have.contains({n.kind, static_cast<int>(l)}))
                return missing(static_cast<int>(l));
        }
    }
    return Status::success();
}

} // namespace

std::string_view tensor_role_name(TensorRole role)
{
    switch (role) {
    case TensorRole::Embeddings:
        return "embeddings";
    case TensorRole::Output:
        return "output";
    case TensorRole::Norm:
        return "norm";
    case TensorRole::Attention:
        return "attention";
    case TensorRole::DenseFfn:
        return "dense_ffn";
    case TensorRole::RoutedExperts:
        return "routed_experts";
    case TensorRole::SharedExperts:
        return "shared_experts";
    case TensorRole::Router:
        return "router";
    case TensorRole::Mtp:
        return "mtp";
    }
    return "?";
}

std::string gguf_weight_name(WeightKind kind, int layer)
{
    const auto &n = name_of(kind);
    if (n.scope == Scope::Global)
        return std::string(n.gguf);
    return "blk." + std::to_string(layer) + "." + std::string(n.gguf);
}

std::vector<std::uint64_t> expected_weight_shape(WeightKind kind, const Glm45Config &c)
{
    const std::uint64_t h = c.n_embd;
    const std::uint64_t q = std::uint64_t{c.n_head} * c.head_dim;
    const std::uint64_t kv = std::uint64_t{c.n_head_kv} * c.head_dim;
    const std::uint64_t v = std::uint64_t{c.n_head_kv} * c.head_dim_v;
    const std::uint64_t o = std::uint64_t{c.n_head} * c.head_dim_v;
    const std::uint64_t sh = std::uint64_t{c.n_ff_exp} * c.n_expert_shared;
    switch (kind) {
    case WeightKind::TokenEmbd:
    case WeightKind::Output:
    case WeightKind::NextnEmbedTokens:
    case WeightKind::NextnSharedHeadHead:
        return {h, c.n_vocab};
    case WeightKind::OutputNorm:
    case WeightKind::AttnNorm:
    case WeightKind::PostAttnNorm:
    case WeightKind::NextnEnorm:
    case WeightKind::NextnHnorm:
    case WeightKind::NextnSharedHeadNorm:
        return {h};
    case WeightKind::AttnQ:
        return {h, q};
    case WeightKind::AttnQBias:
        return {q};
    case WeightKind::AttnK:
        return {h, kv};
    case WeightKind::AttnKBias:
        return {kv};
    case WeightKind::AttnV:
        return {h, v};
    case WeightKind::AttnVBias:
        return {v};
    case WeightKind::AttnOutput:
        return {o, h};
    case WeightKind::AttnQNorm:
    case WeightKind::AttnKNorm:
        return {c.head_dim};
    case WeightKind::FfnGate:
    case WeightKind::FfnUp:
        return {h, c.n_ff};
    case WeightKind::FfnDown:
        return {c.n_ff, h};
    case WeightKind::Router:
        return {h, c.n_expert};
    case WeightKind::RouterBias:
        return {c.n_expert};
    case WeightKind::ExpGate:
    case WeightKind::ExpUp:
        return {h, c.n_ff_exp, c.n_expert};
    case WeightKind::ExpDown:
        return {c.n_ff_exp, h, c.n_expert};
    case WeightKind::ShexpGate:
    case WeightKind::ShexpUp:
        return {h, sh};
    case WeightKind::ShexpDown:
        return {sh, h};
    case WeightKind::NextnEhProj:
        return {2 * h, h};
    }
    return {};
}

const InventoryEntry *TensorInventory::find(WeightKind kind, int layer) const
{
    for (const auto &e : m_entries)
        if (e.kind == kind && e.layer == layer)
            return &e;
    return nullptr;
}

std::uint64_t TensorInventory::total_bytes() const
{
    std::uint64_t total = 0;
    for (const auto &e : m_entries) {
        total += e.n_bytes;
        for (const auto &s : e.scales)
            total += s.n_bytes;
    }
    return total;
}

Expected<TensorInventory> TensorInventory::from_gguf(const GgufReader &gguf, const Glm45Config &c)
{
    TensorInventory inv;
    std::map<std::pair<WeightKind, int>, size_t> have;
    for (const auto &t : gguf.tensors()) {
        int layer = -1;
        std::string_view suffix = t.name;
        if (const auto split = split_index(t.name, "blk.")) {
            if (split->first > 1'000'000)
                return unexpected(t.name);
            layer = static_cast<int>(split->first);
            suffix = split->second;
        }
        const WeightName *match = nullptr;
        for (const auto &n : k_names)
            if (n.gguf == suffix && (n.scope == Scope::Global) == (layer < 0))
                match = &n;
        if (!match || !in_scope(match->scope, layer, c))
            return unexpected(t.name).with_context(gguf.path().string());
        const auto expected = expected_weight_shape(match->kind, c);
        if (t.dims != expected)
            return error(StatusCode::CorruptFile, gguf.path().string() + ": " + t.name +
                                                      ": expected " + shape_string(expected) +
                                                      ", found " + shape_string(t.dims));
        InventoryEntry e;
        e.kind = match->kind;
        e.role = match->role;
        e.layer = layer;
        e.mtp = layer >= 0 && c.is_mtp_layer(static_cast<std::uint32_t>(layer));
        e.name = t.name;
        e.shape = t.dims;
        e.format = std::string(block_format_name(t.format));
        e.block_format = t.format;
        e.n_bytes = t.n_bytes;
        e.parts.push_back({t.name, t.data, t.n_bytes});
        inv.m_has_mtp = inv.m_has_mtp || e.mtp;
        have.emplace(std::pair{e.kind, e.layer}, inv.m_entries.size());
        inv.m_entries.push_back(std::move(e));
    }
    if (Status s = check_complete(have, c, inv.m_has_mtp, false); !s)
        return std::move(s).with_context(gguf.path().string());
    return inv;
}

Expected<TensorInventory> TensorInventory::from_hf(const HfFolder &folder, const Glm45Config &c)
{
    TensorInventory inv;
    std::map<std::pair<WeightKind, int>, size_t> have;
    std::vector<const SafetensorsTensor *> scales;
    const std::string where = folder.dir().string();

    for (const SafetensorsTensor *t : folder.tensors()) {
        std::string_view name = t->name;
        if (name.ends_with("_scale_inv")) { // FP8 block scales: attached below
            scales.push_back(t);
            continue;
        }
        int layer = -1;
        int expert = -1;
        std::string_view suffix = name;
        if (const auto split = split_index(name, "model.layers.")) {
            if (split->first > 1'000'000)
                return unexpected(name).with_context(where);
            layer = static_cast<int>(split->first);
            suffix = split->second;
            if (const auto ex = split_index(suffix, "mlp.experts.")) {
                if (ex->first >= c.n_expert)
                    return unexpected(name).with_context(where);
                expert = static_cast<int>(ex->first);
                suffix = ex->second;
            }
        }
        const WeightName *match = nullptr;
        for (const auto &n : k_names) {
            std::string_view hf = n.hf;
            if (is_per_expert(n.kind) != (expert >= 0) || (n.scope == Scope::Global) != (layer < 0))
                continue;
            if (expert >= 0)
                hf.remove_prefix(std::string_view("mlp.experts.E.").size());
            if (hf == suffix)
                match = &n;
        }
        if (!match || !in_scope(match->scope, layer, c))
            return unexpected(name).with_context(where);

        // The file's own shape is PyTorch order; ggml order reverses it.
        std::vector<std::uint64_t> expected = expected_weight_shape(match->kind, c);
        if (expert >= 0)
            expected.pop_back();
        const std::vector<std::uint64_t> expected_hf(expected.rbegin(), expected.rend());
        if (t->shape != expected_hf)
            return error(StatusCode::CorruptFile, where + ": " + t->name + ": expected " +
                                                      shape_string(expected_hf) + ", found " +
                                                      shape_string(t->shape));
        const auto key = std::pair{match->kind, layer};
        auto it = have.find(key);
        if (it == have.end()) {
            InventoryEntry e;
            e.kind = match->kind;
            e.role = match->role;
            e.layer = layer;
            e.mtp = layer >= 0 && c.is_mtp_layer(static_cast<std::uint32_t>(layer));
            e.name = gguf_weight_name(match->kind, layer);
            e.shape = expected_weight_shape(match->kind, c);
            e.format = format_name(t->dtype);
            e.block_format = block_format_of(t->dtype);
            e.parts.resize(expert >= 0 ? c.n_expert : 1);
            inv.m_has_mtp = inv.m_has_mtp || e.mtp;
            it = have.emplace(key, inv.m_entries.size()).first;
            inv.m_entries.push_back(std::move(e));
        }
        InventoryEntry &e = inv.m_entries[it->second];
        if (e.format != format_name(t->dtype))
            return error(StatusCode::CorruptFile,
                         where + ": " + t->name + " is " +
                             std::string(safetensors_dtype_name(t->dtype)) +
                             " but the other experts of " + e.name + " are " + e.format);
        TensorPart &part = e.parts[expert >= 0 ? static_cast<size_t>(expert) : 0];
        part = {t->name, t->data, t->n_bytes};
        e.n_bytes += t->n_bytes;
    }

    for (const auto &e : inv.m_entries)
        for (size_t i = 0; i < e.parts.size(); ++i)
            if (e.parts[i].source_name.empty())
                return error(StatusCode::CorruptFile,
                             where + ": missing tensor 'model.layers." + std::to_string(e.layer) +
                                 ".mlp.experts." + std::to_string(i) + "." +
                                 std::string(name_of(e.kind).hf.substr(14)) + "'");

    // FP8 checkpoints: "X.weight_scale_inv" [ceil(out/128), ceil(in/128)] F32 belongs to
    // "X.weight" (F8_E4M3). The scales stay tensors; dequantization uses them later.
    std::map<std::string, std::pair<size_t, size_t>, std::less<>> by_source;
    for (size_t i = 0; i < inv.m_entries.size(); ++i)
        for (size_t p = 0; p < inv.m_entries[i].parts.size(); ++p)
            by_source.emplace(inv.m_entries[i].parts[p].source_name, std::pair{i, p});
    for (const SafetensorsTensor *t : scales) {
        const std::string_view name = t->name;
        const std::string weight =
            std::string(name.substr(0, name.size() - std::string_view("_scale_inv").size()));
        const auto it = by_source.find(weight);
        if (it == by_source.end())
            return unexpected(name).with_context(where);
        InventoryEntry &e = inv.m_entries[it->second.first];
        const SafetensorsTensor *w = folder.find_tensor(weight);
        if (e.format != "f8_e4m3" || t->dtype != SafetensorsDtype::F32 || !w ||
            w->shape.size() != 2)
            return error(StatusCode::CorruptFile, where + ": " + t->name +
                                                      " must be an F32 block scale of an F8_E4M3 "
                                                      "matrix");
        const std::vector<std::uint64_t> expected = {(w->shape[0] + 127) / 128,
                                                     (w->shape[1] + 127) / 128};
        if (t->shape != expected)
            return error(StatusCode::CorruptFile, where + ": " + t->name + ": expected " +
                                                      shape_string(expected) + ", found " +
                                                      shape_string(t->shape));
        e.scales.resize(e.parts.size());
        e.scales[it->second.second] = {t->name, t->data, t->n_bytes};
    }
    for (const auto &e : inv.m_entries)
        if (e.format == "f8_e4m3" &&
            (e.scales.size() != e.parts.size() ||
             std::any_of(e.scales.begin(), e.scales.end(),
                         [](const TensorPart &p) { return p.source_name.empty(); })))
            return error(StatusCode::CorruptFile,
                         where + ": " + e.parts[0].source_name +
                             " is F8_E4M3 but a weight_scale_inv is missing for it");

    if (Status s = check_complete(have, c, inv.m_has_mtp, true); !s)
        return std::move(s).with_context(where);
    return inv;
}

} // namespace glmdesk::engine
