// Writing GGUF v3 files: the metadata table, the tensor table and the aligned tensor data, in the
// layout engine/io/gguf_reader.h reads (and llama.cpp / ik_llama.cpp load). Used by glmdesk-bench
// to hand other engines the very weights it measured, and by tests that need real files on disk.
//
// The writer never copies tensor data: a tensor is a view (or a callback that fills chunks of it)
// that must stay valid until write() returns, and write() streams it to disk in bounded chunks, so
// a multi-GB model is never held twice in memory. Everything a caller passes is checked when it is
// added (shapes against the block format, byte counts, duplicate names, the alignment key), so
// write() fails only when the file system (or a tensor's own source) does, reported as Status
// with the OS's message.
#pragma once

#include "engine/common/status.h"
#include "engine/io/gguf_reader.h"
#include "engine/quant/block_formats.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

namespace glmdesk::engine {

template <typename T> struct GgufTypeOf;
template <> struct GgufTypeOf<std::uint8_t>
{
    static constexpr GgufType value = GgufType::U8;
};
template <> struct GgufTypeOf<std::int8_t>
{
    static constexpr GgufType value = GgufType::I8;
};
template <> struct GgufTypeOf<std::uint16_t>
{
    static constexpr GgufType value = GgufType::U16;
};
template <> struct GgufTypeOf<std::int16_t>
{
    static constexpr GgufType value = GgufType::I16;
};
template <> struct GgufTypeOf<std::uint32_t>
{
    static constexpr GgufType value = GgufType::U32;
};
template <> struct GgufTypeOf<std::int32_t>
{
    static constexpr GgufType value = GgufType::I32;
};
template <> struct GgufTypeOf<float>
{
    static constexpr GgufType value = GgufType::F32;
};
template <> struct GgufTypeOf<bool>
{
    static constexpr GgufType value = GgufType::Bool;
};
template <> struct GgufTypeOf<std::uint64_t>
{
    static constexpr GgufType value = GgufType::U64;
};
template <> struct GgufTypeOf<std::int64_t>
{
    static constexpr GgufType value = GgufType::I64;
};
template <> struct GgufTypeOf<double>
{
    static constexpr GgufType value = GgufType::F64;
};

// One metadata value to write, already encoded the way the file stores it.
class GgufWriteValue
{
public:
    static GgufWriteValue u8(std::uint8_t v) { return scalar(v); }
    static GgufWriteValue i8(std::int8_t v) { return scalar(v); }
    static GgufWriteValue u16(std::uint16_t v) { return scalar(v); }
    static GgufWriteValue i16(std::int16_t v) { return scalar(v); }
    static GgufWriteValue u32(std::uint32_t v) { return scalar(v); }
    static GgufWriteValue i32(std::int32_t v) { return scalar(v); }
    static GgufWriteValue f32(float v) { return scalar(v); }
    static GgufWriteValue boolean(bool v) { return scalar(v); }
    static GgufWriteValue u64(std::uint64_t v) { return scalar(v); }
    static GgufWriteValue i64(std::int64_t v) { return scalar(v); }
    static GgufWriteValue f64(double v) { return scalar(v); }
    static GgufWriteValue string(std::string v);

    // An array of numbers or booleans; the element type follows T (std::int32_t -> I32, ...).
    template <typename T> static GgufWriteValue array(std::span<const T> values)
    {
        GgufWriteValue out;
        out.m_type = GgufType::Array;
        out.m_element_type = GgufTypeOf<T>::value;
        out.m_count = values.size();
        out.m_raw.reserve(values.size() * sizeof(T));
        for (const T &v : values)
            out.append_raw(v);
        return out;
    }
    template <typename T> static GgufWriteValue array(const std::vector<T> &values)
    {
        return array(std::span<const T>(values));
    }
    static GgufWriteValue string_array(std::span<const std::string> values);
    static GgufWriteValue string_array(std::span<const std::string_view> values);
    // An array whose elements are arrays (each with its own element type). InvalidArgument when
    // an element is not an array or the nesting is deeper than the reader accepts.
    static Expected<GgufWriteValue> array_of_arrays(std::vector<GgufWriteValue> elements);

    GgufType type() const { return m_type; }
    GgufType element_type() const { return m_element_type; } // arrays only
    std::uint64_t count() const { return m_count; }          // arrays only
    // Bytes of the encoded value (without the u32 type that precedes a top-level value).
    std::uint64_t encoded_size() const;
    void encode(std::vector<std::uint8_t> &out) const;

private:
    GgufWriteValue() = default;
    template <typename T> static GgufWriteValue scalar(T v)
    {
        GgufWriteValue out;
        out.m_type = GgufTypeOf<T>::value;
        out.append_raw(v);
        return out;
    }
    template <typename T> void append_raw(T v)
    {
        if constexpr (std::is_same_v<T, bool>) {
            m_raw.push_back(v ? 1 : 0);
        } else {
            const auto *p = reinterpret_cast<const std::uint8_t *>(&v);
            m_raw.insert(m_raw.end(), p, p + sizeof v);
        }
    }
    std::uint32_t depth() const; // 1 for a flat array

    GgufType m_type = GgufType::U8;
    GgufType m_element_type = GgufType::U8;
    std::uint64_t m_count = 0;
    std::vector<std::uint8_t> m_raw;      // scalars and numeric array elements, little-endian
    std::vector<std::string> m_strings;   // a string (one) or a string array
    std::vector<GgufWriteValue> m_arrays; // an array of arrays
};

class GgufWriter
{
public:
    // Fills out.size() bytes of the tensor starting at byte `offset`; called in increasing offset
    // order with chunks of a few MiB, so the tensor can be produced while it is written.
    using TensorSource = std::function<Status(std::uint64_t offset, std::span<std::uint8_t> out)>;

    // Keys keep the order they were set in. InvalidArgument for an empty or duplicate key, and for
    // general.alignment unless it is a u32 power of two (then it aligns the tensor data).
    Status set(std::string key, GgufWriteValue value);

    // A tensor of `dims` (ggml order: dims[0] is the row length, 1 to 4 dims, each >= 1) stored in
    // `format`. InvalidArgument for a duplicate or empty name, an unknown format, bad dims, a row
    // length that is not whole blocks, or data whose size is not exactly the tensor's bytes.
    // The bytes are not copied: `data` must stay valid until write() returns.
    Status add_tensor(std::string name, BlockFormat format, std::vector<std::uint64_t> dims,
                      std::span<const std::uint8_t> data);
    Status add_tensor(std::string name, BlockFormat format, std::vector<std::uint64_t> dims,
                      TensorSource source);

    std::uint32_t alignment() const { return m_alignment; }
    std::size_t tensor_count() const { return m_tensors.size(); }
    // The size write() will produce.
    std::uint64_t file_size() const;

    // Writes the file (replacing one that is there). IoError with the OS's reason when the file
    // cannot be created or a write fails (a full disk included): a partial regular file is
    // removed. A TensorSource's error is returned with the tensor's name.
    Status write(const std::filesystem::path &path) const;

private:
    struct Kv
    {
        std::string key;
        GgufWriteValue value;
    };
    struct Tensor
    {
        std::string name;
        BlockFormat format;
        std::vector<std::uint64_t> dims;
        std::uint64_t n_bytes = 0;
        std::span<const std::uint8_t> data;
        TensorSource source;
    };

    Expected<std::uint64_t> check_tensor(const std::string &name, BlockFormat format,
                                         const std::vector<std::uint64_t> &dims) const;
    // Each tensor's offset from the start of the data section (the alignment may change until
    // write(), so offsets are computed, not stored), and the data section's size.
    std::vector<std::uint64_t> offsets(std::uint64_t *data_bytes) const;
    // Everything before the first tensor's bytes, padded to the alignment.
    std::vector<std::uint8_t> header(const std::vector<std::uint64_t> &offsets) const;
    Status write_to(std::FILE *file, const std::string &where) const;

    std::vector<Kv> m_kvs;
    std::unordered_set<std::string> m_keys, m_names;
    std::vector<Tensor> m_tensors;
    std::uint32_t m_alignment = 32;
};

} // namespace glmdesk::engine
