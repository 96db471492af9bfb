// A GLM-4.5-family model made up in memory: real dimensions (GLM-4.5-Air or the air-mini test
// model), the first N layers (1 dense + N-1 MoE), random weights in a chosen block format. It
// exists to measure the engine (and other engines, through the GGUF it writes) on the exact byte
// volume of the real model without downloading 60 GB, and to give the app a small demo model.
//
// The weights are random but valid blocks, generated directly in their format: random code bytes,
// then every block's scale fields set to positive f16 values sized (from the format's own decoder)
// so that each matrix's dequantized entries have standard deviation 1/sqrt(row length). Then every
// projection of an RMS-normalised activation has unit scale and the residual stream stays finite
// through all layers. Generation is deterministic from the seed (not from the thread count): each
// chunk of each tensor has its own random stream, and the chunks are spread over a thread pool.
//
// The result is the engine's own Glm45Dims / Glm45Weights (views into buffers this object owns),
// so Glm45CpuModel runs it directly, and add_to_gguf() gives the same tensors under the GGUF names
// and keys of GLM45_SPEC.md section 5, so loading the written file yields the same bytes.
#pragma once

#include "engine/common/status.h"
#include "engine/io/hparams.h"
#include "engine/io/tensor_inventory.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/glm45_weights.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::engine {

class GgufWriter;

struct SyntheticOptions
{
    std::string preset = "air-mini"; // "air" (GLM-4.5-Air) or "air-mini" (tests/data air-mini)
    int n_layers = 0;                // 0: the preset's full depth; else 1 dense + n_layers-1 MoE
    std::string format = "q8_0";     // see synthetic_format_names()
    std::uint64_t seed = 1;
    int n_threads = 0; // generation threads; 0: every hardware thread
    // Add the MTP (nextn) layer after the last one, as the real model has: eh_proj, its norms and
    // a full MoE decoder layer (no own embedding or head: the engine then uses the main ones).
    bool mtp = false;
    std::string name; // general.name; empty: one made from the options
};

// The presets' full configurations (before n_layers is applied).
Expected<Glm45Config> synthetic_preset_config(std::string_view preset);
std::span<const std::string_view> synthetic_preset_names();

// "q4_k_m" (llama-quantize's Q4_K_M mix, rule below), and one format for every matrix: "f32",
// "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl", "q2_k", "q3_k", "q4_k",
// "q5_k", "q6_k", "iq4_xs".
std::span<const std::string_view> synthetic_format_names();

// The block format of one tensor under a format scheme, in a model of n_blocks layers.
// Norms, biases, the router and its bias are always f32. q4_k_m is the mix llama-quantize
// produces for a glm4moe model (checked against the air-mini Q4_K_M fixture): q4_K by default,
// output q6_K, attn_k and attn_v q8_0 and attn_output q5_K (its rule for MoE models with 8 or more
// experts), and ffn_down / ffn_down_exps / ffn_down_shexp q6_K in the layers llama.cpp's
// use_more_bits(layer, n_blocks) picks (the first and last eighth and every third in between),
// q4_K elsewhere; n_blocks counts the MTP layer, as llama-quantize's block count does. Whatever the
// scheme, a 256-block format on a row length that is not a multiple of 256 falls back as
// llama-quantize does (q4_K -> q5_0, q5_K -> q5_1, q6_K -> q8_0, q2_K / q3_K / iq4_xs -> iq4_nl):
// Air's expert down projections (rows of 1408) and its dense one (10944).
Expected<BlockFormat> synthetic_tensor_format(std::string_view scheme, WeightKind kind, int layer,
                                              int n_blocks, std::uint64_t row_len);

class SyntheticModel
{
public:
    struct Tensor
    {
        std::string name; // GGUF name
        WeightKind kind;
        int layer = -1;
        BlockFormat format = BlockFormat::F32;
        std::vector<std::uint64_t> dims; // ggml order, experts stacked last
        std::span<const std::uint8_t> data;
    };

    // InvalidArgument for an unknown preset or format or a layer count out of range (1 to the
    // preset's depth); OutOfMemory when the buffers cannot be allocated.
    static Expected<SyntheticModel> build(const SyntheticOptions &options);

    SyntheticModel(SyntheticModel &&) noexcept;
    SyntheticModel &operator=(SyntheticModel &&) noexcept;
    ~SyntheticModel();

    const SyntheticOptions &options() const { return m_options; }
    const Glm45Config &config() const { return m_config; }
    const Glm45Dims &dims() const { return m_dims; }
    const Glm45Weights &weights() const { return m_weights; }
    const std::vector<Tensor> &tensors() const { return m_tensors; }
    std::uint64_t total_bytes() const;
    // Tensor i's bytes (the engine's views see every change), for a caller that sets weights to
    // chosen values: the demo model (engine/model/demo_model.h).
    std::span<std::uint8_t> mutable_data(std::size_t i);

    // The model's metadata (general.*, glm4moe.*) and every tensor; no tokenizer keys. The tensor
    // bytes are views: this model must outlive the writer's write().
    Status add_to_gguf(GgufWriter &writer) const;

private:
    SyntheticModel() = default;

    struct Buffer; // an aligned allocation
    SyntheticOptions m_options;
    Glm45Config m_config;
    Glm45Dims m_dims;
    Glm45Weights m_weights;
    std::vector<Tensor> m_tensors;
    std::vector<std::unique_ptr<Buffer>> m_buffers;
};

// A byte-level BPE vocabulary as GGUF stores it (tokenizer.ggml.*).
struct GgufVocab
{
    std::string model = "gpt2";
    std::string pre = "glm4";
    std::vector<std::string> tokens;
    std::vector<std::int32_t> token_types; // TokenType values
    std::vector<std::string> merges;
};

// n_vocab tokens: the 256 byte tokens (ids 0-255), GLM-4.5's 36 special tokens at Air's ids
// (151329...) when n_vocab reaches them, else at the top of the vocabulary, and unused padding
// tokens elsewhere; no merges, so text encodes one token per byte. InvalidArgument below 292.
Expected<GgufVocab> synthetic_byte_vocab(std::uint32_t n_vocab);

// Writes tokenizer.ggml.* (model, pre, tokens, token_type, merges) and the special ids GLM-4.5's
// converter writes (eos/padding/unknown <|endoftext|>, bos [gMASK], eot <|user|>, eom
// <|observation|>) where the vocabulary has them.
Status add_vocab_to_gguf(GgufWriter &writer, const GgufVocab &vocab);

} // namespace glmdesk::engine
