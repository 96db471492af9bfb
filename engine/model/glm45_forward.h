// The GLM-4.5 forward pass on the CPU, written once and plainly (GLM45_SPEC.md section 2): the
// reference every faster path is compared with, and the path that runs when nothing faster fits.
// Weights stay in their block format and are dequantized row by row as they are used; a row is
// decoded once per batch of tokens, so prefill amortises the decode over the whole prompt.
#pragma once

#include "engine/common/status.h"
#include "engine/model/glm45_weights.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace glmdesk::engine {

// What the forward pass needs to know about the model (filled from Glm45Config by the loader).
struct Glm45Dims
{
    int n_embd = 0;         // H
    int n_layers = 0;       // decoder layers, MTP not counted
    int n_dense_layers = 0; // first_k_dense_replace
    int n_heads = 0;
    int n_kv_heads = 0;
    int head_dim = 0;
    int rotary_dim = 0; // head_dim * partial_rotary_factor
    float rope_theta = 0.0f;
    float rms_eps = 0.0f;
    int n_experts = 0;
    int n_experts_used = 0; // top-k
    bool norm_topk_prob = true;
    float routed_scaling_factor = 1.0f;
    bool use_qk_norm = false;
    int n_vocab = 0; // rows of the embedding and lm_head
};

// Intermediate results a test or a debugger may want; every callback is optional.
struct ForwardTrace
{
    // After decoder layer `layer`: the residual stream, [n_tokens, H].
    std::function<void(int layer, std::span<const float> residual)> layer_out;
    // For MoE layers: chosen experts per token sorted ascending, and their final weights.
    std::function<void(int layer, std::span<const int> experts, std::span<const float> weights)>
        router;
    // The output of the final norm, [n_tokens, H] (also the MTP head's input).
    std::function<void(std::span<const float> hidden)> final_norm;
};

// How the KV cache stores K and V: f16 halves the memory of f32 (Air at 128K context: 24 GB
// instead of 48 GB) and changes logits by far less than the weights' own rounding. q8_0 stores
// each head row of K and V as blocks of 32 signed bytes with one f16 scale (ggml's block_q8_0
// layout, 34 bytes per 32 values): 47% of f16's memory, for long contexts on small machines.
// q8_0 needs head_dim to be a multiple of 32 (every GLM-4.5 model has 128).
enum class KvType { F32, F16, Q8_0 };

// Bytes of K plus V for one position over `n_layers` layers.
std::uint64_t kv_bytes_per_token(const Glm45Dims &dims, KvType type, int n_layers);

// How weight rows meet activations.
enum class MatmulPath {
    Reference, // engine/quant's scalar dequantize + dot: the oracle, slow
    Exact,     // SIMD kernels, float32 activations: the reference up to float rounding
    Fast,      // SIMD kernels, activations quantized once per matmul to int16 in blocks of 32
               // (BF16 weights on AVX512-BF16: rounded to bf16) where the format has such a
               // kernel: the speed path (air-mini's logits within 1e-2 of Exact, its argmax the
               // same; kernels/cpu/dot_kernels.h)
};

struct CpuOptions
{
    int n_threads = 0; // 0: every hardware thread
    // Bind each pool thread to one CPU (ThreadPool's pinning): steadier speed on a machine doing
    // nothing else, worse when other programs want the same cores. Off by default.
    bool pin_threads = false;
    MatmulPath matmul = MatmulPath::Fast;
    KvType kv_type = KvType::F16;
    // forward() and mtp_forward() run longer inputs in batches of this many tokens, each through
    // every layer before the next, so working memory does not grow with the prompt (at Air's
    // widths a 512-token batch peaks near 100 MB). Values below 1 mean 1.
    int max_batch = 512;
};

class ThreadPool;

// Who computes y = W x: the path and the pool that splits the rows.
struct MatmulContext
{
    MatmulPath path = MatmulPath::Reference;
    ThreadPool *pool = nullptr; // null: the calling thread alone
};

// y[t, r] = dot(W row r, x[t, :]) for t < n_tokens: W is [row_len, n_rows], x [n_tokens, row_len].
Status matmul(const MatmulContext &ctx, const WeightView &w, const float *x, int n_tokens,
              float *y);

class Glm45CpuModel
{
public:
    // Checks every shape against `dims` and decodes the small vectors (norms, biases) once.
    static Expected<Glm45CpuModel> create(const Glm45Dims &dims, const Glm45Weights &weights,
                                          int n_ctx, const CpuOptions &options = {});

    const Glm45Dims &dims() const { return m_dims; }
    int n_ctx() const { return m_n_ctx; }
    KvType kv_type() const { return m_kv_type; }
    int max_batch() const { return m_max_batch; } // CpuOptions::max_batch
    // What one more context position costs in the KV caches this model allocated (every decoder
    // layer, plus the MTP layer when the file has one).
    std::uint64_t kv_bytes_per_token() const;
    int n_past() const { return m_n_past; }

    // Runs `tokens` at positions n_past() .. n_past()+n-1, appends them to the KV cache and
    // returns logits: all rows [n, V] if `all_logits`, else the last row only [V].
    // A cancel request (checked between layers) returns StatusCode::Cancelled and leaves the
    // cache as it was before the call.
    Expected<std::vector<float>> forward(std::span<const std::int32_t> tokens, bool all_logits,
                                         const ForwardTrace *trace = nullptr,
                                         const std::atomic<bool> *cancel = nullptr);

    // A prompt, as generation runs it: like forward(tokens, false) but keeping only the last
    // row of the final-norm output, so working memory stays that of one batch however long the
    // prompt. With `feed_mtp` (the model has an MTP layer and mtp_n_past() == n_past()) the MTP
    // pairs inside the prompt run batch by batch too: afterwards mtp_n_past() == n_past() - 1,
    // and the pair (last_hidden(), the next token) is the first a draft needs. On failure or
    // cancel both caches are as before.
    Expected<std::vector<float>> prefill(std::span<const std::int32_t> tokens, bool feed_mtp,
                                         const std::atomic<bool> *cancel = nullptr);

    // The final-norm output of the last forward() call, [n, H] (of prefill(): its last row,
    // [H]): the MTP layer's input.
    const std::vector<float> &last_hidden() const { return m_last_hidden; }

    bool has_mtp() const { return m_weights.mtp.has_value(); }
    int mtp_n_past() const { return m_mtp_n_past; }

    // The MTP (nextn) layer, GLM45_SPEC.md section 4. Row i pairs the main model's final-norm
    // output at position p-1 (`prev_hidden` [n, H]) with the token at position p (`tokens`[i]),
    // for p = mtp_n_past()+1+i, and yields draft logits for position p+1: all rows [n, V] or the
    // last [V]. The MTP layer keeps its own KV cache, one entry per position from 1 on.
    Expected<std::vector<float>> mtp_forward(std::span<const float> prev_hidden,
                                             std::span<const std::int32_t> tokens, bool all_logits);

    // The MTP layer's output after shared_head.norm for the last row of the last mtp_forward()
    // call, [H]: the hidden input for a further draft step.
    std::span<const float> last_mtp_hidden() const;

    // Forgets every position >= n_keep, in the main KV cache and the MTP layer's (whose pair at
    // position p depends on the tokens up to p only).
    void truncate(int n_keep);
    // Forgets MTP positions > n_mtp_positions (its speculative draft steps); main cache untouched.
    void truncate_mtp(int n_mtp_positions);
    // Like truncate(n_keep), but keeps the MTP pair at position n_keep: for a caller that re-feeds
    // the very token that sat at n_keep (the usual way to reuse a cached prefix: re-running one
    // cached token yields the hidden state the next MTP pair needs).
    void truncate_for_refeed(int n_keep);

private:
    struct LayerVectors
    {
        std::vector<float> attn_norm, q_bias, k_bias, v_bias, q_norm, k_norm, post_norm;
        std::vector<float> router_bias;
    };

    // One decoder layer's KV cache: [position][n_kv_heads * head_dim] in m_kv_type, K after RoPE.
    struct LayerCache
    {
        std::vector<std::uint8_t> k, v;
    };
    void store_kv_row(std::vector<std::uint8_t> &cache, std::size_t slot, const float *row) const;
    LayerCache make_cache() const;

    Glm45CpuModel(const Glm45Dims &dims, const Glm45Weights &weights, int n_ctx);

    Status check_and_decode_layer(const Glm45LayerWeights &lw, bool moe, const std::string &where,
                                  LayerVectors &out) const;
    // Runs one decoder layer over x [n, H] in place. The new tokens take cache slots
    // n_cached.. and RoPE positions pos0..; attention sees slots 0 .. their own.
    void decoder_layer(const Glm45LayerWeights &lw, const LayerVectors &v, LayerCache &cache,
                       int n_cached, int pos0, int layer_id, float *x, int n_tokens,
                       const ForwardTrace *trace);
    void attention(const Glm45LayerWeights &lw, const LayerVectors &v, LayerCache &cache,
                   int n_cached, int pos0, const float *h, int n_tokens, float *out);
    void moe(const Glm45LayerWeights &lw, const LayerVectors &v, int layer_id, const float *h,
             int n_tokens, float *out, const ForwardTrace *trace);
    // forward() and prefill(): `keep_all_hidden` keeps every final-norm row, else the last;
    // `feed_mtp` runs each batch's MTP pairs as soon as its hidden rows exist.
    Expected<std::vector<float>> run_batches(std::span<const std::int32_t> tokens, bool all_logits,
                                             bool keep_all_hidden, bool feed_mtp,
                                             const ForwardTrace *trace,
                                             const std::atomic<bool> *cancel);

    Glm45Dims m_dims;
    Glm45Weights m_weights;
    int m_n_ctx = 0;
    int m_n_past = 0;
    KvType m_kv_type = KvType::F16;
    int m_max_batch = 512;
    std::shared_ptr<ThreadPool> m_pool; // shared: the model is movable, the pool is not
    MatmulContext m_mm;
    std::vector<LayerVectors> m_vectors;
    std::vector<float> m_output_norm;
    std::vector<LayerCache> m_cache;
    std::vector<float> m_rope_inv_freq; // rope_theta^(-2i/rotary_dim), i < rotary_dim/2
    std::vector<float> m_last_hidden;

    // MTP layer state (when the file has one).
    LayerVectors m_mtp_vectors;
    std::vector<float> m_mtp_enorm, m_mtp_hnorm, m_mtp_head_norm;
    LayerCache m_mtp_cache;
    int m_mtp_n_past = 0; // MTP cache slot j holds position j + 1
    std::vector<float> m_last_mtp_hidden;
};

} // namespace glmdesk::engine
