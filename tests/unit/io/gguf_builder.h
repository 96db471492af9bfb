// Writes GGUF images for tests: every value type, nested arrays, tensors with deterministic
// non-zero data, custom alignment, split keys; and a complete tiny GLM-4.5-family model (f32) built
// from a Glm45Config, so the reader, config and inventory tests run without any fixture.
#pragma once

#include "engine/io/gguf_reader.h"
#include "engine/io/hparams.h"
#include "engine/io/tensor_inventory.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace glmdesk::test {

using engine::BlockFormat;
using engine::GgufType;

class GgufBuilder
{
public:
    std::uint32_t version = 3;
    std::uint32_t alignment = 32; // written as general.alignment only if set_alignment() is used

    void set_alignment(std::uint32_t a)
    {
        alignment = a;
        kv_u32("general.alignment", a);
    }

    template <typename T> void kv_scalar(const std::string &key, GgufType type, T v)
    {
        key_header(key, type);
        put(v);
    }
    void kv_u32(const std::string &key, std::uint32_t v) { kv_scalar(key, GgufType::U32, v); }
    void kv_f32(const std::string &key, float v) { kv_scalar(key, GgufType::F32, v); }
    void kv_bool(const std::string &key, bool v)
    {
        kv_scalar(key, GgufType::Bool, static_cast<std::uint8_t>(v));
    }
    void kv_string(const std::string &key, const std::string &v)
    {
        key_header(key, GgufType::String);
        put_string(v);
    }
    void kv_strings(const std::string &key, const std::vector<std::string> &v)
    {
        key_header(key, GgufType::Array);
        put(static_cast<std::uint32_t>(GgufType::String));
        put(static_cast<std::uint64_t>(v.size()));
        for (const auto &s : v)
            put_string(s);
    }
    template <typename T>
    void kv_array(const std::string &key, GgufType type, const std::vector<T> &v)
    {
        key_header(key, GgufType::Array);
        put(static_cast<std::uint32_t>(type));
        put(static_cast<std::uint64_t>(v.size()));
        for (const T x : v)
            put(x);
    }
    // [[1, 2], [3]] as arrays of i32 inside an array.
    void kv_nested(const std::string &key, const std::vector<std::vector<std::int32_t>> &v)
    {
        key_header(key, GgufType::Array);
        put(static_cast<std::uint32_t>(GgufType::Array));
        put(static_cast<std::uint64_t>(v.size()));
        for (const auto &inner : v) {
            put(static_cast<std::uint32_t>(GgufType::I32));
            put(static_cast<std::uint64_t>(inner.size()));
            for (const auto x : inner)
                put(x);
        }
    }

    void tensor(const std::string &name, std::vector<std::uint64_t> dims, BlockFormat format)
    {
        std::uint64_t n = 1;
        for (const auto d : dims)
            n *= d;
        const auto bytes = engine::block_format_bytes(format, n);
        m_tensors.push_back({name, std::move(dims), format, bytes.value_or(0)});
    }

    // The whole file; with materialize_data false only the header and tensor table (for sparse
    // files, where the data is a hole).
    std::vector<std::uint8_t> build(bool materialize_data = true, std::uint32_t seed = 7) const
    {
        std::vector<std::uint8_t> out;
        append(out, "GGUF", 4);
        append_value(out, version);
        append_value(out, static_cast<std::uint64_t>(m_tensors.size()));
        append_value(out, m_n_kv);
        out.insert(out.end(), m_kv.begin(), m_kv.end());
        std::uint64_t offset = 0;
        for (const auto &t : m_tensors) {
            append_value(out, static_cast<std::uint64_t>(t.name.size()));
            append(out, t.name.data(), t.name.size());
            append_value(out, static_cast<std::uint32_t>(t.dims.size()));
            for (const auto d : t.dims)
                append_value(out, d);
            append_value(out, static_cast<std::uint32_t>(t.format));
            append_value(out, offset);
            offset = align(offset + t.n_bytes);
        }
        out.resize(static_cast<size_t>(align(out.size())), 0);
        if (materialize_data) {
            std::mt19937 rng(seed);
            const size_t start = out.size();
            out.resize(start + static_cast<size_t>(offset), 0);
            for (size_t i = start; i < out.size(); ++i)
                out[i] = static_cast<std::uint8_t>(rng() % 255 + 1);
        }
        return out;
    }
    std::uint64_t data_bytes() const
    {
        std::uint64_t offset = 0;
        for (const auto &t : m_tensors)
            offset = align(offset + t.n_bytes);
        return offset;
    }

private:
    struct Tensor
    {
        std::string name;
        std::vector<std::uint64_t> dims;
        BlockFormat format;
        std::uint64_t n_bytes;
    };

    std::uint64_t align(std::uint64_t x) const
    {
        return (x + alignment - 1) / alignment * alignment;
    }
    static void append(std::vector<std::uint8_t> &out, const void *p, size_t n)
    {
        const auto *b = static_cast<const std::uint8_t *>(p);
        out.insert(out.end(), b, b + n);
    }
    template <typename T> static void append_value(std::vector<std::uint8_t> &out, T v)
    {
        append(out, &v, sizeof v);
    }
    template <typename T> void put(T v) { append_value(m_kv, v); }
    void put_string(const std::string &s)
    {
        put(static_cast<std::uint64_t>(s.size()));
        append(m_kv, s.data(), s.size());
    }
    void key_header(const std::string &key, GgufType type)
    {
        put_string(key);
        put(static_cast<std::uint32_t>(type));
        ++m_n_kv;
    }

    std::vector<std::uint8_t> m_kv;
    std::uint64_t m_n_kv = 0;
    std::vector<Tensor> m_tensors;
};

// A small but complete GLM-4.5-family config: 2 layers (1 dense + 1 MoE) + 1 MTP layer.
inline engine::Glm45Config tiny_glm_config()
{
    engine::Glm45Config c;
    c.architecture = "glm4moe";
    c.n_vocab = 64;
    c.n_embd = 32;
    c.n_layer = 2;
    c.n_nextn = 1;
    c.n_leading_dense = 1;
    c.n_ff = 64;
    c.n_ff_exp = 32;
    c.n_expert = 4;
    c.n_expert_used = 2;
    c.n_expert_shared = 1;
    c.n_head = 4;
    c.n_head_kv = 2;
    c.head_dim = 8;
    c.head_dim_v = 8;
    c.n_rot = 4;
    c.context_length = 512;
    c.rope_theta = 1e6f;
    c.rms_eps = 1e-5f;
    return c;
}

// Every (kind, layer) a model with this config has, in GGUF order of layers.
inline std::vector<std::pair<engine::WeightKind, int>> glm_weights(const engine::Glm45Config &c)
{
    using engine::WeightKind;
    std::vector<std::pair<WeightKind, int>> w = {
        {WeightKind::TokenEmbd, -1}, {WeightKind::OutputNorm, -1}, {WeightKind::Output, -1}};
    for (int l = 0; l < static_cast<int>(c.n_block()); ++l) {
        for (const auto k :
             {WeightKind::AttnNorm, WeightKind::AttnQ, WeightKind::AttnQBias, WeightKind::AttnK,
              WeightKind::AttnKBias, WeightKind::AttnV, WeightKind::AttnVBias,
              WeightKind::AttnOutput, WeightKind::PostAttnNorm})
            w.emplace_back(k, l);
        if (c.is_dense_layer(static_cast<std::uint32_t>(l)))
            for (const auto k : {WeightKind::FfnGate, WeightKind::FfnUp, WeightKind::FfnDown})
                w.emplace_back(k, l);
        else
            for (const auto k : {WeightKind::Router, WeightKind::RouterBias, WeightKind::ExpGate,
                                 WeightKind::ExpUp, WeightKind::ExpDown, WeightKind::ShexpGate,
                                 WeightKind::ShexpUp, WeightKind::ShexpDown})
                w.emplace_back(k, l);
        if (c.is_mtp_layer(static_cast<std::uint32_t>(l)))
            for (const auto k : {WeightKind::NextnEhProj, WeightKind::NextnEnorm,
                                 WeightKind::NextnHnorm, WeightKind::NextnSharedHeadNorm,
                                 WeightKind::NextnEmbedTokens, WeightKind::NextnSharedHeadHead})
                w.emplace_back(k, l);
    }
    return w;
}

inline void add_glm_keys(GgufBuilder &b, const engine::Glm45Config &c, bool with_freq_base = true)
{
    b.kv_string("general.architecture", "glm4moe");
    b.kv_string("general.name", "tiny");
    b.kv_u32("glm4moe.context_length", c.context_length);
    b.kv_u32("glm4moe.embedding_length", c.n_embd);
    b.kv_u32("glm4moe.block_count", c.n_block());
    b.kv_u32("glm4moe.feed_forward_length", c.n_ff);
    b.kv_u32("glm4moe.attention.head_count", c.n_head);
    b.kv_u32("glm4moe.attention.head_count_kv", c.n_head_kv);
    b.kv_u32("glm4moe.attention.key_length", c.head_dim);
    b.kv_u32("glm4moe.attention.value_length", c.head_dim_v);
    b.kv_f32("glm4moe.attention.layer_norm_rms_epsilon", c.rms_eps);
    b.kv_u32("glm4moe.rope.dimension_count", c.n_rot);
    if (with_freq_base)
        b.kv_f32("glm4moe.rope.freq_base", c.rope_theta);
    b.kv_u32("glm4moe.expert_count", c.n_expert);
    b.kv_u32("glm4moe.expert_used_count", c.n_expert_used);
    b.kv_u32("glm4moe.expert_feed_forward_length", c.n_ff_exp);
    b.kv_u32("glm4moe.expert_shared_count", c.n_expert_shared);
    b.kv_u32("glm4moe.leading_dense_block_count", c.n_leading_dense);
    b.kv_u32("glm4moe.expert_gating_func", 2);
    b.kv_f32("glm4moe.expert_weights_scale", c.expert_weights_scale);
    b.kv_bool("glm4moe.expert_weights_norm", c.expert_weights_norm);
    b.kv_u32("glm4moe.nextn_predict_layers", c.n_nextn);
    b.kv_strings("tokenizer.ggml.tokens", {"a", "b", "<|user|>"});
}

// Adds every tensor of the tiny model (f32); `skip` leaves one out, `override_name` and
// `override_dims` replace one tensor's shape.
inline void add_glm_tensors(GgufBuilder &b, const engine::Glm45Config &c,
                            const std::string &skip = {}, const std::string &override_name = {},
                            const std::vector<std::uint64_t> &override_dims = {})
{
    for (const auto &[kind, layer] : glm_weights(c)) {
        const std::string name = engine::gguf_weight_name(kind, layer);
        if (name == skip)
            continue;
        b.tensor(name,
                 name == override_name ? override_dims : engine::expected_weight_shape(kind, c),
                 BlockFormat::F32);
    }
}

inline std::vector<std::uint8_t> tiny_glm_gguf()
{
    GgufBuilder b;
    const auto c = tiny_glm_config();
    add_glm_keys(b, c);
    add_glm_tensors(b, c);
    return b.build();
}

inline void write_file(const std::string &path, const std::vector<std::uint8_t> &bytes)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A fresh empty folder under the system temp dir, removed by the destructor.
class TempDir
{
public:
    explicit TempDir(const std::string &tag)
    {
        std::random_device rd;
        m_path = std::filesystem::temp_directory_path() /
                 ("glmdesk-" + tag + "-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path &path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace glmdesk::test
