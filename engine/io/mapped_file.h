// A read-only memory map of a whole file. Model files are tens of gigabytes: mapping them costs
// nothing until a page is touched, so opening reads only the header and the OS pages weights in
// (and out) on demand. Tensors handed out by the readers point into these maps.
#pragma once

#include "engine/common/status.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace glmdesk::engine {

class MappedFile
{
public:
    // An empty file maps to an empty span (mmap refuses length 0).
    static Expected<MappedFile> open(const std::filesystem::path &path);

    MappedFile() = default;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    MappedFile(MappedFile &&other) noexcept;
    MappedFile &operator=(MappedFile &&other) noexcept;
    ~MappedFile();

    const std::uint8_t *data() const { return m_data; }
    std::uint64_t size() const { return m_size; }
    std::span<const std::uint8_t> bytes() const { return {m_data, static_cast<size_t>(m_size)}; }
    const std::filesystem::path &path() const { return m_path; }

private:
    void release();

    std::filesystem::path m_path;
    const std::uint8_t *m_data = nullptr;
    std::uint64_t m_size = 0;
};

// Reads a whole (small) file into memory, refusing anything above max_bytes: for JSON side files.
Expected<std::string> read_small_file(const std::filesystem::path &path, std::uint64_t max_bytes);

} // namespace glmdesk::engine
