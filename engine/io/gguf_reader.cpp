#include "engine/io/gguf_reader.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace glmdesk::engine {

static_assert(std::endian::native == std::endian::little,
              "GGUF fields are read by memcpy: a big-endian host would need byte swaps");

namespace {

constexpr std::uint32_t k_max_nesting = 8;           // arrays of arrays of ...
constexpr std::uint64_t k_max_key_length = 1u << 16; // no real key comes near
constexpr std::uint32_t k_max_dims = 4;              // GGML_MAX_DIMS
constexpr std::uint32_t k_max_split_count = 9999;

std::uint64_t fixed_type_size(GgufType type)
{
    switch (type) {
    case GgufType::U8:
    case GgufType::I8:
    case GgufType::Bool:
        return 1;
    case GgufType::U16:
    case GgufType::I16:
        return 2;
    case GgufType::U32:
    case GgufType::I32:
    case GgufType::F32:
        return 4;
    case GgufType::U64:
    case GgufType::I64:
    case GgufType::F64:
        return 8;
    case GgufType::String:
    case GgufType::Array:
        return 0;
    }
    return 0;
}

bool is_known_type(std::uint32_t t)
{
    return t <= static_cast<std::uint32_t>(GgufType::F64);
}

template <typename T> T load(const std::uint8_t *p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Decodes one fixed-size element (the caller guarantees the bytes exist).
GgufValue decode_fixed(GgufType type, const std::uint8_t *p)
{
    switch (type) {
    case GgufType::U8:
        return GgufValue::make_unsigned(type, load<std::uint8_t>(p));
    case GgufType::U16:
        return GgufValue::make_unsigned(type, load<std::uint16_t>(p));
    case GgufType::U32:
        return GgufValue::make_unsigned(type, load<std::uint32_t>(p));
    case GgufType::U64:
        return GgufValue::make_unsigned(type, load<std::uint64_t>(p));
    case GgufType::I8:
        return GgufValue::make_signed(type, load<std::int8_t>(p));
    case GgufType::I16:
        return GgufValue::make_signed(type, load<std::int16_t>(p));
    case GgufType::I32:
        return GgufValue::make_signed(type, load<std::int32_t>(p));
    case GgufType::I64:
        return GgufValue::make_signed(type, load<std::int64_t>(p));
    case GgufType::F32:
        return GgufValue::make_float(type, load<float>(p));
    case GgufType::F64:
        return GgufValue::make_float(type, load<double>(p));
    case GgufType::Bool:
        return GgufValue::make_bool(load<std::uint8_t>(p) != 0);
    case GgufType::String:
    case GgufType::Array:
        break;
    }
    return GgufValue::make_unsigned(GgufType::U8, 0);
}

// Reads little-endian fields from a byte span; every read is bounds-checked and a failure names
// the byte offset and what was being read.
class Cursor
{
public:
    explicit Cursor(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}

    std::uint64_t pos() const { return m_pos; }
    std::uint64_t remaining() const { return m_bytes.size() - m_pos; }
    const std::uint8_t *here() const { return m_bytes.data() + m_pos; }

    Status truncated(std::string_view what) const
    {
        return error(StatusCode::CorruptFile, "truncated at byte " + std::to_string(m_pos) +
                                                  " of " + std::to_string(m_bytes.size()) +
                                                  " while reading " + std::string(what));
    }
    Status bad(std::string_view what) const
    {
        return error(StatusCode::CorruptFile,
                     "byte " + std::to_string(m_pos) + ": " + std::string(what));
    }

    template <typename T> bool read(T &out)
    {
        if (remaining() < sizeof(T))
            return false;
        std::memcpy(&out, here(), sizeof(T));
        m_pos += sizeof(T);
        return true;
    }
    bool skip(std::uint64_t n)
    {
        if (remaining() < n)
            return false;
        m_pos += n;
        return true;
    }
    // A GGUF string: u64 length then bytes (no terminator).
    bool read_string(std::string_view &out)
    {
        std::uint64_t len = 0;
        if (remaining() < sizeof len)
            return false;
        std::memcpy(&len, here(), sizeof len);
        if (remaining() - sizeof len < len)
            return false;
        m_pos += sizeof len;
        out = std::string_view(reinterpret_cast<const char *>(here()), static_cast<size_t>(len));
        m_pos += len;
        return true;
    }

private:
    std::span<const std::uint8_t> m_bytes;
    std::uint64_t m_pos = 0;
};

Expected<GgufValue> parse_value(Cursor &cur, GgufType type, std::uint32_t depth);

Expected<GgufValue> parse_array(Cursor &cur, std::uint32_t depth)
{
    if (depth >= k_max_nesting)
        return cur.bad("arrays nested more than " + std::to_string(k_max_nesting) + " deep");
    std::uint32_t raw_type = 0;
    std::uint64_t count = 0;
    if (!cur.read(raw_type))
        return cur.truncated("an array's element type");
    if (!is_known_type(raw_type))
        return cur.bad("unknown array element type " + std::to_string(raw_type));
    if (!cur.read(count))
        return cur.truncated("an array's length");
    const auto type = static_cast<GgufType>(raw_type);
    const std::uint64_t fixed = fixed_type_size(type);
    if (fixed != 0) {
        if (count > cur.remaining() / fixed)
            return cur.bad("array of " + std::to_string(count) + " " +
                           std::string(gguf_type_name(type)) + " runs past the end of the file");
        const std::uint8_t *raw = cur.here();
        cur.skip(count * fixed);
        return GgufValue::make_array(std::make_shared<const GgufArray>(
            type, count, raw, std::vector<std::string_view>{}, std::vector<GgufValue>{}));
    }
    // Each string needs at least its 8-byte length, each nested array 12 bytes: a count above
    // that is refused before reserving anything.
    const std::uint64_t min_element = type == GgufType::String ? 8 : 12;
    if (count > cur.remaining() / min_element)
        return cur.bad("array of " + std::to_string(count) + " " +
                       std::string(gguf_type_name(type)) + " cannot fit in the file");
    std::vector<std::string_view> strings;
    std::vector<GgufValue> arrays;
    if (type == GgufType::String) {
        strings.resize(static_cast<size_t>(count));
        for (auto &s : strings)
            if (!cur.read_string(s))
                return cur.truncated("a string in an array");
    } else {
        arrays.reserve(static_cast<size_t>(count));
        for (std::uint64_t i = 0; i < count; ++i) {
            auto v = parse_array(cur, depth + 1);
            if (!v)
                return v.status();
            arrays.push_back(std::move(v).value());
        }
    }
    return GgufValue::make_array(std::make_shared<const GgufArray>(
        type, count, nullptr, std::move(strings), std::move(arrays)));
}

Expected<GgufValue> parse_value(Cursor &cur, GgufType type, std::uint32_t depth)
{
    if (type == GgufType::Array)
        return parse_array(cur, depth);
    if (type == GgufType::String) {
        std::string_view s;
        if (!cur.read_string(s))
            return cur.truncated("a string value");
        return GgufValue::make_string(s);
    }
    const std::uint64_t n = fixed_type_size(type);
    if (cur.remaining() < n)
        return cur.truncated(std::string(gguf_type_name(type)) + " value");
    GgufValue v = decode_fixed(type, cur.here());
    cur.skip(n);
    return v;
}

std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b)
{
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
        return std::nullopt;
    return a * b;
}

// One file's header, tensor table and where its data starts.
struct ParsedFile
{
    std::uint32_t version = 0;
    std::uint32_t alignment = 32;
    std::uint64_t data_offset = 0;
    std::map<std::string, GgufValue, std::less<>> metadata;
    std::vector<GgufTensor> tensors;
};

Expected<std::uint64_t> meta_uint(const std::map<std::string, GgufValue, std::less<>> &meta,
                                  std::string_view key)
{
    const auto it = meta.find(key);
    if (it == meta.end())
        return error(StatusCode::NotFound, "no key '" + std::string(key) + "'");
    const auto v = it->second.as_u64();
    if (!v)
        return error(StatusCode::CorruptFile, "key '" + std::string(key) + "' is a " +
                                                  std::string(gguf_type_name(it->second.type())) +
                                                  ", not a non-negative integer");
    return *v;
}

Expected<ParsedFile> parse_file(std::span<const std::uint8_t> bytes)
{
    Cursor cur(bytes);
    ParsedFile out;
    char magic[4] = {};
    if (bytes.size() < 4)
        return error(StatusCode::CorruptFile,
                     "not a GGUF file: only " + std::to_string(bytes.size()) + " bytes");
    std::memcpy(magic, bytes.data(), 4);
    if (std::memcmp(magic, "GGUF", 4) != 0)
        return error(StatusCode::CorruptFile, "not a GGUF file (it does not start with 'GGUF')");
    cur.skip(4);
    if (!cur.read(out.version))
        return cur.truncated("the version");
    if (out.version == 0x02000000u || out.version == 0x03000000u)
        return error(StatusCode::Unsupported, "big-endian GGUF files are not supported");
    if (out.version == 1)
        return error(StatusCode::Unsupported,
                     "GGUF version 1 is not supported: convert the model again with a current "
                     "converter");
    if (out.version != 2 && out.version != 3)
        return error(StatusCode::Unsupported,
                     "unknown GGUF version " + std::to_string(out.version) + " (2 and 3 are read)");
    std::uint64_t n_tensors = 0;
    std::uint64_t n_kv = 0;
    if (!cur.read(n_tensors))
        return cur.truncated("the tensor count");
    if (!cur.read(n_kv))
        return cur.truncated("the metadata count");
    // Smallest possible entries: a key/value is 8 (key length) + 4 (type) + 1 bytes, a tensor
    // info 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset).
    if (n_kv > cur.remaining() / 13)
        return cur.bad("metadata count " + std::to_string(n_kv) + " cannot fit in the file");
    if (n_tensors > cur.remaining() / 32)
        return cur.bad("tensor count " + std::to_string(n_tensors) + " cannot fit in the file");

    for (std::uint64_t i = 0; i < n_kv; ++i) {
        std::string_view key;
        const std::string where = "metadata entry " + std::to_string(i);
        if (!cur.read_string(key))
            return cur.truncated(where + "'s key");
        if (key.empty() || key.size() > k_max_key_length)
            return cur.bad(where + " has a key of length " + std::to_string(key.size()));
        std::uint32_t raw_type = 0;
        if (!cur.read(raw_type))
            return cur.truncated("the type of '" + std::string(key) + "'");
        if (!is_known_type(raw_type))
            return cur.bad("'" + std::string(key) + "' has unknown value type " +
                           std::to_string(raw_type));
        auto value = parse_value(cur, static_cast<GgufType>(raw_type), 0);
        if (!value)
            return value.status().with_context("'" + std::string(key) + "'");
        if (!out.metadata.emplace(std::string(key), std::move(value).value()).second)
            return cur.bad("duplicate metadata key '" + std::string(key) + "'");
    }

    if (const auto it = out.metadata.find("general.alignment"); it != out.metadata.end()) {
        const auto a = it->second.as_u64();
        if (!a || *a == 0 || *a > (1u << 30) || !std::has_single_bit(*a))
            return error(StatusCode::CorruptFile,
                         "general.alignment must be a power of two, not this " +
                             std::string(gguf_type_name(it->second.type())));
        out.alignment = static_cast<std::uint32_t>(*a);
    }

    out.tensors.reserve(static_cast<size_t>(n_tensors));
    std::unordered_set<std::string_view> names;
    for (std::uint64_t i = 0; i < n_tensors; ++i) {
        std::string_view name;
        if (!cur.read_string(name))
            return cur.truncated("the name of tensor " + std::to_string(i));
        if (name.empty() || name.size() > k_max_key_length)
            return cur.bad("tensor " + std::to_string(i) + " has a name of length " +
                           std::to_string(name.size()));
        const std::string tname(name);
        if (!names.insert(name).second)
            return cur.bad("duplicate tensor '" + tname + "'");
        std::uint32_t n_dims = 0;
        if (!cur.read(n_dims))
            return cur.truncated("the dimension count of '" + tname + "'");
        if (n_dims == 0 || n_dims > k_max_dims)
            return cur.bad("tensor '" + tname + "' has " + std::to_string(n_dims) +
                           " dimensions (1 to 4 allowed)");
        GgufTensor t;
        t.name = tname;
        t.dims.resize(n_dims);
        std::uint64_t n_elements = 1;
        for (auto &d : t.dims) {
            if (!cur.read(d))
                return cur.truncated("the shape of '" + tname + "'");
            const auto m = checked_mul(n_elements, d);
            if (!m || *m > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return cur.bad("tensor '" + tname + "' has an impossible shape");
            n_elements = *m;
        }
        std::uint32_t raw_format = 0;
        if (!cur.read(raw_format))
            return cur.truncated("the type of '" + tname + "'");
        const auto info = block_format_info(raw_format);
        if (!info)
            return error(StatusCode::Unsupported, "tensor '" + tname + "' has ggml type " +
                                                      std::to_string(raw_format) +
                                                      ", which this engine does not know");
        if (t.dims[0] % info->block_size != 0)
            return cur.bad("tensor '" + tname + "': row length " + std::to_string(t.dims[0]) +
                           " is not a multiple of the " + std::string(info->name) + " block size " +
                           std::to_string(info->block_size));
        const auto n_bytes = block_format_bytes(info->format, n_elements);
        if (!n_bytes)
            return cur.bad("tensor '" + tname + "' has an impossible size");
        if (!cur.read(t.file_offset))
            return cur.truncated("the offset of '" + tname + "'");
        if (t.file_offset % out.alignment != 0)
            return cur.bad("tensor '" + tname + "' offset " + std::to_string(t.file_offset) +
                           " is not a multiple of the alignment " + std::to_string(out.alignment));
        t.format = info->format;
        t.n_elements = n_elements;
        t.n_bytes = *n_bytes;
        out.tensors.push_back(std::move(t));
    }

    // Data starts at the next multiple of the alignment (the pad may run past a file with no
    // tensor data: only tensors that would start there are an error).
    const std::uint64_t pos = cur.pos();
    const std::uint64_t pad = (out.alignment - pos % out.alignment) % out.alignment;
    out.data_offset = pos + pad;
    const std::uint64_t size = bytes.size();
    const std::uint64_t data_size = size > out.data_offset ? size - out.data_offset : 0;
    for (auto &t : out.tensors) {
        if (t.file_offset > data_size || t.n_bytes > data_size - t.file_offset)
            return error(StatusCode::CorruptFile,
                         "tensor '" + t.name + "' (" + std::to_string(t.n_bytes) +
                             " bytes at data offset " + std::to_string(t.file_offset) +
                             ") ends past the end of the file (" + std::to_string(data_size) +
                             " bytes of tensor data): the file is truncated");
        t.file_offset += out.data_offset;
        t.data = t.n_bytes ? bytes.data() + t.file_offset : nullptr;
    }
    return out;
}

Status check_split_keys(const ParsedFile &file, std::uint32_t expect_no, std::uint32_t expect_count)
{
    const auto count = meta_uint(file.metadata, "split.count");
    const auto no = meta_uint(file.metadata, "split.no");
    if (!count || !no)
        return error(StatusCode::CorruptFile,
                     "part of a split model without split.count / split.no keys");
    if (*count != expect_count || *no != expect_no)
        return error(StatusCode::CorruptFile,
                     "split keys say part " + std::to_string(*no + 1) + " of " +
                         std::to_string(*count) + ", the set needs part " +
                         std::to_string(expect_no + 1) + " of " + std::to_string(expect_count));
    return Status::success();
}

} // namespace

std::string_view gguf_type_name(GgufType type)
{
    switch (type) {
    case GgufType::U8:
        return "u8";
    case GgufType::I8:
        return "i8";
    case GgufType::U16:
        return "u16";
    case GgufType::I16:
        return "i16";
    case GgufType::U32:
        return "u32";
    case GgufType::I32:
        return "i32";
    case GgufType::F32:
        return "f32";
    case GgufType::Bool:
        return "bool";
    case GgufType::String:
        return "string";
    case GgufType::Array:
        return "array";
    case GgufType::U64:
        return "u64";
    case GgufType::I64:
        return "i64";
    case GgufType::F64:
        return "f64";
    }
    return "unknown";
}

std::optional<std::uint64_t> GgufValue::as_u64() const
{
    if (const auto *u = std::get_if<std::uint64_t>(&m_value))
        return *u;
    if (const auto *i = std::get_if<std::int64_t>(&m_value); i && *i >= 0)
        return static_cast<std::uint64_t>(*i);
    return std::nullopt;
}

std::optional<std::int64_t> GgufValue::as_i64() const
{
    if (const auto *i = std::get_if<std::int64_t>(&m_value))
        return *i;
    if (const auto *u = std::get_if<std::uint64_t>(&m_value);
        u && *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(*u);
    return std::nullopt;
}

std::optional<double> GgufValue::as_f64() const
{
    if (const auto *d = std::get_if<double>(&m_value))
        return *d;
    return std::nullopt;
}

std::optional<bool> GgufValue::as_bool() const
{
    if (const auto *b = std::get_if<bool>(&m_value))
        return *b;
    return std::nullopt;
}

std::optional<std::string_view> GgufValue::as_string() const
{
    if (const auto *s = std::get_if<std::string_view>(&m_value))
        return *s;
    return std::nullopt;
}

const GgufArray *GgufValue::as_array() const
{
    if (const auto *a = std::get_if<std::shared_ptr<const GgufArray>>(&m_value))
        return a->get();
    return nullptr;
}

std::optional<GgufValue> GgufArray::at(std::uint64_t index) const
{
    if (index >= m_count)
        return std::nullopt;
    if (m_element_type == GgufType::String)
        return GgufValue::make_string(m_strings[static_cast<size_t>(index)]);
    if (m_element_type == GgufType::Array)
        return m_arrays[static_cast<size_t>(index)];
    return decode_fixed(m_element_type, m_raw + index * fixed_type_size(m_element_type));
}

std::optional<std::vector<std::int64_t>> GgufArray::to_i64() const
{
    const std::uint64_t n = fixed_type_size(m_element_type);
    if (n == 0 || m_element_type == GgufType::F32 || m_element_type == GgufType::F64 ||
        m_element_type == GgufType::Bool)
        return std::nullopt;
    std::vector<std::int64_t> out;
    out.reserve(static_cast<size_t>(m_count));
    for (std::uint64_t i = 0; i < m_count; ++i) {
        const auto v = decode_fixed(m_element_type, m_raw + i * n).as_i64();
        if (!v)
            return std::nullopt; // a u64 above INT64_MAX
        out.push_back(*v);
    }
    return out;
}

std::optional<std::vector<double>> GgufArray::to_f64() const
{
    if (m_element_type != GgufType::F32 && m_element_type != GgufType::F64)
        return std::nullopt;
    const std::uint64_t n = fixed_type_size(m_element_type);
    std::vector<double> out;
    out.reserve(static_cast<size_t>(m_count));
    for (std::uint64_t i = 0; i < m_count; ++i)
        out.push_back(decode_fixed(m_element_type, m_raw + i * n).as_f64().value_or(0.0));
    return out;
}

std::optional<GgufSplitName> parse_gguf_split_name(const std::filesystem::path &path)
{
    // <prefix>-NNNNN-of-MMMMM.gguf
    const std::string s = path.string();
    constexpr std::string_view tail = ".gguf";
    constexpr size_t digits = 5;
    constexpr size_t suffix_len = 1 + digits + 4 + digits + 5; // "-00001-of-00003.gguf"
    if (s.size() <= suffix_len)
        return std::nullopt;
    const std::string_view sv(s);
    const std::string_view suffix = sv.substr(sv.size() - suffix_len);
    if (suffix[0] != '-' || suffix.substr(1 + digits, 4) != "-of-" || !suffix.ends_with(tail))
        return std::nullopt;
    auto parse_num = [](std::string_view d) -> std::optional<std::uint32_t> {
        std::uint32_t v = 0;
        for (const char c : d)
            if (c < '0' || c > '9')
                return std::nullopt;
        const auto r = std::from_chars(d.data(), d.data() + d.size(), v);
        if (r.ec != std::errc{})
            return std::nullopt;
        return v;
    };
    const auto part = parse_num(suffix.substr(1, digits));
    const auto count = parse_num(suffix.substr(1 + digits + 4, digits));
    if (!part || !count || *part == 0 || *count == 0 || *part > *count)
        return std::nullopt;
    return GgufSplitName{std::string(sv.substr(0, sv.size() - suffix_len)), *part, *count};
}

std::filesystem::path gguf_split_path(std::string_view prefix, std::uint32_t part,
                                      std::uint32_t count)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "-%05u-of-%05u.gguf", part, count);
    return std::string(prefix) + buf;
}

Expected<GgufReader> GgufReader::from_memory(std::span<const std::uint8_t> bytes,
                                             std::string_view name)
{
    auto parsed = parse_file(bytes);
    if (!parsed)
        return parsed.status().with_context(name);
    GgufReader r;
    r.m_path = std::string(name);
    r.m_split_paths = {r.m_path};
    r.m_memory_bytes = bytes.size();
    r.m_version = parsed->version;
    r.m_alignment = parsed->alignment;
    r.m_metadata = std::move(parsed->metadata);
    r.m_tensors = std::move(parsed->tensors);
    for (size_t i = 0; i < r.m_tensors.size(); ++i)
        r.m_tensor_index.emplace(r.m_tensors[i].name, i);
    return r;
}

Expected<GgufReader> GgufReader::open(const std::filesystem::path &path)
{
    auto first_map = MappedFile::open(path);
    if (!first_map)
        return first_map.status();
    auto map = std::make_unique<MappedFile>(std::move(first_map).value());
    auto parsed = parse_file(map->bytes());
    if (!parsed)
        return parsed.status().with_context(path.string());

    const auto split_name = parse_gguf_split_name(path);
    std::uint64_t split_count = 1;
    if (const auto c = meta_uint(parsed->metadata, "split.count"); c)
        split_count = *c;
    else if (c.status().code() != StatusCode::NotFound)
        return c.status().with_context(path.string());
    if (split_count == 0 || split_count > k_max_split_count)
        return error(StatusCode::CorruptFile, path.string() + ": split.count " +
                                                  std::to_string(split_count) + " is out of range");

    if (split_count > 1) {
        if (!split_name || split_name->count != split_count)
            return error(
                StatusCode::InvalidArgument,
                path.string() + ": this is one part of a model split into " +
                    std::to_string(split_count) +
                    " files, but its name does not end in -0000K-of-" +
                    std::string(5 - std::min<size_t>(5, std::to_string(split_count).size()), '0') +
                    std::to_string(split_count) +
                    ".gguf, so the other parts cannot be found: restore the original "
                    "file names");
        if (split_name->part != 1) // any part opens the set: restart from the first
            return open(gguf_split_path(split_name->prefix, 1, split_name->count));
    }

    GgufReader r;
    r.m_path = path;
    r.m_version = parsed->version;
    r.m_alignment = parsed->alignment;
    r.m_split_paths.push_back(path);
    r.m_tensors = std::move(parsed->tensors);
    if (split_count > 1) {
        if (Status s = check_split_keys(*parsed, 0, static_cast<std::uint32_t>(split_count)); !s)
            return std::move(s).with_context(path.string());
    }
    r.m_metadata = std::move(parsed->metadata);
    r.m_maps.push_back(std::move(map));

    const std::string split_prefix = split_name ? split_name->prefix : std::string();
    for (std::uint32_t part = 2; part <= split_count; ++part) {
        const auto part_path =
            gguf_split_path(split_prefix, part, static_cast<std::uint32_t>(split_count));
        auto part_map = MappedFile::open(part_path);
        if (!part_map) {
            if (part_map.status().code() == StatusCode::NotFound)
                return error(StatusCode::NotFound,
                             part_path.string() + ": part " + std::to_string(part) + " of " +
                                 std::to_string(split_count) +
                                 " of the split model is missing (download every part into the "
                                 "same folder)");
            return part_map.status();
        }
        auto pmap = std::make_unique<MappedFile>(std::move(part_map).value());
        auto pparsed = parse_file(pmap->bytes());
        if (!pparsed)
            return pparsed.status().with_context(part_path.string());
        if (Status s =
                check_split_keys(*pparsed, part - 1, static_cast<std::uint32_t>(split_count));
            !s)
            return std::move(s).with_context(part_path.string());
        for (auto &t : pparsed->tensors) {
            t.split_index = part - 1;
            r.m_tensors.push_back(std::move(t));
        }
        r.m_split_paths.push_back(part_path);
        r.m_maps.push_back(std::move(pmap));
    }

    for (size_t i = 0; i < r.m_tensors.size(); ++i)
        if (!r.m_tensor_index.emplace(r.m_tensors[i].name, i).second)
            return error(StatusCode::CorruptFile,
                         r.m_split_paths[r.m_tensors[i].split_index].string() + ": tensor '" +
                             r.m_tensors[i].name + "' appears in two parts of the split model");
    if (split_count > 1) {
        if (const auto n = meta_uint(r.m_metadata, "split.tensors.count");
            n && *n != r.m_tensors.size())
            return error(StatusCode::CorruptFile, path.string() + ": split.tensors.count says " +
                                                      std::to_string(*n) + " tensors, the " +
                                                      std::to_string(split_count) + " parts hold " +
                                                      std::to_string(r.m_tensors.size()));
    }
    return r;
}

const GgufValue *GgufReader::find(std::string_view key) const
{
    const auto it = m_metadata.find(key);
    return it == m_metadata.end() ? nullptr : &it->second;
}

namespace {

Status key_error(std::string_view key, const GgufValue &v, std::string_view wanted)
{
    return error(StatusCode::CorruptFile, "key '" + std::string(key) + "' is a " +
                                              std::string(gguf_type_name(v.type())) +
                                              ", expected " + std::string(wanted));
}

Status missing_key(std::string_view key)
{
    return error(StatusCode::NotFound, "missing key '" + std::string(key) + "'");
}

} // namespace

Expected<std::uint64_t> GgufReader::get_u64(std::string_view key) const
{
    const GgufValue *v = find(key);
    if (!v)
        return missing_key(key);
    const auto u = v->as_u64();
    if (!u)
        return key_error(key, *v, "a non-negative integer");
    return *u;
}

Expected<std::uint32_t> GgufReader::get_u32(std::string_view key) const
{
    auto u = get_u64(key);
    if (!u)
        return u.status();
    if (*u > std::numeric_limits<std::uint32_t>::max())
        return error(StatusCode::CorruptFile,
                     "key '" + std::string(key) + "' = " + std::to_string(*u) + " is too large");
    return static_cast<std::uint32_t>(*u);
}

Expected<std::int64_t> GgufReader::get_i64(std::string_view key) const
{
    const GgufValue *v = find(key);
    if (!v)
        return missing_key(key);
    const auto i = v->as_i64();
    if (!i)
        return key_error(key, *v, "an integer");
    return *i;
}

Expected<float> GgufReader::get_f32(std::string_view key) const
{
    const GgufValue *v = find(key);
    if (!v)
        return missing_key(key);
    const auto d = v->as_f64();
    if (!d)
        return key_error(key, *v, "a float");
    return static_cast<float>(*d);
}

Expected<bool> GgufReader::get_bool(std::string_view key) const
{
    const GgufValue *v = find(key);
    if (!v)
        return missing_key(key);
    const auto b = v->as_bool();
    if (!b)
        return key_error(key, *v, "a bool");
    return *b;
}

Expected<std::string_view> GgufReader::get_string(std::string_view key) const
{
    const GgufValue *v = find(key);
    if (!v)
        return missing_key(key);
    const auto s = v->as_string();
    if (!s)
        return key_error(key, *v, "a string");
    return *s;
}

Expected<const GgufArray *> GgufReader::get_array(std::string_view key) const
{
    const GgufValue *v = find(key);
    if (!v)
        return missing_key(key);
    const GgufArray *a = v->as_array();
    if (!a)
        return key_error(key, *v, "an array");
    return a;
}

const GgufTensor *GgufReader::find_tensor(std::string_view name) const
{
    const auto it = m_tensor_index.find(std::string(name));
    return it == m_tensor_index.end() ? nullptr : &m_tensors[it->second];
}

std::uint64_t GgufReader::total_file_bytes() const
{
    if (m_maps.empty())
        return m_memory_bytes;
    std::uint64_t total = 0;
    for (const auto &m : m_maps)
        total += m->size();
    return total;
}

} // namespace glmdesk::engine
