// The Vulkan backend's small reusable layer: one context (instance, the chosen physical device, a
// compute queue, a pipeline cache keyed by shader), device buffers, and command sequences that are
// recorded once and replayed many times (decode records a token's dispatches once; per-token
// values such as the position live in a small buffer the host rewrites, not in push constants).
// No Vulkan type appears here, so the rest of the engine includes this without the Vulkan headers,
// and a build without Vulkan compiles it too: then create() answers NotCompiledIn.
#pragma once

#include "engine/common/status.h"
#include "kernels/vulkan/shader_list.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace glmdesk::engine {

// Every Vulkan device with a compute queue: "llvmpipe (LLVM 19.1.7, 256 bits) [cpu]".
Expected<std::vector<std::string>> vulkan_devices();

// The compute shaders compiled into the binary (kernels/vulkan/shader_list.h, one SPIR-V blob
// each): the fixed ones, then three per weight format (decode, prefill, routed experts).
enum class VulkanShader : std::uint16_t {
#define GLMDESK_VULKAN_ENUM(name, blob, bindings) name,
    GLMDESK_VULKAN_FIXED_SHADERS(GLMDESK_VULKAN_ENUM)
#undef GLMDESK_VULKAN_ENUM
#define GLMDESK_VULKAN_ENUM(format, blob) Matvec##format, Matmul##format, MatvecId##format,
        GLMDESK_VULKAN_WEIGHT_FORMATS(GLMDESK_VULKAN_ENUM)
#undef GLMDESK_VULKAN_ENUM
            Count
};

// The shader's blob symbol ("matvec_q4_k"): what kernels::vulkan::spirv_blob() looks up.
const char *vulkan_shader_blob(VulkanShader shader);

// Push constants of every shader fit the 128 bytes Vulkan guarantees.
inline constexpr std::size_t k_vulkan_max_push_bytes = 128;

class VulkanContext;

// A storage buffer. Device-local memory that the host can map where the device has it (CPU and
// integrated devices, lavapipe); on a discrete GPU, device-local memory filled through a staging
// copy. Reads and writes go through VulkanContext::upload/download either way.
class VulkanBuffer
{
public:
    struct Impl;
    explicit VulkanBuffer(std::unique_ptr<Impl> impl);
    ~VulkanBuffer();
    VulkanBuffer(const VulkanBuffer &) = delete;
    VulkanBuffer &operator=(const VulkanBuffer &) = delete;

    std::size_t bytes() const;
    bool host_visible() const;
    Impl &impl() const { return *m_impl; }

private:
    std::unique_ptr<Impl> m_impl;
};

// A command buffer of dispatches, each after a barrier that makes the previous dispatches' writes
// visible (decode is a chain of dependent ops, so nothing is lost by serialising). Record with
// dispatch(), close with finish(), then run() as often as wanted. The buffers must outlive it.
class VulkanSequence
{
public:
    struct Impl;
    explicit VulkanSequence(std::unique_ptr<Impl> impl);
    ~VulkanSequence();
    VulkanSequence(const VulkanSequence &) = delete;
    VulkanSequence &operator=(const VulkanSequence &) = delete;

    // buffers bind to bindings 0, 1, ... of the shader; push is at most k_vulkan_max_push_bytes.
    Status dispatch(VulkanShader shader, std::span<const VulkanBuffer *const> buffers,
                    std::span<const std::byte> push, std::uint32_t groups_x,
                    std::uint32_t groups_y = 1, std::uint32_t groups_z = 1);
    Status finish();
    // Submits the recorded commands and waits for them.
    Status run();
    std::size_t dispatch_count() const;

private:
    std::unique_ptr<Impl> m_impl;
};

struct VulkanDeviceInfo
{
    int index = 0;           // what VulkanContext::create and --vulkan-device take
    std::string name;        // "llvmpipe (LLVM 19.1.7, 256 bits)"
    std::string type;        // "discrete GPU", "integrated GPU", "cpu", ...
    std::string api_version; // "1.3.289"
    std::string driver;      // "llvmpipe: Mesa 25.0.7 (LLVM 19.1.7)"
    std::uint32_t vendor_id = 0;
    std::string vendor;                   // "AMD", "NVIDIA", "Intel", "Mesa", ... or the id in hex
    std::uint64_t device_local_bytes = 0; // the largest device-local memory heap
    std::uint64_t max_storage_buffer_range = 0;
    std::uint32_t max_compute_shared_memory = 0; // bytes of shared memory per workgroup
    std::uint32_t subgroup_size = 0;
    bool uma = false; // device-local memory is host-visible: no staging copies
    bool shader_float16 = false;
    bool shader_int8 = false;
    bool storage_16bit = false;
    bool storage_8bit = false;
    bool integer_dot_product = false; // VK_KHR_shader_integer_dot_product
    bool cooperative_matrix = false;  // VK_KHR_cooperative_matrix (tensor cores / WMMA)
    // A subgroup-scope f16 x f16 -> f32 shape of 16x16x16 (or 16x8x16 / 8x8x16) is offered.
    bool cooperative_matrix_f16 = false;
    bool is_default = false; // the device create(-1) picks
};

// Every usable device in index order, with what the engine may use of it. The default device is
// the first discrete GPU, else the first integrated one, else a virtual one, else any (lavapipe).
Expected<std::vector<VulkanDeviceInfo>> vulkan_device_infos();

// Whether create(device_index) would find its device, without creating one: ok for an index < 0
// (the default), InvalidArgument naming how many devices there are for one past the last (the
// message create() gives), the driver's error when there is none. The command line checks
// --vulkan-device with it before loading a model.
Status check_vulkan_device(int device_index);

class VulkanContext
{
public:
    // device_index < 0 picks the first discrete GPU, else the first device with compute.
    static Expected<std::unique_ptr<VulkanContext>> create(int device_index = -1);
    ~VulkanContext();
    VulkanContext(const VulkanContext &) = delete;
    VulkanContext &operator=(const VulkanContext &) = delete;

    const std::string &device_name() const;
    VulkanDeviceInfo device_info() const;

    Expected<std::unique_ptr<VulkanBuffer>> create_buffer(std::size_t bytes);
    Status upload(VulkanBuffer &dst, std::span<const std::byte> src, std::size_t offset = 0);
    Status download(const VulkanBuffer &src, std::span<std::byte> dst, std::size_t offset = 0);
    Expected<std::unique_ptr<VulkanSequence>> create_sequence();

    // y = rms_norm(x) * weight for `rows` rows of `cols` floats. Uploads, dispatches, waits and
    // downloads: the round trip the op-by-op equivalence tests need.
    Expected<std::vector<float>> rms_norm(std::span<const float> x, std::span<const float> weight,
                                          std::int64_t rows, std::int64_t cols, float eps);

    struct Impl;
    Impl &impl() const { return *m_impl; }

private:
    explicit VulkanContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace glmdesk::engine
