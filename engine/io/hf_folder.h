// A Hugging Face model folder as GLM-4.5 publishes it: config.json plus either model.safetensors
// or shards listed by model.safetensors.index.json. All shards are mapped; tensors are looked up
// by their Hugging Face names across the whole set.
#pragma once

#include "engine/common/status.h"
#include "engine/io/safetensors_reader.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace glmdesk::engine {

class HfFolder
{
public:
    static Expected<HfFolder> open(const std::filesystem::path &dir);

    HfFolder(HfFolder &&) noexcept = default;
    HfFolder &operator=(HfFolder &&) noexcept = default;

    const std::filesystem::path &dir() const { return m_dir; }
    const std::string &config_json() const { return m_config_json; } // config.json's text
    const std::vector<SafetensorsFile> &files() const { return m_files; }
    const SafetensorsTensor *find_tensor(std::string_view name) const;
    // Every tensor of every shard, shard by shard.
    std::vector<const SafetensorsTensor *> tensors() const;
    std::uint64_t total_file_bytes() const;

private:
    HfFolder() = default;

    std::filesystem::path m_dir;
    std::string m_config_json;
    std::vector<SafetensorsFile> m_files;
    std::unordered_map<std::string, const SafetensorsTensor *> m_index;
};

} // namespace glmdesk::engine
