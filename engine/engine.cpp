#include "engine/engine.h"

#include "engine/backend/cpu/cpu_info.h"
#include "engine/backend/cuda/cuda_device.h"
#include "engine/backend/vulkan/vulkan_context.h"
#include "glmdesk/build_config.h"

namespace glmdesk::engine {

std::string_view version()
{
    return GLMDESK_VERSION_STRING;
}

std::vector<std::string_view> compiled_backends()
{
    std::vector<std::string_view> names{"cpu"};
    if (GLMDESK_HAVE_CUDA)
        names.emplace_back("cuda");
    if (GLMDESK_HAVE_VULKAN)
        names.emplace_back("vulkan");
    return names;
}

std::vector<BackendDevices> probe_backends()
{
    std::vector<BackendDevices> result;
    result.push_back({"cpu", true, {cpu_description()}, {}});

    BackendDevices cuda{"cuda", GLMDESK_HAVE_CUDA != 0, {}, {}};
    if (auto devices = cuda_devices())
        cuda.devices = std::move(devices.value());
    else
        cuda.note = devices.status().message();
    result.push_back(std::move(cuda));

    BackendDevices vulkan{"vulkan", GLMDESK_HAVE_VULKAN != 0, {}, {}};
    if (auto devices = vulkan_devices())
        vulkan.devices = std::move(devices.value());
    else
        vulkan.note = devices.status().message();
    result.push_back(std::move(vulkan));
    return result;
}

std::string version_line(std::string_view program)
{
    std::string line = std::string(program) + " " + std::string(version()) + " (backends:";
    const auto names = compiled_backends();
    for (size_t i = 0; i < names.size(); ++i)
        line += (i == 0 ? " " : ", ") + std::string(names[i]);
    return line + ")";
}

} // namespace glmdesk::engine
