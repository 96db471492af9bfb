// The air-mini fixtures (../shared/fixtures): every GGUF and the Hugging Face folder open, the
// config matches config.json, and GGUF and HF describe the same weights with the same bytes.
#include "engine/io/model_info.h"
#include "engine/io/safetensors_reader.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <span>

namespace glmdesk::test {
namespace {

using namespace engine;

std::optional<std::filesystem::path> air_mini()
{
    const auto dir = shared_fixtures_dir();
    if (!dir || !std::filesystem::exists(*dir / "air-mini" / "hf" / "config.json"))
        return std::nullopt;
    return *dir / "air-mini";
}

void expect_matches_config_json(const Glm45Config &c, const nlohmann::json &j,
                                const std::string &what)
{
    SCOPED_TRACE(what);
    EXPECT_EQ(c.architecture, "glm4moe");
    EXPECT_EQ(c.n_vocab, j["vocab_size"].get<std::uint32_t>());
    EXPECT_EQ(c.n_embd, j["hidden_size"].get<std::uint32_t>());
    EXPECT_EQ(c.n_layer, j["num_hidden_layers"].get<std::uint32_t>());
    EXPECT_EQ(c.n_nextn, j["num_nextn_predict_layers"].get<std::uint32_t>());
    EXPECT_EQ(c.n_leading_dense, j["first_k_dense_replace"].get<std::uint32_t>());
    EXPECT_EQ(c.n_ff, j["intermediate_size"].get<std::uint32_t>());
    EXPECT_EQ(c.n_ff_exp, j["moe_intermediate_size"].get<std::uint32_t>());
    EXPECT_EQ(c.n_expert, j["n_routed_experts"].get<std::uint32_t>());
    EXPECT_EQ(c.n_expert_used, j["num_experts_per_tok"].get<std::uint32_t>());
    EXPECT_EQ(c.n_expert_shared, j["n_shared_experts"].get<std::uint32_t>());
    EXPECT_EQ(c.n_head, j["num_attention_heads"].get<std::uint32_t>());
    EXPECT_EQ(c.n_head_kv, j["num_key_value_heads"].get<std::uint32_t>());
    EXPECT_EQ(c.head_dim, j["head_dim"].get<std::uint32_t>());
    EXPECT_EQ(c.n_rot, static_cast<std::uint32_t>(j["head_dim"].get<double>() *
                                                  j["partial_rotary_factor"].get<double>()));
    EXPECT_EQ(c.rope_theta, j["rope_theta"].get<float>());
    EXPECT_EQ(c.rms_eps, j["rms_norm_eps"].get<float>());
    EXPECT_EQ(c.expert_weights_scale, j["routed_scaling_factor"].get<float>());
    EXPECT_EQ(c.expert_weights_norm, j["norm_topk_prob"].get<bool>());
    EXPECT_EQ(c.use_qk_norm, j["use_qk_norm"].get<bool>());
    EXPECT_EQ(c.attention_bias, j["attention_bias"].get<bool>());
    EXPECT_EQ(c.tie_word_embeddings, j["tie_word_embeddings"].get<bool>());
    EXPECT_EQ(c.context_length, j["max_position_embeddings"].get<std::uint32_t>());
}

TEST(AirMiniFixtures, EveryFileOpensAndMatchesConfigJson)
{
    const auto dir = air_mini();
    if (!dir)
        GTEST_SKIP() << "../shared/fixtures/air-mini is not here (set GLMDESK_FIXTURES)";
    const auto config_text = read_small_file(*dir / "hf" / "config.json", 1 << 20);
    ASSERT_TRUE(config_text);
    const auto j = nlohmann::json::parse(*config_text);

    auto hf = ModelFiles::open(*dir / "hf");
    ASSERT_TRUE(hf) << hf.status().to_string();
    expect_matches_config_json(hf->config(), j, "hf");
    EXPECT_TRUE(hf->inventory().has_mtp());

    size_t gguf_files = 0;
    for (const auto &entry : std::filesystem::directory_iterator(*dir / "gguf")) {
        if (entry.path().extension() != ".gguf")
            continue;
        ++gguf_files;
        SCOPED_TRACE(entry.path().filename().string());
        auto g = ModelFiles::open(entry.path());
        ASSERT_TRUE(g) << g.status().to_string();
        expect_matches_config_json(g->config(), j, entry.path().filename().string());
        EXPECT_TRUE(g->inventory().has_mtp());
        // Both namings give the same weights with the same shapes.
        ASSERT_EQ(g->inventory().entries().size(), hf->inventory().entries().size());
        for (const auto &e : g->inventory().entries()) {
            const auto *h = hf->inventory().find(e.kind, e.layer);
            ASSERT_NE(h, nullptr) << e.name;
            EXPECT_EQ(h->shape, e.shape) << e.name;
        }
        const auto info = summarize_model(*g);
        const auto json = nlohmann::json::parse(model_info_json(info));
        EXPECT_EQ(json["hparams"]["hidden_size"], j["hidden_size"]);
        EXPECT_EQ(json["hparams"]["rope_theta"], j["rope_theta"]);
        EXPECT_EQ(json["hparams"]["rms_norm_eps"], j["rms_norm_eps"]);
        EXPECT_EQ(json["tensors"].get<std::uint64_t>(), g->gguf()->tensors().size());
        std::uint64_t role_bytes = 0;
        for (const auto &[role, bytes] : json["bytes_by_role"].items())
            role_bytes += bytes.get<std::uint64_t>();
        EXPECT_EQ(role_bytes, json["tensor_bytes"].get<std::uint64_t>());
    }
    EXPECT_EQ(gguf_files, 6u);
}

// The bf16 GGUF holds the HF weights unchanged: stacked experts are the per-expert tensors laid
// end to end, so the inventory's pointers must find identical bytes.
TEST(AirMiniFixtures, Bf16GgufBytesEqualHfBytes)
{
    const auto dir = air_mini();
    if (!dir)
        GTEST_SKIP() << "../shared/fixtures/air-mini is not here (set GLMDESK_FIXTURES)";
    auto hf = ModelFiles::open(*dir / "hf");
    auto g = ModelFiles::open(*dir / "gguf" / "air-mini-bf16.gguf");
    ASSERT_TRUE(hf && g);
    size_t compared = 0;
    for (const auto &e : g->inventory().entries()) {
        if (e.format != "bf16")
            continue;
        const auto *h = hf->inventory().find(e.kind, e.layer);
        ASSERT_NE(h, nullptr);
        ASSERT_EQ(h->format, "bf16") << e.name;
        ASSERT_EQ(h->n_bytes, e.n_bytes) << e.name;
        std::uint64_t offset = 0;
        for (const auto &part : h->parts) {
            ASSERT_EQ(std::memcmp(e.parts[0].data + offset, part.data, part.n_bytes), 0)
                << e.name << " vs " << part.source_name;
            offset += part.n_bytes;
        }
        ++compared;
    }
    EXPECT_GT(compared, 40u);
}

std::vector<std::uint8_t> read_all(const std::filesystem::path &path)
{
    auto map = MappedFile::open(path);
    EXPECT_TRUE(map) << map.status().to_string();
    return map ? std::vector<std::uint8_t>(map->data(), map->data() + map->size())
               : std::vector<std::uint8_t>();
}

// Real converter output, cut and flipped: the GGUF header (with its tokenizer arrays) is cut at
// every 17th byte and its data at 64 places; every 9th header byte is flipped, one at a time, in a
// buffer restored after each parse. The safetensors header likewise, sparser (JSON parsing is the
// slow part under the sanitizers). Every outcome is a value, never a crash.
TEST(AirMiniFixtures, TruncatedAndFlippedFixturesFailCleanly)
{
    const auto dir = air_mini();
    if (!dir)
        GTEST_SKIP() << "../shared/fixtures/air-mini is not here (set GLMDESK_FIXTURES)";
    auto bytes = read_all(*dir / "gguf" / "air-mini-q4_k_m.gguf");
    auto whole = GgufReader::from_memory(bytes, "q4_k_m");
    ASSERT_TRUE(whole);
    size_t header = bytes.size();
    for (const auto &t : whole->tensors())
        header = std::min<size_t>(header, static_cast<size_t>(t.file_offset));
    for (size_t n = 0; n < header; n += 17) {
        const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
        ASSERT_FALSE(GgufReader::from_memory(cut, "cut")) << n;
    }
    for (size_t i = 1; i <= 64; ++i) {
        const size_t n = header + (bytes.size() - header) * i / 65;
        auto r = GgufReader::from_memory(std::span(bytes.data(), n), "cut");
        ASSERT_FALSE(r) << n;
        EXPECT_NE(r.status().message().find("truncated"), std::string::npos);
    }
    size_t refused = 0;
    for (size_t i = 0; i < header; i += 9) {
        const std::uint8_t saved = bytes[i];
        bytes[i] ^= static_cast<std::uint8_t>(0x5a + i);
        auto r = GgufReader::from_memory(bytes, "flip");
        if (r) {
            for (const auto &t : r->tensors())
                ASSERT_LE(t.file_offset + t.n_bytes, bytes.size());
            auto c = glm45_config_from_gguf(*r);
            if (c)
                (void)TensorInventory::from_gguf(*r, *c);
        } else {
            ++refused;
        }
        bytes[i] = saved;
    }
    EXPECT_GT(refused, 0u);

    auto st = read_all(*dir / "hf" / "model.safetensors");
    std::uint64_t st_header = 0;
    std::memcpy(&st_header, st.data(), 8);
    for (size_t n = 0; n < 8 + st_header; n += 61) {
        const std::vector<std::uint8_t> cut(st.begin(), st.begin() + static_cast<long>(n));
        ASSERT_FALSE(SafetensorsFile::from_memory(cut, "cut")) << n;
    }
    for (size_t i = 0; i < 8 + st_header; i += 37) {
        const std::uint8_t saved = st[i];
        st[i] ^= 0x20;
        auto f = SafetensorsFile::from_memory(st, "flip");
        if (f) {
            for (const auto &t : f->tensors())
                ASSERT_LE(t.file_offset + t.n_bytes, st.size());
        }
        st[i] = saved;
    }
}

} // namespace
} // namespace glmdesk::test
