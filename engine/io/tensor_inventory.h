// One description of a GLM-4.5-family checkpoint's weights, whichever file it came from. GGUF names
// (`blk.7.ffn_down_exps.weight`, experts stacked) and Hugging Face names
// (`model.layers.7.mlp.experts.E.down_proj.weight`, one tensor per expert) map to the same
// (WeightKind, layer) entry with its shape in ggml order and the expected shape derived from the
// config, so a later stage never looks at names again. Tensors that do not belong to the model,
// missing ones and wrong shapes are refused with the tensor's name; the MTP (nextn) layer is kept.
#pragma once

#include "engine/common/status.h"
#include "engine/io/hparams.h"
#include "engine/quant/block_formats.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::engine {

class GgufReader;
class HfFolder;

enum class TensorRole {
    Embeddings,
    Output,
    Norm,
    Attention,
    DenseFfn,
    RoutedExperts,
    SharedExperts,
    Router,
    Mtp, // the MTP layer's own tensors (eh_proj, enorm, hnorm, shared head)
};
std::string_view tensor_role_name(TensorRole role); // "routed_experts"

enum class WeightKind {
    TokenEmbd,
    OutputNorm,
    Output,
    AttnNorm,
    AttnQ,
    AttnQBias,
    AttnK,
    AttnKBias,
    AttnV,
    AttnVBias,
    AttnOutput,
    AttnQNorm,
    AttnKNorm,
    PostAttnNorm,
    FfnGate,
    FfnUp,
    FfnDown,
    Router,
    RouterBias, // e_score_correction_bias: decides which experts, not their weights
    ExpGate,
    ExpUp,
    ExpDown,
    ShexpGate,
    ShexpUp,
    ShexpDown,
    NextnEhProj,
    NextnEnorm,
    NextnHnorm,
    NextnSharedHeadNorm,
    NextnEmbedTokens,
    NextnSharedHeadHead,
};

// The GGUF name of a weight: "blk.7.ffn_down_exps.weight", "token_embd.weight".
std::string gguf_weight_name(WeightKind kind, int layer);
// Expected ggml-order shape ([row length, rows, experts]) for this config.
std::vector<std::uint64_t> expected_weight_shape(WeightKind kind, const Glm45Config &config);

// Where the bytes of an entry are: one GGUF tensor, or one safetensors tensor per expert.
struct TensorPart
{
    std::string source_name;
    const std::uint8_t *data = nullptr;
    std::uint64_t n_bytes = 0;
};

struct InventoryEntry
{
    WeightKind kind;
    TensorRole role;
    int layer = -1;                          // -1 for embeddings, output and output norm
    bool mtp = false;                        // in an MTP (nextn) layer
    std::string name;                        // GGUF-style name, whatever the source
    std::vector<std::uint64_t> shape;        // ggml order; stacked experts last
    std::string format;                      // "q4_K", "bf16", "f8_e4m3"
    std::optional<BlockFormat> block_format; // nullopt for F8_E4M3
    std::uint64_t n_bytes = 0;
    std::vector<TensorPart> parts;  // one, or one per expert in expert order
    std::vector<TensorPart> scales; // F8_E4M3 only: weight_scale_inv per part (F32, 128x128 blocks)
};

class TensorInventory
{
public:
    static Expected<TensorInventory> from_gguf(const GgufReader &gguf, const Glm45Config &config);
    static Expected<TensorInventory> from_hf(const HfFolder &folder, const Glm45Config &config);

    const std::vector<InventoryEntry> &entries() const { return m_entries; }
    const InventoryEntry *find(WeightKind kind, int layer = -1) const;
    // False when the file leaves out the MTP layer entirely (some conversions strip it).
    bool has_mtp() const { return m_has_mtp; }
    std::uint64_t total_bytes() const;

private:
    std::vector<InventoryEntry> m_entries;
    bool m_has_mtp = false;
};

} // namespace glmdesk::engine
