#include "engine/backend/vulkan/vulkan_model.h"

#include "engine/backend/vulkan/vulkan_attention.h"
#include "engine/backend/vulkan/vulkan_context.h"
#include "engine/backend/vulkan/vulkan_moe.h"
#include "engine/backend/vulkan/vulkan_ops.h"
#include "engine/common/thread_pool.h"
#include "engine/quant/block_formats.h"
#include "engine/quant/reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <utility>

namespace glmdesk::engine {

namespace {

using Buffer = std::unique_ptr<VulkanBuffer>;

// A weight matrix on the device, in its stored format: n_rows rows of row_len weights.
struct DeviceMatrix
{
    Buffer buffer;
    BlockFormat format = BlockFormat::F32;
    std::int64_t row_len = 0;
    std::int64_t n_rows = 0;
};

// The routed experts of one projection of one layer, stacked: expert e at e * expert_bytes.
struct DeviceExperts
{
    Buffer buffer;
    BlockFormat format = BlockFormat::F32;
    std::int64_t row_len = 0;
    std::int64_t n_rows = 0;
    std::uint64_t expert_bytes = 0;
};

struct DeviceLayer
{
    Buffer attn_norm, post_norm, q_bias, k_bias, v_bias, q_norm, k_norm;
    DeviceMatrix q, k, v, o;
    DeviceMatrix gate, up, down;              // dense layers
    Buffer router, router_bias;               // MoE: f32 [n_experts][H], [n_experts]
    DeviceExperts exp_gate, exp_up, exp_down; // MoE
    DeviceMatrix sh_gate, sh_up, sh_down;     // MoE shared expert
    Buffer k_cache, v_cache;
    bool moe = false;
    // Routed experts left in host memory (views into the mapped file), run by the CPU kernels.
    bool host_experts = false;
    std::vector<WeightView> host_gate, host_up, host_down;
};

// A batch's commands: submissions separated where the host has work (experts in host memory) or
// where a trace reads a layer's output.
struct Segment
{
    std::unique_ptr<VulkanSequence> sequence;
    int host_layer = -1;   // after it, run this layer's routed experts on the CPU
    int traced_layer = -1; // after it, read this layer's output for the trace
};
using Program = std::vector<Segment>;

std::string shape_text(std::int64_t a, std::int64_t b)
{
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

Status check_shape(const WeightView &w, std::int64_t row_len, std::int64_t n_rows)
{
    if (!w.present())
        return error(StatusCode::InvalidArgument, "a tensor is missing: " + w.name);
    if (w.row_len != row_len || w.n_rows != n_rows)
        return error(StatusCode::InvalidArgument, w.name + " is " +
                                                      shape_text(w.row_len, w.n_rows) +
                                                      ", expected " + shape_text(row_len, n_rows));
    return {};
}

VulkanKvType vulkan_kv_type(KvType type)
{
    switch (type) {
    case KvType::F32:
        return VulkanKvType::F32;
    case KvType::Q8_0:
        return VulkanKvType::Q8_0;
    case KvType::F16:
        break;
    }
    return VulkanKvType::F16;
}

} // namespace

struct Glm45VulkanModel::Impl
{
    Glm45Dims dims;
    int n_ctx = 0;
    int n_past = 0;
    int max_batch = 1;
    VulkanKvType kv_type = VulkanKvType::F16;
    WeightView token_embd; // stays in host memory: one row per token is read
    std::unique_ptr<VulkanContext> ctx;
    std::uint64_t device_bytes = 0;

    std::vector<DeviceLayer> layers;
    Buffer output_norm;
    DeviceMatrix output;
    int moe_layers = 0;
    int device_expert_layers = 0;

    // The CPU side of the experts in host memory.
    std::unique_ptr<ThreadPool> pool;
    MatmulContext host_mm;
    std::vector<float> host_h, host_weights, host_out, host_x, host_gate, host_up, host_y;
    std::vector<std::uint32_t> host_ids;

    // Scratch, sized for max_batch tokens.
    Buffer position, x, h, branch, q, q_normed, k, v, attn;
    Buffer ffn_gate, ffn_up, ffn_act;
    Buffer router_ids, router_weights, exp_gate, exp_up, exp_act, exp_out;
    Buffer last_row, logits, host_moe;
    std::int64_t logits_rows = 0; // rows `logits` holds

    // Recorded programs by (tokens, all logits): decode's is recorded once and replayed.
    std::map<std::pair<int, bool>, Program> programs;

    Expected<Buffer> make(std::uint64_t bytes)
    {
        // A shader sees a buffer through one descriptor, which may span at most this much
        // (lavapipe: 128 MiB; NVIDIA and AMD: 4 GiB). A bigger tensor needs splitting, which the
        // backend does not do yet: say so rather than bind it past the limit.
        if (const std::uint64_t limit = ctx->device_info().max_storage_buffer_range;
            limit > 0 && bytes > limit)
            return error(StatusCode::Unsupported, "a buffer of " + std::to_string(bytes >> 20) +
                                                      " MiB passes " + ctx->device_name() +
                                                      "'s storage buffer limit of " +
                                                      std::to_string(limit >> 20) + " MiB");
        auto b = ctx->create_buffer(static_cast<std::size_t>(std::max<std::uint64_t>(bytes, 4)));
        if (!b)
            return b.status();
        device_bytes += (*b)->bytes();
        return std::move(b).value();
    }

    Status upload_bytes(Buffer &out, const void *data, std::uint64_t bytes, const std::string &name)
    {
        auto b = make(bytes);
        if (!b)
            return b.status().with_context(name);
        out = std::move(b).value();
        return ctx->upload(
            *out, std::span(static_cast<const std::byte *>(data), static_cast<std::size_t>(bytes)));
    }

    // A vector weight (norm, bias, router) as float32, whatever its stored format.
    Status upload_f32(Buffer &out, const WeightView &w, std::int64_t row_len, std::int64_t n_rows)
    {
        if (Status s = check_shape(w, row_len, n_rows); !s.ok())
            return s;
        const auto n = static_cast<std::size_t>(row_len);
        std::vector<float> values(n * static_cast<std::size_t>(n_rows));
        for (std::int64_t r = 0; r < n_rows; ++r)
            if (Status s = dequantize_row(w.format, w.row(r), n,
                                          values.data() + static_cast<std::size_t>(r) * n);
                !s.ok())
                return s.with_context(w.name);
        return upload_bytes(out, values.data(), values.size() * sizeof(float), w.name);
    }

    Status upload_matrix(DeviceMatrix &out, const WeightView &w, std::int64_t row_len,
                         std::int64_t n_rows)
    {
        if (Status s = check_shape(w, row_len, n_rows); !s.ok())
            return s;
        if (!vulkan_matvec_supported(w.format))
            return error(StatusCode::Unsupported,
                         w.name + ": the Vulkan backend has no shader for " +
                             std::string(block_format_name(w.format)) + " weights");
        out.format = w.format;
        out.row_len = row_len;
        out.n_rows = n_rows;
        return upload_bytes(out.buffer, w.data, w.row_bytes() * static_cast<std::uint64_t>(n_rows),
                            w.name);
    }

    Status upload_experts(DeviceExperts &out, const std::vector<WeightView> &experts,
                          std::int64_t row_len, std::int64_t n_rows)
    {
        if (experts.size() != static_cast<std::size_t>(dims.n_experts))
            return error(StatusCode::InvalidArgument,
                         "a MoE layer has " + std::to_string(experts.size()) +
                             " experts, expected " + std::to_string(dims.n_experts));
        const WeightView &first = experts.front();
        for (const WeightView &w : experts) {
            if (Status s = check_shape(w, row_len, n_rows); !s.ok())
                return s;
            if (w.format != first.format)
                return error(StatusCode::InvalidArgument,
                             w.name + ": the experts of a layer mix weight formats");
        }
        if (!vulkan_matvec_supported(first.format))
            return error(StatusCode::Unsupported,
                         first.name + ": the Vulkan backend has no shader for " +
                             std::string(block_format_name(first.format)) + " weights");
        out.format = first.format;
        out.row_len = row_len;
        out.n_rows = n_rows;
        out.expert_bytes = first.row_bytes() * static_cast<std::uint64_t>(n_rows);
        const std::uint64_t total = out.expert_bytes * experts.size();
        auto b = make(total);
        if (!b)
            return b.status().with_context(first.name);
        out.buffer = std::move(b).value();
        // GGUF stacks a layer's experts in one tensor: one upload. Hugging Face folders keep a
        // tensor per expert: one upload each, at its place in the stack.
        bool contiguous = true;
        for (std::size_t e = 0; e < experts.size(); ++e)
            contiguous = contiguous && experts[e].data == first.data + e * out.expert_bytes;
        if (contiguous)
            return ctx->upload(*out.buffer,
                               std::span(reinterpret_cast<const std::byte *>(first.data),
                                         static_cast<std::size_t>(total)));
        for (std::size_t e = 0; e < experts.size(); ++e)
            if (Status s =
                    ctx->upload(*out.buffer,
                                std::span(reinterpret_cast<const std::byte *>(experts[e].data),
                                          static_cast<std::size_t>(out.expert_bytes)),
                                static_cast<std::size_t>(e * out.expert_bytes));
                !s.ok())
                return s.with_context(experts[e].name);
        return {};
    }

    Status upload_layer(const Glm45LayerWeights &lw, DeviceLayer &dl, bool experts_on_device)
    {
        const std::int64_t H = dims.n_embd, hd = dims.head_dim;
        const std::int64_t q_dim = std::int64_t{dims.n_heads} * hd;
        const std::int64_t kv_dim = std::int64_t{dims.n_kv_heads} * hd;
        dl.moe = lw.is_moe();
        Status s = upload_f32(dl.attn_norm, lw.attn_norm, H, 1);
        if (s.ok())
            s = upload_f32(dl.post_norm, lw.post_attention_norm, H, 1);
        if (s.ok())
            s = upload_matrix(dl.q, lw.attn_q, H, q_dim);
        if (s.ok())
            s = upload_matrix(dl.k, lw.attn_k, H, kv_dim);
        if (s.ok())
            s = upload_matrix(dl.v, lw.attn_v, H, kv_dim);
        if (s.ok())
            s = upload_matrix(dl.o, lw.attn_output, q_dim, H);
        if (s.ok() && lw.attn_q_bias.present())
            s = upload_f32(dl.q_bias, lw.attn_q_bias, q_dim, 1);
        if (s.ok() && lw.attn_k_bias.present())
            s = upload_f32(dl.k_bias, lw.attn_k_bias, kv_dim, 1);
        if (s.ok() && lw.attn_v_bias.present())
            s = upload_f32(dl.v_bias, lw.attn_v_bias, kv_dim, 1);
        if (s.ok() && dims.use_qk_norm)
            s = upload_f32(dl.q_norm, lw.attn_q_norm, hd, 1);
        if (s.ok() && dims.use_qk_norm)
            s = upload_f32(dl.k_norm, lw.attn_k_norm, hd, 1);
        if (!s.ok())
            return s;
        if (!dl.moe) {
            const std::int64_t F = lw.ffn_gate.n_rows;
            s = upload_matrix(dl.gate, lw.ffn_gate, H, F);
            if (s.ok())
                s = upload_matrix(dl.up, lw.ffn_up, H, F);
            if (s.ok())
                s = upload_matrix(dl.down, lw.ffn_down, F, H);
        } else {
            const std::int64_t E = dims.n_experts;
            const std::int64_t Fe = lw.exp_gate.empty() ? 0 : lw.exp_gate.front().n_rows;
            const std::int64_t Fs = lw.shexp_gate.n_rows;
            s = upload_f32(dl.router, lw.router, H, E);
            if (s.ok())
                s = upload_f32(dl.router_bias, lw.router_bias, E, 1);
            if (s.ok() && Fe <= 0)
                s = error(StatusCode::InvalidArgument, "a MoE layer without experts");
            if (s.ok() && experts_on_device) {
                s = upload_experts(dl.exp_gate, lw.exp_gate, H, Fe);
                if (s.ok())
                    s = upload_experts(dl.exp_up, lw.exp_up, H, Fe);
                if (s.ok())
                    s = upload_experts(dl.exp_down, lw.exp_down, Fe, H);
            } else if (s.ok()) {
                s = check_host_experts(lw, H, Fe);
                dl.host_experts = true;
                dl.host_gate = lw.exp_gate;
                dl.host_up = lw.exp_up;
                dl.host_down = lw.exp_down;
                dl.exp_gate.n_rows = Fe; // the width the scratch buffers are sized for
            }
            if (s.ok())
                s = upload_matrix(dl.sh_gate, lw.shexp_gate, H, Fs);
            if (s.ok())
                s = upload_matrix(dl.sh_up, lw.shexp_up, H, Fs);
            if (s.ok())
                s = upload_matrix(dl.sh_down, lw.shexp_down, Fs, H);
        }
        if (!s.ok())
            return s;
        const std::uint64_t cache_bytes =
            vulkan_kv_row_bytes(kv_type, kv_dim) * static_cast<std::uint64_t>(n_ctx);
        auto kc = make(cache_bytes);
        if (!kc)
            return kc.status().with_context("the KV cache");
        auto vc = make(cache_bytes);
        if (!vc)
            return vc.status().with_context("the KV cache");
        dl.k_cache = std::move(kc).value();
        dl.v_cache = std::move(vc).value();
        return {};
    }

    // Experts the CPU kernels run: shapes as the device path checks them, formats the CPU reads.
    Status check_host_experts(const Glm45LayerWeights &lw, std::int64_t H, std::int64_t Fe) const
    {
        if (lw.exp_gate.size() != static_cast<std::size_t>(dims.n_experts) ||
            lw.exp_up.size() != lw.exp_gate.size() || lw.exp_down.size() != lw.exp_gate.size())
            return error(StatusCode::InvalidArgument,
                         "a MoE layer has the wrong number of experts");
        for (std::size_t e = 0; e < lw.exp_gate.size(); ++e) {
            Status s = check_shape(lw.exp_gate[e], H, Fe);
            if (s.ok())
                s = check_shape(lw.exp_up[e], H, Fe);
            if (s.ok())
                s = check_shape(lw.exp_down[e], Fe, H);
            if (!s.ok())
                return s;
        }
        return {};
    }

    Status make_scratch(const Glm45Weights &w)
    {
        const auto B = static_cast<std::uint64_t>(max_batch);
        const auto H = static_cast<std::uint64_t>(dims.n_embd);
        const auto q_dim = static_cast<std::uint64_t>(dims.n_heads) * dims.head_dim;
        const auto kv_dim = static_cast<std::uint64_t>(dims.n_kv_heads) * dims.head_dim;
        const auto K = static_cast<std::uint64_t>(std::max(dims.n_experts_used, 1));
        std::uint64_t ffn = 0, expert_ffn = 0;
        for (const Glm45LayerWeights &lw : w.layers) {
            ffn = std::max<std::uint64_t>(ffn, static_cast<std::uint64_t>(std::max<std::int64_t>(
                                                   lw.ffn_gate.n_rows, lw.shexp_gate.n_rows)));
            if (!lw.exp_gate.empty())
                expert_ffn = std::max<std::uint64_t>(
                    expert_ffn, static_cast<std::uint64_t>(lw.exp_gate.front().n_rows));
        }
        constexpr std::uint64_t f = sizeof(float);
        const std::pair<Buffer *, std::uint64_t> sizes[] = {
            {&position, 4},
            {&x, B * H * f},
            {&h, B * H * f},
            {&branch, B * H * f},
            {&q, B * q_dim * f},
            {&q_normed, dims.use_qk_norm ? B * q_dim * f : 4},
            {&k, B * kv_dim * f},
            {&v, B * kv_dim * f},
            {&attn, B * q_dim * f},
            {&ffn_gate, B * ffn * f},
            {&ffn_up, B * ffn * f},
            {&ffn_act, B * ffn * f},
            {&router_ids, B * K * 4},
            {&router_weights, B * K * f},
            {&exp_gate, B * K * expert_ffn * f},
            {&exp_up, B * K * expert_ffn * f},
            {&exp_act, B * K * expert_ffn * f},
            {&exp_out, B * K * H * f},
            {&last_row, H * f},
            {&host_moe, device_expert_layers < moe_layers ? B * H * f : 4},
        };
        for (const auto &[buffer, bytes] : sizes) {
            auto b = make(bytes);
            if (!b)
                return b.status().with_context("the scratch buffers");
            *buffer = std::move(b).value();
        }
        return ensure_logits(1);
    }

    Status ensure_logits(std::int64_t rows)
    {
        if (rows <= logits_rows)
            return {};
        auto b = make(static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(dims.n_vocab) *
                      sizeof(float));
        if (!b)
            return b.status().with_context("the logits buffer");
        if (logits)
            device_bytes -= logits->bytes();
        logits = std::move(b).value();
        logits_rows = rows;
        // Programs that wrote the old buffer are stale.
        programs.clear();
        return {};
    }

    Status matmul(VulkanSequence &seq, const DeviceMatrix &m, const Buffer &in, const Buffer &out,
                  std::int64_t n_tokens) const
    {
        return record_matmul(seq, m.format, *m.buffer, *in, *out, m.n_rows, m.row_len, n_tokens);
    }

    Status record_attention_block(VulkanSequence &seq, const DeviceLayer &dl, std::int64_t m) const
    {
        const std::int64_t hd = dims.head_dim, nh = dims.n_heads, nkv = dims.n_kv_heads;
        const std::int64_t q_dim = nh * hd, kv_dim = nkv * hd;
        Status s = record_rms_norm(seq, *x, *dl.attn_norm, *h, m, dims.n_embd, dims.rms_eps);
        if (s.ok())
            s = matmul(seq, dl.q, h, q, m);
        if (s.ok())
            s = matmul(seq, dl.k, h, k, m);
        if (s.ok())
            s = matmul(seq, dl.v, h, v, m);
        if (s.ok() && dl.q_bias)
            s = record_add(seq, *q, *dl.q_bias, m * q_dim, q_dim);
        if (s.ok() && dl.k_bias)
            s = record_add(seq, *k, *dl.k_bias, m * kv_dim, kv_dim);
        if (s.ok() && dl.v_bias)
            s = record_add(seq, *v, *dl.v_bias, m * kv_dim, kv_dim);
        const VulkanBuffer *qa = q.get();
        if (s.ok() && dims.use_qk_norm) {
            // k is normed in place through the branch buffer, which is free until the output
            // projection.
            s = record_rms_norm(seq, *q, *dl.q_norm, *q_normed, m * nh, hd, dims.rms_eps);
            if (s.ok())
                s = record_rms_norm(seq, *k, *dl.k_norm, *branch, m * nkv, hd, dims.rms_eps);
            if (s.ok())
                s = record_copy(seq, *k, *branch, m * kv_dim, 0);
            qa = q_normed.get();
        }
        if (s.ok())
            s = record_rope_neox(seq, *qa, *position, nh, hd, dims.rotary_dim, dims.rope_theta, m);
        if (s.ok())
            s = record_rope_neox(seq, *k, *position, nkv, hd, dims.rotary_dim, dims.rope_theta, m);
        if (s.ok())
            s = record_kv_store(seq, kv_type, *k, *v, *dl.k_cache, *dl.v_cache, *position, m,
                                kv_dim, n_ctx);
        if (s.ok())
            s = record_attention(seq, kv_type, *qa, *dl.k_cache, *dl.v_cache, *position, *attn, m,
                                 nh, nkv, hd, n_ctx, 1.0f / std::sqrt(static_cast<float>(hd)));
        if (s.ok())
            s = matmul(seq, dl.o, attn, branch, m);
        if (s.ok())
            s = record_add(seq, *x, *branch, m * dims.n_embd, m * dims.n_embd);
        return s;
    }

    Status record_ffn_block(VulkanSequence &seq, const DeviceLayer &dl, std::int64_t m) const
    {
        const std::int64_t H = dims.n_embd;
        Status s = record_rms_norm(seq, *x, *dl.post_norm, *h, m, H, dims.rms_eps);
        auto dense = [&](const DeviceMatrix &gate, const DeviceMatrix &up,
                         const DeviceMatrix &down) {
            Status r = matmul(seq, gate, h, ffn_gate, m);
            if (r.ok())
                r = matmul(seq, up, h, ffn_up, m);
            if (r.ok())
                r = record_swiglu(seq, *ffn_gate, *ffn_up, *ffn_act, m * gate.n_rows);
            if (r.ok())
                r = matmul(seq, down, ffn_act, branch, m);
            return r;
        };
        if (!s.ok())
            return s;
        if (!dl.moe) {
            s = dense(dl.gate, dl.up, dl.down);
        } else {
            const std::int64_t E = dims.n_experts, K = dims.n_experts_used;
            const std::int64_t Fe = dl.exp_gate.n_rows;
            s = record_router(seq, *h, *dl.router, *dl.router_bias, *router_ids, *router_weights, m,
                              H, E, K, dims.norm_topk_prob, dims.routed_scaling_factor);
            if (s.ok())
                s = dense(dl.sh_gate, dl.sh_up, dl.sh_down);
            if (dl.host_experts)
                return s; // the host adds the routed experts' sum (see record_program)
            if (s.ok())
                s = record_matmul_id(seq, dl.exp_gate.format, *dl.exp_gate.buffer,
                                     dl.exp_gate.expert_bytes, E, *h, *router_ids, *exp_gate, Fe, H,
                                     m, K, false);
            if (s.ok())
                s = record_matmul_id(seq, dl.exp_up.format, *dl.exp_up.buffer,
                                     dl.exp_up.expert_bytes, E, *h, *router_ids, *exp_up, Fe, H, m,
                                     K, false);
            if (s.ok())
                s = record_swiglu(seq, *exp_gate, *exp_up, *exp_act, m * K * Fe);
            if (s.ok())
                s = record_matmul_id(seq, dl.exp_down.format, *dl.exp_down.buffer,
                                     dl.exp_down.expert_bytes, E, *exp_act, *router_ids, *exp_out,
                                     H, Fe, m, K, true);
            if (s.ok())
                s = record_moe_combine(seq, *exp_out, *router_weights, *branch, m, K, H);
        }
        return s;
    }

    Status record_head(VulkanSequence &seq, std::int64_t m, bool all_logits) const
    {
        const std::int64_t H = dims.n_embd;
        Status s = record_rms_norm(seq, *x, *output_norm, *h, m, H, dims.rms_eps);
        if (!s.ok())
            return s;
        if (all_logits)
            return matmul(seq, output, h, logits, m);
        s = record_copy(seq, *last_row, *h, H, (m - 1) * H);
        return s.ok() ? matmul(seq, output, last_row, logits, 1) : s;
    }

    // Every layer, then the final norm and lm_head. A layer with host experts ends a
    // submission; with `split_layers` (a trace) every layer does.
    Expected<Program> record_program(std::int64_t m, bool all_logits, bool split_layers) const
    {
        const std::int64_t H = dims.n_embd;
        Program program;
        std::unique_ptr<VulkanSequence> seq;
        auto open = [&]() -> Status {
            auto next = ctx->create_sequence();
            if (!next)
                return next.status();
            seq = std::move(next).value();
            return {};
        };
        auto close = [&](int host_layer, int traced_layer) -> Status {
            if (Status s = seq->finish(); !s.ok())
                return s;
            program.push_back({std::move(seq), host_layer, traced_layer});
            return open();
        };
        if (Status s = open(); !s.ok())
            return s;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const DeviceLayer &dl = layers[l];
            const int layer = static_cast<int>(l);
            Status s = record_attention_block(*seq, dl, m);
            if (s.ok())
                s = record_ffn_block(*seq, dl, m);
            if (s.ok() && dl.host_experts) {
                s = close(layer, -1);
                if (s.ok())
                    s = record_add(*seq, *branch, *host_moe, m * H, m * H);
            }
            if (s.ok())
                s = record_add(*seq, *x, *branch, m * H, m * H);
            if (s.ok() && split_layers)
                s = close(-1, layer);
            if (!s.ok())
                return s;
        }
        if (Status s = record_head(*seq, m, all_logits); !s.ok())
            return s;
        if (Status s = seq->finish(); !s.ok())
            return s;
        program.push_back({std::move(seq), -1, -1});
        return program;
    }

    // The routed experts of a layer in host memory, for the m tokens whose normed activations
    // and router choices the last submission left on the device. Tokens are grouped by expert,
    // so each expert's rows are read once per batch, as the CPU model does.
    Status run_host_experts(const DeviceLayer &dl, std::int64_t m)
    {
        const auto H = static_cast<std::size_t>(dims.n_embd);
        const auto K = static_cast<std::size_t>(dims.n_experts_used);
        const auto F = static_cast<std::size_t>(dl.exp_gate.n_rows);
        const auto um = static_cast<std::size_t>(m);
        host_h.resize(um * H);
        host_ids.resize(um * K);
        host_weights.resize(um * K);
        Status s = ctx->download(*h, std::as_writable_bytes(std::span(host_h)));
        if (s.ok())
            s = ctx->download(*router_ids, std::as_writable_bytes(std::span(host_ids)));
        if (s.ok())
            s = ctx->download(*router_weights, std::as_writable_bytes(std::span(host_weights)));
        if (!s.ok())
            return s;
        host_out.assign(um * H, 0.0f);
        std::vector<std::size_t> slots; // t * K + j of every choice of expert e
        for (std::size_t e = 0; e < dl.host_gate.size(); ++e) {
            slots.clear();
            for (std::size_t i = 0; i < um * K; ++i)
                if (host_ids[i] == e)
                    slots.push_back(i);
            if (slots.empty())
                continue;
            const auto n = static_cast<int>(slots.size());
            host_x.resize(slots.size() * H);
            for (std::size_t r = 0; r < slots.size(); ++r)
                std::copy_n(host_h.data() + slots[r] / K * H, H, host_x.data() + r * H);
            host_gate.resize(slots.size() * F);
            host_up.resize(slots.size() * F);
            host_y.resize(slots.size() * H);
            s = glmdesk::engine::matmul(host_mm, dl.host_gate[e], host_x.data(), n,
                                        host_gate.data());
            if (s.ok())
                s = glmdesk::engine::matmul(host_mm, dl.host_up[e], host_x.data(), n,
                                            host_up.data());
            if (!s.ok())
                return s;
            for (std::size_t i = 0; i < host_gate.size(); ++i) {
                const float g = host_gate[i];
                host_gate[i] = g / (1.0f + std::exp(-g)) * host_up[i];
            }
            if (s = glmdesk::engine::matmul(host_mm, dl.host_down[e], host_gate.data(), n,
                                            host_y.data());
                !s.ok())
                return s;
            for (std::size_t r = 0; r < slots.size(); ++r) {
                const float w = host_weights[slots[r]];
                float *out = host_out.data() + slots[r] / K * H;
                const float *y = host_y.data() + r * H;
                for (std::size_t c = 0; c < H; ++c)
                    out[c] += w * y[c];
            }
        }
        return ctx->upload(*host_moe, std::as_bytes(std::span(host_out)));
    }

    // Reads what the trace wants after a layer: the residual stream, the router's choices.
    Status read_trace(int layer, std::int64_t m, const ForwardTrace &trace,
                      std::vector<std::vector<float>> &layer_rows,
                      std::vector<std::pair<std::vector<int>, std::vector<float>>> &routes)
    {
        const auto H = static_cast<std::size_t>(dims.n_embd);
        const auto K = static_cast<std::size_t>(std::max(dims.n_experts_used, 1));
        const auto um = static_cast<std::size_t>(m);
        const auto l = static_cast<std::size_t>(layer);
        if (trace.layer_out) {
            std::vector<float> rows(um * H);
            if (Status d = ctx->download(*x, std::as_writable_bytes(std::span(rows))); !d.ok())
                return d;
            layer_rows[l].insert(layer_rows[l].end(), rows.begin(), rows.end());
        }
        if (trace.router && layers[l].moe) {
            std::vector<std::uint32_t> ids(um * K);
            std::vector<float> weights(um * K);
            if (Status d = ctx->download(*router_ids, std::as_writable_bytes(std::span(ids)));
                !d.ok())
                return d;
            if (Status d =
                    ctx->download(*router_weights, std::as_writable_bytes(std::span(weights)));
                !d.ok())
                return d;
            // Ascending ids per token, as the CPU model reports them.
            for (std::size_t t = 0; t < um; ++t) {
                std::vector<std::size_t> order(K);
                std::iota(order.begin(), order.end(), std::size_t{0});
                std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                    return ids[t * K + a] < ids[t * K + b];
                });
                for (const std::size_t j : order) {
                    routes[l].first.push_back(static_cast<int>(ids[t * K + j]));
                    routes[l].second.push_back(weights[t * K + j]);
                }
            }
        }
        return {};
    }

    Status run_program(const Program &program, std::int64_t m, const ForwardTrace *trace,
                       std::vector<std::vector<float>> &layer_rows,
                       std::vector<std::pair<std::vector<int>, std::vector<float>>> &routes)
    {
        for (const Segment &segment : program) {
            if (Status s = segment.sequence->run(); !s.ok())
                return s;
            if (segment.host_layer >= 0)
                if (Status s =
                        run_host_experts(layers[static_cast<std::size_t>(segment.host_layer)], m);
                    !s.ok())
                    return s;
            if (trace && segment.traced_layer >= 0)
                if (Status s = read_trace(segment.traced_layer, m, *trace, layer_rows, routes);
                    !s.ok())
                    return s;
        }
        return {};
    }

    Status set_position(int pos)
    {
        const auto word = static_cast<std::uint32_t>(pos);
        return ctx->upload(*position, std::as_bytes(std::span(&word, 1)));
    }

    Status upload_embeddings(std::span<const std::int32_t> tokens)
    {
        const auto H = static_cast<std::size_t>(dims.n_embd);
        std::vector<float> rows(tokens.size() * H);
        for (std::size_t t = 0; t < tokens.size(); ++t)
            if (Status s = dequantize_row(token_embd.format, token_embd.row(tokens[t]), H,
                                          rows.data() + t * H);
                !s.ok())
                return s.with_context(token_embd.name);
        return ctx->upload(*x, std::as_bytes(std::span(rows)));
    }
};

Glm45VulkanModel::Glm45VulkanModel(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Glm45VulkanModel::~Glm45VulkanModel() = default;

Expected<std::unique_ptr<Glm45VulkanModel>>
Glm45VulkanModel::create(const Glm45Dims &d, const Glm45Weights &w, int n_ctx,
                         const VulkanModelOptions &options)
{
    if (d.n_embd <= 0 || d.n_layers <= 0 || d.n_heads <= 0 || d.n_kv_heads <= 0 ||
        d.head_dim <= 0 || d.n_heads % d.n_kv_heads != 0 || d.rotary_dim <= 0 ||
        d.rotary_dim > d.head_dim || d.n_vocab <= 0 ||
        w.layers.size() != static_cast<std::size_t>(d.n_layers))
        return error(StatusCode::InvalidArgument, "the model's dimensions are inconsistent");
    if (n_ctx < 1)
        return error(StatusCode::InvalidArgument, "the context length must be at least 1");
    auto ctx = VulkanContext::create(options.device_index);
    if (!ctx)
        return ctx.status();
    auto impl = std::make_unique<Impl>();
    impl->dims = d;
    impl->n_ctx = n_ctx;
    impl->max_batch = std::clamp(options.max_batch, 1, n_ctx);
    impl->kv_type = vulkan_kv_type(options.kv_type);
    impl->ctx = std::move(ctx).value();
    if (Status s = check_shape(w.token_embd, d.n_embd, d.n_vocab); !s.ok())
        return s;
    impl->token_embd = w.token_embd;
    impl->layers.resize(w.layers.size());
    for (const Glm45LayerWeights &lw : w.layers)
        impl->moe_layers += lw.is_moe() ? 1 : 0;
    impl->device_expert_layers = options.device_expert_layers < 0
                                     ? impl->moe_layers
                                     : std::min(options.device_expert_layers, impl->moe_layers);
    int moe_seen = 0;
    for (std::size_t l = 0; l < w.layers.size(); ++l) {
        const bool moe = w.layers[l].is_moe();
        if (moe && (d.n_experts <= 0 || d.n_experts_used <= 0 || d.n_experts_used > d.n_experts))
            return error(StatusCode::InvalidArgument, "the router's dimensions are inconsistent");
        const bool on_device = !moe || moe_seen++ < impl->device_expert_layers;
        if (Status s = impl->upload_layer(w.layers[l], impl->layers[l], on_device); !s.ok())
            return s.with_context("layer " + std::to_string(l));
    }
    if (impl->device_expert_layers < impl->moe_layers) {
        impl->pool = std::make_unique<ThreadPool>(options.host_threads);
        impl->host_mm = MatmulContext{options.host_path, impl->pool.get()};
    }
    if (Status s = impl->upload_f32(impl->output_norm, w.output_norm, d.n_embd, 1); !s.ok())
        return s;
    if (Status s = impl->upload_matrix(impl->output, w.output, d.n_embd, d.n_vocab); !s.ok())
        return s;
    if (Status s = impl->make_scratch(w); !s.ok())
        return s;
    return std::unique_ptr<Glm45VulkanModel>(new Glm45VulkanModel(std::move(impl)));
}

const Glm45Dims &Glm45VulkanModel::dims() const
{
    return m_impl->dims;
}

int Glm45VulkanModel::n_ctx() const
{
    return m_impl->n_ctx;
}

int Glm45VulkanModel::n_past() const
{
    return m_impl->n_past;
}

const std::string &Glm45VulkanModel::device_name() const
{
    return m_impl->ctx->device_name();
}

std::uint64_t Glm45VulkanModel::device_bytes() const
{
    return m_impl->device_bytes;
}

int Glm45VulkanModel::device_expert_layers() const
{
    return m_impl->device_expert_layers;
}

int Glm45VulkanModel::moe_layers() const
{
    return m_impl->moe_layers;
}

void Glm45VulkanModel::truncate(int n_keep)
{
    // Slots past n_past are never read (attention reads 0 .. its own position), so forgetting is
    // only moving the count back.
    m_impl->n_past = std::clamp(n_keep, 0, m_impl->n_past);
}

Expected<std::vector<float>> Glm45VulkanModel::forward(std::span<const std::int32_t> tokens,
                                                       bool all_logits, const ForwardTrace *trace,
                                                       const std::atomic<bool> *cancel)
{
    Impl &m = *m_impl;
    const int n = static_cast<int>(tokens.size());
    if (n == 0)
        return error(StatusCode::InvalidArgument, "no tokens to run");
    if (n > m.n_ctx - m.n_past)
        return error(StatusCode::InvalidArgument,
                     "the context is full: " + std::to_string(m.n_past) + " + " +
                         std::to_string(n) + " tokens exceed " + std::to_string(m.n_ctx));
    for (const std::int32_t t : tokens)
        if (t < 0 || t >= m.dims.n_vocab)
            return error(StatusCode::InvalidArgument, "token id " + std::to_string(t) +
                                                          " is outside the vocabulary (" +
                                                          std::to_string(m.dims.n_vocab) + ")");
    if (all_logits)
        if (Status s = m.ensure_logits(std::min(n, m.max_batch)); !s.ok())
            return s;

    const auto V = static_cast<std::size_t>(m.dims.n_vocab);
    std::vector<float> logits(all_logits ? static_cast<std::size_t>(n) * V : V);
    std::vector<std::vector<float>> layer_rows(m.layers.size());
    std::vector<std::pair<std::vector<int>, std::vector<float>>> routes(m.layers.size());
    for (int b0 = 0; b0 < n; b0 += m.max_batch) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return error(StatusCode::Cancelled, "cancelled");
        const int rows = std::min(m.max_batch, n - b0);
        const auto batch =
            tokens.subspan(static_cast<std::size_t>(b0), static_cast<std::size_t>(rows));
        // Slots written by a batch before a failure are past n_past, so never read: the cache is
        // as before the call without undoing anything.
        if (Status s = m.set_position(m.n_past + b0); !s.ok())
            return s;
        if (Status s = m.upload_embeddings(batch); !s.ok())
            return s;
        Program one_off;
        const Program *program = nullptr;
        if (trace) {
            auto recorded = m.record_program(rows, all_logits, true);
            if (!recorded)
                return recorded.status();
            one_off = std::move(recorded).value();
            program = &one_off;
        } else {
            // Decode's program and the full batch's are kept; others are one-offs.
            const bool keep = rows == 1 || rows == m.max_batch;
            auto found = m.programs.find({rows, all_logits});
            if (found == m.programs.end()) {
                auto recorded = m.record_program(rows, all_logits, false);
                if (!recorded)
                    return recorded.status();
                if (keep)
                    found =
                        m.programs.emplace(std::pair{rows, all_logits}, std::move(recorded).value())
                            .first;
                else
                    one_off = std::move(recorded).value();
            }
            program = found != m.programs.end() ? &found->second : &one_off;
        }
        if (Status s = m.run_program(*program, rows, trace, layer_rows, routes); !s.ok())
            return s;
        if (all_logits || b0 + rows == n) {
            const std::size_t out_rows = all_logits ? static_cast<std::size_t>(rows) : 1;
            float *dst = logits.data() + (all_logits ? static_cast<std::size_t>(b0) * V : 0);
            if (Status s = m.ctx->download(*m.logits,
                                           std::as_writable_bytes(std::span(dst, out_rows * V)));
                !s.ok())
                return s;
        }
    }
    if (trace) {
        for (std::size_t l = 0; l < m.layers.size(); ++l) {
            if (trace->layer_out)
                trace->layer_out(static_cast<int>(l), layer_rows[l]);
            if (trace->router && !routes[l].first.empty())
                trace->router(static_cast<int>(l), routes[l].first, routes[l].second);
        }
    }
    m.n_past += n;
    return logits;
}

} // namespace glmdesk::engine
