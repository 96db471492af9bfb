#include "engine/backend/cpu/cpu_info.h"
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

using namespace glmdesk::engine;

TEST(Backends, CpuIsAlwaysCompiledInAndFirst)
{
    const auto names = compiled_backends();
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "cpu");
}

TEST(Backends, ProbeReportsEveryBackendWithDevicesOrAReason)
{
    const auto probed = probe_backends();
    ASSERT_EQ(probed.size(), 3u);
    EXPECT_EQ(probed[0].backend, "cpu");
    EXPECT_EQ(probed[1].backend, "cuda");
    EXPECT_EQ(probed[2].backend, "vulkan");
    for (const auto &b : probed) {
        const auto names = compiled_backends();
        const bool listed = std::find(names.begin(), names.end(), b.backend) != names.end();
        EXPECT_EQ(b.compiled_in, listed) << b.backend;
        // A backend with no device must say why; one with devices names them.
        EXPECT_TRUE(!b.devices.empty() || !b.note.empty()) << b.backend;
        for (const auto &d : b.devices)
            EXPECT_FALSE(d.empty()) << b.backend;
    }
    EXPECT_EQ(probed[0].devices.size(), 1u);
}

TEST(Backends, VersionLineNamesProgramVersionAndBackends)
{
    const std::string line = version_line("glmdesk-cli");
    EXPECT_TRUE(
        std::regex_match(line, std::regex(R"(glmdesk-cli \d+\.\d+\.\d+ \(backends: cpu.*\))")))
        << line;
}

TEST(CpuInfo, DescriptionStartsWithThreadCount)
{
    const std::string d = cpu_description();
    EXPECT_TRUE(std::regex_search(d, std::regex(R"(^[1-9][0-9]* threads)"))) << d;
    const CpuFeatures f = detect_cpu_features();
    // AVX-512BW implies AVX-512F: internal consistency of the CPUID read.
    if (f.avx512bw) {
        EXPECT_TRUE(f.avx512f);
    }
}
