#include "engine/model/glm45_forward.h"

#include "engine/common/thread_pool.h"
#include "engine/model/cpu_attention.h"
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

} // namespace

namespace {

// The oracle path: engine/quant's scalar decoder, one row at a time, decoded once per batch.
// y[t * ldy + r] for rows [r0, r1); token t reads activation row x_rows ? x_rows[t] : t.
Status matmul_reference(const WeightView &w, const float *x, int n_tokens, float *y,
                        std::size_t ldy, std::int64_t r0, std::int64_t r1,
                        const int *x_rows = nullptr)
{
    std::vector<float> row(static_cast<std::size_t>(w.row_len));
    for (std::int64_t r = r0; r < r1; ++r) {
        if (Status s = dequantize_row(w.format, w.row(r), row.size(), row.data()); !s.ok())
            return s.with_context(w.name);
        for (int t = 0; t < n_tokens; ++t) {
            const auto a = static_cast<std::size_t>(x_rows ? x_rows[t] : t);
            y[static_cast<std::size_t>(t) * ldy + static_cast<std::size_t>(r)] =
                dot(row.data(), x + a * row.size(), w.row_len);
        }
    }
    return {};
}

} // namespace

namespace {

// ---------------------------------------------------------------- products run as one pool job
// The products of a layer that can run at the same time (q, k and v; the shared and the routed
// experts' gate and up; their down projections) run as one pool job: one wake-up and one barrier
// for the group instead of one per matrix, the activations quantized once, and every thread
// streaming weight bytes all the time. The rows of all the products form one sequence; each
// thread takes a contiguous stretch of equal estimated cost (the row's bytes once, plus once per
// token), so a decode step's eight experts are split across the cores like one long matrix:
// experts x rows. Prefill cuts the sequence into more pieces than threads and lets threads take
// them as they finish, since routed experts see different numbers of tokens.
struct MatmulTask
{
    const WeightView *w = nullptr;
    const WeightView *w_up = nullptr; // a SwiGLU pair: y = silu(w x) * (w_up x)
    const float *x = nullptr;         // f32 [n_tokens, row_len]
    const kernels::cpu::QuantizedActivations *xq = nullptr; // x quantized, or null (exact path)
    int n_tokens = 0;
    float *y = nullptr;          // f32 [n_tokens, w->n_rows]
    float *y_up = nullptr;       // a pair's up products: scratch of y's size
    const int *x_rows = nullptr; // token t reads activation row x_rows[t] (null: row t)
};

std::int64_t ceil_div(std::int64_t a, std::int64_t b)
{
    return (a + b - 1) / b;
}

// x quantized into xq when the path quantizes activations and some weight can use them; returns
// &xq or null (every product then uses the float activations).
const kernels::cpu::QuantizedActivations *
quantize_for(const MatmulContext &ctx, std::initializer_list<const WeightView *> weights,
             const float *x, int n, int n_tokens, kernels::cpu::QuantizedActivations &xq)
{
    if (ctx.path != MatmulPath::Fast)
        return nullptr;
    bool wanted = false, bf16 = false;
    for (const WeightView *w : weights) {
        wanted = wanted || kernels::cpu::kernels(w->format).dot_q16 != nullptr;
        bf16 = bf16 || w->format == BlockFormat::BF16;
    }
    return wanted && kernels::cpu::quantize_activations(x, n, n_tokens, xq, bf16) ? &xq : nullptr;
}

// y[t * ldy + r] = W row r . activation row of token t, for rows [r0, r1): the oracle or the
// CPU kernels, as the path says.
bool product_rows(MatmulPath path, const WeightView &w, const float *x,
                  const kernels::cpu::QuantizedActivations *xq, int n_tokens, float *y,
                  std::size_t ldy, int r0, int r1, const int *x_rows)
{
    if (path == MatmulPath::Reference)
        return matmul_reference(w, x, n_tokens, y, ldy, r0, r1, x_rows).ok();
    return kernels::cpu::matmul(w.format, w.data, w.row_bytes(), static_cast<int>(w.row_len), r0,
                                r1, x, xq, n_tokens, y, ldy, x_rows);
}

bool run_task_rows(MatmulPath path, const MatmulTask &task, int r0, int r1)
{
    const auto ldy = static_cast<std::size_t>(task.w->n_rows);
    if (!product_rows(path, *task.w, task.x, task.xq, task.n_tokens, task.y, ldy, r0, r1,
                      task.x_rows))
        return false;
    if (task.w_up == nullptr)
        return true;
    if (!product_rows(path, *task.w_up, task.x, task.xq, task.n_tokens, task.y_up, ldy, r0, r1,
                      task.x_rows))
        return false;
    for (int t = 0; t < task.n_tokens; ++t)
        for (int r = r0; r < r1; ++r) {
            const std::size_t i = static_cast<std::size_t>(t) * ldy + static_cast<std::size_t>(r);
            task.y[i] = silu(task.y[i]) * task.y_up[i];
        }
    return true;
}

// Cuts [0, total) of cost into `parts` stretches and runs part(p, lo, hi) for each on the pool:
// one static part per thread for a decode step, more parts taken dynamically for a batch.
template <typename Part>
void run_parts(const MatmulContext &ctx, std::int64_t total, bool batch, Part &&part)
{
    const int threads = ctx.pool ? ctx.pool->size() : 1;
    const int parts = batch ? 4 * threads : threads;
    auto body = [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t p = p0; p < p1; ++p)
            part(total / parts * p + total % parts * p / parts,
                 total / parts * (p + 1) + total % parts * (p + 1) / parts);
    };
    if (!ctx.pool || parts == 1)
        body(0, parts);
    else if (parts > threads)
        ctx.pool->parallel_for_dynamic(parts, 1, body);
    else
        ctx.pool->parallel_for(parts, body);
}

// The error for a job whose product refused its arguments: a format without a CPU kernel (the
// loader checks shapes, so that is the one way there).
Status unsupported_product(std::span<const MatmulTask> tasks)
{
    for (const MatmulTask &t : tasks)
        for (const WeightView *w : {t.w, t.w_up})
            if (w != nullptr && kernels::cpu::kernels(w->format).dot_f32 == nullptr)
                return error(StatusCode::Unsupported,
                             w->name + ": no CPU kernel for " +
                                 std::string(block_format_name(w->format)));
    return error(StatusCode::Internal, "a CPU matrix product refused its arguments");
}

Status run_tasks(const MatmulContext &ctx, std::span<const MatmulTask> tasks)
{
    // Task i's rows start at cost first[i]; each of its rows costs row_cost[i].
    std::vector<std::int64_t> row_cost(tasks.size()), first(tasks.size() + 1, 0);
    std::int64_t rows = 0;
    int max_tokens = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const MatmulTask &t = tasks[i];
        const auto bytes = static_cast<std::int64_t>(t.w->row_bytes());
        row_cost[i] = std::max<std::int64_t>(1, bytes * (1 + t.n_tokens) * (t.w_up ? 2 : 1));
        first[i + 1] = first[i] + row_cost[i] * t.w->n_rows;
        rows += t.w->n_rows;
        max_tokens = std::max(max_tokens, t.n_tokens);
    }
    std::atomic<bool> ok{true};
    // Rows whose cost offset falls in [lo, hi) belong to that part.
    auto part = [&](std::int64_t lo, std::int64_t hi) {
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            if (first[i + 1] <= lo || first[i] >= hi)
                continue;
            const std::int64_t n_rows = tasks[i].w->n_rows;
            const std::int64_t r0 =
                std::clamp<std::int64_t>(ceil_div(lo - first[i], row_cost[i]), 0, n_rows);
            const std::int64_t r1 =
                std::clamp<std::int64_t>(ceil_div(hi - first[i], row_cost[i]), 0, n_rows);
            if (r0 < r1 &&
                !run_task_rows(ctx.path, tasks[i], static_cast<int>(r0), static_cast<int>(r1)))
                ok.store(false, std::memory_order_relaxed);
        }
    };
    if (rows < 64)
        part(0, first.back());
    else
        run_parts(ctx, first.back(), max_tokens > 1, part);
    if (!ok.load())
        return unsupported_product(tasks);
    return {};
}

// out[t] = down(silu(gate x[t]) * up x[t]) for a SwiGLU block (the dense MLP).
Status swiglu(const MatmulContext &mm, const WeightView &gate, const WeightView &up,
              const WeightView &down, const float *x, int n_tokens, float *out)
{
    const auto width = static_cast<std::size_t>(gate.n_rows);
    std::vector<float> g(width * n_tokens), u(width * n_tokens);
    kernels::cpu::QuantizedActivations xq, gq;
    const MatmulTask pair{
        &gate,    &up,
        x,        quantize_for(mm, {&gate, &up}, x, static_cast<int>(gate.row_len), n_tokens, xq),
        n_tokens, g.data(),
        u.data()};
    if (Status s = run_tasks(mm, {&pair, 1}); !s.ok())
        return s;
    const MatmulTask proj{
        &down,    nullptr,
        g.data(), quantize_for(mm, {&down}, g.data(), static_cast<int>(down.row_len), n_tokens, gq),
        n_tokens, out};
    return run_tasks(mm, {&proj, 1});
}

} // namespace

Status matmul(const MatmulContext &ctx, const WeightView &w, const float *x, int n_tokens, float *y)
{
    kernels::cpu::QuantizedActivations xq;
    const MatmulTask task{
        &w,       nullptr, x, quantize_for(ctx, {&w}, x, static_cast<int>(w.row_len), n_tokens, xq),
        n_tokens, y};
    return run_tasks(ctx, {&task, 1});
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
        model.m_pool = std::make_shared<ThreadPool>(options.n_threads, options.pin_threads);
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
    const int q_dim = nh * hd, kv_dim = nkv * hd;
    std::vector<float> q(static_cast<std::size_t>(n_tokens) * q_dim);
    std::vector<float> k(static_cast<std::size_t>(n_tokens) * kv_dim), vv(k.size());
    // Shapes and formats were checked at load, so these cannot fail.
    kernels::cpu::QuantizedActivations hq;
    const auto *hqp =
        quantize_for(m_mm, {&lw.attn_q, &lw.attn_k, &lw.attn_v}, h, m_dims.n_embd, n_tokens, hq);
    const MatmulTask qkv[] = {{&lw.attn_q, nullptr, h, hqp, n_tokens, q.data()},
                              {&lw.attn_k, nullptr, h, hqp, n_tokens, k.data()},
                              {&lw.attn_v, nullptr, h, hqp, n_tokens, vv.data()}};
    (void)run_tasks(m_mm, qkv);
    add_bias(q.data(), v.q_bias, n_tokens);
    add_bias(k.data(), v.k_bias, n_tokens);
    add_bias(vv.data(), v.v_bias, n_tokens);
    if (m_dims.use_qk_norm) {
        rms_norm_rows(q.data(), v.q_norm.data(), q.data(), n_tokens * nh, hd, m_dims.rms_eps);
        rms_norm_rows(k.data(), v.k_norm.data(), k.data(), n_tokens * nkv, hd, m_dims.rms_eps);
    }

    // Partial RoPE, rotate-half (NeoX) pairing: dims i and i + rd/2 of the first rd dims rotate.
    // The angles depend on the position only, so each token's are computed once for all heads.
    const int half = m_dims.rotary_dim / 2;
    std::vector<double> cos_t(static_cast<std::size_t>(half)), sin_t(cos_t.size());
    auto rope = [&](float *head) {
        for (int i = 0; i < half; ++i) {
            const double c = cos_t[static_cast<std::size_t>(i)];
            const double s = sin_t[static_cast<std::size_t>(i)];
            const double a = head[i], b = head[i + half];
            head[i] = static_cast<float>(a * c - b * s);
            head[i + half] = static_cast<float>(b * c + a * s);
        }
    };
    for (int t = 0; t < n_tokens; ++t) {
        for (int i = 0; i < half; ++i) {
            const double theta =
                static_cast<double>(pos0 + t) * m_rope_inv_freq[static_cast<size_t>(i)];
            cos_t[static_cast<std::size_t>(i)] = std::cos(theta);
            sin_t[static_cast<std::size_t>(i)] = std::sin(theta);
        }
        for (int j = 0; j < nh; ++j)
            rope(q.data() + static_cast<std::size_t>(t) * q_dim + j * hd);
        for (int j = 0; j < nkv; ++j)
            rope(k.data() + static_cast<std::size_t>(t) * kv_dim + j * hd);
        const auto slot = static_cast<std::size_t>(n_cached) + static_cast<std::size_t>(t);
        store_kv_row(cache.k, slot, k.data() + static_cast<std::size_t>(t) * kv_dim);
        store_kv_row(cache.v, slot, vv.data() + static_cast<std::size_t>(t) * kv_dim);
    }

    // Causal softmax attention over the cache, every (KV head, query) or (KV head, key segment)
    // on the pool (cpu_attention.h).
    std::vector<float> ctx(static_cast<std::size_t>(n_tokens) * q_dim);
    KvCacheView view;
    view.k = cache.k.data();
    view.v = cache.v.data();
    view.format = m_kv_type == KvType::F32   ? BlockFormat::F32
                  : m_kv_type == KvType::F16 ? BlockFormat::F16
                                             : BlockFormat::Q8_0;
    view.head_bytes = kv_head_bytes(m_kv_type, hd);
    view.n_kv_heads = nkv;
    view.head_dim = hd;
    causal_attention(m_mm.pool, view, q.data(), n_tokens, nh, n_cached,
                     1.0f / std::sqrt(static_cast<float>(hd)), ctx.data());
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
    // every expert row is decoded once per batch however many tokens use it. All the gate/up
    // pairs run as one job (MatmulTask), the routed experts reading their tokens' rows of h in
    // place; then the down projections as a second job.
    namespace cpu = kernels::cpu;
    const auto uH = static_cast<std::size_t>(H);
    const auto uK = static_cast<std::size_t>(K);
    const int F = static_cast<int>(lw.exp_gate.front().n_rows);
    const int F_sh = static_cast<int>(lw.shexp_gate.n_rows);
    const auto uF = static_cast<std::size_t>(F);
    // Slots: the (token, choice) pairs grouped by expert, tokens ascending within an expert.
    std::vector<int> first_slot(static_cast<std::size_t>(E) + 1, 0);
    for (const int e : chosen)
        ++first_slot[static_cast<std::size_t>(e) + 1];
    std::partial_sum(first_slot.begin(), first_slot.end(), first_slot.begin());
    const std::size_t n_slots = chosen.size();
    std::vector<int> token_of(n_slots), slots(n_slots);
    std::vector<float> slot_weight(n_slots);
    {
        std::vector<int> next(first_slot.begin(), first_slot.end() - 1);
        for (std::size_t c = 0; c < n_slots; ++c) {
            const auto slot = static_cast<std::size_t>(next[static_cast<std::size_t>(chosen[c])]++);
            token_of[slot] = static_cast<int>(c / uK);
            slot_weight[slot] = weights[c];
        }
    }
    std::iota(slots.begin(), slots.end(), 0);

    cpu::QuantizedActivations hq, act_sh_q, act_q;
    const WeightView *gate0 = &lw.exp_gate.front();
    const cpu::QuantizedActivations *hqp = quantize_for(
        m_mm, {&lw.shexp_gate, &lw.shexp_up, gate0, &lw.exp_up.front()}, h, H, n_tokens, hq);
    std::vector<float> act_sh(static_cast<std::size_t>(n_tokens) * static_cast<std::size_t>(F_sh));
    std::vector<float> up_sh(act_sh.size()), act(n_slots * uF), up(act.size());
    std::vector<MatmulTask> tasks;
    tasks.push_back({&lw.shexp_gate, &lw.shexp_up, h, hqp, n_tokens, act_sh.data(), up_sh.data()});
    for (int e = 0; e < E; ++e) {
        const auto ue = static_cast<std::size_t>(e);
        const int j0 = first_slot[ue], m = first_slot[ue + 1] - j0;
        if (m == 0)
            continue;
        const auto uj0 = static_cast<std::size_t>(j0);
        tasks.push_back({&lw.exp_gate[ue], &lw.exp_up[ue], h, hqp, m, act.data() + uj0 * uF,
                         up.data() + uj0 * uF, token_of.data() + uj0});
    }
    (void)run_tasks(m_mm, tasks);
    up_sh = {};
    up = {};

    // Down projections, split by output rows: the part owning rows [r0, r1) of `out` writes the
    // shared expert's rows there, then adds each routed expert's rows in ascending expert order
    // (the order chosen[] lists them per token), so no two threads touch one element and the
    // sum's order never depends on the split. Routed outputs go through a 16-token tile.
    const cpu::QuantizedActivations *act_sh_qp =
        quantize_for(m_mm, {&lw.shexp_down}, act_sh.data(), F_sh, n_tokens, act_sh_q);
    const cpu::QuantizedActivations *act_qp =
        quantize_for(m_mm, {&lw.exp_down.front()}, act.data(), F, static_cast<int>(n_slots), act_q);
    constexpr int k_tile = 16;
    auto rows = [&](std::int64_t lo, std::int64_t hi) {
        const auto r0 = static_cast<int>(lo), r1 = static_cast<int>(hi);
        if (r0 >= r1)
            return;
        thread_local std::vector<float> tile;
        tile.resize(k_tile * uH);
        bool fine = product_rows(m_mm.path, lw.shexp_down, act_sh.data(), act_sh_qp, n_tokens, out,
                                 uH, r0, r1, nullptr);
        for (int e = 0; e < E && fine; ++e) {
            const auto ue = static_cast<std::size_t>(e);
            for (int j = first_slot[ue]; j < first_slot[ue + 1] && fine; j += k_tile) {
                const int m = std::min(k_tile, first_slot[ue + 1] - j);
                const auto uj = static_cast<std::size_t>(j);
                fine = product_rows(m_mm.path, lw.exp_down[ue], act.data(), act_qp, m, tile.data(),
                                    uH, r0, r1, slots.data() + uj);
                for (int i = 0; i < m && fine; ++i) {
                    const float w = slot_weight[uj + static_cast<std::size_t>(i)];
                    float *o =
                        out +
                        static_cast<std::size_t>(token_of[uj + static_cast<std::size_t>(i)]) * uH;
                    const float *y = tile.data() + static_cast<std::size_t>(i) * uH;
                    for (int c = r0; c < r1; ++c)
                        o[c] += w * y[c];
                }
            }
        }
    };
    // Parts of whole rows: the cost of a row is the same in every part. Shapes and formats were
    // checked at load, so a product cannot refuse; `fine` only stops a part early if one did.
    run_parts(m_mm, H, n_tokens > 1, rows);
}

} // namespace glmdesk::engine
