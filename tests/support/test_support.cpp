#include "tests/support/test_support.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

namespace glmdesk::test {

std::vector<float> random_floats(std::size_t n, std::uint32_t seed, float lo, float hi)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (float &x : v)
        x = dist(rng);
    return v;
}

double max_rel_error(std::span<const float> a, std::span<const float> reference)
{
    double max_diff = 0.0, max_ref = 0.0;
    const std::size_t n = std::min(a.size(), reference.size());
    for (std::size_t i = 0; i < n; ++i) {
        max_diff = std::max(max_diff, std::fabs(static_cast<double>(a[i]) - reference[i]));
        max_ref = std::max(max_ref, std::fabs(static_cast<double>(reference[i])));
    }
    if (a.size() != reference.size())
        return INFINITY;
    return max_ref > 0.0 ? max_diff / max_ref : max_diff;
}

std::optional<std::filesystem::path> shared_fixtures_dir()
{
    namespace fs = std::filesystem;
    if (const char *env = std::getenv("GLMDESK_FIXTURES"); env && *env) {
        if (fs::is_directory(env))
            return fs::path(env);
        return std::nullopt;
    }
    const fs::path beside = fs::path(GLMDESK_SOURCE_DIR) / ".." / "shared" / "fixtures";
    if (fs::is_directory(beside))
        return fs::canonical(beside);
    return std::nullopt;
}

} // namespace glmdesk::test
