#include "engine/backend/vulkan/vulkan_context.h"

#include "glmdesk/build_config.h"

#if GLMDESK_HAVE_VULKAN
#include "kernels/vulkan/spirv_blobs.h"

#include <vulkan/vulkan.h>

#include <cstring>
#include <functional>
#include <limits>
#endif

namespace glmdesk::engine {

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

} // namespace

struct VulkanContext::Impl
{
    Instance instance;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    VkQueue queue = VK_NULL_HANDLE;
    uint32_t queue_family = 0;
    VkPhysicalDeviceMemoryProperties memory{};
    std::string name;

    ~Impl()
    {
        if (device != VK_NULL_HANDLE)
            vkDestroyDevice(device, nullptr);
    }

    int host_visible_memory_type(uint32_t type_bits) const
    {
        const VkMemoryPropertyFlags want =
            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
            if ((type_bits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & want) == want)
                return static_cast<int>(i);
        return -1;
    }
};

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

Expected<std::unique_ptr<VulkanContext>> VulkanContext::create(int device_index)
{
    auto impl = std::make_unique<Impl>();
    if (Status s = create_instance(impl->instance); !s.ok())
        return s;
    const std::vector<VkPhysicalDevice> devices = physical_devices(impl->instance.handle);
    std::vector<VkPhysicalDevice> usable;
    for (VkPhysicalDevice d : devices)
        if (compute_queue_family(d) >= 0)
            usable.push_back(d);
    if (usable.empty())
        return error(StatusCode::NotFound, "no Vulkan device with a compute queue");
    if (device_index >= static_cast<int>(usable.size()))
        return error(StatusCode::InvalidArgument, "Vulkan device " + std::to_string(device_index) +
                                                      " does not exist (found " +
                                                      std::to_string(usable.size()) + ")");
    impl->physical = usable.front();
    if (device_index >= 0) {
        impl->physical = usable[static_cast<size_t>(device_index)];
    } else {
        for (VkPhysicalDevice d : usable) {
            VkPhysicalDeviceProperties props{};
            vkGetPhysicalDeviceProperties(d, &props);
            if (props.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU) {
                impl->physical = d;
                break;
            }
        }
    }
    impl->queue_family = static_cast<uint32_t>(compute_queue_family(impl->physical));
    impl->name = describe(impl->physical);
    vkGetPhysicalDeviceMemoryProperties(impl->physical, &impl->memory);

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
    return std::unique_ptr<VulkanContext>(new VulkanContext(std::move(impl)));
}

Expected<std::vector<float>> VulkanContext::rms_norm(std::span<const float> x,
                                                     std::span<const float> weight,
                                                     std::int64_t rows, std::int64_t cols,
                                                     float eps)
{
    if (rows <= 0 || cols <= 0 || rows > std::numeric_limits<uint32_t>::max() ||
        cols > std::numeric_limits<uint32_t>::max())
        return error(StatusCode::InvalidArgument, "rms_norm: bad shape");
    const auto n = static_cast<size_t>(rows) * static_cast<size_t>(cols);
    if (x.size() != n || weight.size() != static_cast<size_t>(cols))
        return error(StatusCode::InvalidArgument, "rms_norm: buffer sizes do not match the shape");

    VkDevice dev = m_impl->device;
    Cleanup cleanup;

    // --- buffers: x, weight, y in host-visible memory (the resident-weight path comes with the
    // full backend; this round trip is what op-by-op tests want).
    struct Mapped
    {
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        void *data = nullptr;
        VkDeviceSize bytes = 0;
    };
    Mapped bufs[3];
    const VkDeviceSize sizes[3] = {n * sizeof(float), weight.size() * sizeof(float),
                                   n * sizeof(float)};
    for (int i = 0; i < 3; ++i) {
        Mapped &b = bufs[i];
        b.bytes = sizes[i];
        VkBufferCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
        info.size = b.bytes;
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
        if (VkResult r = vkCreateBuffer(dev, &info, nullptr, &b.buffer); r != VK_SUCCESS)
            return vk_error("vkCreateBuffer", r);
        cleanup.add([dev, buf = b.buffer] { vkDestroyBuffer(dev, buf, nullptr); });
        VkMemoryRequirements req{};
        vkGetBufferMemoryRequirements(dev, b.buffer, &req);
        const int type = m_impl->host_visible_memory_type(req.memoryTypeBits);
        if (type < 0)
            return error(StatusCode::DeviceError, "Vulkan: no host-visible memory type");
        VkMemoryAllocateInfo alloc{};
        alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        alloc.allocationSize = req.size;
        alloc.memoryTypeIndex = static_cast<uint32_t>(type);
        if (VkResult r = vkAllocateMemory(dev, &alloc, nullptr, &b.memory); r != VK_SUCCESS)
            return r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY
                       ? error(StatusCode::OutOfMemory, "Vulkan: out of memory for rms_norm")
                       : vk_error("vkAllocateMemory", r);
        cleanup.add([dev, mem = b.memory] { vkFreeMemory(dev, mem, nullptr); });
        if (VkResult r = vkBindBufferMemory(dev, b.buffer, b.memory, 0); r != VK_SUCCESS)
            return vk_error("vkBindBufferMemory", r);
        if (VkResult r = vkMapMemory(dev, b.memory, 0, b.bytes, 0, &b.data); r != VK_SUCCESS)
            return vk_error("vkMapMemory", r);
    }
    std::memcpy(bufs[0].data, x.data(), sizes[0]);
    std::memcpy(bufs[1].data, weight.data(), sizes[1]);

    // --- pipeline
    VkDescriptorSetLayoutBinding bindings[3]{};
    for (uint32_t i = 0; i < 3; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo dsl_info{};
    dsl_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    dsl_info.bindingCount = 3;
    dsl_info.pBindings = bindings;
    VkDescriptorSetLayout dsl = VK_NULL_HANDLE;
    if (VkResult r = vkCreateDescriptorSetLayout(dev, &dsl_info, nullptr, &dsl); r != VK_SUCCESS)
        return vk_error("vkCreateDescriptorSetLayout", r);
    cleanup.add([dev, dsl] { vkDestroyDescriptorSetLayout(dev, dsl, nullptr); });

    struct Push
    {
        uint32_t cols;
        float eps;
    } push{static_cast<uint32_t>(cols), eps};
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push)};
    VkPipelineLayoutCreateInfo pl_info{};
    pl_info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    pl_info.setLayoutCount = 1;
    pl_info.pSetLayouts = &dsl;
    pl_info.pushConstantRangeCount = 1;
    pl_info.pPushConstantRanges = &range;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    if (VkResult r = vkCreatePipelineLayout(dev, &pl_info, nullptr, &layout); r != VK_SUCCESS)
        return vk_error("vkCreatePipelineLayout", r);
    cleanup.add([dev, layout] { vkDestroyPipelineLayout(dev, layout, nullptr); });

    const std::span<const uint32_t> code = kernels::vulkan::rms_norm_f32_spirv();
    VkShaderModuleCreateInfo sm_info{};
    sm_info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    sm_info.codeSize = code.size_bytes();
    sm_info.pCode = code.data();
    VkShaderModule module = VK_NULL_HANDLE;
    if (VkResult r = vkCreateShaderModule(dev, &sm_info, nullptr, &module); r != VK_SUCCESS)
        return vk_error("vkCreateShaderModule", r);
    cleanup.add([dev, module] { vkDestroyShaderModule(dev, module, nullptr); });

    VkComputePipelineCreateInfo cp_info{};
    cp_info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    cp_info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    cp_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    cp_info.stage.module = module;
    cp_info.stage.pName = "main";
    cp_info.layout = layout;
    VkPipeline pipeline = VK_NULL_HANDLE;
    if (VkResult r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cp_info, nullptr, &pipeline);
        r != VK_SUCCESS)
        return vk_error("vkCreateComputePipelines", r);
    cleanup.add([dev, pipeline] { vkDestroyPipeline(dev, pipeline, nullptr); });

    // --- descriptors
    VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
    VkDescriptorPoolCreateInfo dp_info{};
    dp_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    dp_info.maxSets = 1;
    dp_info.poolSizeCount = 1;
    dp_info.pPoolSizes = &pool_size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    if (VkResult r = vkCreateDescriptorPool(dev, &dp_info, nullptr, &pool); r != VK_SUCCESS)
        return vk_error("vkCreateDescriptorPool", r);
    cleanup.add([dev, pool] { vkDestroyDescriptorPool(dev, pool, nullptr); });
    VkDescriptorSetAllocateInfo ds_alloc{};
    ds_alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    ds_alloc.descriptorPool = pool;
    ds_alloc.descriptorSetCount = 1;
    ds_alloc.pSetLayouts = &dsl;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (VkResult r = vkAllocateDescriptorSets(dev, &ds_alloc, &set); r != VK_SUCCESS)
        return vk_error("vkAllocateDescriptorSets", r);
    VkDescriptorBufferInfo buffer_infos[3]{};
    VkWriteDescriptorSet writes[3]{};
    for (uint32_t i = 0; i < 3; ++i) {
        buffer_infos[i] = {bufs[i].buffer, 0, VK_WHOLE_SIZE};
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = set;
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &buffer_infos[i];
    }
    vkUpdateDescriptorSets(dev, 3, writes, 0, nullptr);

    // --- record, submit, wait
    VkCommandPoolCreateInfo cmd_pool_info{};
    cmd_pool_info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    cmd_pool_info.queueFamilyIndex = m_impl->queue_family;
    VkCommandPool cmd_pool = VK_NULL_HANDLE;
    if (VkResult r = vkCreateCommandPool(dev, &cmd_pool_info, nullptr, &cmd_pool); r != VK_SUCCESS)
        return vk_error("vkCreateCommandPool", r);
    cleanup.add([dev, cmd_pool] { vkDestroyCommandPool(dev, cmd_pool, nullptr); });
    VkCommandBufferAllocateInfo cb_alloc{};
    cb_alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cb_alloc.commandPool = cmd_pool;
    cb_alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cb_alloc.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    if (VkResult r = vkAllocateCommandBuffers(dev, &cb_alloc, &cmd); r != VK_SUCCESS)
        return vk_error("vkAllocateCommandBuffers", r);
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(cmd, &begin);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push), &push);
    vkCmdDispatch(cmd, static_cast<uint32_t>(rows), 1, 1);
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                         1, &barrier, 0, nullptr, 0, nullptr);
    if (VkResult r = vkEndCommandBuffer(cmd); r != VK_SUCCESS)
        return vk_error("vkEndCommandBuffer", r);

    VkFenceCreateInfo fence_info{};
    fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    if (VkResult r = vkCreateFence(dev, &fence_info, nullptr, &fence); r != VK_SUCCESS)
        return vk_error("vkCreateFence", r);
    cleanup.add([dev, fence] { vkDestroyFence(dev, fence, nullptr); });
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    if (VkResult r = vkQueueSubmit(m_impl->queue, 1, &submit, fence); r != VK_SUCCESS)
        return vk_error("vkQueueSubmit", r);
    if (VkResult r = vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX); r != VK_SUCCESS)
        return vk_error("vkWaitForFences", r);

    std::vector<float> y(n);
    std::memcpy(y.data(), bufs[2].data, sizes[2]);
    return y;
}

#else // !GLMDESK_HAVE_VULKAN

struct VulkanContext::Impl
{
    std::string name;
};

Expected<std::vector<std::string>> vulkan_devices()
{
    return error(StatusCode::NotCompiledIn, "this build has no Vulkan backend");
}

VulkanContext::VulkanContext(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
VulkanContext::~VulkanContext() = default;

const std::string &VulkanContext::device_name() const
{
    return m_impl->name;
}

Expected<std::unique_ptr<VulkanContext>> VulkanContext::create(int)
{
    return error(StatusCode::NotCompiledIn, "this build has no Vulkan backend");
}

Expected<std::vector<float>> VulkanContext::rms_norm(std::span<const float>, std::span<const float>,
                                                     std::int64_t, std::int64_t, float)
{
    return error(StatusCode::NotCompiledIn, "this build has no Vulkan backend");
}

#endif

} // namespace glmdesk::engine
