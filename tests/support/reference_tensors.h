// Reads the transformers reference outputs (fixtures/air-mini/reference.safetensors): float32 and
// int32 tensors by name. Test-only; the engine's own safetensors reader serves model weights.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace glmdesk::test {

struct ReferenceTensor
{
    std::vector<std::int64_t> shape;
    std::vector<float> f32;        // F32 tensors
    std::vector<std::int32_t> i32; // I32 tensors
};

// nullopt (and a message on stderr) when the file cannot be read or is malformed.
std::optional<std::map<std::string, ReferenceTensor>>
load_reference_tensors(const std::filesystem::path &path);

} // namespace glmdesk::test
