// safetensors over mmap: an 8-byte little-endian header length, a JSON header naming every tensor
// (dtype, shape, [begin, end) byte range after the header), then the raw data. The header is as
// hostile as any GGUF header: its length, every shape and every range is checked against the file
// before a tensor is handed out, and the JSON's nesting depth is bounded before it is parsed.
#pragma once

#include "engine/common/status.h"
#include "engine/io/mapped_file.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace glmdesk::engine {

// The dtypes GLM-4.5 checkpoints use: BF16 (the release), F32 (router bias, FP8 block scales),
// F16, and F8_E4M3 (GLM-4.5-Air-FP8, whose `*.weight_scale_inv` F32 tensors hold one scale per
// 128x128 block and are kept as ordinary tensors).
enum class SafetensorsDtype { BF16, F16, F32, F8_E4M3 };

std::string_view safetensors_dtype_name(SafetensorsDtype dtype); // "BF16", as in the header
std::uint32_t safetensors_dtype_size(SafetensorsDtype dtype);
std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name);

struct SafetensorsTensor
{
    std::string name;
    SafetensorsDtype dtype;
    std::vector<std::uint64_t> shape; // as in the header: PyTorch order, outermost first
    std::uint64_t n_elements = 0;
    std::uint64_t n_bytes = 0;
    std::uint64_t file_offset = 0; // absolute
    const std::uint8_t *data = nullptr;
};

class SafetensorsFile
{
public:
    static Expected<SafetensorsFile> open(const std::filesystem::path &path);
    // `bytes` must outlive the result; `name` labels errors (tests, fuzzing).
    static Expected<SafetensorsFile> from_memory(std::span<const std::uint8_t> bytes,
                                                 std::string_view name);

    SafetensorsFile(SafetensorsFile &&) noexcept = default;
    SafetensorsFile &operator=(SafetensorsFile &&) noexcept = default;

    const std::filesystem::path &path() const { return m_path; }
    std::uint64_t file_bytes() const { return m_file_bytes; }
    const std::vector<SafetensorsTensor> &tensors() const { return m_tensors; } // by offset
    const SafetensorsTensor *find_tensor(std::string_view name) const;
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }

private:
    SafetensorsFile() = default;

    std::filesystem::path m_path;
    std::unique_ptr<MappedFile> m_map; // null for from_memory
    std::uint64_t m_file_bytes = 0;
    std::vector<SafetensorsTensor> m_tensors;
    std::unordered_map<std::string, std::size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

} // namespace glmdesk::engine
