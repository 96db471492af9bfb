#include "tests/support/reference_tensors.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <iostream>

namespace glmdesk::test {

std::optional<std::map<std::string, ReferenceTensor>>
load_reference_tensors(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::uint64_t header_len = 0;
    if (bytes.size() < 8) {
        std::cerr << path << ": too short\n";
        return std::nullopt;
    }
    std::memcpy(&header_len, bytes.data(), 8);
    if (header_len > bytes.size() - 8) {
        std::cerr << path << ": header past the end\n";
        return std::nullopt;
    }
    const auto header = nlohmann::json::parse(
        bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_len), nullptr, false);
    if (header.is_discarded() || !header.is_object())
        return std::nullopt;
    const std::size_t base = 8 + header_len;
    std::map<std::string, ReferenceTensor> out;
    for (const auto &[name, info] : header.items()) {
        if (name == "__metadata__")
            continue;
        ReferenceTensor t;
        t.shape = info.at("shape").get<std::vector<std::int64_t>>();
        const auto offsets = info.at("data_offsets").get<std::vector<std::size_t>>();
        const std::string dtype = info.at("dtype").get<std::string>();
        if (offsets.size() != 2 || offsets[1] < offsets[0] || base + offsets[1] > bytes.size())
            return std::nullopt;
        const std::size_t n = offsets[1] - offsets[0];
        const char *src = bytes.data() + base + offsets[0];
        if (dtype == "F32") {
            t.f32.resize(n / 4);
            std::memcpy(t.f32.data(), src, t.f32.size() * 4);
        } else if (dtype == "I32") {
            t.i32.resize(n / 4);
            std::memcpy(t.i32.data(), src, t.i32.size() * 4);
        } else {
            continue;
        }
        out.emplace(name, std::move(t));
    }
    return out;
}

} // namespace glmdesk::test
