#include "engine/backend/vulkan/vulkan_context.h"

#include "glmdesk/build_config.h"

#if GLMDESK_HAVE_VULKAN
#include "kernels/vulkan/spirv_blobs.h"

#include <vulkan/vulkan.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#endif

namespace glmdesk::engine {

namespace {

struct ShaderInfo
{
    const char *blob;
    uint32_t bindings;
};

ShaderInfo shader_info(VulkanShader shader)
{
    switch (shader) {
#define GLMDESK_VULKAN_CASE(name, blob, bindings)                                                  \
    case VulkanShader::name:                                                                       \
        return {#blob, bindings};
        GLMDESK_VULKAN_FIXED_SHADERS(GLMDESK_VULKAN_CASE)
#undef GLMDESK_VULKAN_CASE
#define GLMDESK_VULKAN_CASE(format, blob)                                                          \
    case VulkanShader::Matvec##format:                                                             \
        return {"matvec_" #blob, 3};                                                               \
    case VulkanShader::Matmul##format:                                                             \
        return {"matmul_" #blob, 3};                                                               \
    case VulkanShader::MatvecId##format:                                                           \
        return {"matvec_id_" #blob, 4};
        GLMDESK_VULKAN_WEIGHT_FORMATS(GLMDESK_VULKAN_CASE)
#undef GLMDESK_VULKAN_CASE
    case VulkanShader::Count:
        break;
    }
    return {"", 0};
}

} // namespace

const char *vulkan_shader_blob(VulkanShader shader)
{
    return shader_info(shader).blob;
}

#if GLMDESK_HAVE_VULKAN

namespace {

Status vk_error(const char *what, VkResult result)
{
    return error(StatusCode::DeviceError, std::string("Vulkan: ") + what + " failed (VkResult " +
                                              std::to_string(result) + ")");
}

const char *device_type_name(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return "cpu";
    default:
        return "other";
    }
}

// Runs the destroyers in reverse order when the scope ends: every early error return cleans up.
class Cleanup
{
public:
    Cleanup() = default;
    Cleanup(const Cleanup &) = delete;
    Cleanup &operator=(const Cleanup &) = delete;
    ~Cleanup()
    {
        for (auto it = m_steps.rbegin(); it != m_steps.rend(); ++it)
            (*it)();
    }
    void add(std::function<void()> step) { m_steps.push_back(std::move(step)); }

private:
    std::vector<std::function<void()>> m_steps;
};

struct Instance
{
    VkInstance handle = VK_NULL_HANDLE;
    ~Instance()
    {
        if (handle != VK_NULL_HANDLE)
            vkDestroyInstance(handle, nullptr);
    }
};

Status create_instance(Instance &instance)
{
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "GLM Desk";
    app.pEngineName = "glmdesk";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    const VkResult r = vkCreateInstance(&info, nullptr, &instance.handle);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
        return error(StatusCode::NotFound,
                     "no Vulkan driver is installed (Debian: mesa-vulkan-drivers)");
    if (r != VK_SUCCESS)
        return vk_error("vkCreateInstance", r);
    return {};
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance)
{
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    if (count > 0)
        vkEnumeratePhysicalDevices(instance, &count, devices.data());
    devices.resize(count);
    return devices;
}

int compute_queue_family(VkPhysicalDevice device)
{
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(device, &count, families.data());
    for (uint32_t i = 0; i < count; ++i)
        if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
            return static_cast<int>(i);
    return -1;
}

std::string describe(VkPhysicalDevice device)
{
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(device, &props);
    return std::string(props.deviceName) + " [" + device_type_name(props.deviceType) + "]";
}

constexpr size_t k_shader_count = static_cast<size_t>(VulkanShader::Count);

struct Pipeline
{
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkPipeline pipeline = VK_NULL_HANDLE;
    uint32_t bindings = 0;
};

} // namespace

struct VulkanContext::Impl
{
    Instance instance;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    VkQueue queue = VK_NULL_HANDLE;
    uint32_t queue_family = 0;
    VkPhysicalDeviceMemoryProperties memory{};
    VulkanDeviceInfo info;
    std::string name;
    VkCommandPool command_pool = VK_NULL_HANDLE;
    std::mutex mutex; // guards the pipeline cache and the command pool
    std::array<Pipeline, k_shader_count> pipelines{};

    ~Impl()
    {
        if (device == VK_NULL_HANDLE)
            return;
        vkDeviceWaitIdle(device);
        for (Pipeline &p : pipelines) {
            if (p.pipeline != VK_NULL_HANDLE)
                vkDestroyPipeline(device, p.pipeline, nullptr);
            if (p.layout != VK_NULL_HANDLE)
                vkDestroyPipelineLayout(device, p.layout, nullptr);
            if (p.set_layout != VK_NULL_HANDLE)
                vkDestroyDescriptorSetLayout(device, p.set_layout, nullptr);
        }
        if (command_pool != VK_NULL_HANDLE)
            vkDestroyCommandPool(device, command_pool, nullptr);
        vkDestroyDevice(device, nullptr);
    }

    int memory_type(uint32_t type_bits, VkMemoryPropertyFlags want) const
    {
        for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
            if ((type_bits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & want) == want)
                return static_cast<int>(i);
        return -1;
    }

    // The pipeline for `shader`, built on first use and kept for the context's life.
    Expected<const Pipeline *> pipeline(VulkanShader shader)
    {
        const auto index = static_cast<size_t>(shader);
        if (index >= k_shader_count)
            return error(StatusCode::InvalidArgument, "Vulkan: unknown shader");
        const std::lock_guard lock(mutex);
        Pipeline &p = pipelines[index];
        if (p.pipeline != VK_NULL_HANDLE)
            return &p;
        const ShaderInfo si = shader_info(shader);
        std::vector<VkDescriptorSetLayoutBinding> bindings(si.bindings);
        for (uint32_t i = 0; i < si.bindings; ++i) {
            bindings[i] = {};
            bindings[i].binding = i;
            bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            bindings[i].descriptorCount = 1;
            bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
        }
        VkDescriptorSetLayoutCreateInfo dsl_info{};
        dsl_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
        dsl_info.bindingCount = si.bindings;
        dsl_info.pBindings = bindings.data();
        if (VkResult r = vkCreateDescriptorSetLayout(device, &dsl_info, nullptr, &p.set_layout);
            r != VK_SUCCESS)
            return vk_error("vkCreateDescriptorSetLayout", r);
        const VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                        static_cast<uint32_t>(k_vulkan_max_push_bytes)};
        VkPipelineLayoutCreateInfo pl_info{};
        pl_info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
        pl_info.setLayoutCount = 1;
        pl_info.pSetLayouts = &p.set_layout;
        pl_info.pushConstantRangeCount = 1;
        pl_info.pPushConstantRanges = &range;
        if (VkResult r = vkCreatePipelineLayout(device, &pl_info, nullptr, &p.layout);
            r != VK_SUCCESS)
            return vk_error("vkCreatePipelineLayout", r);
        const std::span<const uint32_t> code = kernels::vulkan::spirv_blob(si.blob);
        if (code.empty())
            return error(StatusCode::Internal,
                         std::string("Vulkan: this build has no SPIR-V for shader ") + si.blob);
        VkShaderModuleCreateInfo sm_info{};
        sm_info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
        sm_info.codeSize = code.size_bytes();
        sm_info.pCode = code.data();
        VkShaderModule module = VK_NULL_HANDLE;
        if (VkResult r = vkCreateShaderModule(device, &sm_info, nullptr, &module); r != VK_SUCCESS)
            return vk_error("vkCreateShaderModule", r);
        VkComputePipelineCreateInfo cp_info{};
        cp_info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
        cp_info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        cp_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
        cp_info.stage.module = module;
        cp_info.stage.pName = "main";
        cp_info.layout = p.layout;
        const VkResult r =
            vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &cp_info, nullptr, &p.pipeline);
        vkDestroyShaderModule(device, module, nullptr);
        if (r != VK_SUCCESS) {
            p.pipeline = VK_NULL_HANDLE;
            return vk_error("vkCreateComputePipelines", r);
        }
        p.bindings = si.bindings;
        return &p;
    }

    Expected<VkCommandBuffer> allocate_command_buffer()
    {
        const std::lock_guard lock(mutex);
        VkCommandBufferAllocateInfo alloc{};
        alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        alloc.commandPool = command_pool;
        alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        alloc.commandBufferCount = 1;
        VkCommandBuffer cmd = VK_NULL_HANDLE;
        if (VkResult r = vkAllocateCommandBuffers(device, &alloc, &cmd); r != VK_SUCCESS)
            return vk_error("vkAllocateCommandBuffers", r);
        return cmd;
    }

    void free_command_buffer(VkCommandBuffer cmd)
    {
        const std::lock_guard lock(mutex);
        vkFreeCommandBuffers(device, command_pool, 1, &cmd);
    }

    Status submit_and_wait(VkCommandBuffer cmd)
    {
        VkFenceCreateInfo fence_info{};
        fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        VkFence fence = VK_NULL_HANDLE;
        if (VkResult r = vkCreateFence(device, &fence_info, nullptr, &fence); r != VK_SUCCESS)
            return vk_error("vkCreateFence", r);
        VkSubmitInfo submit{};
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
        submit.commandBufferCount = 1;
        submit.pCommandBuffers = &cmd;
        VkResult r = vkQueueSubmit(queue, 1, &submit, fence);
        if (r == VK_SUCCESS)
            r = vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX);
        vkDestroyFence(device, fence, nullptr);
        return r == VK_SUCCESS ? Status{} : vk_error("vkQueueSubmit/vkWaitForFences", r);
    }

    // One-off commands (staging copies): record with `fill`, submit, wait.
    Status run_once(const std::function<void(VkCommandBuffer)> &fill)
    {
        auto cmd = allocate_command_buffer();
        if (!cmd)
            return cmd.status();
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        vkBeginCommandBuffer(*cmd, &begin);
        fill(*cmd);
        Status s;
        if (VkResult r = vkEndCommandBuffer(*cmd); r != VK_SUCCESS)
            s = vk_error("vkEndCommandBuffer", r);
        else
            s = submit_and_wait(*cmd);
        free_command_buffer(*cmd);
        return s;
    }
};

struct VulkanBuffer::Impl
{
    VkDevice device = VK_NULL_HANDLE;
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    void *mapped = nullptr;
    size_t bytes = 0;

    ~Impl()
    {
        if (buffer != VK_NULL_HANDLE)
            vkDestroyBuffer(device, buffer, nullptr);
        if (memory != VK_NULL_HANDLE)
            vkFreeMemory(device, memory, nullptr);
    }
};

namespace {

// host_mapped: memory the host maps (staging, or every buffer on a UMA device); else device-local.
Expected<std::unique_ptr<VulkanBuffer::Impl>> make_buffer(VulkanContext::Impl &ctx, size_t bytes,
                                                          bool host_mapped)
{
    if (bytes == 0)
        return error(StatusCode::InvalidArgument, "Vulkan: a buffer of 0 bytes");
    auto b = std::make_unique<VulkanBuffer::Impl>();
    b->device = ctx.device;
    // Storage buffers are read as 32-bit words: round up so the last word is inside the buffer.
    b->bytes = bytes;
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = (bytes + 3) & ~size_t{3};
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    if (VkResult r = vkCreateBuffer(ctx.device, &info, nullptr, &b->buffer); r != VK_SUCCESS)
        return vk_error("vkCreateBuffer", r);
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(ctx.device, b->buffer, &req);
    const VkMemoryPropertyFlags host =
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    int type = -1;
    if (host_mapped) {
        type = ctx.memory_type(req.memoryTypeBits, host | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        if (type < 0)
            type = ctx.memory_type(req.memoryTypeBits, host);
    } else {
        type = ctx.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    }
    if (type < 0)
        return error(StatusCode::DeviceError, "Vulkan: no suitable memory type");
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = static_cast<uint32_t>(type);
    if (VkResult r = vkAllocateMemory(ctx.device, &alloc, nullptr, &b->memory); r != VK_SUCCESS)
        return r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY
                   ? error(StatusCode::OutOfMemory, "Vulkan: out of memory for a buffer of " +
                                                        std::to_string(bytes) + " bytes")
                   : vk_error("vkAllocateMemory", r);
    if (VkResult r = vkBindBufferMemory(ctx.device, b->buffer, b->memory, 0); r != VK_SUCCESS)
        return vk_error("vkBindBufferMemory", r);
    if (host_mapped)
        if (VkResult r = vkMapMemory(ctx.device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->mapped);
            r != VK_SUCCESS)
            return vk_error("vkMapMemory", r);
    return b;
}

} // namespace

VulkanBuffer::VulkanBuffer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanBuffer::~VulkanBuffer() = default;

size_t VulkanBuffer::bytes() const
{
    return m_impl->bytes;
}

bool VulkanBuffer::host_visible() const
{
    return m_impl->mapped != nullptr;
}

struct VulkanSequence::Impl
{
    VulkanContext::Impl *ctx = nullptr;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    std::vector<VkDescriptorPool> pools;
    uint32_t sets_left = 0; // in pools.back()
    size_t dispatches = 0;
    bool finished = false;

    ~Impl()
    {
        if (ctx == nullptr)
            return;
        if (cmd != VK_NULL_HANDLE)
            ctx->free_command_buffer(cmd);
        for (VkDescriptorPool pool : pools)
            vkDestroyDescriptorPool(ctx->device, pool, nullptr);
    }

    static constexpr uint32_t k_sets_per_pool = 64;
    static constexpr uint32_t k_max_bindings = 8;

    Expected<VkDescriptorSet> allocate_set(VkDescriptorSetLayout layout)
    {
        if (sets_left == 0) {
            const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                            k_sets_per_pool * k_max_bindings};
            VkDescriptorPoolCreateInfo info{};
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
            info.maxSets = k_sets_per_pool;
            info.poolSizeCount = 1;
            info.pPoolSizes = &size;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            if (VkResult r = vkCreateDescriptorPool(ctx->device, &info, nullptr, &pool);
                r != VK_SUCCESS)
                return vk_error("vkCreateDescriptorPool", r);
            pools.push_back(pool);
            sets_left = k_sets_per_pool;
        }
        VkDescriptorSetAllocateInfo alloc{};
        alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        alloc.descriptorPool = pools.back();
        alloc.descriptorSetCount = 1;
        alloc.pSetLayouts = &layout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        if (VkResult r = vkAllocateDescriptorSets(ctx->device, &alloc, &set); r != VK_SUCCESS)
            return vk_error("vkAllocateDescriptorSets", r);
        --sets_left;
        return set;
    }
};

VulkanSequence::VulkanSequence(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanSequence::~VulkanSequence() = default;

size_t VulkanSequence::dispatch_count() const
{
    return m_impl->dispatches;
}

Status VulkanSequence::dispatch(VulkanShader shader, std::span<const VulkanBuffer *const> buffers,
                                std::span<const std::byte> push, uint32_t groups_x,
                                uint32_t groups_y, uint32_t groups_z)
{
    Impl &s = *m_impl;
    if (s.finished)
        return error(StatusCode::InvalidArgument, "Vulkan: dispatch after finish()");
    if (push.size() > k_vulkan_max_push_bytes || push.size() % 4 != 0)
        return error(StatusCode::InvalidArgument, "Vulkan: push constants too large or unaligned");
    if (groups_x == 0 || groups_y == 0 || groups_z == 0)
        return error(StatusCode::InvalidArgument, "Vulkan: empty dispatch");
    auto pipeline = s.ctx->pipeline(shader);
    if (!pipeline)
        return pipeline.status();
    const Pipeline &p = **pipeline;
    if (buffers.size() != p.bindings || buffers.size() > Impl::k_max_bindings)
        return error(StatusCode::InvalidArgument,
                     "Vulkan: shader wants " + std::to_string(p.bindings) + " buffers, got " +
                         std::to_string(buffers.size()));
    for (const VulkanBuffer *b : buffers)
        if (b == nullptr)
            return error(StatusCode::InvalidArgument, "Vulkan: null buffer");
    auto set = s.allocate_set(p.set_layout);
    if (!set)
        return set.status();
    std::array<VkDescriptorBufferInfo, Impl::k_max_bindings> infos{};
    std::array<VkWriteDescriptorSet, Impl::k_max_bindings> writes{};
    for (size_t i = 0; i < buffers.size(); ++i) {
        infos[i] = {buffers[i]->impl().buffer, 0, VK_WHOLE_SIZE};
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = *set;
        writes[i].dstBinding = static_cast<uint32_t>(i);
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
    }
    vkUpdateDescriptorSets(s.ctx->device, static_cast<uint32_t>(buffers.size()), writes.data(), 0,
                           nullptr);

    if (s.cmd == VK_NULL_HANDLE) {
        auto cmd = s.ctx->allocate_command_buffer();
        if (!cmd)
            return cmd.status();
        s.cmd = *cmd;
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        if (VkResult r = vkBeginCommandBuffer(s.cmd, &begin); r != VK_SUCCESS)
            return vk_error("vkBeginCommandBuffer", r);
    } else {
        VkMemoryBarrier barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
        vkCmdPipelineBarrier(s.cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                             VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                             nullptr);
    }
    vkCmdBindPipeline(s.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
    vkCmdBindDescriptorSets(s.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, 1, &*set, 0,
                            nullptr);
    if (!push.empty())
        vkCmdPushConstants(s.cmd, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           static_cast<uint32_t>(push.size()), push.data());
    vkCmdDispatch(s.cmd, groups_x, groups_y, groups_z);
    ++s.dispatches;
    return {};
}

Status VulkanSequence::finish()
{
    Impl &s = *m_impl;
    if (s.finished)
        return {};
    if (s.cmd == VK_NULL_HANDLE)
        return error(StatusCode::InvalidArgument, "Vulkan: a sequence with no dispatch");
    // The results are read by the host (mapped memory) or by a staging copy.
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT;
    vkCmdPipelineBarrier(s.cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                         &barrier, 0, nullptr, 0, nullptr);
    if (VkResult r = vkEndCommandBuffer(s.cmd); r != VK_SUCCESS)
        return vk_error("vkEndCommandBuffer", r);
    s.finished = true;
    return {};
}

Status VulkanSequence::run()
{
    if (!m_impl->finished)
        if (Status st = finish(); !st.ok())
            return st;
    return m_impl->ctx->submit_and_wait(m_impl->cmd);
}

namespace {

// Discrete GPUs first, then integrated, virtual, other, CPU implementations last.
int device_rank(VkPhysicalDevice d)
{
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(d, &props);
    switch (props.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return 4;
    default:
        return 3;
    }
}

std::vector<VkPhysicalDevice> usable_devices(VkInstance instance)
{
    std::vector<VkPhysicalDevice> usable;
    for (VkPhysicalDevice d : physical_devices(instance))
        if (compute_queue_family(d) >= 0)
            usable.push_back(d);
    return usable;
}

std::size_t default_device(const std::vector<VkPhysicalDevice> &usable)
{
    std::size_t best = 0;
    for (std::size_t i = 1; i < usable.size(); ++i)
        if (device_rank(usable[i]) < device_rank(usable[best]))
            best = i;
    return best;
}

// The PCI vendor ids of the GPU makers, and Khronos-registered ids (VkVendorId) for the rest.
std::string vendor_name(std::uint32_t id)
{
    switch (id) {
    case 0x1002:
        return "AMD";
    case 0x10DE:
        return "NVIDIA";
    case 0x8086:
        return "Intel";
    case 0x13B5:
        return "ARM";
    case 0x5143:
        return "Qualcomm";
    case 0x1010:
        return "Imagination";
    case 0x14E4:
        return "Broadcom";
    case 0x106B:
        return "Apple";
    case 0x10005:
        return "Mesa";
    default: {
        static constexpr char k_hex[] = "0123456789abcdef";
        std::string hex = "0x";
        for (int shift = 28; shift >= 0; shift -= 4)
            hex += k_hex[(id >> static_cast<unsigned>(shift)) & 0xFU];
        return hex;
    }
    }
}

// Whether the device offers a subgroup-scope f16 x f16 -> f32 (accumulator and result) matrix
// multiply of 16x16x16 or a close shape: what a tensor-core matmul shader would use.
bool has_f16_cooperative_matrix(VkInstance instance, VkPhysicalDevice d)
{
    const auto query = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR>(
        vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR"));
    if (query == nullptr)
        return false;
    uint32_t count = 0;
    if (query(d, &count, nullptr) != VK_SUCCESS || count == 0)
        return false;
    std::vector<VkCooperativeMatrixPropertiesKHR> shapes(count);
    for (VkCooperativeMatrixPropertiesKHR &p : shapes)
        p.sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR;
    if (const VkResult r = query(d, &count, shapes.data()); r != VK_SUCCESS && r != VK_INCOMPLETE)
        return false;
    shapes.resize(std::min<std::size_t>(count, shapes.size()));
    return std::any_of(shapes.begin(), shapes.end(), [](const VkCooperativeMatrixPropertiesKHR &p) {
        const bool types = p.AType == VK_COMPONENT_TYPE_FLOAT16_KHR &&
                           p.BType == VK_COMPONENT_TYPE_FLOAT16_KHR &&
                           p.CType == VK_COMPONENT_TYPE_FLOAT32_KHR &&
                           p.ResultType == VK_COMPONENT_TYPE_FLOAT32_KHR;
        const bool shape =
            p.KSize == 16 && (p.MSize == 16 || p.MSize == 8) && (p.NSize == 16 || p.NSize == 8);
        return types && shape && p.scope == VK_SCOPE_SUBGROUP_KHR;
    });
}

VulkanDeviceInfo read_device_info(VkInstance instance, VkPhysicalDevice d)
{
    VulkanDeviceInfo info;
    VkPhysicalDeviceSubgroupProperties subgroup{};
    subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
    VkPhysicalDeviceDriverProperties driver{};
    driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
    driver.pNext = &subgroup;
    VkPhysicalDeviceProperties2 props2{};
    props2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    props2.pNext = &driver;
    vkGetPhysicalDeviceProperties2(d, &props2);
    const VkPhysicalDeviceProperties &props = props2.properties;
    info.name = props.deviceName;
    info.type = device_type_name(props.deviceType);
    info.api_version = std::to_string(VK_API_VERSION_MAJOR(props.apiVersion)) + "." +
                       std::to_string(VK_API_VERSION_MINOR(props.apiVersion)) + "." +
                       std::to_string(VK_API_VERSION_PATCH(props.apiVersion));
    info.driver = std::string(driver.driverName) + ": " + driver.driverInfo;
    info.vendor_id = props.vendorID;
    info.vendor = vendor_name(props.vendorID);
    info.max_compute_shared_memory = props.limits.maxComputeSharedMemorySize;
    info.max_storage_buffer_range = props.limits.maxStorageBufferRange;
    info.subgroup_size = subgroup.subgroupSize;

    VkPhysicalDeviceMemoryProperties memory{};
    vkGetPhysicalDeviceMemoryProperties(d, &memory);
    info.uma = true;
    for (uint32_t i = 0; i < memory.memoryHeapCount; ++i)
        if (memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            info.device_local_bytes =
                std::max<std::uint64_t>(info.device_local_bytes, memory.memoryHeaps[i].size);
    // UMA: every device-local type is host-visible too, so buffers are mapped, never staged.
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags f = memory.memoryTypes[i].propertyFlags;
        if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && !(f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
            info.uma = false;
    }

    VkPhysicalDeviceVulkan11Features f11{};
    f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    VkPhysicalDeviceVulkan12Features f12{};
    f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    f12.pNext = &f11;
    VkPhysicalDeviceFeatures2 features{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    features.pNext = &f12;
    if (props.apiVersion >= VK_API_VERSION_1_2) {
        vkGetPhysicalDeviceFeatures2(d, &features);
        info.shader_float16 = f12.shaderFloat16 == VK_TRUE;
        info.shader_int8 = f12.shaderInt8 == VK_TRUE;
        info.storage_16bit = f11.storageBuffer16BitAccess == VK_TRUE;
        info.storage_8bit = f12.storageBuffer8BitAccess == VK_TRUE;
    }
    uint32_t n_ext = 0;
    vkEnumerateDeviceExtensionProperties(d, nullptr, &n_ext, nullptr);
    std::vector<VkExtensionProperties> extensions(n_ext);
    vkEnumerateDeviceExtensionProperties(d, nullptr, &n_ext, extensions.data());
    for (const VkExtensionProperties &e : extensions) {
        const std::string_view name = e.extensionName;
        info.cooperative_matrix = info.cooperative_matrix || name == "VK_KHR_cooperative_matrix";
        info.integer_dot_product =
            info.integer_dot_product || name == "VK_KHR_shader_integer_dot_product";
    }
    if (info.cooperative_matrix)
        info.cooperative_matrix_f16 = has_f16_cooperative_matrix(instance, d);
    return info;
}

Status device_index_error(int device_index, std::size_t count)
{
    return error(StatusCode::InvalidArgument,
                 "Vulkan device " + std::to_string(device_index) + " does not exist: there " +
                     (count == 1 ? "is 1 device (index 0)"
                                 : "are " + std::to_string(count) + " devices (0 to " +
                                       std::to_string(count - 1) + ")"));
}

} // namespace

Status check_vulkan_device(int device_index)
{
    if (device_index < 0)
        return {};
    Instance instance;
    if (Status s = create_instance(instance); !s.ok())
        return s;
    const std::size_t count = usable_devices(instance.handle).size();
    if (count == 0)
        return error(StatusCode::NotFound, "no Vulkan device with a compute queue");
    if (static_cast<std::size_t>(device_index) >= count)
        return device_index_error(device_index, count);
    return {};
}

Expected<std::vector<VulkanDeviceInfo>> vulkan_device_infos()
{
    Instance instance;
    if (Status s = create_instance(instance); !s.ok())
        return s;
    const std::vector<VkPhysicalDevice> usable = usable_devices(instance.handle);
    std::vector<VulkanDeviceInfo> infos;
    for (std::size_t i = 0; i < usable.size(); ++i) {
        VulkanDeviceInfo info = read_device_info(instance.handle, usable[i]);
        info.index = static_cast<int>(i);
        info.is_default = i == default_device(usable);
        infos.push_back(std::move(info));
    }
    return infos;
}

Expected<std::vector<std::string>> vulkan_devices()
{
    Instance instance;
    if (Status s = create_instance(instance); !s.ok())
        return s;
    std::vector<std::string> names;
    for (VkPhysicalDevice d : physical_devices(instance.handle))
        if (compute_queue_family(d) >= 0)
            names.push_back(describe(d));
    return names;
}

VulkanContext::VulkanContext(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanContext::~VulkanContext() = default;

const std::string &VulkanContext::device_name() const
{
    return m_impl->name;
}

VulkanDeviceInfo VulkanContext::device_info() const
{
    return m_impl->info;
}

Expected<std::unique_ptr<VulkanContext>> VulkanContext::create(int device_index)
{
    auto impl = std::make_unique<Impl>();
    if (Status s = create_instance(impl->instance); !s.ok())
        return s;
    const std::vector<VkPhysicalDevice> usable = usable_devices(impl->instance.handle);
    if (usable.empty())
        return error(StatusCode::NotFound, "no Vulkan device with a compute queue");
    if (device_index >= static_cast<int>(usable.size()))
        return device_index_error(device_index, usable.size());
    const std::size_t chosen =
        device_index >= 0 ? static_cast<std::size_t>(device_index) : default_device(usable);
    impl->physical = usable[chosen];
    impl->queue_family = static_cast<uint32_t>(compute_queue_family(impl->physical));
    impl->name = describe(impl->physical);
    vkGetPhysicalDeviceMemoryProperties(impl->physical, &impl->memory);
    impl->info = read_device_info(impl->instance.handle, impl->physical);
    impl->info.index = static_cast<int>(chosen);
    impl->info.is_default = chosen == default_device(usable);
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(impl->physical, &props);
    if (props.apiVersion < VK_API_VERSION_1_2)
        return error(StatusCode::Unsupported,
                     "Vulkan device " + impl->name + " supports only Vulkan " +
                         std::to_string(VK_API_VERSION_MAJOR(props.apiVersion)) + "." +
                         std::to_string(VK_API_VERSION_MINOR(props.apiVersion)) + " (needs 1.2)");

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info{};
    queue_info.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue_info.queueFamilyIndex = impl->queue_family;
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;
    VkDeviceCreateInfo device_info{};
    device_info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    device_info.queueCreateInfoCount = 1;
    device_info.pQueueCreateInfos = &queue_info;
    if (VkResult r = vkCreateDevice(impl->physical, &device_info, nullptr, &impl->device);
        r != VK_SUCCESS)
        return vk_error("vkCreateDevice", r);
    vkGetDeviceQueue(impl->device, impl->queue_family, 0, &impl->queue);
    VkCommandPoolCreateInfo pool_info{};
    pool_info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = impl->queue_family;
    if (VkResult r = vkCreateCommandPool(impl->device, &pool_info, nullptr, &impl->command_pool);
        r != VK_SUCCESS)
        return vk_error("vkCreateCommandPool", r);
    return std::unique_ptr<VulkanContext>(new VulkanContext(std::move(impl)));
}

Expected<std::unique_ptr<VulkanBuffer>> VulkanContext::create_buffer(size_t bytes)
{
    auto b = make_buffer(*m_impl, bytes, m_impl->info.uma);
    if (!b)
        return b.status();
    return std::make_unique<VulkanBuffer>(std::move(b).value());
}

Status VulkanContext::upload(VulkanBuffer &dst, std::span<const std::byte> src, size_t offset)
{
    VulkanBuffer::Impl &b = dst.impl();
    if (offset > b.bytes || src.size() > b.bytes - offset)
        return error(StatusCode::InvalidArgument, "Vulkan: upload past the end of the buffer");
    if (src.empty())
        return {};
    if (b.mapped != nullptr) {
        std::memcpy(static_cast<std::byte *>(b.mapped) + offset, src.data(), src.size());
        return {};
    }
    auto staging = make_buffer(*m_impl, src.size(), true);
    if (!staging)
        return staging.status();
    std::memcpy((*staging)->mapped, src.data(), src.size());
    const VkBufferCopy region{0, offset, src.size()};
    return m_impl->run_once([&](VkCommandBuffer cmd) {
        vkCmdCopyBuffer(cmd, (*staging)->buffer, b.buffer, 1, &region);
    });
}

Status VulkanContext::download(const VulkanBuffer &src, std::span<std::byte> dst, size_t offset)
{
    const VulkanBuffer::Impl &b = src.impl();
    if (offset > b.bytes || dst.size() > b.bytes - offset)
        return error(StatusCode::InvalidArgument, "Vulkan: download past the end of the buffer");
    if (dst.empty())
        return {};
    if (b.mapped != nullptr) {
        std::memcpy(dst.data(), static_cast<const std::byte *>(b.mapped) + offset, dst.size());
        return {};
    }
    auto staging = make_buffer(*m_impl, dst.size(), true);
    if (!staging)
        return staging.status();
    const VkBufferCopy region{offset, 0, dst.size()};
    if (Status s = m_impl->run_once([&](VkCommandBuffer cmd) {
            vkCmdCopyBuffer(cmd, b.buffer, (*staging)->buffer, 1, &region);
        });
        !s.ok())
        return s;
    std::memcpy(dst.data(), (*staging)->mapped, dst.size());
    return {};
}

Expected<std::unique_ptr<VulkanSequence>> VulkanContext::create_sequence()
{
    auto s = std::make_unique<VulkanSequence::Impl>();
    s->ctx = m_impl.get();
    return std::make_unique<VulkanSequence>(std::move(s));
}

#else // !GLMDESK_HAVE_VULKAN

namespace {
Status not_compiled()
{
    return error(StatusCode::NotCompiledIn, "this build has no Vulkan backend");
}
} // namespace

struct VulkanContext::Impl
{
    std::string name;
};
struct VulkanBuffer::Impl
{};
struct VulkanSequence::Impl
{};

Expected<std::vector<std::string>> vulkan_devices()
{
    return not_compiled();
}

Expected<std::vector<VulkanDeviceInfo>> vulkan_device_infos()
{
    return not_compiled();
}

Status check_vulkan_device(int device_index)
{
    return device_index < 0 ? Status{} : not_compiled();
}

// Without Vulkan no context exists, so nothing below is ever reached with an object.
VulkanBuffer::VulkanBuffer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanBuffer::~VulkanBuffer() = default;
std::size_t VulkanBuffer::bytes() const
{
    return 0;
}
bool VulkanBuffer::host_visible() const
{
    return false;
}
VulkanSequence::VulkanSequence(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanSequence::~VulkanSequence() = default;
Status VulkanSequence::dispatch(VulkanShader, std::span<const VulkanBuffer *const>,
                                std::span<const std::byte>, std::uint32_t, std::uint32_t,
                                std::uint32_t)
{
    return not_compiled();
}
Status VulkanSequence::finish()
{
    return not_compiled();
}
Status VulkanSequence::run()
{
    return not_compiled();
}
std::size_t VulkanSequence::dispatch_count() const
{
    return 0;
}

VulkanContext::VulkanContext(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanContext::~VulkanContext() = default;

const std::string &VulkanContext::device_name() const
{
    return m_impl->name;
}
VulkanDeviceInfo VulkanContext::device_info() const
{
    return {};
}
Expected<std::unique_ptr<VulkanContext>> VulkanContext::create(int)
{
    return not_compiled();
}
Expected<std::unique_ptr<VulkanBuffer>> VulkanContext::create_buffer(std::size_t)
{
    return not_compiled();
}
Status VulkanContext::upload(VulkanBuffer &, std::span<const std::byte>, std::size_t)
{
    return not_compiled();
}
Status VulkanContext::download(const VulkanBuffer &, std::span<std::byte>, std::size_t)
{
    return not_compiled();
}
Expected<std::unique_ptr<VulkanSequence>> VulkanContext::create_sequence()
{
    return not_compiled();
}

#endif

} // namespace glmdesk::engine
