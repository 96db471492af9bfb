// CUDA device discovery for the placement plan and --version. Builds without CUDA too: then it
// answers NotCompiledIn, so callers never need an #ifdef.
#pragma once

#include "engine/common/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glmdesk::engine {

struct CudaDeviceInfo
{
    int index = 0;
    std::string name;
    int compute_major = 0;
    int compute_minor = 0;
    std::uint64_t total_bytes = 0;
    std::uint64_t free_bytes = 0;
};

// Every CUDA device the driver shows. An empty list when there is none; an error only when this
// build has no CUDA or the driver is unusable (the message says which).
Expected<std::vector<CudaDeviceInfo>> cuda_device_infos();

// The same, one readable line per device ("NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB").
Expected<std::vector<std::string>> cuda_devices();

} // namespace glmdesk::engine
