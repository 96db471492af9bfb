// Shared test helpers: seeded random data (never zeros), error metrics, fixture paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

namespace glmdesk::test {

// Uniform in [lo, hi), from a fixed seed so a failure reproduces.
std::vector<float> random_floats(std::size_t n, std::uint32_t seed, float lo = -1.0f,
                                 float hi = 1.0f);

// max |a - b| / max |b|: the relative error measure the fixtures README uses.
double max_rel_error(std::span<const float> a, std::span<const float> reference);

// ../shared/fixtures next to the source tree, or GLMDESK_FIXTURES; nullopt when neither exists.
std::optional<std::filesystem::path> shared_fixtures_dir();

} // namespace glmdesk::test
