// Where a model's bytes go, and what to say when they do not fit. Every token reads the attention,
// norms, router, shared expert, dense layers and embeddings/lm_head ("shared" bytes) plus 8 of 128
// routed experts per layer; the routed experts are ~96% of a GLM-4.5-Air file. So the plan is
// DESIGN.md's: all on the GPU when it fits; otherwise the shared bytes and the KV cache on the GPU
// with the routed experts of as many layers as fit, the other layers' experts on the CPU (read
// from the mmapped file); with no usable GPU, all on the CPU. The model panel shows the plan before
// a load, and a load that cannot fit turns it into advice the user can act on.
#pragma once

#include "engine/common/status.h"
#include "engine/io/hparams.h"
#include "engine/io/tensor_inventory.h"
#include "engine/model/glm45_forward.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glmdesk::engine {

// Bytes by what reads them.
struct ModelFootprint
{
    std::uint64_t shared_bytes = 0;                // read by every token (MTP layer included)
    std::vector<std::uint64_t> expert_layer_bytes; // routed experts, one entry per MoE layer
    std::uint64_t kv_bytes_per_token = 0;
    std::uint64_t n_params = 0; // weights counted one per value, for size estimates

    std::uint64_t expert_bytes() const;
    std::uint64_t weight_bytes() const { return shared_bytes + expert_bytes(); }
};

ModelFootprint model_footprint(const TensorInventory &inventory, const Glm45Config &config,
                               KvType kv_type);

// Buffers the forward pass allocates besides weights and KV (activations, gathers, logits).
inline constexpr std::uint64_t k_working_bytes = 256ull << 20;

struct MemoryBudget
{
    std::uint64_t host_bytes = 0; // memory the process may use; 0 = unknown (no host check)
    std::uint64_t gpu_bytes = 0;  // free memory of the GPU backend's device; 0 = no GPU
};

struct PlacementPlan
{
    bool fits = false;
    bool all_on_gpu = false;
    int gpu_expert_layers = 0; // MoE layers whose routed experts live on the GPU
    int n_moe_layers = 0;
    std::uint64_t gpu_bytes = 0;  // weights + KV + working on the GPU
    std::uint64_t host_bytes = 0; // weights read from the CPU side + working (+ KV when CPU only)
    std::uint64_t kv_bytes = 0;
};

// gpu_expert_layers < 0: as many as fit; otherwise the user's choice (clamped to the MoE layers).
PlacementPlan plan_placement(const ModelFootprint &footprint, int n_ctx, const MemoryBudget &budget,
                             int gpu_expert_layers = -1);

// For a plan that does not fit: what the model needs, what the machine has, and what would fit
// (a shorter context, a smaller KV type, GPU expert layers, a smaller quantization).
std::string placement_advice(const ModelFootprint &footprint, const PlacementPlan &plan, int n_ctx,
                             const MemoryBudget &budget, KvType kv_type);

// Installed memory (MemTotal in /proc/meminfo), 0 when unknown. Not MemAvailable: the weights
// live in the page cache, which MemAvailable counts only in part, and an answer that changes
// between two clicks would confuse more than it helps.
std::uint64_t host_memory_bytes();

std::string format_gigabytes(std::uint64_t bytes); // "12.3 GB"

} // namespace glmdesk::engine
