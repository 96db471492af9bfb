// safetensors reader and Hugging Face folders: dtypes, offsets, shards with an index, FP8 block
// scales, hostile headers.
#include "engine/io/hf_folder.h"
#include "engine/io/model_info.h"
#include "engine/io/safetensors_reader.h"
#include "tests/unit/io/safetensors_builder.h"

#include <gtest/gtest.h>

namespace glmdesk::test {
namespace {

using namespace engine;

TEST(Safetensors, ReadsDtypesShapesAndOffsets)
{
    const std::vector<StTensor> tensors = {{"a", "BF16", {3, 5}},
                                           {"b", "F32", {7}},
                                           {"c", "F16", {2, 2, 2}},
                                           {"d", "F8_E4M3", {4, 16}},
                                           {"e", "F32", {0}}};
    const auto bytes = build_safetensors(tensors);
    auto f = SafetensorsFile::from_memory(bytes, "mem.safetensors");
    ASSERT_TRUE(f) << f.status().to_string();
    EXPECT_EQ(f->metadata().at("format"), "pt");
    ASSERT_EQ(f->tensors().size(), 5u);
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    const SafetensorsTensor *a = f->find_tensor("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->dtype, SafetensorsDtype::BF16);
    EXPECT_EQ(a->shape, (std::vector<std::uint64_t>{3, 5}));
    EXPECT_EQ(a->n_bytes, 30u);
    EXPECT_EQ(a->file_offset, 8 + header_len);
    EXPECT_EQ(a->data, bytes.data() + 8 + header_len);
    EXPECT_EQ(f->find_tensor("b")->file_offset, 8 + header_len + 30);
    EXPECT_EQ(f->find_tensor("c")->n_bytes, 16u);
    EXPECT_EQ(f->find_tensor("d")->dtype, SafetensorsDtype::F8_E4M3);
    EXPECT_EQ(f->find_tensor("d")->n_bytes, 64u);
    EXPECT_EQ(f->find_tensor("e")->n_bytes, 0u);
    EXPECT_EQ(f->find_tensor("zz"), nullptr);
}

std::vector<std::uint8_t> with_header(const std::string &json, size_t data_bytes = 64)
{
    std::vector<std::uint8_t> out(8);
    const std::uint64_t len = json.size();
    std::memcpy(out.data(), &len, 8);
    out.insert(out.end(), json.begin(), json.end());
    out.resize(out.size() + data_bytes, 0x5a);
    return out;
}

TEST(Safetensors, RefusesHostileHeaders)
{
    const std::string cases[] = {
        "",
        "[]",
        "{\"a\":1}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,5]}}",    // size mismatch
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,0]}}",    // begin > end
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[64],\"data_offsets\":[0,128]}}", // past the end
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[-2],\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":\"x\",\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0]}}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0.5,4]}}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[18446744073709551615,4]}}",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2]",
        std::string(5000, '[') + std::string(5000, ']'),
        "{\"__metadata__\":[1]}",
    };
    for (const auto &json : cases) {
        const auto bytes = with_header(json);
        auto f = SafetensorsFile::from_memory(bytes, "bad.safetensors");
        EXPECT_FALSE(f) << json.substr(0, 80);
        if (!f) {
            EXPECT_EQ(f.status().message().rfind("bad.safetensors: ", 0), 0u);
        }
    }
    auto i64 = SafetensorsFile::from_memory(
        with_header("{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}"), "i");
    ASSERT_FALSE(i64);
    EXPECT_EQ(i64.status().code(), StatusCode::Unsupported);
    EXPECT_NE(i64.status().message().find("I64"), std::string::npos);

    // Header length beyond the file, and files too short for the length itself.
    auto huge = with_header("{}");
    const std::uint64_t len = 1ull << 62;
    std::memcpy(huge.data(), &len, 8);
    EXPECT_FALSE(SafetensorsFile::from_memory(huge, "huge"));
    for (size_t n = 0; n < 8; ++n)
        EXPECT_FALSE(SafetensorsFile::from_memory(std::vector<std::uint8_t>(n, 0), "short"));
}

TEST(Safetensors, TruncationAtEveryOffsetIsAnError)
{
    const auto bytes = build_safetensors({{"a", "BF16", {3, 5}}, {"b", "F32", {7}}});
    for (size_t n = 0; n < bytes.size(); ++n) {
        std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
        EXPECT_FALSE(SafetensorsFile::from_memory(cut, "cut")) << n;
    }
    EXPECT_TRUE(SafetensorsFile::from_memory(bytes, "whole"));
}

void write_text(const std::filesystem::path &path, const std::string &text)
{
    write_file(path.string(), std::vector<std::uint8_t>(text.begin(), text.end()));
}

TEST(HfFolder, ShardedWithIndexOpensAsOneModel)
{
    const auto c = tiny_glm_config();
    const auto tensors = tiny_hf_tensors(c);
    TempDir dir("hf");
    write_text(dir.path() / "config.json", tiny_hf_config_json(c));
    nlohmann::json index = {{"metadata", {{"total_size", 0}}},
                            {"weight_map", nlohmann::json::object()}};
    std::vector<StTensor> shard[2];
    for (size_t i = 0; i < tensors.size(); ++i) {
        const int s = i < tensors.size() / 2 ? 0 : 1;
        shard[s].push_back(tensors[i]);
        index["weight_map"][tensors[i].name] =
            "model-0000" + std::to_string(s + 1) + "-of-00002.safetensors";
    }
    write_file((dir.path() / "model-00001-of-00002.safetensors").string(),
               build_safetensors(shard[0], 1));
    write_file((dir.path() / "model-00002-of-00002.safetensors").string(),
               build_safetensors(shard[1], 2));
    write_text(dir.path() / "model.safetensors.index.json", index.dump());

    auto model = ModelFiles::open(dir.path());
    ASSERT_TRUE(model) << model.status().to_string();
    ASSERT_NE(model->hf(), nullptr);
    EXPECT_EQ(model->hf()->files().size(), 2u);
    EXPECT_EQ(model->hf()->tensors().size(), tensors.size());
    EXPECT_EQ(model->config().n_expert, c.n_expert);
    EXPECT_EQ(model->config().n_rot, c.n_rot);
    const auto *exps = model->inventory().find(WeightKind::ExpDown, 1);
    ASSERT_NE(exps, nullptr);
    EXPECT_EQ(exps->name, "blk.1.ffn_down_exps.weight");
    EXPECT_EQ(exps->shape, (std::vector<std::uint64_t>{c.n_ff_exp, c.n_embd, c.n_expert}));
    ASSERT_EQ(exps->parts.size(), c.n_expert);
    for (std::uint32_t e = 0; e < c.n_expert; ++e) {
        const std::string name =
            "model.layers.1.mlp.experts." + std::to_string(e) + ".down_proj.weight";
        EXPECT_EQ(exps->parts[e].source_name, name);
        EXPECT_EQ(exps->parts[e].data, model->hf()->find_tensor(name)->data);
    }
    EXPECT_TRUE(model->inventory().has_mtp());
    EXPECT_NE(model->inventory().find(WeightKind::NextnEhProj, 2), nullptr);
    // Opening via config.json or a shard file opens the folder too.
    EXPECT_TRUE(ModelFiles::open(dir.path() / "config.json"));

    // An index naming a file outside the folder is refused.
    index["weight_map"][tensors[0].name] = "../evil.safetensors";
    write_text(dir.path() / "model.safetensors.index.json", index.dump());
    auto evil = HfFolder::open(dir.path());
    ASSERT_FALSE(evil);
    EXPECT_NE(evil.status().message().find("not a file in this folder"), std::string::npos);
    // An index naming a tensor the shard lacks.
    index["weight_map"][tensors[0].name] = "model-00002-of-00002.safetensors";
    write_text(dir.path() / "model.safetensors.index.json", index.dump());
    auto wrong = HfFolder::open(dir.path());
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.status().message().find(tensors[0].name), std::string::npos);
}

TEST(HfFolder, MissingExpertAndMissingFilesAreNamed)
{
    const auto c = tiny_glm_config();
    auto tensors = tiny_hf_tensors(c);
    const std::string gone = "model.layers.2.mlp.experts.3.up_proj.weight";
    std::erase_if(tensors, [&](const StTensor &t) { return t.name == gone; });
    TempDir dir("hfmiss");
    auto none = HfFolder::open(dir.path());
    ASSERT_FALSE(none);
    EXPECT_NE(none.status().message().find("config.json"), std::string::npos);
    write_text(dir.path() / "config.json", tiny_hf_config_json(c));
    auto no_weights = HfFolder::open(dir.path());
    ASSERT_FALSE(no_weights);
    EXPECT_NE(no_weights.status().message().find("model.safetensors"), std::string::npos);
    write_file((dir.path() / "model.safetensors").string(), build_safetensors(tensors));
    auto model = ModelFiles::open(dir.path());
    ASSERT_FALSE(model);
    EXPECT_NE(model.status().message().find("missing tensor '" + gone + "'"), std::string::npos)
        << model.status().message();
}

TEST(HfFolder, Fp8CheckpointKeepsBlockScales)
{
    auto c = tiny_glm_config();
    c.n_embd = 256; // several 128-blocks per row and column
    c.n_ff = 384;
    c.n_ff_exp = 128;
    c.head_dim = 64;
    c.head_dim_v = 64;
    c.n_rot = 32;
    TempDir dir("fp8");
    write_text(dir.path() / "config.json", tiny_hf_config_json(c));
    write_file((dir.path() / "model.safetensors").string(),
               build_safetensors(tiny_hf_tensors(c, "F8_E4M3")));
    auto model = ModelFiles::open(dir.path());
    ASSERT_TRUE(model) << model.status().to_string();
    const auto *down = model->inventory().find(WeightKind::FfnDown, 0);
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(down->format, "f8_e4m3");
    EXPECT_FALSE(down->block_format.has_value());
    ASSERT_EQ(down->scales.size(), 1u);
    EXPECT_EQ(down->scales[0].source_name, "model.layers.0.mlp.down_proj.weight_scale_inv");
    EXPECT_EQ(down->scales[0].n_bytes, 2u * 3u * 4u); // [256/128, 384/128] f32
    const auto *exps = model->inventory().find(WeightKind::ExpGate, 1);
    ASSERT_EQ(exps->scales.size(), c.n_expert);
    const auto info = summarize_model(*model);
    EXPECT_GT(info.by_format.at("f8_e4m3").tensors, 0u);

    // Drop one scale: the weight cannot be used without it.
    auto tensors = tiny_hf_tensors(c, "F8_E4M3");
    std::erase_if(tensors, [](const StTensor &t) {
        return t.name == "model.layers.1.mlp.experts.2.gate_proj.weight_scale_inv";
    });
    write_file((dir.path() / "model.safetensors").string(), build_safetensors(tensors));
    auto broken = ModelFiles::open(dir.path());
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.status().message().find("weight_scale_inv"), std::string::npos);
}

} // namespace
} // namespace glmdesk::test
