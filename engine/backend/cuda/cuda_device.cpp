#include "engine/backend/cuda/cuda_device.h"

#include "glmdesk/build_config.h"

#include <cstdio>

#if GLMDESK_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace glmdesk::engine {

Expected<std::vector<CudaDeviceInfo>> cuda_device_infos()
{
#if GLMDESK_HAVE_CUDA
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver) {
        cudaGetLastError(); // clear the sticky error so later calls start clean
        return error(StatusCode::NotFound,
                     std::string("no usable CUDA device: ") + cudaGetErrorString(err));
    }
    if (err != cudaSuccess) {
        cudaGetLastError();
        return error(StatusCode::DeviceError,
                     std::string("CUDA driver error: ") + cudaGetErrorString(err));
    }
    std::vector<CudaDeviceInfo> infos;
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp prop{};
        if (cudaGetDeviceProperties(&prop, i) != cudaSuccess)
            continue;
        CudaDeviceInfo info;
        info.index = i;
        info.name = prop.name;
        info.compute_major = prop.major;
        info.compute_minor = prop.minor;
        info.total_bytes = prop.totalGlobalMem;
        size_t free_b = 0, total_b = 0;
        if (cudaSetDevice(i) == cudaSuccess && cudaMemGetInfo(&free_b, &total_b) == cudaSuccess)
            info.free_bytes = free_b;
        infos.push_back(std::move(info));
    }
    return infos;
#else
    return error(StatusCode::NotCompiledIn, "this build has no CUDA backend");
#endif
}

Expected<std::vector<std::string>> cuda_devices()
{
    auto infos = cuda_device_infos();
    if (!infos)
        return infos.status();
    std::vector<std::string> lines;
    for (const CudaDeviceInfo &d : infos.value()) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "%s, sm_%d%d, %.1f GiB", d.name.c_str(), d.compute_major,
                      d.compute_minor, static_cast<double>(d.total_bytes) / (1024.0 * 1024 * 1024));
        lines.emplace_back(buf);
    }
    return lines;
}

} // namespace glmdesk::engine
