// The GLM-4.5 forward pass on a Vulkan device: every weight in device memory in its stored block
// format, the KV cache in device memory, and a batch of tokens recorded as one command sequence
// (all layers, the final norm and lm_head) that is submitted once. Decode records its sequence once
// and replays it for every token: only the position word and the embedding row change, both
// written by the host before the replay.
//
// It computes what Glm45CpuModel computes (same router rule, same RoPE, same cache rounding), and
// the tests hold it to that: the CPU model is the oracle.
//
// When the device is too small for every routed expert (GLM-4.5-Air's experts are ~96% of the
// file), the placement planner's split applies: the routed experts of the first
// device_expert_layers MoE layers live on the device, the others stay in host memory (the mapped
// file) and the CPU kernels run them. Such a layer ends a submission after its router and shared
// expert; the host reads the normed activations and the router's choices, runs the chosen
// experts grouped by expert, and the next submission adds their sum.
//
// Not yet: the MTP layer (drafts stay on the CPU model).
#pragma once

#include "engine/common/status.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/glm45_weights.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace glmdesk::engine {

struct VulkanModelOptions
{
    int device_index = -1; // VulkanContext::create's: < 0 picks the first discrete GPU
    KvType kv_type = KvType::F16;
    // Tokens per recorded batch: the scratch buffers are sized for it (at Air's widths ~1 MB per
    // token without the logits). Values below 1 mean 1.
    int max_batch = 256;
    // MoE layers, first ones first, whose routed experts live on the device; < 0: all of them.
    int device_expert_layers = -1;
    // For the experts left in host memory: CPU threads (0: every hardware thread) and the path.
    int host_threads = 0;
    MatmulPath host_path = MatmulPath::Fast;
};

class Glm45VulkanModel
{
public:
    // Uploads every weight (InvalidArgument for a shape that does not match `dims`, Unsupported
    // for a weight format without a shader, OutOfMemory when the device is too small).
    static Expected<std::unique_ptr<Glm45VulkanModel>>
    create(const Glm45Dims &dims, const Glm45Weights &weights, int n_ctx,
           const VulkanModelOptions &options = {});
    ~Glm45VulkanModel();
    Glm45VulkanModel(const Glm45VulkanModel &) = delete;
    Glm45VulkanModel &operator=(const Glm45VulkanModel &) = delete;

    const Glm45Dims &dims() const;
    int n_ctx() const;
    int n_past() const;
    const std::string &device_name() const;
    // Bytes this model placed on the device: weights, KV cache and scratch.
    std::uint64_t device_bytes() const;
    // MoE layers whose routed experts are on the device, and all MoE layers.
    int device_expert_layers() const;
    int moe_layers() const;

    // As Glm45CpuModel::forward: runs `tokens` at positions n_past().., appends them to the KV
    // cache, returns logits of every row [n, V] or of the last [V]. A cancel request is seen
    // between batches; the cache is then as before the call. With a trace, each layer runs as its
    // own submission so the residual stream and the router's choices can be read back (tests).
    Expected<std::vector<float>> forward(std::span<const std::int32_t> tokens, bool all_logits,
                                         const ForwardTrace *trace = nullptr,
                                         const std::atomic<bool> *cancel = nullptr);

    // Forgets every position >= n_keep.
    void truncate(int n_keep);
    // The CPU model's name for what a caller re-feeding the token at n_keep wants; with no MTP
    // cache here it is truncate().
    void truncate_for_refeed(int n_keep) { truncate(n_keep); }
    // The MTP layer does not run on the device yet, so callers decode plainly.
    bool has_mtp() const { return false; }

    struct Impl;

private:
    explicit Glm45VulkanModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace glmdesk::engine
