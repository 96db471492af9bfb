// Device enumeration and the default choice of VulkanContext::create(-1): the indices that
// vulkan_device_infos() reports are the ones create(N) and --vulkan-device take, exactly one device
// is the default, and nothing of a better kind (discrete, integrated, virtual, other, cpu) comes
// before it. On lavapipe there is one CPU device, which is then the default.
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/engine.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

using namespace glmdesk::engine;

namespace {

int kind_rank(const std::string &type)
{
    if (type == "discrete GPU")
        return 0;
    if (type == "integrated GPU")
        return 1;
    if (type == "virtual GPU")
        return 2;
    if (type == "cpu")
        return 4;
    return 3;
}

class VulkanDevices : public ::testing::Test
{
protected:
    void SetUp() override
    {
        auto infos = vulkan_device_infos();
        if (!infos)
            GTEST_SKIP() << "no Vulkan driver: " << infos.status().message();
        if (infos->empty())
            GTEST_SKIP() << "no Vulkan device with a compute queue";
        m_infos = std::move(infos).value();
    }
    std::vector<VulkanDeviceInfo> m_infos;
};

} // namespace

TEST_F(VulkanDevices, IndicesAreDenseAndNamesMatchTheShortList)
{
    auto names = vulkan_devices();
    ASSERT_TRUE(names.has_value()) << names.status().message();
    ASSERT_EQ(names->size(), m_infos.size());
    for (std::size_t i = 0; i < m_infos.size(); ++i) {
        EXPECT_EQ(m_infos[i].index, static_cast<int>(i));
        EXPECT_EQ((*names)[i], m_infos[i].name + " [" + m_infos[i].type + "]");
    }
}

TEST_F(VulkanDevices, ExactlyOneDefaultAndNothingBetterBeforeIt)
{
    int defaults = 0;
    int chosen = -1;
    for (const VulkanDeviceInfo &d : m_infos)
        if (d.is_default) {
            ++defaults;
            chosen = d.index;
        }
    ASSERT_EQ(defaults, 1);
    const int best = kind_rank(m_infos[static_cast<std::size_t>(chosen)].type);
    for (const VulkanDeviceInfo &d : m_infos) {
        EXPECT_GE(kind_rank(d.type), best) << d.name << " outranks the default";
        if (d.index < chosen) {
            EXPECT_GT(kind_rank(d.type), best) << "an equal device comes before the default";
        }
    }
}

TEST_F(VulkanDevices, CreateTakesTheReportedIndices)
{
    auto def = VulkanContext::create(-1);
    ASSERT_TRUE(def.has_value()) << def.status().message();
    const VulkanDeviceInfo picked = (*def)->device_info();
    EXPECT_TRUE(picked.is_default);
    EXPECT_EQ(picked.name, m_infos[static_cast<std::size_t>(picked.index)].name);
    EXPECT_TRUE(m_infos[static_cast<std::size_t>(picked.index)].is_default);

    for (const VulkanDeviceInfo &d : m_infos) {
        auto ctx = VulkanContext::create(d.index);
        ASSERT_TRUE(ctx.has_value()) << d.name << ": " << ctx.status().message();
        EXPECT_EQ((*ctx)->device_info().index, d.index);
        EXPECT_EQ((*ctx)->device_info().name, d.name);
        EXPECT_EQ((*ctx)->device_info().is_default, d.is_default);
    }
}

TEST_F(VulkanDevices, OutOfRangeIndexIsInvalidArgumentNamingTheCount)
{
    const int n = static_cast<int>(m_infos.size());
    for (const int bad : {n, n + 1, 99}) {
        auto ctx = VulkanContext::create(bad);
        ASSERT_FALSE(ctx.has_value()) << bad;
        EXPECT_EQ(ctx.status().code(), StatusCode::InvalidArgument);
        const std::string msg(ctx.status().message());
        EXPECT_NE(msg.find("Vulkan device " + std::to_string(bad)), std::string::npos) << msg;
        const std::string count = n == 1 ? "is 1 device" : "are " + std::to_string(n) + " devices";
        EXPECT_NE(msg.find(count), std::string::npos) << msg;
    }
}

TEST_F(VulkanDevices, CapabilitiesAreFilledIn)
{
    for (const VulkanDeviceInfo &d : m_infos) {
        SCOPED_TRACE(d.name);
        EXPECT_FALSE(d.name.empty());
        EXPECT_FALSE(d.driver.empty());
        EXPECT_NE(d.vendor_id, 0u);
        EXPECT_FALSE(d.vendor.empty());
        if (d.vendor_id == 0x10005) { // Mesa's registered id: lavapipe
            EXPECT_EQ(d.vendor, "Mesa");
        }
        // 16 KiB is the least maxComputeSharedMemorySize the spec allows.
        EXPECT_GE(d.max_compute_shared_memory, 16384u);
        // The f16 shape can only be offered where the extension is.
        EXPECT_TRUE(d.cooperative_matrix || !d.cooperative_matrix_f16);
        // "major.minor.patch", at least 1.0
        EXPECT_EQ(std::count(d.api_version.begin(), d.api_version.end(), '.'), 2);
        EXPECT_NE(d.api_version.rfind("1.", 0), std::string::npos);
        EXPECT_GT(d.device_local_bytes, 0u);
        // 2^27 is the least maxStorageBufferRange the Vulkan spec allows: below it, the limit
        // was not read.
        EXPECT_GE(d.max_storage_buffer_range, std::uint64_t{1} << 27);
        EXPECT_GE(d.subgroup_size, 1u);
        EXPECT_EQ(d.subgroup_size & (d.subgroup_size - 1), 0u) << "not a power of two";
    }
}

TEST_F(VulkanDevices, CheckAgreesWithCreate)
{
    const int n = static_cast<int>(m_infos.size());
    EXPECT_TRUE(check_vulkan_device(-1).ok());
    EXPECT_TRUE(check_vulkan_device(n - 1).ok());
    const Status past = check_vulkan_device(n);
    EXPECT_EQ(past.code(), StatusCode::InvalidArgument);
    auto ctx = VulkanContext::create(n);
    ASSERT_FALSE(ctx.has_value());
    EXPECT_EQ(past.message(), ctx.status().message());
}

// What --version --json prints: valid JSON whose Vulkan devices are these, the default marked.
TEST_F(VulkanDevices, CapabilityReportListsEveryDevice)
{
    const nlohmann::json report = nlohmann::json::parse(capabilities_json("test"));
    EXPECT_EQ(report.at("program"), "test");
    EXPECT_TRUE(report.at("version").is_string());
    EXPECT_TRUE(report.at("backends").is_array());
    EXPECT_FALSE(report.at("cpu").at("isa").get<std::string>().empty());
    EXPECT_GT(report.at("cpu").at("ram_bytes").get<std::uint64_t>(), 0u);
    const nlohmann::json &vulkan = report.at("vulkan");
    EXPECT_TRUE(vulkan.at("compiled_in").get<bool>());
    const nlohmann::json &devices = vulkan.at("devices");
    ASSERT_EQ(devices.size(), m_infos.size());
    for (std::size_t i = 0; i < m_infos.size(); ++i) {
        const nlohmann::json &d = devices[i];
        EXPECT_EQ(d.at("index"), m_infos[i].index);
        EXPECT_EQ(d.at("name"), m_infos[i].name);
        EXPECT_EQ(d.at("default"), m_infos[i].is_default);
        EXPECT_EQ(d.at("vendor"), m_infos[i].vendor);
        EXPECT_EQ(d.at("max_storage_buffer_range"), m_infos[i].max_storage_buffer_range);
        EXPECT_EQ(d.at("max_compute_shared_memory"), m_infos[i].max_compute_shared_memory);
        for (const char *key :
             {"driver", "api_version", "device_local_bytes", "subgroup_size", "uma",
              "shader_float16", "shader_int8", "storage_16bit", "storage_8bit",
              "integer_dot_product", "cooperative_matrix", "cooperative_matrix_f16"})
            EXPECT_TRUE(d.contains(key)) << key;
    }
}
