#include "engine/model/placement.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace glmdesk::engine {

std::uint64_t ModelFootprint::expert_bytes() const
{
    std::uint64_t sum = 0;
    for (const std::uint64_t b : expert_layer_bytes)
        sum += b;
    return sum;
}

ModelFootprint model_footprint(const TensorInventory &inventory, const Glm45Config &config,
                               KvType kv_type)
{
    ModelFootprint fp;
    std::vector<std::uint64_t> per_layer(config.n_block(), 0);
    for (const InventoryEntry &e : inventory.entries()) {
        std::uint64_t values = 1;
        for (const std::uint64_t d : e.shape)
            values *= d;
        fp.n_params += values;
        if (e.role == TensorRole::RoutedExperts && e.layer >= 0 &&
            static_cast<std::size_t>(e.layer) < per_layer.size())
            per_layer[static_cast<std::size_t>(e.layer)] += e.n_bytes;
        else
            fp.shared_bytes += e.n_bytes;
    }
    for (const std::uint64_t b : per_layer)
        if (b > 0)
            fp.expert_layer_bytes.push_back(b);
    Glm45Dims dims;
    dims.n_kv_heads = static_cast<int>(config.n_head_kv);
    dims.head_dim = static_cast<int>(config.head_dim);
    fp.kv_bytes_per_token = kv_bytes_per_token(dims, kv_type, static_cast<int>(config.n_block()));
    return fp;
}

PlacementPlan plan_placement(const ModelFootprint &fp, int n_ctx, const MemoryBudget &budget,
                             int gpu_expert_layers)
{
    PlacementPlan plan;
    plan.n_moe_layers = static_cast<int>(fp.expert_layer_bytes.size());
    plan.kv_bytes = fp.kv_bytes_per_token * static_cast<std::uint64_t>(std::max(n_ctx, 0));
    const std::uint64_t gpu_base = fp.shared_bytes + plan.kv_bytes + k_working_bytes;
    const bool gpu_usable =
        budget.gpu_bytes > 0 && gpu_base <= budget.gpu_bytes && gpu_expert_layers != 0;
    if (!gpu_usable) {
        plan.host_bytes = fp.weight_bytes() + plan.kv_bytes + k_working_bytes;
    } else {
        // Experts go to the GPU layer by layer from the first MoE layer while they fit.
        int layers = 0;
        std::uint64_t used = gpu_base;
        const int wanted = gpu_expert_layers < 0 ? plan.n_moe_layers
                                                 : std::min(gpu_expert_layers, plan.n_moe_layers);
        while (layers < wanted &&
               used + fp.expert_layer_bytes[static_cast<std::size_t>(layers)] <= budget.gpu_bytes)
            used += fp.expert_layer_bytes[static_cast<std::size_t>(layers++)];
        plan.gpu_expert_layers = layers;
        plan.gpu_bytes = used;
        plan.all_on_gpu = layers == plan.n_moe_layers;
        std::uint64_t cpu_experts = 0;
        for (std::size_t i = static_cast<std::size_t>(layers); i < fp.expert_layer_bytes.size();
             ++i)
            cpu_experts += fp.expert_layer_bytes[i];
        plan.host_bytes = cpu_experts + (plan.all_on_gpu ? 0 : k_working_bytes);
    }
    plan.fits = (budget.host_bytes == 0 || plan.host_bytes <= budget.host_bytes) &&
                (plan.gpu_bytes == 0 || plan.gpu_bytes <= budget.gpu_bytes);
    return plan;
}

std::string format_gigabytes(std::uint64_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / 1e9);
    return buf;
}

std::string placement_advice(const ModelFootprint &fp, const PlacementPlan &plan, int n_ctx,
                             const MemoryBudget &budget, KvType kv_type)
{
    const auto gb = format_gigabytes;
    std::string text = "this model needs " + gb(fp.weight_bytes()) + " for its weights and " +
                       gb(plan.kv_bytes) + " for a " + std::to_string(n_ctx) + "-token context; ";
    if (plan.gpu_bytes > 0)
        text += "with the experts of " + std::to_string(plan.gpu_expert_layers) + " of " +
                std::to_string(plan.n_moe_layers) + " layers on the GPU (" + gb(plan.gpu_bytes) +
                " of " + gb(budget.gpu_bytes) + "), the CPU side still needs " +
                gb(plan.host_bytes) + " but this machine has " + gb(budget.host_bytes) + ".";
    else
        text += "that is " + gb(plan.host_bytes) + " in all, but this machine has " +
                gb(budget.host_bytes) + " of memory.";

    std::vector<std::string> options;
    // The longest context that fits with this placement (only worth saying if it is usable).
    if (budget.host_bytes > 0 && fp.kv_bytes_per_token > 0 && plan.gpu_bytes == 0) {
        const std::uint64_t fixed = fp.weight_bytes() + k_working_bytes;
        if (budget.host_bytes > fixed) {
            const std::uint64_t ctx = (budget.host_bytes - fixed) / fp.kv_bytes_per_token;
            if (ctx >= 2048)
                options.push_back("a context of at most " + std::to_string(ctx / 1024 * 1024) +
                                  " tokens");
        }
    }
    if (kv_type != KvType::Q8_0 && plan.kv_bytes > (1ull << 30))
        options.push_back("the 8-bit KV cache (about half of f16's memory)");
    if (budget.gpu_bytes == 0 && !fp.expert_layer_bytes.empty()) {
        // The smallest GPU that would take the shared weights and KV, and how much that leaves.
        const std::uint64_t gpu_min = fp.shared_bytes + plan.kv_bytes + k_working_bytes;
        options.push_back("a GPU with at least " + gb(gpu_min) +
                          " free, which holds the attention, shared weights and KV cache and "
                          "leaves " +
                          gb(fp.expert_bytes() + k_working_bytes) + " of experts on the CPU");
    }
    // A smaller file of the same model: Q4_K_M is about 4.9 bits per weight, IQ4_XS about 4.3.
    const double bits_now = 8.0 * static_cast<double>(fp.weight_bytes()) /
                            static_cast<double>(std::max<std::uint64_t>(fp.n_params, 1));
    for (const auto &[name, bits] : {std::pair{"Q4_K_M", 4.9}, std::pair{"IQ4_XS", 4.3}})
        if (bits < bits_now - 0.5) {
            const auto bytes =
                static_cast<std::uint64_t>(static_cast<double>(fp.n_params) * bits / 8.0);
            options.push_back(std::string("a ") + name + " file of this model (about " + gb(bytes) +
                              ")");
        }
    if (!options.empty()) {
        text += " What would fit: ";
        for (std::size_t i = 0; i < options.size(); ++i)
            text += (i ? "; or " : "") + options[i];
        text += ".";
    }
    return text;
}

std::uint64_t host_memory_bytes()
{
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    std::uint64_t kb = 0;
    while (in >> key >> kb >> unit)
        if (key == "MemTotal:")
            return kb * 1024;
    return 0;
}

} // namespace glmdesk::engine
