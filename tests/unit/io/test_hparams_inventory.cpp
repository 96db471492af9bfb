// GLM-4.5 hyperparameters (GGUF keys and config.json) and the tensor inventory's checks.
#include "engine/io/model_info.h"
#include "tests/unit/io/safetensors_builder.h"

#include <gtest/gtest.h>

namespace glmdesk::test {
namespace {

using namespace engine;

std::string data_file(const std::string &name)
{
    auto text = read_small_file(std::filesystem::path(GLMDESK_TEST_DATA) / "io" / name, 1 << 20);
    EXPECT_TRUE(text) << text.status().to_string();
    return text ? *text : std::string();
}

TEST(Hparams, AirMiniConfigJson)
{
    const std::string text = data_file("air-mini-config.json");
    const auto j = nlohmann::json::parse(text);
    auto c = glm45_config_from_hf_json(text, "config.json");
    ASSERT_TRUE(c) << c.status().to_string();
    EXPECT_EQ(c->architecture, "glm4moe");
    EXPECT_EQ(c->n_vocab, j["vocab_size"].get<std::uint32_t>());
    EXPECT_EQ(c->n_embd, j["hidden_size"].get<std::uint32_t>());
    EXPECT_EQ(c->n_layer, j["num_hidden_layers"].get<std::uint32_t>());
    EXPECT_EQ(c->n_nextn, j["num_nextn_predict_layers"].get<std::uint32_t>());
    EXPECT_EQ(c->n_head_kv, j["num_key_value_heads"].get<std::uint32_t>());
    EXPECT_EQ(c->n_rot, static_cast<std::uint32_t>(j["head_dim"].get<double>() *
                                                   j["partial_rotary_factor"].get<double>()));
    EXPECT_EQ(c->rope_theta, j["rope_theta"].get<float>());
    EXPECT_EQ(c->rms_eps, j["rms_norm_eps"].get<float>());
    EXPECT_TRUE(c->attention_bias);
    EXPECT_FALSE(c->use_qk_norm);
}

TEST(Hparams, ConfigJsonRefusalsAreActionable)
{
    auto j = nlohmann::json::parse(data_file("air-mini-config.json"));
    auto with = [&](const char *key, nlohmann::json v) {
        auto copy = j;
        if (v.is_null())
            copy.erase(key);
        else
            copy[key] = v;
        return glm45_config_from_hf_json(copy.dump(), "config.json");
    };
    auto llama = [&] {
        auto copy = j;
        copy["architectures"] = {"LlamaForCausalLM"};
        copy["model_type"] = "llama";
        return glm45_config_from_hf_json(copy.dump(), "config.json");
    }();
    ASSERT_FALSE(llama);
    EXPECT_NE(llama.status().message().find(
                  "architecture 'LlamaForCausalLM' is not a GLM-4.5-family model"),
              std::string::npos);
    EXPECT_EQ(llama.status().code(), StatusCode::Unsupported);

    auto kv = with("num_key_value_heads", 3);
    ASSERT_FALSE(kv);
    EXPECT_NE(kv.status().message().find("KV heads"), std::string::npos);
    auto topk = with("num_experts_per_tok", 17);
    ASSERT_FALSE(topk);
    EXPECT_NE(topk.status().message().find("experts per token is 17"), std::string::npos);
    auto missing = with("hidden_size", nullptr);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("'hidden_size'"), std::string::npos);
    EXPECT_FALSE(with("hidden_size", "256"));
    EXPECT_FALSE(with("hidden_size", -1));
    EXPECT_FALSE(with("rms_norm_eps", 0));
    EXPECT_FALSE(with("partial_rotary_factor", 0.3)); // 64 * 0.3 is not whole
    EXPECT_FALSE(glm45_config_from_hf_json("{not json", "config.json"));
    EXPECT_FALSE(glm45_config_from_hf_json("[1,2]", "config.json"));

    // rope_theta: missing means the transformers default; transformers 5 nests it.
    auto no_theta = with("rope_theta", nullptr);
    ASSERT_TRUE(no_theta);
    EXPECT_EQ(no_theta->rope_theta, 10000.0f);
    auto nested = j;
    nested.erase("rope_theta");
    nested.erase("partial_rotary_factor");
    nested["rope_parameters"] = {{"rope_theta", 5e5}, {"partial_rotary_factor", 0.25}};
    auto n = glm45_config_from_hf_json(nested.dump(), "config.json");
    ASSERT_TRUE(n) << n.status().to_string();
    EXPECT_EQ(n->rope_theta, 5e5f);
    EXPECT_EQ(n->n_rot, 16u);
}

Expected<GgufReader> open_memory(const std::vector<std::uint8_t> &bytes)
{
    return GgufReader::from_memory(bytes, "tiny.gguf");
}

TEST(Hparams, FromGgufKeys)
{
    const auto expect = tiny_glm_config();
    GgufBuilder b;
    add_glm_keys(b, expect, /*with_freq_base=*/false);
    add_glm_tensors(b, expect);
    const auto bytes = b.build();
    auto r = open_memory(bytes);
    ASSERT_TRUE(r) << r.status().to_string();
    auto c = glm45_config_from_gguf(*r);
    ASSERT_TRUE(c) << c.status().to_string();
    EXPECT_EQ(c->rope_theta, 10000.0f); // no rope.freq_base key: llama.cpp's default
    EXPECT_EQ(c->n_layer, expect.n_layer);
    EXPECT_EQ(c->n_nextn, expect.n_nextn);
    EXPECT_EQ(c->n_vocab, expect.n_vocab);
    EXPECT_EQ(c->n_rot, expect.n_rot);
    EXPECT_EQ(c->n_expert_shared, expect.n_expert_shared);
    EXPECT_TRUE(c->attention_bias);
    EXPECT_FALSE(c->use_qk_norm);

    GgufBuilder llama;
    llama.kv_string("general.architecture", "llama");
    const auto lb = llama.build();
    auto lr = open_memory(lb);
    ASSERT_TRUE(lr);
    auto lc = glm45_config_from_gguf(*lr);
    ASSERT_FALSE(lc);
    EXPECT_NE(lc.status().message().find("architecture 'llama' is not a GLM-4.5-family model"),
              std::string::npos)
        << lc.status().message();

    GgufBuilder wrong_type;
    wrong_type.kv_string("general.architecture", "glm4moe");
    wrong_type.kv_string("glm4moe.embedding_length", "4096");
    const auto wb = wrong_type.build();
    auto wc = glm45_config_from_gguf(*open_memory(wb));
    ASSERT_FALSE(wc);
    EXPECT_NE(wc.status().message().find("glm4moe.embedding_length"), std::string::npos);
}

TEST(Inventory, TinyGgufMapsEveryTensor)
{
    const auto bytes = tiny_glm_gguf();
    auto r = open_memory(bytes);
    ASSERT_TRUE(r);
    auto c = glm45_config_from_gguf(*r);
    ASSERT_TRUE(c) << c.status().to_string();
    auto inv = TensorInventory::from_gguf(*r, *c);
    ASSERT_TRUE(inv) << inv.status().to_string();
    EXPECT_EQ(inv->entries().size(), r->tensors().size());
    EXPECT_TRUE(inv->has_mtp());
    const auto *eh = inv->find(WeightKind::NextnEhProj, 2);
    ASSERT_NE(eh, nullptr);
    EXPECT_TRUE(eh->mtp);
    EXPECT_EQ(eh->role, TensorRole::Mtp);
    const auto *mtp_experts = inv->find(WeightKind::ExpUp, 2);
    ASSERT_NE(mtp_experts, nullptr);
    EXPECT_TRUE(mtp_experts->mtp);
    EXPECT_EQ(mtp_experts->role, TensorRole::RoutedExperts);
    EXPECT_EQ(inv->find(WeightKind::Router, 1)->role, TensorRole::Router);
    EXPECT_EQ(inv->find(WeightKind::FfnDown, 0)->role, TensorRole::DenseFfn);
    std::uint64_t sum = 0;
    for (const auto &t : r->tensors())
        sum += t.n_bytes;
    EXPECT_EQ(inv->total_bytes(), sum);
}

TEST(Inventory, ShapeMismatchMissingAndStrayTensorsAreNamed)
{
    const auto c = tiny_glm_config();
    auto open_with = [&](const std::string &skip, const std::string &override_name,
                         std::vector<std::uint64_t> dims, const std::string &extra = {}) {
        GgufBuilder b;
        add_glm_keys(b, c);
        add_glm_tensors(b, c, skip, override_name, dims);
        if (!extra.empty())
            b.tensor(extra, {32}, BlockFormat::F32);
        const auto bytes = b.build();
        auto r = open_memory(bytes);
        EXPECT_TRUE(r);
        auto cfg = glm45_config_from_gguf(*r);
        EXPECT_TRUE(cfg);
        return TensorInventory::from_gguf(*r, *cfg).status();
    };
    const Status shape = open_with({}, "blk.1.ffn_down_exps.weight", {32, 32, 3});
    ASSERT_FALSE(shape.ok());
    EXPECT_NE(shape.message().find("blk.1.ffn_down_exps.weight: expected [32, 32, 4], found [32, "
                                   "32, 3]"),
              std::string::npos)
        << shape.message();
    const Status missing = open_with("blk.1.ffn_gate_inp.weight", {}, {});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.message().find("missing tensor 'blk.1.ffn_gate_inp.weight'"),
              std::string::npos);
    const Status stray = open_with({}, {}, {}, "blk.1.something_else.weight");
    ASSERT_FALSE(stray.ok());
    EXPECT_NE(stray.message().find("unexpected tensor 'blk.1.something_else.weight'"),
              std::string::npos);
    const Status dense_in_moe = open_with({}, {}, {}, "blk.1.ffn_gate.weight");
    EXPECT_FALSE(dense_in_moe.ok()); // layer 1 is a MoE layer
    const Status beyond = open_with({}, {}, {}, "blk.9.attn_norm.weight");
    EXPECT_FALSE(beyond.ok());
    // The optional MTP embedding may be absent (GLM-4.6 reuses the main one).
    EXPECT_TRUE(open_with("blk.2.nextn.embed_tokens.weight", {}, {}).ok());
}

TEST(Inventory, FileWithoutMtpLayerOpens)
{
    const auto c = tiny_glm_config();
    GgufBuilder b;
    add_glm_keys(b, c);
    for (const auto &[kind, layer] : glm_weights(c))
        if (layer < static_cast<int>(c.n_layer))
            b.tensor(gguf_weight_name(kind, layer), expected_weight_shape(kind, c),
                     BlockFormat::F32);
    const auto bytes = b.build();
    auto r = open_memory(bytes);
    auto cfg = glm45_config_from_gguf(*r);
    ASSERT_TRUE(cfg);
    auto inv = TensorInventory::from_gguf(*r, *cfg);
    ASSERT_TRUE(inv) << inv.status().to_string();
    EXPECT_FALSE(inv->has_mtp());
}

TEST(Inventory, HfAndGgufNamingAgree)
{
    const auto c = tiny_glm_config();
    TempDir dir("agree");
    std::vector<std::uint8_t> bytes;
    write_file((dir.path() / "config.json").string(), [&] {
        const auto s = tiny_hf_config_json(c);
        return std::vector<std::uint8_t>(s.begin(), s.end());
    }());
    write_file((dir.path() / "model.safetensors").string(), build_safetensors(tiny_hf_tensors(c)));
    auto hf = ModelFiles::open(dir.path());
    ASSERT_TRUE(hf) << hf.status().to_string();
    const auto gguf_bytes = tiny_glm_gguf();
    auto r = open_memory(gguf_bytes);
    auto gc = glm45_config_from_gguf(*r);
    auto ginv = TensorInventory::from_gguf(*r, *gc);
    ASSERT_TRUE(ginv);
    ASSERT_EQ(hf->inventory().entries().size(), ginv->entries().size());
    for (const auto &e : ginv->entries()) {
        const auto *h = hf->inventory().find(e.kind, e.layer);
        ASSERT_NE(h, nullptr) << e.name;
        EXPECT_EQ(h->name, e.name);
        EXPECT_EQ(h->shape, e.shape) << e.name;
        EXPECT_EQ(h->role, e.role) << e.name;
        EXPECT_EQ(h->mtp, e.mtp) << e.name;
    }
    const auto info = summarize_model(*hf);
    EXPECT_EQ(info.container, "safetensors");
    EXPECT_GT(info.bytes_by_role.at("mtp"), 0u);
    EXPECT_GT(info.bytes_by_role.at("routed_experts"), 0u);
    std::uint64_t vectors = 0; // norms, biases and router biases are the F32 tensors
    for (const auto &t : tiny_hf_tensors(c))
        vectors += t.shape.size() == 1 ? 1 : 0;
    EXPECT_EQ(info.by_format.at("f32").tensors, vectors);
}

} // namespace
} // namespace glmdesk::test
