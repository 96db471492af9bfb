#include "engine/io/hf_folder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace glmdesk::engine {
namespace {

constexpr std::uint64_t k_max_json_file = 64ull << 20;

// A shard name from the index must be a plain file in the folder: "../x" or "/etc/x" is refused.
bool is_plain_file_name(const std::string &name)
{
    return !name.empty() && name != "." && name != ".." &&
           name.find_first_of("/\\") == std::string::npos && name.find('\0') == std::string::npos;
}

} // namespace

Expected<HfFolder> HfFolder::open(const std::filesystem::path &dir)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return error(StatusCode::NotFound, dir.string() + ": not a folder");
    HfFolder f;
    f.m_dir = dir;
    auto config = read_small_file(dir / "config.json", k_max_json_file);
    if (!config)
        return config.status().with_context("a Hugging Face model folder needs config.json");
    f.m_config_json = std::move(config).value();

    std::vector<std::string> shard_names;
    std::vector<std::pair<std::string, std::string>> weight_map;
    const auto index_path = dir / "model.safetensors.index.json";
    if (std::filesystem::exists(index_path, ec)) {
        auto text = read_small_file(index_path, k_max_json_file);
        if (!text)
            return text.status();
        const auto j = nlohmann::json::parse(*text, nullptr, false);
        const std::string where = index_path.string() + ": ";
        if (j.is_discarded() || !j.is_object())
            return error(StatusCode::CorruptFile, where + "not a JSON object");
        const auto wm = j.find("weight_map");
        if (wm == j.end() || !wm->is_object())
            return error(StatusCode::CorruptFile, where + "no weight_map object");
        std::set<std::string> seen;
        for (const auto &[tensor, file] : wm->items()) {
            if (!file.is_string())
                return error(StatusCode::CorruptFile,
                             where + "weight_map entry '" + tensor + "' is not a file name");
            const auto name = file.get<std::string>();
            if (!is_plain_file_name(name))
                return error(StatusCode::CorruptFile, where + "weight_map entry '" + tensor +
                                                          "' names '" + name +
                                                          "', not a file in this folder");
            if (seen.insert(name).second)
                shard_names.push_back(name);
            weight_map.emplace_back(tensor, name);
        }
        if (shard_names.empty())
            return error(StatusCode::CorruptFile, where + "weight_map is empty");
    } else if (std::filesystem::exists(dir / "model.safetensors", ec)) {
        shard_names.push_back("model.safetensors");
    } else {
        return error(StatusCode::NotFound,
                     dir.string() +
                         ": no model.safetensors or model.safetensors.index.json in this folder");
    }

    f.m_files.reserve(shard_names.size());
    for (const auto &name : shard_names) {
        auto file = SafetensorsFile::open(dir / name);
        if (!file)
            return file.status();
        f.m_files.push_back(std::move(file).value());
    }
    // Pointers into m_files' tensor vectors stay valid: the vectors are never touched again, and
    // moving an HfFolder moves the vectors' buffers, not their elements.
    for (const auto &file : f.m_files)
        for (const auto &t : file.tensors())
            if (!f.m_index.emplace(t.name, &t).second)
                return error(StatusCode::CorruptFile, file.path().string() + ": tensor '" + t.name +
                                                          "' is also in another shard");
    for (const auto &[tensor, file] : weight_map) {
        const auto shard = std::find(shard_names.begin(), shard_names.end(), file);
        const auto &shard_file = f.m_files[static_cast<size_t>(shard - shard_names.begin())];
        if (!shard_file.find_tensor(tensor))
            return error(StatusCode::CorruptFile, index_path.string() + ": tensor '" + tensor +
                                                      "' is not in " + file +
                                                      " (a shard is incomplete or outdated)");
    }
    return f;
}

const SafetensorsTensor *HfFolder::find_tensor(std::string_view name) const
{
    const auto it = m_index.find(std::string(name));
    return it == m_index.end() ? nullptr : it->second;
}

std::vector<const SafetensorsTensor *> HfFolder::tensors() const
{
    std::vector<const SafetensorsTensor *> out;
    for (const auto &file : m_files)
        for (const auto &t : file.tensors())
            out.push_back(&t);
    return out;
}

std::uint64_t HfFolder::total_file_bytes() const
{
    std::uint64_t total = 0;
    for (const auto &file : m_files)
        total += file.file_bytes();
    return total;
}

} // namespace glmdesk::engine
