// GGUF (v2 and v3) over mmap, split sets included. A GGUF file is a header (magic, version,
// counts), a key/value metadata table, a tensor table, then aligned tensor data. Everything in the
// first three parts is attacker-controlled: every count, length and offset is checked against the
// bytes that remain before it is used, with overflow-safe arithmetic, and counts that could not
// possibly fit are refused before anything is allocated. Strings and arrays are not copied: they
// are views into the map, which the reader owns, so opening a 70 GB file touches only its header.
#pragma once

#include "engine/common/status.h"
#include "engine/io/mapped_file.h"
#include "engine/quant/block_formats.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace glmdesk::engine {

enum class GgufType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

std::string_view gguf_type_name(GgufType type);

class GgufArray;

// One metadata value. Integer accessors accept any integer type whose value fits, because
// converters disagree on widths (split.count is u16 in one tool and i32 in another).
class GgufValue
{
public:
    GgufType type() const { return m_type; }

    std::optional<std::uint64_t> as_u64() const;
    std::optional<std::int64_t> as_i64() const;
    std::optional<double> as_f64() const; // F32 or F64
    std::optional<bool> as_bool() const;
    std::optional<std::string_view> as_string() const;
    const GgufArray *as_array() const; // nullptr unless an array

    static GgufValue make_unsigned(GgufType type, std::uint64_t v) { return {type, v}; }
    static GgufValue make_signed(GgufType type, std::int64_t v) { return {type, v}; }
    static GgufValue make_float(GgufType type, double v) { return {type, v}; }
    static GgufValue make_bool(bool v) { return {GgufType::Bool, v}; }
    static GgufValue make_string(std::string_view v) { return {GgufType::String, v}; }
    static GgufValue make_array(std::shared_ptr<const GgufArray> v)
    {
        return {GgufType::Array, std::move(v)};
    }

private:
    using Storage = std::variant<std::uint64_t, std::int64_t, double, bool, std::string_view,
                                 std::shared_ptr<const GgufArray>>;
    GgufValue(GgufType type, Storage value) : m_type(type), m_value(std::move(value)) {}

    GgufType m_type;
    Storage m_value;
};

// An array value. Numeric elements stay encoded in the file (little-endian, unaligned) and are
// decoded on access; string elements are views; nested arrays are parsed values.
class GgufArray
{
public:
    GgufArray(GgufType element_type, std::uint64_t count, const std::uint8_t *raw,
              std::vector<std::string_view> strings, std::vector<GgufValue> arrays)
        : m_element_type(element_type), m_count(count), m_raw(raw), m_strings(std::move(strings)),
          m_arrays(std::move(arrays))
    {}

    GgufType element_type() const { return m_element_type; }
    std::uint64_t size() const { return m_count; }
    std::optional<GgufValue> at(std::uint64_t index) const; // nullopt when out of range

    // Empty unless element_type() is String.
    std::span<const std::string_view> strings() const { return m_strings; }
    // Every element as an integer / float; nullopt when the elements are not of that kind.
    std::optional<std::vector<std::int64_t>> to_i64() const;
    std::optional<std::vector<double>> to_f64() const;

private:
    GgufType m_element_type;
    std::uint64_t m_count;
    const std::uint8_t *m_raw;
    std::vector<std::string_view> m_strings;
    std::vector<GgufValue> m_arrays;
};

struct GgufTensor
{
    std::string name;
    std::vector<std::uint64_t> dims; // ggml order: dims[0] is the row length
    BlockFormat format;
    std::uint64_t n_elements = 0;
    std::uint64_t n_bytes = 0;
    std::uint64_t file_offset = 0; // absolute, in the file of split_index
    std::uint32_t split_index = 0;
    const std::uint8_t *data = nullptr; // into the map (nullptr for an empty tensor)
};

class GgufReader
{
public:
    // Opens a .gguf file. A part of a split set (name-0000K-of-0000N.gguf) opens the whole set,
    // whichever part is named. Only the headers are read.
    static Expected<GgufReader> open(const std::filesystem::path &path);
    // Parses a GGUF image already in memory (tests, fuzzing); `bytes` must outlive the reader.
    // `name` only labels error messages. split.* keys are kept but no other part is looked for.
    static Expected<GgufReader> from_memory(std::span<const std::uint8_t> bytes,
                                            std::string_view name);

    GgufReader(GgufReader &&) noexcept = default;
    GgufReader &operator=(GgufReader &&) noexcept = default;

    const std::filesystem::path &path() const { return m_path; } // the first part
    std::uint32_t version() const { return m_version; }
    std::uint32_t alignment() const { return m_alignment; }
    std::uint32_t split_count() const { return static_cast<std::uint32_t>(m_split_paths.size()); }
    const std::vector<std::filesystem::path> &split_paths() const { return m_split_paths; }

    // Metadata of the first part (later parts carry only split.* keys).
    const std::map<std::string, GgufValue, std::less<>> &metadata() const { return m_metadata; }
    const GgufValue *find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // NotFound when the key is absent, CorruptFile when it has another type or does not fit.
    Expected<std::uint32_t> get_u32(std::string_view key) const;
    Expected<std::uint64_t> get_u64(std::string_view key) const;
    Expected<std::int64_t> get_i64(std::string_view key) const;
    Expected<float> get_f32(std::string_view key) const;
    Expected<bool> get_bool(std::string_view key) const;
    Expected<std::string_view> get_string(std::string_view key) const;
    Expected<const GgufArray *> get_array(std::string_view key) const;

    // Every tensor of every part, in file order.
    const std::vector<GgufTensor> &tensors() const { return m_tensors; }
    const GgufTensor *find_tensor(std::string_view name) const;
    std::uint64_t total_file_bytes() const;

private:
    GgufReader() = default;

    std::filesystem::path m_path;
    std::vector<std::filesystem::path> m_split_paths;
    std::vector<std::unique_ptr<MappedFile>> m_maps; // empty for from_memory
    std::uint64_t m_memory_bytes = 0;
    std::uint32_t m_version = 0;
    std::uint32_t m_alignment = 32;
    std::map<std::string, GgufValue, std::less<>> m_metadata;
    std::vector<GgufTensor> m_tensors;
    std::unordered_map<std::string, std::size_t> m_tensor_index;
};

// "model-00002-of-00003.gguf" -> {"model", 2, 3}; nullopt when the name does not follow it.
struct GgufSplitName
{
    std::string prefix; // with the directory
    std::uint32_t part = 0;
    std::uint32_t count = 0;
};
std::optional<GgufSplitName> parse_gguf_split_name(const std::filesystem::path &path);
std::filesystem::path gguf_split_path(std::string_view prefix, std::uint32_t part,
                                      std::uint32_t count);

} // namespace glmdesk::engine
