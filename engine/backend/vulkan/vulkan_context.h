// The Vulkan backend's device and its first op. A context owns one instance, one physical device
// with a compute queue and one logical device; ops record a dispatch, submit and wait. Builds
// without Vulkan too: then everything answers NotCompiledIn.
#pragma once

#include "engine/common/status.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace glmdesk::engine {

// Every Vulkan device with a compute queue: "llvmpipe (LLVM 19.1.7, 256 bits) [cpu]".
Expected<std::vector<std::string>> vulkan_devices();

class VulkanContext
{
public:
    // device_index < 0 picks the first discrete GPU, else the first device with compute.
    static Expected<std::unique_ptr<VulkanContext>> create(int device_index = -1);
    ~VulkanContext();
    VulkanContext(const VulkanContext &) = delete;
    VulkanContext &operator=(const VulkanContext &) = delete;

    const std::string &device_name() const;

    // y = rms_norm(x) * weight for `rows` rows of `cols` floats. Uploads, dispatches, waits and
    // downloads: the round trip the op-by-op equivalence tests need.
    Expected<std::vector<float>> rms_norm(std::span<const float> x, std::span<const float> weight,
                                          std::int64_t rows, std::int64_t cols, float eps);

    struct Impl;

private:
    explicit VulkanContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace glmdesk::engine
