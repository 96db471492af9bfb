#include "engine/io/safetensors_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

namespace glmdesk::engine {
namespace {

// The reference implementation refuses headers above 100 MB; a real one is a few hundred KB.
constexpr std::uint64_t k_max_header_bytes = 100ull << 20;
constexpr int k_max_json_depth = 16; // real headers nest 3 deep
constexpr std::size_t k_max_dims = 8;

// nlohmann's parser is iterative, but bounding the depth first keeps hostile "[[[[..." inputs
// cheap and the error message clear.
bool json_depth_ok(std::string_view text)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > k_max_json_depth)
                return false;
        } else if (c == ']' || c == '}')
            --depth;
    }
    return true;
}

std::optional<std::uint64_t> json_uint(const nlohmann::json &j)
{
    if (j.is_number_unsigned())
        return j.get<std::uint64_t>();
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0)
        return static_cast<std::uint64_t>(j.get<std::int64_t>());
    return std::nullopt;
}

Status bad(std::string msg)
{
    return error(StatusCode::CorruptFile, std::move(msg));
}

struct ParsedHeader
{
    std::vector<SafetensorsTensor> tensors;
    std::map<std::string, std::string> metadata;
};

Expected<ParsedHeader> parse(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < 8)
        return bad("not a safetensors file: only " + std::to_string(bytes.size()) + " bytes");
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    if (header_len > bytes.size() - 8)
        return bad("header length " + std::to_string(header_len) +
                   " runs past the end of the file (" + std::to_string(bytes.size()) +
                   " bytes): not a safetensors file, or truncated");
    if (header_len > k_max_header_bytes)
        return bad("header of " + std::to_string(header_len) + " bytes is larger than allowed");
    const std::string_view text(reinterpret_cast<const char *>(bytes.data() + 8),
                                static_cast<size_t>(header_len));
    if (!json_depth_ok(text))
        return bad("header JSON nests deeper than " + std::to_string(k_max_json_depth));
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return bad("header is not valid JSON");
    if (!j.is_object())
        return bad("header is not a JSON object");
    const std::uint64_t data_start = 8 + header_len;
    const std::uint64_t data_size = bytes.size() - data_start;

    ParsedHeader out;
    for (const auto &[name, entry] : j.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object())
                return bad("__metadata__ is not an object");
            for (const auto &[k, v] : entry.items())
                if (v.is_string())
                    out.metadata.emplace(k, v.get<std::string>());
            continue;
        }
        const std::string where = "tensor '" + name + "'";
        if (!entry.is_object())
            return bad(where + " is not described by an object");
        const auto dtype_it = entry.find("dtype");
        const auto shape_it = entry.find("shape");
        const auto offsets_it = entry.find("data_offsets");
        if (dtype_it == entry.end() || !dtype_it->is_string())
            return bad(where + " has no dtype");
        if (shape_it == entry.end() || !shape_it->is_array())
            return bad(where + " has no shape");
        if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2)
            return bad(where + " has no [begin, end] data_offsets");
        const std::string dtype_name = dtype_it->get<std::string>();
        const auto dtype = parse_safetensors_dtype(dtype_name);
        if (!dtype)
            return error(StatusCode::Unsupported,
                         where + " has dtype " + dtype_name +
                             ", which this engine does not load (BF16, F16, F32 and F8_E4M3 are)");
        if (shape_it->size() > k_max_dims)
            return bad(where + " has " + std::to_string(shape_it->size()) + " dimensions");
        SafetensorsTensor t;
        t.name = name;
        t.dtype = *dtype;
        std::uint64_t n = 1;
        for (const auto &d : *shape_it) {
            const auto v = json_uint(d);
            if (!v)
                return bad(where + " has a shape entry that is not a non-negative integer");
            if (*v != 0 && n > std::numeric_limits<std::uint64_t>::max() / 8 / *v)
                return bad(where + " has an impossible shape");
            n *= *v;
            t.shape.push_back(*v);
        }
        t.n_elements = n;
        t.n_bytes = n * safetensors_dtype_size(*dtype);
        const auto begin = json_uint((*offsets_it)[0]);
        const auto end = json_uint((*offsets_it)[1]);
        if (!begin || !end || *begin > *end)
            return bad(where + " has invalid data_offsets");
        if (*end > data_size)
            return bad(where + " ends at byte " + std::to_string(*end) + " of the data, past its " +
                       std::to_string(data_size) + " bytes: the file is truncated");
        if (*end - *begin != t.n_bytes)
            return bad(where + " occupies " + std::to_string(*end - *begin) + " bytes, its " +
                       dtype_name + " shape needs " + std::to_string(t.n_bytes));
        t.file_offset = data_start + *begin;
        t.data = t.n_bytes ? bytes.data() + t.file_offset : nullptr;
        out.tensors.push_back(std::move(t));
    }
    std::sort(out.tensors.begin(), out.tensors.end(),
              [](const SafetensorsTensor &a, const SafetensorsTensor &b) {
                  return a.file_offset != b.file_offset ? a.file_offset < b.file_offset
                                                        : a.name < b.name;
              });
    return out;
}

} // namespace

std::string_view safetensors_dtype_name(SafetensorsDtype dtype)
{
    switch (dtype) {
    case SafetensorsDtype::BF16:
        return "BF16";
    case SafetensorsDtype::F16:
        return "F16";
    case SafetensorsDtype::F32:
        return "F32";
    case SafetensorsDtype::F8_E4M3:
        return "F8_E4M3";
    }
    return "?";
}

std::uint32_t safetensors_dtype_size(SafetensorsDtype dtype)
{
    switch (dtype) {
    case SafetensorsDtype::BF16:
    case SafetensorsDtype::F16:
        return 2;
    case SafetensorsDtype::F32:
        return 4;
    case SafetensorsDtype::F8_E4M3:
        return 1;
    }
    return 1;
}

std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name)
{
    for (const auto d : {SafetensorsDtype::BF16, SafetensorsDtype::F16, SafetensorsDtype::F32,
                         SafetensorsDtype::F8_E4M3})
        if (safetensors_dtype_name(d) == name)
            return d;
    return std::nullopt;
}

Expected<SafetensorsFile> SafetensorsFile::from_memory(std::span<const std::uint8_t> bytes,
                                                       std::string_view name)
{
    Expected<ParsedHeader> parsed = bad("unparsed");
    try {
        parsed = parse(bytes);
    } catch (const std::exception &e) {
        // nlohmann throws only on type confusion, which the checks above rule out; a message
        // beats std::terminate should one slip through.
        parsed = bad(std::string("header: ") + e.what());
    }
    if (!parsed)
        return parsed.status().with_context(name);
    SafetensorsFile f;
    f.m_path = std::string(name);
    f.m_file_bytes = bytes.size();
    f.m_tensors = std::move(parsed->tensors);
    f.m_metadata = std::move(parsed->metadata);
    for (size_t i = 0; i < f.m_tensors.size(); ++i)
        f.m_index.emplace(f.m_tensors[i].name, i);
    return f;
}

Expected<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path &path)
{
    auto map = MappedFile::open(path);
    if (!map)
        return map.status();
    auto owned = std::make_unique<MappedFile>(std::move(map).value());
    auto f = from_memory(owned->bytes(), path.string());
    if (!f)
        return f.status();
    f->m_path = path;
    f->m_map = std::move(owned);
    return f;
}

const SafetensorsTensor *SafetensorsFile::find_tensor(std::string_view name) const
{
    const auto it = m_index.find(std::string(name));
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

} // namespace glmdesk::engine
