// Opening "a model" whatever the user points at (a .gguf file, any part of a split set, or a
// Hugging Face folder) and summarising it for `glmdesk-cli --info` and the app's model picker:
// hyperparameters, tensor counts and bytes per block format, bytes per role.
#pragma once

#include "engine/common/status.h"
#include "engine/io/gguf_reader.h"
#include "engine/io/hf_folder.h"
#include "engine/io/hparams.h"
#include "engine/io/tensor_inventory.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace glmdesk::engine {

// The readers (which own the maps), the config and the inventory pointing into the maps.
class ModelFiles
{
public:
    static Expected<ModelFiles> open(const std::filesystem::path &path);

    bool is_gguf() const { return m_gguf != nullptr; }
    const GgufReader *gguf() const { return m_gguf.get(); }
    const HfFolder *hf() const { return m_hf.get(); }
    const std::filesystem::path &path() const { return m_path; }
    const Glm45Config &config() const { return m_config; }
    const TensorInventory &inventory() const { return m_inventory; }

private:
    ModelFiles() = default;

    std::filesystem::path m_path;
    std::unique_ptr<GgufReader> m_gguf;
    std::unique_ptr<HfFolder> m_hf;
    Glm45Config m_config;
    TensorInventory m_inventory;
};

struct FormatStats
{
    std::uint64_t tensors = 0; // tensors as stored in the files (HF: one per expert)
    std::uint64_t bytes = 0;
};

struct ModelInfo
{
    std::string path;
    std::string container; // "gguf" or "safetensors"
    std::uint32_t gguf_version = 0;
    std::uint32_t files = 1;
    std::uint64_t file_bytes = 0;
    Glm45Config config;
    bool has_mtp = false;
    std::uint64_t tensors = 0;
    std::uint64_t tensor_bytes = 0;
    std::map<std::string, FormatStats> by_format;       // "q4_K", "bf16", ...
    std::map<std::string, std::uint64_t> bytes_by_role; // "attention", "mtp", ...
};

ModelInfo summarize_model(const ModelFiles &model);
std::string model_info_json(const ModelInfo &info); // one JSON object, no trailing newline
std::string model_info_text(const ModelInfo &info);

} // namespace glmdesk::engine
