#include "engine/io/model_info.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace glmdesk::engine {
namespace {

[[gnu::format(printf, 2, 3)]] void appendf(std::string &out, const char *fmt, ...)
{
    char line[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    out += line;
}

// A float as the shortest decimal that reads back to it, so 1e-5f prints as 1e-05 and not
// 9.999999747378752e-06.
double shortest(float v)
{
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::strtod(std::string(buf, r.ptr).c_str(), nullptr);
}

} // namespace

Expected<ModelFiles> ModelFiles::open(const std::filesystem::path &path)
{
    ModelFiles m;
    m.m_path = path;
    std::error_code ec;
    std::filesystem::path target = path;
    // Pointing at a folder's config.json or model.safetensors means the folder.
    if (!std::filesystem::is_directory(path, ec) &&
        (path.filename() == "config.json" || path.extension() == ".safetensors"))
        target = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    if (std::filesystem::is_directory(target, ec)) {
        auto hf = HfFolder::open(target);
        if (!hf)
            return hf.status();
        m.m_hf = std::make_unique<HfFolder>(std::move(hf).value());
        auto config =
            glm45_config_from_hf_json(m.m_hf->config_json(), (target / "config.json").string());
        if (!config)
            return config.status();
        m.m_config = *config;
        auto inv = TensorInventory::from_hf(*m.m_hf, m.m_config);
        if (!inv)
            return inv.status();
        m.m_inventory = std::move(inv).value();
        return m;
    }
    auto gguf = GgufReader::open(path);
    if (!gguf)
        return gguf.status();
    m.m_gguf = std::make_unique<GgufReader>(std::move(gguf).value());
    auto config = glm45_config_from_gguf(*m.m_gguf);
    if (!config)
        return config.status();
    m.m_config = *config;
    auto inv = TensorInventory::from_gguf(*m.m_gguf, m.m_config);
    if (!inv)
        return inv.status();
    m.m_inventory = std::move(inv).value();
    return m;
}

ModelInfo summarize_model(const ModelFiles &model)
{
    ModelInfo info;
    info.path = model.path().string();
    info.config = model.config();
    info.has_mtp = model.inventory().has_mtp();
    if (const GgufReader *g = model.gguf()) {
        info.container = "gguf";
        info.gguf_version = g->version();
        info.files = g->split_count();
        info.file_bytes = g->total_file_bytes();
        for (const auto &t : g->tensors()) {
            auto &f = info.by_format[std::string(block_format_name(t.format))];
            ++f.tensors;
            f.bytes += t.n_bytes;
        }
    } else if (const HfFolder *h = model.hf()) {
        info.container = "safetensors";
        info.files = static_cast<std::uint32_t>(h->files().size());
        info.file_bytes = h->total_file_bytes();
        for (const SafetensorsTensor *t : h->tensors()) {
            std::string name(safetensors_dtype_name(t->dtype));
            for (auto &ch : name)
                ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
            auto &f = info.by_format[name];
            ++f.tensors;
            f.bytes += t->n_bytes;
        }
    }
    for (const auto &[name, f] : info.by_format) {
        info.tensors += f.tensors;
        info.tensor_bytes += f.bytes;
    }
    for (const auto &e : model.inventory().entries()) {
        auto &bytes =
            info.bytes_by_role[std::string(tensor_role_name(e.mtp ? TensorRole::Mtp : e.role))];
        bytes += e.n_bytes;
        for (const auto &s : e.scales)
            bytes += s.n_bytes;
    }
    return info;
}

std::string model_info_json(const ModelInfo &info)
{
    const Glm45Config &c = info.config;
    nlohmann::ordered_json j;
    j["path"] = info.path;
    j["container"] = info.container;
    if (info.container == "gguf")
        j["gguf_version"] = info.gguf_version;
    j["files"] = info.files;
    j["file_bytes"] = info.file_bytes;
    j["architecture"] = c.architecture;
    j["hparams"] = {
        {"vocab_size", c.n_vocab},
        {"hidden_size", c.n_embd},
        {"num_hidden_layers", c.n_layer},
        {"num_nextn_predict_layers", c.n_nextn},
        {"first_k_dense_replace", c.n_leading_dense},
        {"intermediate_size", c.n_ff},
        {"moe_intermediate_size", c.n_ff_exp},
        {"n_routed_experts", c.n_expert},
        {"num_experts_per_tok", c.n_expert_used},
        {"n_shared_experts", c.n_expert_shared},
        {"num_attention_heads", c.n_head},
        {"num_key_value_heads", c.n_head_kv},
        {"head_dim", c.head_dim},
        {"rope_dims", c.n_rot},
        {"rope_theta", shortest(c.rope_theta)},
        {"rms_norm_eps", shortest(c.rms_eps)},
        {"routed_scaling_factor", shortest(c.expert_weights_scale)},
        {"norm_topk_prob", c.expert_weights_norm},
        {"use_qk_norm", c.use_qk_norm},
        {"attention_bias", c.attention_bias},
        {"tie_word_embeddings", c.tie_word_embeddings},
        {"n_group", c.n_group},
        {"topk_group", c.topk_group},
        {"max_position_embeddings", c.context_length},
    };
    j["mtp_layer"] = info.has_mtp;
    j["tensors"] = info.tensors;
    j["tensor_bytes"] = info.tensor_bytes;
    nlohmann::ordered_json formats = nlohmann::ordered_json::object();
    for (const auto &[name, f] : info.by_format)
        formats[name] = {{"tensors", f.tensors}, {"bytes", f.bytes}};
    j["by_format"] = std::move(formats);
    nlohmann::ordered_json roles = nlohmann::ordered_json::object();
    for (const auto &[name, bytes] : info.bytes_by_role)
        roles[name] = bytes;
    j["bytes_by_role"] = std::move(roles);
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string model_info_text(const ModelInfo &info)
{
    const Glm45Config &c = info.config;
    std::string out;
    const auto gib = [](std::uint64_t b) { return static_cast<double>(b) / (1ull << 30); };
    appendf(out, "model:        %s\n", info.path.c_str());
    if (info.container == "gguf")
        appendf(out, "container:    GGUF v%u, %u file(s), %.2f GiB\n", info.gguf_version,
                info.files, gib(info.file_bytes));
    else
        appendf(out, "container:    safetensors, %u file(s), %.2f GiB\n", info.files,
                gib(info.file_bytes));
    appendf(out, "architecture: %s\n", c.architecture.c_str());
    appendf(out, "layers:       %u (%u dense, %u MoE) + %u MTP%s\n", c.n_layer, c.n_leading_dense,
            c.n_layer - c.n_leading_dense, c.n_nextn,
            info.has_mtp ? "" : " (absent from the file)");
    appendf(out, "hidden:       %u, vocab %u, context %u\n", c.n_embd, c.n_vocab, c.context_length);
    appendf(out, "attention:    %u heads, %u KV heads, head_dim %u, rope %u dims theta %g%s%s\n",
            c.n_head, c.n_head_kv, c.head_dim, c.n_rot, static_cast<double>(c.rope_theta),
            c.attention_bias ? ", bias" : "", c.use_qk_norm ? ", qk-norm" : "");
    appendf(out, "moe:          %u experts, top-%u, %u shared, expert width %u, dense width %u\n",
            c.n_expert, c.n_expert_used, c.n_expert_shared, c.n_ff_exp, c.n_ff);
    appendf(out, "tensors:      %llu, %.3f GiB\n", static_cast<unsigned long long>(info.tensors),
            gib(info.tensor_bytes));
    for (const auto &[name, f] : info.by_format)
        appendf(out, "  %-10s %6llu tensors %12llu bytes\n", name.c_str(),
                static_cast<unsigned long long>(f.tensors),
                static_cast<unsigned long long>(f.bytes));
    out += "bytes by role:\n";
    for (const auto &[name, bytes] : info.bytes_by_role)
        appendf(out, "  %-16s %14llu\n", name.c_str(), static_cast<unsigned long long>(bytes));
    return out;
}

} // namespace glmdesk::engine
