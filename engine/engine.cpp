#include "engine/engine.h"

#include "engine/backend/cpu/cpu_info.h"
#include "engine/backend/cuda/cuda_device.h"
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/model/placement.h"
#include "engine/runtime/engine_worker.h"
#include "glmdesk/build_config.h"
#include "kernels/cpu/dot_kernels.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_set>

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

std::string capabilities_json(std::string_view program)
{
    nlohmann::ordered_json backends = nlohmann::ordered_json::array();
    for (const std::string_view b : compiled_backends())
        backends.push_back(std::string(b));
    nlohmann::ordered_json out = {{"program", std::string(program)},
                                  {"version", std::string(version())},
                                  {"backends", backends}};
    out["cpu"] = {{"description", cpu_description()},
                  {"isa", kernels::cpu::isa_name(kernels::cpu::best_isa())},
                  {"threads", std::thread::hardware_concurrency()},
                  {"ram_bytes", host_memory_bytes()}};
    nlohmann::ordered_json cuda = {{"compiled_in", GLMDESK_HAVE_CUDA != 0},
                                   {"devices", nlohmann::ordered_json::array()}};
    if (auto devices = cuda_devices())
        for (const std::string &d : *devices)
            cuda["devices"].push_back(d);
    else
        cuda["note"] = devices.status().message();
    out["cuda"] = cuda;
    nlohmann::ordered_json vulkan = {{"compiled_in", GLMDESK_HAVE_VULKAN != 0},
                                     {"devices", nlohmann::ordered_json::array()}};
    if (auto devices = vulkan_device_infos()) {
        for (const VulkanDeviceInfo &d : *devices)
            vulkan["devices"].push_back({{"index", d.index},
                                         {"name", d.name},
                                         {"type", d.type},
                                         {"default", d.is_default},
                                         {"api_version", d.api_version},
                                         {"driver", d.driver},
                                         {"vendor_id", d.vendor_id},
                                         {"vendor", d.vendor},
                                         {"device_local_bytes", d.device_local_bytes},
                                         {"max_storage_buffer_range", d.max_storage_buffer_range},
                                         {"max_compute_shared_memory", d.max_compute_shared_memory},
                                         {"subgroup_size", d.subgroup_size},
                                         {"uma", d.uma},
                                         {"shader_float16", d.shader_float16},
                                         {"shader_int8", d.shader_int8},
                                         {"storage_16bit", d.storage_16bit},
                                         {"storage_8bit", d.storage_8bit},
                                         {"integer_dot_product", d.integer_dot_product},
                                         {"cooperative_matrix", d.cooperative_matrix},
                                         {"cooperative_matrix_f16", d.cooperative_matrix_f16}});
    } else {
        vulkan["note"] = devices.status().message();
    }
    out["vulkan"] = vulkan;
    return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
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

// ================================================================================ the engine

namespace glmdesk::engine {

struct Engine::Impl
{
    EventSink sink;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::pair<RequestId, Request>> queue;
    std::unordered_set<RequestId> cancelled_queued;
    RequestId next_id = 1;
    RequestId current = 0;
    std::atomic<bool> current_cancel{false};
    bool stopping = false;
    EngineWorker worker;
    std::thread thread;

    void run()
    {
        for (;;) {
            std::pair<RequestId, Request> item;
            bool skip = false;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty())
                    return; // stopping, and every request has had its Done
                item = std::move(queue.front());
                queue.pop_front();
                skip = stopping || cancelled_queued.erase(item.first) > 0;
                current = item.first;
                current_cancel.store(skip);
            }
            std::uint64_t seq = 0;
            const RequestId id = item.first;
            auto emit = [&](EventPayload &&payload) { sink(Event{id, seq++, std::move(payload)}); };
            if (skip) {
                emit(events::Done{events::DoneReason::Cancelled});
            } else {
                std::visit(
                    [&](auto &request) {
                        using T = std::decay_t<decltype(request)>;
                        if constexpr (std::is_same_v<T, LoadRequest>)
                            worker.load(request, current_cancel, emit);
                        else if constexpr (std::is_same_v<T, GenerateRequest>)
                            worker.generate(request, current_cancel, emit);
                        else
                            worker.unload(emit);
                    },
                    item.second);
            }
            std::lock_guard lock(mutex);
            current = 0;
        }
    }
};

Engine::Engine(EventSink sink) : m_impl(std::make_unique<Impl>())
{
    m_impl->sink = std::move(sink);
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->run(); });
}

Engine::~Engine()
{
    shutdown();
}

RequestId Engine::submit(Request request)
{
    std::lock_guard lock(m_impl->mutex);
    const RequestId id = m_impl->next_id++;
    // After shutdown nothing runs: the request is dropped without events (documented).
    if (m_impl->stopping)
        return id;
    m_impl->queue.emplace_back(id, std::move(request));
    m_impl->wake.notify_one();
    return id;
}

void Engine::cancel(RequestId id)
{
    std::lock_guard lock(m_impl->mutex);
    if (id == m_impl->current) {
        m_impl->current_cancel.store(true);
        return;
    }
    for (const auto &[queued, request] : m_impl->queue)
        if (queued == id)
            m_impl->cancelled_queued.insert(id);
}

void Engine::shutdown()
{
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->stopping && !m_impl->thread.joinable())
            return;
        m_impl->stopping = true;
        m_impl->current_cancel.store(true);
        m_impl->wake.notify_one();
    }
    if (m_impl->thread.joinable())
        m_impl->thread.join();
}

} // namespace glmdesk::engine
