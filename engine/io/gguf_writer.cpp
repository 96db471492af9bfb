#include "engine/io/gguf_writer.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <system_error>

namespace glmdesk::engine {

static_assert(std::endian::native == std::endian::little,
              "GGUF fields are written by memcpy: a big-endian host would need byte swaps");

namespace {

// What the reader accepts (gguf_reader.cpp): deeper nesting or longer names would be refused.
constexpr std::uint32_t k_max_nesting = 8;
constexpr std::uint64_t k_max_name_length = 1u << 16;
constexpr std::size_t k_max_dims = 4;
constexpr std::size_t k_chunk_bytes = std::size_t{16} << 20;

// resize + memcpy rather than insert: GCC 14 at -O3 reports a false -Wstringop-overflow for
// vector::insert of a few bytes.
void put_bytes(std::vector<std::uint8_t> &out, const void *p, std::size_t n)
{
    const std::size_t at = out.size();
    out.resize(at + n);
    if (n)
        std::memcpy(out.data() + at, p, n);
}

template <typename T> void put(std::vector<std::uint8_t> &out, T v)
{
    put_bytes(out, &v, sizeof v);
}

void put_string(std::vector<std::uint8_t> &out, std::string_view s)
{
    put<std::uint64_t>(out, s.size());
    put_bytes(out, s.data(), s.size());
}

std::uint64_t pad_to(std::uint64_t n, std::uint64_t alignment)
{
    return (n + alignment - 1) / alignment * alignment;
}

Status os_error(std::string_view what, const std::string &where, int err)
{
    return error(StatusCode::IoError, std::string(what) + " " + where + ": " +
                                          std::error_code(err, std::generic_category()).message());
}

} // namespace

// ------------------------------------------------------------------------------------ values

GgufWriteValue GgufWriteValue::string(std::string v)
{
    GgufWriteValue out;
    out.m_type = GgufType::String;
    out.m_strings.push_back(std::move(v));
    return out;
}

GgufWriteValue GgufWriteValue::string_array(std::span<const std::string> values)
{
    GgufWriteValue out;
    out.m_type = GgufType::Array;
    out.m_element_type = GgufType::String;
    out.m_count = values.size();
    out.m_strings.assign(values.begin(), values.end());
    return out;
}

GgufWriteValue GgufWriteValue::string_array(std::span<const std::string_view> values)
{
    GgufWriteValue out;
    out.m_type = GgufType::Array;
    out.m_element_type = GgufType::String;
    out.m_count = values.size();
    out.m_strings.reserve(values.size());
    for (std::string_view v : values)
        out.m_strings.emplace_back(v);
    return out;
}

Expected<GgufWriteValue> GgufWriteValue::array_of_arrays(std::vector<GgufWriteValue> elements)
{
    GgufWriteValue out;
    out.m_type = GgufType::Array;
    out.m_element_type = GgufType::Array;
    out.m_count = elements.size();
    for (std::size_t i = 0; i < elements.size(); ++i)
        if (elements[i].m_type != GgufType::Array)
            return error(StatusCode::InvalidArgument,
                         "element " + std::to_string(i) + " of an array of arrays is a " +
                             std::string(gguf_type_name(elements[i].m_type)));
    out.m_arrays = std::move(elements);
    if (out.depth() > k_max_nesting)
        return error(StatusCode::InvalidArgument,
                     "arrays nested more than " + std::to_string(k_max_nesting) + " deep");
    return out;
}

std::uint32_t GgufWriteValue::depth() const
{
    if (m_type != GgufType::Array)
        return 0;
    std::uint32_t deepest = 0;
    for (const auto &a : m_arrays)
        deepest = std::max(deepest, a.depth());
    return deepest + 1;
}

std::uint64_t GgufWriteValue::encoded_size() const
{
    if (m_type == GgufType::String)
        return 8 + m_strings.front().size();
    if (m_type != GgufType::Array)
        return m_raw.size();
    std::uint64_t n = 4 + 8 + m_raw.size();
    for (const auto &s : m_strings)
        n += 8 + s.size();
    for (const auto &a : m_arrays)
        n += a.encoded_size();
    return n;
}

void GgufWriteValue::encode(std::vector<std::uint8_t> &out) const
{
    if (m_type == GgufType::String) {
        put_string(out, m_strings.front());
        return;
    }
    if (m_type != GgufType::Array) {
        out.insert(out.end(), m_raw.begin(), m_raw.end());
        return;
    }
    put(out, static_cast<std::uint32_t>(m_element_type));
    put<std::uint64_t>(out, m_count);
    out.insert(out.end(), m_raw.begin(), m_raw.end());
    for (const auto &s : m_strings)
        put_string(out, s);
    for (const auto &a : m_arrays)
        a.encode(out);
}

// ------------------------------------------------------------------------------------ writer

Status GgufWriter::set(std::string key, GgufWriteValue value)
{
    if (key.empty() || key.size() > k_max_name_length)
        return error(StatusCode::InvalidArgument,
                     "metadata key of length " + std::to_string(key.size()));
    if (m_keys.contains(key))
        return error(StatusCode::InvalidArgument, "duplicate metadata key '" + key + "'");
    if (key == "general.alignment") {
        // llama.cpp reads the key as u32 only; the reader here accepts any integer, so a writer
        // that allowed others would produce files that load here and fail there.
        std::uint32_t a = 0;
        if (value.type() == GgufType::U32) {
            std::vector<std::uint8_t> raw;
            value.encode(raw);
            std::memcpy(&a, raw.data(), sizeof a);
        }
        if (value.type() != GgufType::U32 || a == 0 || a > (1u << 30) || !std::has_single_bit(a))
            return error(StatusCode::InvalidArgument,
                         "general.alignment must be a u32 power of two (up to 2^30)");
        m_alignment = a;
    }
    m_keys.insert(key);
    m_kvs.push_back({std::move(key), std::move(value)});
    return {};
}

Expected<std::uint64_t> GgufWriter::check_tensor(const std::string &name, BlockFormat format,
                                                 const std::vector<std::uint64_t> &dims) const
{
    if (name.empty() || name.size() > k_max_name_length)
        return error(StatusCode::InvalidArgument,
                     "tensor name of length " + std::to_string(name.size()));
    if (m_names.contains(name))
        return error(StatusCode::InvalidArgument, "duplicate tensor '" + name + "'");
    const auto info = block_format_info(static_cast<std::uint32_t>(format));
    if (!info)
        return error(StatusCode::InvalidArgument,
                     name + ": unknown block format id " +
                         std::to_string(static_cast<std::uint32_t>(format)));
    if (dims.empty() || dims.size() > k_max_dims)
        return error(StatusCode::InvalidArgument,
                     name + ": " + std::to_string(dims.size()) + " dimensions (1 to 4 allowed)");
    std::uint64_t n_elements = 1;
    for (const std::uint64_t d : dims) {
        if (d == 0)
            return error(StatusCode::InvalidArgument, name + ": a dimension is 0");
        if (n_elements > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / d)
            return error(StatusCode::InvalidArgument, name + ": the shape overflows");
        n_elements *= d;
    }
    if (dims[0] % info->block_size != 0)
        return error(StatusCode::InvalidArgument, name + ": row length " + std::to_string(dims[0]) +
                                                      " is not a multiple of the " +
                                                      std::string(info->name) + " block size " +
                                                      std::to_string(info->block_size));
    const auto bytes = block_format_bytes(format, n_elements);
    if (!bytes)
        return error(StatusCode::InvalidArgument, name + ": the size overflows");
    return *bytes;
}

Status GgufWriter::add_tensor(std::string name, BlockFormat format, std::vector<std::uint64_t> dims,
                              std::span<const std::uint8_t> data)
{
    auto bytes = check_tensor(name, format, dims);
    if (!bytes)
        return bytes.status();
    if (data.size() != *bytes)
        return error(StatusCode::InvalidArgument, name + ": " + std::to_string(data.size()) +
                                                      " bytes of data for a tensor of " +
                                                      std::to_string(*bytes) + " bytes");
    if (data.data() == nullptr)
        return error(StatusCode::InvalidArgument, name + ": no data");
    m_names.insert(name);
    m_tensors.push_back({std::move(name), format, std::move(dims), *bytes, data, nullptr});
    return {};
}

Status GgufWriter::add_tensor(std::string name, BlockFormat format, std::vector<std::uint64_t> dims,
                              TensorSource source)
{
    auto bytes = check_tensor(name, format, dims);
    if (!bytes)
        return bytes.status();
    if (!source)
        return error(StatusCode::InvalidArgument, name + ": no data source");
    m_names.insert(name);
    m_tensors.push_back({std::move(name), format, std::move(dims), *bytes, {}, std::move(source)});
    return {};
}

std::vector<std::uint64_t> GgufWriter::offsets(std::uint64_t *data_bytes) const
{
    std::vector<std::uint64_t> out;
    out.reserve(m_tensors.size());
    std::uint64_t pos = 0;
    for (const Tensor &t : m_tensors) {
        out.push_back(pos);
        pos = pad_to(pos + t.n_bytes, m_alignment);
    }
    if (data_bytes)
        *data_bytes = pos;
    return out;
}

std::vector<std::uint8_t> GgufWriter::header(const std::vector<std::uint64_t> &offs) const
{
    std::vector<std::uint8_t> out;
    put_bytes(out, "GGUF", 4);
    put<std::uint32_t>(out, 3);
    put<std::uint64_t>(out, m_tensors.size());
    put<std::uint64_t>(out, m_kvs.size());
    for (const Kv &kv : m_kvs) {
        put_string(out, kv.key);
        put(out, static_cast<std::uint32_t>(kv.value.type()));
        kv.value.encode(out);
    }
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        const Tensor &t = m_tensors[i];
        put_string(out, t.name);
        put(out, static_cast<std::uint32_t>(t.dims.size()));
        for (const std::uint64_t d : t.dims)
            put(out, d);
        put(out, static_cast<std::uint32_t>(t.format));
        put(out, offs[i]);
    }
    out.resize(pad_to(out.size(), m_alignment), 0);
    return out;
}

std::uint64_t GgufWriter::file_size() const
{
    const auto offs = offsets(nullptr);
    // The last tensor is not padded after its end.
    const std::uint64_t tail = m_tensors.empty() ? 0 : offs.back() + m_tensors.back().n_bytes;
    return header(offs).size() + tail;
}

Status GgufWriter::write_to(std::FILE *file, const std::string &where) const
{
    auto write_bytes = [&](const void *p, std::size_t n) -> Status {
        if (n == 0)
            return {};
        errno = 0;
        if (std::fwrite(p, 1, n, file) != n)
            return os_error("cannot write", where, errno ? errno : EIO);
        return {};
    };
    const auto offs = offsets(nullptr);
    const std::vector<std::uint8_t> head = header(offs);
    if (Status s = write_bytes(head.data(), head.size()); !s)
        return s;
    const std::vector<std::uint8_t> zeros(m_alignment, 0);
    std::unique_ptr<std::uint8_t[]> chunk;
    std::uint64_t pos = 0; // within the data section
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        const Tensor &t = m_tensors[i];
        if (Status s = write_bytes(zeros.data(), static_cast<std::size_t>(offs[i] - pos)); !s)
            return s;
        for (std::uint64_t done = 0; done < t.n_bytes;) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(k_chunk_bytes, t.n_bytes - done));
            if (t.source) {
                if (!chunk)
                    chunk = std::make_unique_for_overwrite<std::uint8_t[]>(k_chunk_bytes);
                if (Status s = t.source(done, std::span<std::uint8_t>(chunk.get(), n)); !s)
                    return std::move(s).with_context("tensor " + t.name);
                if (Status s = write_bytes(chunk.get(), n); !s)
                    return s;
            } else if (Status s = write_bytes(t.data.data() + done, n); !s) {
                return s;
            }
            done += n;
        }
        pos = offs[i] + t.n_bytes;
    }
    errno = 0;
    if (std::fflush(file) != 0)
        return os_error("cannot write", where, errno ? errno : EIO);
    return {};
}

Status GgufWriter::write(const std::filesystem::path &path) const
{
    const std::string where = path.string();
    errno = 0;
    std::FILE *file = std::fopen(where.c_str(), "wb");
    if (!file)
        return os_error("cannot open", where + " for writing", errno ? errno : EIO);
    // Big buffered writes: the tensor chunks are large, the header is written in one piece.
    std::setvbuf(file, nullptr, _IOFBF, std::size_t{1} << 20);
    Status status = write_to(file, where);
    errno = 0;
    if (std::fclose(file) != 0 && status.ok())
        status = os_error("cannot write", where, errno ? errno : EIO);
    std::error_code ec;
    if (!status.ok() && std::filesystem::is_regular_file(path, ec))
        std::filesystem::remove(path, ec); // a half-written model must not look loadable
    return status;
}

} // namespace glmdesk::engine
