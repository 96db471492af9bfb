#include "engine/model/glm45_forward.h"

#include "engine/common/thread_pool.h"
#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"
#include "kernels/cpu/dot_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

namespace glmdesk::engine {

std::uint64_t WeightView::row_bytes() const
{
    return block_format_bytes(format, static_cast<std::uint64_t>(row_len)).value_or(0);
}

namespace {

// ------------------------------------------------------------------------------ small helpers

std::string shape_text(std::int64_t a, std::int64_t b)
{
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

Status check_shape(const WeightView &w, std::int64_t row_len, std::int64_t n_rows)
{
    if (!w.present())
        return error(StatusCode::NotFound, "missing tensor " + w.name);
    if (w.row_len != row_len || w.n_rows != n_rows)
        return error(StatusCode::CorruptFile, w.name + ": expected " + shape_text(row_len, n_rows) +
                                                  ", found " + shape_text(w.row_len, w.n_rows));
    if (!block_format_supported(w.format))
        return error(StatusCode::Unsupported, w.name + ": block format " +
                                                  std::string(block_format_name(w.format)) +
                                                  " is not supported");
    if (w.row_bytes() == 0)
        return error(StatusCode::CorruptFile,
                     w.name + ": row of " + std::to_string(row_len) + " is not whole " +
                         std::string(block_format_name(w.format)) + " blocks");
    return {};
}

Expected<std::vector<float>> decode_vector(const WeightView &w, std::int64_t n)
{
    if (Status s = check_shape(w, n, 1); !s.ok())
        return s;
    std::vector<float> v(static_cast<std::size_t>(n));
    if (Status s = dequantize_row(w.format, w.data, v.size(), v.data()); !s.ok())
        return s.with_context(w.name);
    return v;
}

// Eight partial sums let the compiler vectorise without -ffast-math reassociation.
float dot(const float *a, const float *b, std::int64_t n)
{
    float acc[8] = {};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j)
            acc[j] += a[i + j] * b[i + j];
    float tail = 0.0f;
    for (; i < n; ++i)
        tail += a[i] * b[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

void rms_norm_rows(const float *x, const float *weight, float *y, int rows, int cols, float eps)
{
    for (int r = 0; r < rows; ++r) {
        const float *xr = x + static_cast<std::size_t>(r) * cols;
        float *yr = y + static_cast<std::size_t>(r) * cols;
        double sum_sq = 0.0;
        for (int c = 0; c < cols; ++c)
            sum_sq += static_cast<double>(xr[c]) * xr[c];
        const auto scale = static_cast<float>(1.0 / std::sqrt(sum_sq / cols + eps));
        for (int c = 0; c < cols; ++c)
            yr[c] = xr[c] * scale * weight[c];
    }
}

void add_bias(float *y, const std::vector<float> &bias, int rows)
{
    const auto cols = bias.size();
    for (int r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            y[r * cols + c] += bias[c];
}

float silu(float x)
{
    return x / (1.0f + std::exp(-x));
}

// out[t] = down(silu(gate x[t]) * up x[t]) for a SwiGLU block (dense MLP, shared or routed expert).
Status swiglu(const MatmulContext &mm, const WeightView &gate, const WeightView &up,
              const WeightView &down, const float *x, int n_tokens, float *out)
{
    const auto width = static_cast<std::size_t>(gate.n_rows);
    std::vector<float> g(width * n_tokens), u(width * n_tokens);
    if (Status s = matmul(mm, gate, x, n_tokens, g.data()); !s.ok())
        return s;
    if (Status s = matmul(mm, up, x, n_tokens, u.data()); !s.ok())
        return s;
    for (std::size_t i = 0; i < g.size(); ++i)
        g[i] = silu(g[i]) * u[i];
    return matmul(mm, down, g.data(), n_tokens, out);
}

} // namespace

namespace {

// The oracle path: engine/quant's scalar decoder, one row at a time, decoded once per batch.
Status matmul_reference(const WeightView &w, const float *x, int n_tokens, float *y)
{
    std::vector<float> row(static_cast<std::size_t>(w.row_len));
    const auto n_rows = static_cast<std::size_t>(w.n_rows);
    for (std::int64_t r = 0; r < w.n_rows; ++r) {
        if (Status s = dequantize_row(w.format, w.row(r), row.size(), row.data()); !s.ok())
            return s.with_context(w.name);
        for (int t = 0; t < n_tokens; ++t)
            y[t * n_rows + static_cast<std::size_t>(r)] =
                dot(row.data(), x + static_cast<std::size_t>(t) * row.size(), w.row_len);
    }
    return {};
}

} // namespace

Status matmul(const MatmulContext &ctx, const WeightView &w, const float *x, int n_tokens, float *y)
{
    if (ctx.path == MatmulPath::Reference)
        return matmul_reference(w, x, n_tokens, y);
    namespace cpu = kernels::cpu;
    const int n = static_cast<int>(w.row_len);
    const int n_rows = static_cast<int>(w.n_rows);
    // Quantize the activations once for every row (and thread) that reads them.
    cpu::QuantizedActivations xq;
    const bool quantized = ctx.path == MatmulPath::Fast && cpu::kernels(w.format).dot_q16 &&
                           cpu::quantize_activations(x, n, n_tokens, xq);
    std::atomic<bool> ok{true};
    auto rows = [&](std::int64_t r0, std::int64_t r1) {
        if (!cpu::matmul(w.format, w.data, w.row_bytes(), n, static_cast<int>(r0),
                         static_cast<int>(r1), x, quantized ? &xq : nullptr, n_tokens, y,
                         static_cast<std::size_t>(n_rows)))
            ok.store(false, std::memory_order_relaxed);
    };
    if (ctx.pool && n_rows >= 64)
        ctx.pool->parallel_for(n_rows, rows);
    else
        rows(0, n_rows);
    if (!ok.load())
        return error(StatusCode::Unsupported,
                     w.name + ": no CPU kernel for " + std::string(block_format_name(w.format)));
    return {};
}

// ------------------------------------------------------------------------------ construction

Glm45CpuModel::Glm45CpuModel(const Glm45Dims &dims, const Glm45Weights &weights, int n_ctx)
    : m_dims(dims), m_weights(weights), m_n_ctx(n_ctx)
{}

namespace {

Status take(Expected<std::vector<float>> e, std::vector<float> &out)
{
    if (!e)
        return e.status();
    out = std::move(e).value();
    return {};
}

} // namespace

Status Glm45CpuModel::check_and_decode_layer(const Glm45LayerWeights &lw, bool moe,
                                             const std::string &where, LayerVectors &v) const
{
    const Glm45Dims &d = m_dims;
    const std::int64_t H = d.n_embd, q_dim = std::int64_t(d.n_heads) * d.head_dim,
                       kv_dim = std::int64_t(d.n_kv_heads) * d.head_dim;
    const Status checks[] = {
        take(decode_vector(lw.attn_norm, H), v.attn_norm),
        take(decode_vector(lw.attn_q_bias, q_dim), v.q_bias),
        take(decode_vector(lw.attn_k_bias, kv_dim), v.k_bias),
        take(decode_vector(lw.attn_v_bias, kv_dim), v.v_bias),
        take(decode_vector(lw.post_attention_norm, H), v.post_norm),
        check_shape(lw.attn_q, H, q_dim),
        check_shape(lw.attn_k, H, kv_dim),
        check_shape(lw.attn_v, H, kv_dim),
        check_shape(lw.attn_output, q_dim, H),
    };
    for (const Status &s : checks)
        if (!s.ok())
            return s.with_context(where);
    if (d.use_qk_norm) {
        for (const Status &s : {take(decode_vector(lw.attn_q_norm, d.head_dim), v.q_norm),
                                take(decode_vector(lw.attn_k_norm, d.head_dim), v.k_norm)})
            if (!s.ok())
                return s.with_context(where);
    }
    if (!moe) {
        const std::int64_t F = lw.ffn_gate.n_rows;
        for (const Status &s : {check_shape(lw.ffn_gate, H, F), check_shape(lw.ffn_up, H, F),
                                check_shape(lw.ffn_down, F, H)})
            if (!s.ok())
                return s.with_context(where);
        return {};
    }
    if (Status s = take(decode_vector(lw.router_bias, d.n_experts), v.router_bias); !s.ok())
        return s.with_context(where);
    if (Status s = check_shape(lw.router, H, d.n_experts); !s.ok())
        return s.with_context(where);
    if (static_cast<int>(lw.exp_gate.size()) != d.n_experts ||
        lw.exp_up.size() != lw.exp_gate.size() || lw.exp_down.size() != lw.exp_gate.size())
        return error(StatusCode::CorruptFile,
                     where + ": expected " + std::to_string(d.n_experts) + " routed experts");
    for (std::size_t e = 0; e < lw.exp_gate.size(); ++e) {
        const std::int64_t F = lw.exp_gate[e].n_rows;
        for (const Status &s : {check_shape(lw.exp_gate[e], H, F), check_shape(lw.exp_up[e], H, F),
                                check_shape(lw.exp_down[e], F, H)})
            if (!s.ok())
                return s.with_context(where);
    }
    const std::int64_t Fs = lw.shexp_gate.n_rows;
    for (const Status &s : {check_shape(lw.shexp_gate, H, Fs), check_shape(lw.shexp_up, H, Fs),
                            check_shape(lw.shexp_down, Fs, H)})
        if (!s.ok())
            return s.with_context(where);
    return {};
}

Expected<Glm45CpuModel> Glm45CpuModel::create(const Glm45Dims &d, const Glm45Weights &w, int n_ctx,
                                              const CpuOptions &options)
{
    if (d.n_embd <= 0 || d.n_layers <= 0 || d.n_heads <= 0 || d.n_kv_heads <= 0 ||
        d.head_dim <= 0 || d.n_heads % d.n_kv_heads != 0 || d.rotary_dim < 0 ||
        d.rotary_dim > d.head_dim || d.rotary_dim % 2 != 0 || d.n_vocab <= 0 ||
        d.n_dense_layers < 0 || !(d.rms_eps > 0.0f) || !(d.rope_theta > 0.0f))
        return error(StatusCode::InvalidArgument, "inconsistent model dimensions");
    if (d.n_layers > d.n_dense_layers && (d.n_experts_used <= 0 || d.n_experts_used > d.n_experts))
        return error(StatusCode::InvalidArgument, "experts per token out of range");
    if (n_ctx <= 0)
        return error(StatusCode::InvalidArgument, "context size must be positive");
    if (options.kv_type == KvType::Q8_0 && d.head_dim % k_qk_small != 0)
        return error(
            StatusCode::Unsupported,
            "a q8_0 KV cache needs a head size that is a multiple of 32 (this model's is " +
                std::to_string(d.head_dim) + "): use f16");
    if (static_cast<int>(w.layers.size()) != d.n_layers)
        return error(StatusCode::CorruptFile, "expected " + std::to_string(d.n_layers) +
                                                  " layers, found " +
                                                  std::to_string(w.layers.size()));
    const std::int64_t H = d.n_embd;
    for (const Status &s :
         {check_shape(w.token_embd, H, d.n_vocab), check_shape(w.output, H, d.n_vocab)})
        if (!s.ok())
            return s;

    Glm45CpuModel model(d, w, n_ctx);
    model.m_kv_type = options.kv_type;
    model.m_max_batch = std::max(options.max_batch, 1);
    model.m_mm.path = options.matmul;
    if (options.matmul != MatmulPath::Reference) {
        model.m_pool = std::make_shared<ThreadPool>(options.n_threads);
        model.m_mm.pool = model.m_pool.get();
    }
    if (Status s = take(decode_vector(w.output_norm, H), model.m_output_norm); !s.ok())
        return s;
    for (int l = 0; l < d.n_layers; ++l) {
        LayerVectors v;
        if (Status s = model.check_and_decode_layer(w.layers[static_cast<std::size_t>(l)],
                                                    l >= d.n_dense_layers,
                                                    "layer " + std::to_string(l), v);
            !s.ok())
            return s;
        model.m_vectors.push_back(std::move(v));
    }
    if (model.m_weights.mtp) {
        Glm45MtpWeights &m = *model.m_weights.mtp;
        // GLM-4.6 files may leave out the MTP layer's own embedding and head: share the main ones.
        if (!m.embed.present())
            m.embed = w.token_embd;
        if (!m.head.present())
            m.head = w.output;
        for (const Status &s :
             {check_shape(m.eh_proj, 2 * H, H), check_shape(m.embed, H, d.n_vocab),
              check_shape(m.head, H, d.n_vocab), take(decode_vector(m.enorm, H), model.m_mtp_enorm),
              take(decode_vector(m.hnorm, H), model.m_mtp_hnorm),
              take(decode_vector(m.shared_head_norm, H), model.m_mtp_head_norm),
              model.check_and_decode_layer(m.layer, true, "MTP layer", model.m_mtp_vectors)})
            if (!s.ok())
                return s;
    }

    model.m_cache.assign(static_cast<std::size_t>(d.n_layers), model.make_cache());
    if (w.mtp)
        model.m_mtp_cache = model.make_cache();
    // As transformers computes it: inv_freq in float32, the angle position * inv_freq after.
    for (int i = 0; i < d.rotary_dim / 2; ++i)
        model.m_rope_inv_freq.push_back(
            1.0f /
            std::pow(d.rope_theta, static_cast<float>(2 * i) / static_cast<float>(d.rotary_dim)));
    return model;
}

namespace {

// Bytes of one head row (head_dim values) of K or V in the cache.
std::size_t kv_head_bytes(KvType type, int head_dim)
{
    const auto hd = static_cast<std::size_t>(head_dim);
    switch (type) {
    case KvType::F32:
        return hd * 4;
    case KvType::F16:
        return hd * 2;
    case KvType::Q8_0:
        return hd / k_qk_small * sizeof(BlockQ8_0);
    }
    return 0;
}

// Symmetric 8-bit blocks as ggml's q8_0: the scale is rounded to f16 first and the codes are
// computed with the rounded scale, so the stored pair reproduces x as closely as it can.
void quantize_q8_0(const float *x, std::size_t n, std::uint8_t *dst)
{
    for (std::size_t b = 0; b < n / k_qk_small; ++b) {
        const float *xb = x + b * k_qk_small;
        float amax = 0.0f;
        for (int i = 0; i < k_qk_small; ++i)
            amax = std::max(amax, std::fabs(xb[i]));
        BlockQ8_0 block{};
        block.d = float_to_fp16(amax / 127.0f);
        const float d = fp16_to_float(block.d);
        const float inv = d > 0.0f ? 1.0f / d : 0.0f;
        for (int i = 0; i < k_qk_small; ++i) {
            // The f16 rounding of d can put |x / d| a hair above 127; a NaN or infinity in K or V
            // (a broken model) stores 0 rather than reaching an undefined float-to-int cast.
            const float q = std::nearbyint(xb[i] * inv);
            block.qs[i] = static_cast<std::int8_t>(
                q >= -127.0f && q <= 127.0f ? q
                                            : (q > 0.0f ? 127.0f : (q < 0.0f ? -127.0f : 0.0f)));
        }
        std::memcpy(dst + b * sizeof(BlockQ8_0), &block, sizeof(BlockQ8_0));
    }
}

void dequantize_q8_0(const std::uint8_t *src, std::size_t n, float *out)
{
    for (std::size_t b = 0; b < n / k_qk_small; ++b) {
        BlockQ8_0 block{};
        std::memcpy(&block, src + b * sizeof(BlockQ8_0), sizeof(BlockQ8_0));
        const float d = fp16_to_float(block.d);
        for (int i = 0; i < k_qk_small; ++i)
            out[b * k_qk_small + static_cast<std::size_t>(i)] = d * block.qs[i];
    }
}

} // namespace

std::uint64_t kv_bytes_per_token(const Glm45Dims &dims, KvType type, int n_layers)
{
    return std::uint64_t(2) * static_cast<std::uint64_t>(n_layers) *
           static_cast<std::uint64_t>(dims.n_kv_heads) * kv_head_bytes(type, dims.head_dim);
}

std::uint64_t Glm45CpuModel::kv_bytes_per_token() const
{
    return glmdesk::engine::kv_bytes_per_token(m_dims, m_kv_type,
                                               m_dims.n_layers + (m_weights.mtp ? 1 : 0));
}

Glm45CpuModel::LayerCache Glm45CpuModel::make_cache() const
{
    const std::size_t bytes = static_cast<std::size_t>(m_n_ctx) * m_dims.n_kv_heads *
                              kv_head_bytes(m_kv_type, m_dims.head_dim);
    return {std::vector<std::uint8_t>(bytes), std::vector<std::uint8_t>(bytes)};
}

void Glm45CpuModel::store_kv_row(std::vector<std::uint8_t> &cache, std::size_t slot,
                                 const float *row) const
{
    const std::size_t n = static_cast<std::size_t>(m_dims.n_kv_heads) * m_dims.head_dim;
    auto *dst = cache.data() + slot * m_dims.n_kv_heads * kv_head_bytes(m_kv_type, m_dims.head_dim);
    switch (m_kv_type) {
    case KvType::F32:
        std::memcpy(dst, row, n * 4);
        return;
    case KvType::F16:
        for (std::size_t i = 0; i < n; ++i) {
            const Fp16Bits h = float_to_fp16(row[i]);
            std::memcpy(dst + 2 * i, &h, 2);
        }
        return;
    case KvType::Q8_0:
        // head_dim is a multiple of 32 (checked in create), so no block straddles two heads.
        quantize_q8_0(row, n, dst);
        return;
    }
}

void Glm45CpuModel::load_kv_head(const std::vector<std::uint8_t> &cache, std::size_t slot,
                                 int kv_head, float *out) const
{
    const std::size_t hd = static_cast<std::size_t>(m_dims.head_dim);
    const std::size_t head_bytes = kv_head_bytes(m_kv_type, m_dims.head_dim);
    const std::uint8_t *src =
        cache.data() + (slot * m_dims.n_kv_heads + static_cast<std::size_t>(kv_head)) * head_bytes;
    switch (m_kv_type) {
    case KvType::F32:
        std::memcpy(out, src, hd * 4);
        return;
    case KvType::F16:
        for (std::size_t i = 0; i < hd; ++i) {
            Fp16Bits h = 0;
            std::memcpy(&h, src + i * 2, 2);
            out[i] = fp16_to_float(h);
        }
        return;
    case KvType::Q8_0:
        dequantize_q8_0(src, hd, out);
        return;
    }
}

void Glm45CpuModel::truncate(int n_keep)
{
    m_n_past = std::clamp(n_keep, 0, m_n_past);
    m_mtp_n_past = std::clamp(n_keep - 1, 0, m_mtp_n_past);
}

void Glm45CpuModel::truncate_for_refeed(int n_keep)
{
    const int mtp_keep = std::clamp(n_keep, 0, std::min(m_mtp_n_past, m_n_past));
    m_n_past = std::clamp(n_keep, 0, m_n_past);
    m_mtp_n_past = mtp_keep;
}

void Glm45CpuModel::truncate_mtp(int n_mtp_positions)
{
    m_mtp_n_past = std::clamp(n_mtp_positions, 0, m_mtp_n_past);
}

std::span<const float> Glm45CpuModel::last_mtp_hidden() const
{
    const auto H = static_cast<std::size_t>(m_dims.n_embd);
    if (m_last_mtp_hidden.size() < H)
        return {};
    return std::span<const float>(m_last_mtp_hidden).last(H);
}

// ------------------------------------------------------------------------------ the forward pass

Expected<std::vector<float>> Glm45CpuModel::forward(std::span<const std::int32_t> tokens,
                                                    bool all_logits, const ForwardTrace *trace,
                                                    const std::atomic<bool> *cancel)
{
    return run_batches(tokens, all_logits, /*keep_all_hidden=*/true, /*feed_mtp=*/false, trace,
                       cancel);
}

Expected<std::vector<float>> Glm45CpuModel::prefill(std::span<const std::int32_t> tokens,
                                                    bool feed_mtp, const std::atomic<bool> *cancel)
{
    if (feed_mtp && !has_mtp())
        return error(StatusCode::NotFound, "this model file has no MTP (nextn) layer");
    if (feed_mtp && m_mtp_n_past != m_n_past)
        return error(StatusCode::InvalidArgument,
                     "MTP: the MTP cache does not end where the main cache does");
    const int mtp_before = m_mtp_n_past;
    auto logits = run_batches(tokens, false, /*keep_all_hidden=*/false, feed_mtp, nullptr, cancel);
    if (!logits && has_mtp())
        truncate_mtp(mtp_before); // the main cache never moved; the MTP cache follows it
    return logits;
}

Expected<std::vector<float>> Glm45CpuModel::run_batches(std::span<const std::int32_t> tokens,
                                                        bool all_logits, bool keep_all_hidden,
                                                        bool feed_mtp, const ForwardTrace *trace,
                                                        const std::atomic<bool> *cancel)
{
    const int n = static_cast<int>(tokens.size());
    const int H = m_dims.n_embd;
    if (n == 0)
        return error(StatusCode::InvalidArgument, "no tokens to run");
    if (n > m_n_ctx - m_n_past)
        return error(StatusCode::InvalidArgument,
                     "the context is full: " + std::to_string(m_n_past) + " + " +
                         std::to_string(n) + " tokens exceed " + std::to_string(m_n_ctx));
    for (const std::int32_t t : tokens)
        if (t < 0 || t >= m_dims.n_vocab)
            return error(StatusCode::InvalidArgument, "token id " + std::to_string(t) +
                                                          " is outside the vocabulary (" +
                                                          std::to_string(m_dims.n_vocab) + ")");

    // A long prompt runs in batches of m_max_batch tokens, each through every layer before the
    // next: the working buffers (q and the attention output are [batch, n_heads * head_dim], the
    // dense MLP's [batch, intermediate]) then stay near 100 MB at Air's widths whatever the
    // prompt length, and a batch of 512 already decodes each weight row once per 512 tokens.
    const auto V = static_cast<std::size_t>(m_dims.n_vocab);
    const auto uH = static_cast<std::size_t>(H);
    const bool batched = n > m_max_batch;
    // Trace callbacks see whole-prompt tensors; with batches the pieces are gathered first
    // (tests only: production passes no trace).
    ForwardTrace gather;
    std::vector<std::vector<float>> traced_layers;
    std::vector<std::pair<std::vector<int>, std::vector<float>>> traced_routes;
    if (trace && batched) {
        traced_layers.resize(static_cast<std::size_t>(m_dims.n_layers));
        traced_routes.resize(traced_layers.size());
        if (trace->layer_out)
            gather.layer_out = [&](int l, std::span<const float> r) {
                auto &v = traced_layers[static_cast<std::size_t>(l)];
                v.insert(v.end(), r.begin(), r.end());
            };
        if (trace->router)
            gather.router = [&](int l, std::span<const int> e, std::span<const float> w) {
                auto &[ev, wv] = traced_routes[static_cast<std::size_t>(l)];
                ev.insert(ev.end(), e.begin(), e.end());
                wv.insert(wv.end(), w.begin(), w.end());
            };
    }
    const ForwardTrace *layer_trace = batched && trace ? &gather : trace;

    std::vector<float> logits(all_logits ? static_cast<std::size_t>(n) * V : V);
    // Replaces m_last_hidden only on success, so a cancelled call leaves the previous one.
    // Without keep_all_hidden it holds one batch's rows at a time.
    std::vector<float> last_hidden(
        static_cast<std::size_t>(keep_all_hidden ? n : std::min(n, m_max_batch)) * uH);
    std::vector<float> x;
    for (int b0 = 0; b0 < n; b0 += m_max_batch) {
        const int m = std::min(m_max_batch, n - b0);
        x.resize(static_cast<std::size_t>(m) * uH);
        for (int t = 0; t < m; ++t) {
            const auto token = tokens[static_cast<std::size_t>(b0) + static_cast<std::size_t>(t)];
            if (Status s =
                    dequantize_row(m_weights.token_embd.format, m_weights.token_embd.row(token), uH,
                                   x.data() + static_cast<std::size_t>(t) * uH);
                !s.ok())
                return s.with_context(m_weights.token_embd.name);
        }
        for (int l = 0; l < m_dims.n_layers; ++l) {
            // Nothing is committed until the end (n_past moves last), so a cancel leaves no trace.
            if (cancel && cancel->load(std::memory_order_relaxed))
                return error(StatusCode::Cancelled, "cancelled");
            const auto li = static_cast<std::size_t>(l);
            decoder_layer(m_weights.layers[li], m_vectors[li], m_cache[li], m_n_past + b0,
                          m_n_past + b0, l, x.data(), m, layer_trace);
            if (layer_trace && layer_trace->layer_out)
                layer_trace->layer_out(l, x);
        }
        float *hidden =
            last_hidden.data() + (keep_all_hidden ? static_cast<std::size_t>(b0) * uH : 0);
        rms_norm_rows(x.data(), m_output_norm.data(), hidden, m, H, m_dims.rms_eps);
        // Logits of every row, or of the prompt's last row only (a [T, V] block at Air's vocabulary
        // is 310 MB for 512 tokens: generation never asks for it).
        if (all_logits || b0 + m == n) {
            const int rows = all_logits ? m : 1;
            const float *first = hidden + static_cast<std::size_t>(m - rows) * uH;
            float *dst = logits.data() + (all_logits ? static_cast<std::size_t>(b0) * V : 0);
            if (Status s = matmul(m_mm, m_weights.output, first, rows, dst); !s.ok())
                return s;
        }
        // The pairs (hidden at p, token at p + 1) whose token is inside the prompt; the last
        // row's pair waits for the token generation picks.
        if (const int pairs = std::min(m, n - 1 - b0); feed_mtp && pairs > 0) {
            auto drafts = mtp_forward(
                std::span<const float>(hidden, static_cast<std::size_t>(pairs) * uH),
                tokens.subspan(static_cast<std::size_t>(b0) + 1, static_cast<std::size_t>(pairs)),
                false);
            if (!drafts)
                return drafts.status();
        }
    }
    if (!keep_all_hidden) {
        const auto last_row = static_cast<std::size_t>((n - 1) % m_max_batch) * uH;
        last_hidden.erase(last_hidden.begin(),
                          last_hidden.begin() + static_cast<std::ptrdiff_t>(last_row));
        last_hidden.resize(uH);
    }
    if (trace && batched) {
        for (int l = 0; l < m_dims.n_layers; ++l) {
            const auto li = static_cast<std::size_t>(l);
            if (trace->layer_out)
                trace->layer_out(l, traced_layers[li]);
            if (trace->router && !traced_routes[li].first.empty())
                trace->router(l, traced_routes[li].first, traced_routes[li].second);
        }
    }
    m_last_hidden = std::move(last_hidden);
    if (trace && trace->final_norm)
        trace->final_norm(m_last_hidden);
    m_n_past += n;
    return logits;
}

Expected<std::vector<float>> Glm45CpuModel::mtp_forward(std::span<const float> prev_hidden,
                                                        std::span<const std::int32_t> tokens,
                                                        bool all_logits)
{
    if (!m_weights.mtp)
        return error(StatusCode::NotFound, "this model file has no MTP (nextn) layer");
    const int n = static_cast<int>(tokens.size());
    const int H = m_dims.n_embd;
    if (n == 0 || prev_hidden.size() != static_cast<std::size_t>(n) * H)
        return error(StatusCode::InvalidArgument, "MTP: need one hidden row per token");
    if (n > m_n_ctx - m_mtp_n_past)
        return error(StatusCode::InvalidArgument, "MTP: the context is full");
    for (const std::int32_t t : tokens)
        if (t < 0 || t >= m_dims.n_vocab)
            return error(StatusCode::InvalidArgument,
                         "token id " + std::to_string(t) + " is outside the vocabulary");
    const Glm45MtpWeights &m = *m_weights.mtp;

    // x = eh_proj @ concat(enorm(embed(token)), hnorm(hidden)): embedding first, hidden second.
    // In batches of m_max_batch rows, as forward() runs a long prompt.
    const auto uH = static_cast<std::size_t>(H);
    const auto V = static_cast<std::size_t>(m_dims.n_vocab);
    std::vector<float> logits(all_logits ? static_cast<std::size_t>(n) * V : V);
    std::vector<float> cat, x, e(uH);
    for (int b0 = 0; b0 < n; b0 += m_max_batch) {
        const int rows = std::min(m_max_batch, n - b0);
        cat.resize(2 * static_cast<std::size_t>(rows) * uH);
        x.resize(static_cast<std::size_t>(rows) * uH);
        for (int t = 0; t < rows; ++t) {
            const auto i = static_cast<std::size_t>(b0) + static_cast<std::size_t>(t);
            if (Status s =
                    dequantize_row(m.embed.format, m.embed.row(tokens[i]), e.size(), e.data());
                !s.ok())
                return s.with_context(m.embed.name);
            float *row = cat.data() + static_cast<std::size_t>(t) * 2 * uH;
            rms_norm_rows(e.data(), m_mtp_enorm.data(), row, 1, H, m_dims.rms_eps);
            rms_norm_rows(prev_hidden.data() + i * uH, m_mtp_hnorm.data(), row + H, 1, H,
                          m_dims.rms_eps);
        }
        if (Status s = matmul(m_mm, m.eh_proj, cat.data(), rows, x.data()); !s.ok())
            return s;
        decoder_layer(m.layer, m_mtp_vectors, m_mtp_cache, m_mtp_n_past + b0, m_mtp_n_past + 1 + b0,
                      m_dims.n_layers, x.data(), rows, nullptr);
        m_last_mtp_hidden.resize(x.size());
        rms_norm_rows(x.data(), m_mtp_head_norm.data(), m_last_mtp_hidden.data(), rows, H,
                      m_dims.rms_eps);
        if (all_logits || b0 + rows == n) {
            const int out_rows = all_logits ? rows : 1;
            const float *first =
                m_last_mtp_hidden.data() + static_cast<std::size_t>(rows - out_rows) * uH;
            float *dst = logits.data() + (all_logits ? static_cast<std::size_t>(b0) * V : 0);
            if (Status s = matmul(m_mm, m.head, first, out_rows, dst); !s.ok())
                return s;
        }
    }
    m_mtp_n_past += n;
    return logits;
}

void Glm45CpuModel::decoder_layer(const Glm45LayerWeights &lw, const LayerVectors &v,
                                  LayerCache &cache, int n_cached, int pos0, int layer_id, float *x,
                                  int n_tokens, const ForwardTrace *trace)
{
    const int H = m_dims.n_embd;
    const auto nH = static_cast<std::size_t>(n_tokens) * H;
    std::vector<float> h(nH), branch(nH);
    rms_norm_rows(x, v.attn_norm.data(), h.data(), n_tokens, H, m_dims.rms_eps);
    attention(lw, v, cache, n_cached, pos0, h.data(), n_tokens, branch.data());
    for (std::size_t i = 0; i < nH; ++i)
        x[i] += branch[i];
    rms_norm_rows(x, v.post_norm.data(), h.data(), n_tokens, H, m_dims.rms_eps);
    if (lw.is_moe())
        moe(lw, v, layer_id, h.data(), n_tokens, branch.data(), trace);
    else
        (void)swiglu(m_mm, lw.ffn_gate, lw.ffn_up, lw.ffn_down, h.data(), n_tokens, branch.data());
    for (std::size_t i = 0; i < nH; ++i)
        x[i] += branch[i];
}

void Glm45CpuModel::attention(const Glm45LayerWeights &lw, const LayerVectors &v, LayerCache &cache,
                              int n_cached, int pos0, const float *h, int n_tokens, float *out)
{
    const int hd = m_dims.head_dim, nh = m_dims.n_heads, nkv = m_dims.n_kv_heads;
    const int q_dim = nh * hd, kv_dim = nkv * hd, group = nh / nkv;
    std::vector<float> q(static_cast<std::size_t>(n_tokens) * q_dim);
    std::vector<float> k(static_cast<std::size_t>(n_tokens) * kv_dim), vv(k.size());
    // Shapes and formats were checked at load, so these cannot fail.
    (void)matmul(m_mm, lw.attn_q, h, n_tokens, q.data());
    (void)matmul(m_mm, lw.attn_k, h, n_tokens, k.data());
    (void)matmul(m_mm, lw.attn_v, h, n_tokens, vv.data());
    add_bias(q.data(), v.q_bias, n_tokens);
    add_bias(k.data(), v.k_bias, n_tokens);
    add_bias(vv.data(), v.v_bias, n_tokens);
    if (m_dims.use_qk_norm) {
        rms_norm_rows(q.data(), v.q_norm.data(), q.data(), n_tokens * nh, hd, m_dims.rms_eps);
        rms_norm_rows(k.data(), v.k_norm.data(), k.data(), n_tokens * nkv, hd, m_dims.rms_eps);
    }

    // Partial RoPE, rotate-half (NeoX) pairing: dims i and i + rd/2 of the first rd dims rotate.
    const int half = m_dims.rotary_dim / 2;
    auto rope = [&](float *head, int pos) {
        for (int i = 0; i < half; ++i) {
            const double theta = static_cast<double>(pos) * m_rope_inv_freq[static_cast<size_t>(i)];
            const double c = std::cos(theta), s = std::sin(theta);
            const double a = head[i], b = head[i + half];
            head[i] = static_cast<float>(a * c - b * s);
            head[i + half] = static_cast<float>(b * c + a * s);
        }
    };
    for (int t = 0; t < n_tokens; ++t) {
        for (int j = 0; j < nh; ++j)
            rope(q.data() + static_cast<std::size_t>(t) * q_dim + j * hd, pos0 + t);
        for (int j = 0; j < nkv; ++j)
            rope(k.data() + static_cast<std::size_t>(t) * kv_dim + j * hd, pos0 + t);
        const auto slot = static_cast<std::size_t>(n_cached) + static_cast<std::size_t>(t);
        store_kv_row(cache.k, slot, k.data() + static_cast<std::size_t>(t) * kv_dim);
        store_kv_row(cache.v, slot, vv.data() + static_cast<std::size_t>(t) * kv_dim);
    }

    // Causal softmax attention. Each cached K/V head row is decoded once per query token and
    // used by all `group` query heads that share it.
    std::vector<float> ctx(static_cast<std::size_t>(n_tokens) * q_dim, 0.0f);
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    const auto max_keys = static_cast<std::size_t>(n_cached) + static_cast<std::size_t>(n_tokens);
    std::vector<float> scores(max_keys * group), row(static_cast<std::size_t>(hd));
    for (int t = 0; t < n_tokens; ++t) {
        const int n_keys = n_cached + t + 1;
        for (int kvh = 0; kvh < nkv; ++kvh) {
            const float *q0 = q.data() + static_cast<std::size_t>(t) * q_dim + kvh * group * hd;
            for (int p = 0; p < n_keys; ++p) {
                load_kv_head(cache.k, static_cast<std::size_t>(p), kvh, row.data());
                for (int g = 0; g < group; ++g)
                    scores[static_cast<std::size_t>(g) * max_keys + p] =
                        dot(q0 + g * hd, row.data(), hd) * scale;
            }
            for (int g = 0; g < group; ++g) {
                float *sg = scores.data() + static_cast<std::size_t>(g) * max_keys;
                const float max_score = *std::max_element(sg, sg + n_keys);
                double sum = 0.0;
                for (int p = 0; p < n_keys; ++p) {
                    sg[p] = std::exp(sg[p] - max_score);
                    sum += sg[p];
                }
                const auto inv = static_cast<float>(1.0 / sum);
                for (int p = 0; p < n_keys; ++p)
                    sg[p] *= inv;
            }
            float *o0 = ctx.data() + static_cast<std::size_t>(t) * q_dim + kvh * group * hd;
            for (int p = 0; p < n_keys; ++p) {
                load_kv_head(cache.v, static_cast<std::size_t>(p), kvh, row.data());
                for (int g = 0; g < group; ++g) {
                    const float w = scores[static_cast<std::size_t>(g) * max_keys + p];
                    float *oh = o0 + g * hd;
                    for (int c = 0; c < hd; ++c)
                        oh[c] += w * row[static_cast<std::size_t>(c)];
                }
            }
        }
    }
    (void)matmul(m_mm, lw.attn_output, ctx.data(), n_tokens, out);
}

void Glm45CpuModel::moe(const Glm45LayerWeights &lw, const LayerVectors &v, int layer_id,
                        const float *h, int n_tokens, float *out, const ForwardTrace *trace)
{
    const int H = m_dims.n_embd, E = m_dims.n_experts, K = m_dims.n_experts_used;

    // Router in float32 (as the reference runs it): sigmoid scores; the correction bias only
    // decides which experts are chosen, the weights come from the plain scores.
    std::vector<float> logits(static_cast<std::size_t>(n_tokens) * E);
    (void)matmul(m_mm, lw.router, h, n_tokens, logits.data());
    std::vector<int> chosen(static_cast<std::size_t>(n_tokens) * K);
    std::vector<float> weights(chosen.size());
    std::vector<int> order(static_cast<std::size_t>(E));
    std::vector<float> score(static_cast<std::size_t>(E)), choice(score.size());
    for (int t = 0; t < n_tokens; ++t) {
        for (int e = 0; e < E; ++e) {
            score[e] = 1.0f / (1.0f + std::exp(-logits[static_cast<std::size_t>(t) * E + e]));
            choice[e] = score[e] + v.router_bias[static_cast<std::size_t>(e)];
        }
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + K, order.end(), [&](int a, int b) {
            return choice[a] != choice[b] ? choice[a] > choice[b] : a < b;
        });
        std::sort(order.begin(), order.begin() + K); // ascending ids, as the trace reports them
        float sum = 0.0f;
        for (int i = 0; i < K; ++i)
            sum += score[order[i]];
        for (int i = 0; i < K; ++i) {
            float w = score[order[i]];
            if (m_dims.norm_topk_prob)
                w /= sum + 1e-20f;
            chosen[static_cast<std::size_t>(t) * K + i] = order[i];
            weights[static_cast<std::size_t>(t) * K + i] = w * m_dims.routed_scaling_factor;
        }
    }
    if (trace && trace->router)
        trace->router(layer_id, chosen, weights);

    // Shared expert over every token, then each routed expert over the tokens that chose it:
    // every expert row is decoded once per batch however many tokens use it.
    (void)swiglu(m_mm, lw.shexp_gate, lw.shexp_up, lw.shexp_down, h, n_tokens, out);
    std::vector<float> xe, ye;
    std::vector<int> rows;
    std::vector<float> row_w;
    for (int e = 0; e < E; ++e) {
        rows.clear();
        row_w.clear();
        for (int t = 0; t < n_tokens; ++t)
            for (int i = 0; i < K; ++i)
                if (chosen[static_cast<std::size_t>(t) * K + i] == e) {
                    rows.push_back(t);
                    row_w.push_back(weights[static_cast<std::size_t>(t) * K + i]);
                }
        if (rows.empty())
            continue;
        const int m = static_cast<int>(rows.size());
        xe.resize(static_cast<std::size_t>(m) * H);
        ye.resize(xe.size());
        for (int r = 0; r < m; ++r)
            std::copy_n(h + static_cast<std::size_t>(rows[r]) * H, H,
                        xe.data() + static_cast<std::size_t>(r) * H);
        const auto ei = static_cast<std::size_t>(e);
        (void)swiglu(m_mm, lw.exp_gate[ei], lw.exp_up[ei], lw.exp_down[ei], xe.data(), m,
                     ye.data());
        for (int r = 0; r < m; ++r)
            for (int c = 0; c < H; ++c)
                out[static_cast<std::size_t>(rows[r]) * H + c] +=
                    row_w[static_cast<std::size_t>(r)] * ye[static_cast<std::size_t>(r) * H + c];
    }
}

} // namespace glmdesk::engine
