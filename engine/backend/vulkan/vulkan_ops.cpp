#include "engine/backend/vulkan/vulkan_ops.h"

#include "engine/backend/vulkan/vulkan_op_support.h"

#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace glmdesk::engine {

using namespace vulkan_detail;

namespace {

constexpr std::int64_t k_matmul_tile = 8; // TILE of the matmul_* shaders

// The add shader's three uses (see add.comp).
Status record_add_or_copy(VulkanSequence &seq, const VulkanBuffer &y, const VulkanBuffer &b,
                          std::int64_t n, std::int64_t period, std::int64_t src_offset,
                          bool accumulate)
{
    const std::int64_t groups = (n + 255) / 256;
    if (n <= 0 || period <= 0 || n % period != 0 || src_offset < 0 || groups > k_grid_x ||
        src_offset > k_u32_max - period)
        return bad(accumulate ? "add" : "copy", "bad size");
    if (!fits(y, n * 4) || !fits(b, (src_offset + period) * 4))
        return bad(accumulate ? "add" : "copy", "buffer sizes do not match the shape");
    const std::array<std::uint32_t, 4> push = {
        static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(period),
        static_cast<std::uint32_t>(src_offset), accumulate ? 1u : 0u};
    const std::array<const VulkanBuffer *, 2> buffers = {&y, &b};
    return seq.dispatch(VulkanShader::Add, buffers, std::as_bytes(std::span(push)),
                        static_cast<std::uint32_t>(groups));
}

} // namespace

const WeightShaders *vulkan_detail::weight_shaders(BlockFormat format)
{
    static constexpr WeightShaders k_table[] = {
#define GLMDESK_VULKAN_ROW(format, blob)                                                           \
    {BlockFormat::format, VulkanShader::Matvec##format, VulkanShader::Matmul##format,              \
     VulkanShader::MatvecId##format},
        GLMDESK_VULKAN_WEIGHT_FORMATS(GLMDESK_VULKAN_ROW)
#undef GLMDESK_VULKAN_ROW
    };
    for (const WeightShaders &w : k_table)
        if (w.format == format)
            return &w;
    return nullptr;
}

bool vulkan_matvec_supported(BlockFormat format)
{
    return weight_shaders(format) != nullptr;
}

Status record_matmul(VulkanSequence &seq, BlockFormat format, const VulkanBuffer &w,
                     const VulkanBuffer &x, const VulkanBuffer &y, std::int64_t rows,
                     std::int64_t cols, std::int64_t n_cols)
{
    const WeightShaders *f = weight_shaders(format);
    if (f == nullptr)
        return error(StatusCode::Unsupported, "Vulkan matmul: no shader for weight format " +
                                                  std::to_string(static_cast<int>(format)));
    const BlockFormatInfo info = block_format_info(format);
    if (rows <= 0 || cols <= 0 || n_cols <= 0 || rows > k_grid_x * k_grid_x)
        return bad("Vulkan matmul", "bad shape");
    if (cols % info.block_size != 0)
        return bad("Vulkan matmul", "cols is not a whole number of blocks");
    const std::int64_t row_bytes = cols / info.block_size * info.type_size;
    // The shaders index W bytes and X/Y floats with 32-bit integers.
    if (rows > k_u32_max / row_bytes || cols > k_u32_max / n_cols || rows > k_u32_max / n_cols)
        return bad("Vulkan matmul", "tensor too large for 32-bit indexing");
    if (!fits(w, rows * row_bytes) || !fits(x, n_cols * cols * 4) || !fits(y, n_cols * rows * 4))
        return bad("Vulkan matmul", "a buffer is smaller than the shape");
    struct Push
    {
        std::uint32_t rows, cols, n_cols, row_bytes;
    } push{static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(cols),
           static_cast<std::uint32_t>(n_cols), static_cast<std::uint32_t>(row_bytes)};
    const std::array<const VulkanBuffer *, 3> buffers = {&w, &x, &y};
    const bool decode = n_cols == 1;
    const auto groups_y =
        static_cast<std::uint32_t>(decode ? 1 : (n_cols + k_matmul_tile - 1) / k_matmul_tile);
    if (groups_y > k_grid_x)
        return bad("Vulkan matmul", "too many columns");
    return seq.dispatch(decode ? f->matvec : f->matmul, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(std::min(rows, k_grid_x)), groups_y,
                        static_cast<std::uint32_t>((rows + k_grid_x - 1) / k_grid_x));
}

Expected<std::vector<float>> vulkan_matmul(VulkanContext &ctx, BlockFormat format,
                                           std::span<const std::byte> w, std::int64_t rows,
                                           std::int64_t cols, std::span<const float> x,
                                           std::int64_t n_cols)
{
    if (rows <= 0 || cols <= 0 || n_cols <= 0)
        return bad("Vulkan matmul", "bad shape");
    if (x.size() != static_cast<std::size_t>(cols) * static_cast<std::size_t>(n_cols))
        return bad("Vulkan matmul", "x does not hold n_cols x cols floats");
    auto wb = ctx.create_buffer(w.size());
    auto xb = ctx.create_buffer(x.size_bytes());
    auto yb = ctx.create_buffer(static_cast<std::size_t>(rows * n_cols) * sizeof(float));
    auto seq = ctx.create_sequence();
    if (!wb || !xb || !yb || !seq)
        return !wb ? wb.status() : !xb ? xb.status() : !yb ? yb.status() : seq.status();
    if (Status s = ctx.upload(**wb, w); !s.ok())
        return s;
    if (Status s = ctx.upload(**xb, std::as_bytes(x)); !s.ok())
        return s;
    if (Status s = record_matmul(**seq, format, **wb, **xb, **yb, rows, cols, n_cols); !s.ok())
        return s;
    if (Status s = (*seq)->run(); !s.ok())
        return s;
    std::vector<float> y(static_cast<std::size_t>(rows * n_cols));
    if (Status s = ctx.download(**yb, std::as_writable_bytes(std::span(y))); !s.ok())
        return s;
    return y;
}

Status record_rms_norm(VulkanSequence &seq, const VulkanBuffer &x, const VulkanBuffer &weight,
                       const VulkanBuffer &y, std::int64_t rows, std::int64_t cols, float eps)
{
    if (rows <= 0 || cols <= 0 || rows > k_grid_x || cols > k_u32_max / rows)
        return bad("rms_norm", "bad shape");
    if (!fits(x, rows * cols * 4) || !fits(y, rows * cols * 4) || !fits(weight, cols * 4))
        return bad("rms_norm", "buffer sizes do not match the shape");
    struct Push
    {
        std::uint32_t cols;
        float eps;
    } push{static_cast<std::uint32_t>(cols), eps};
    const std::array<const VulkanBuffer *, 3> buffers = {&x, &weight, &y};
    return seq.dispatch(VulkanShader::RmsNorm, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(rows));
}

Status record_rope_neox(VulkanSequence &seq, const VulkanBuffer &x, const VulkanBuffer &position,
                        std::int64_t n_heads, std::int64_t head_dim, std::int64_t rotary_dim,
                        float theta, std::int64_t n_tokens)
{
    if (n_heads <= 0 || n_tokens <= 0 || head_dim <= 0 || rotary_dim <= 0 || rotary_dim % 2 != 0 ||
        rotary_dim > head_dim || !(theta > 1.0f) || n_heads > k_u32_max / head_dim / n_tokens)
        return bad("rope", "bad shape or theta");
    if (!fits(x, n_tokens * n_heads * head_dim * 4) || !fits(position, 4))
        return bad("rope", "buffer sizes do not match the shape");
    struct Push
    {
        std::uint32_t n_heads, n_tokens, head_dim, rotary_dim;
        float log2_theta;
    } push{static_cast<std::uint32_t>(n_heads), static_cast<std::uint32_t>(n_tokens),
           static_cast<std::uint32_t>(head_dim), static_cast<std::uint32_t>(rotary_dim),
           std::log2(theta)};
    const std::int64_t groups = (n_tokens * n_heads * (rotary_dim / 2) + 63) / 64;
    if (groups > k_grid_x)
        return bad("rope", "too many heads");
    const std::array<const VulkanBuffer *, 2> buffers = {&x, &position};
    return seq.dispatch(VulkanShader::RopeNeox, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(groups));
}

Status record_swiglu(VulkanSequence &seq, const VulkanBuffer &gate, const VulkanBuffer &up,
                     const VulkanBuffer &out, std::int64_t n)
{
    const std::int64_t groups = (n + 255) / 256;
    if (n <= 0 || groups > k_grid_x)
        return bad("swiglu", "bad size");
    if (!fits(gate, n * 4) || !fits(up, n * 4) || !fits(out, n * 4))
        return bad("swiglu", "buffer sizes do not match the shape");
    const std::uint32_t push = static_cast<std::uint32_t>(n);
    const std::array<const VulkanBuffer *, 3> buffers = {&gate, &up, &out};
    return seq.dispatch(VulkanShader::Swiglu, buffers, push_bytes(push),
                        static_cast<std::uint32_t>(groups));
}

Status record_add(VulkanSequence &seq, const VulkanBuffer &y, const VulkanBuffer &b, std::int64_t n,
                  std::int64_t period)
{
    return record_add_or_copy(seq, y, b, n, period, 0, true);
}

Status record_copy(VulkanSequence &seq, const VulkanBuffer &dst, const VulkanBuffer &src,
                   std::int64_t n, std::int64_t src_offset)
{
    return record_add_or_copy(seq, dst, src, n, n, src_offset, false);
}

// The context's round-trip op, kept for callers of the first backend version.
Expected<std::vector<float>> VulkanContext::rms_norm(std::span<const float> x,
                                                     std::span<const float> weight,
                                                     std::int64_t rows, std::int64_t cols,
                                                     float eps)
{
    if (rows <= 0 || cols <= 0 || rows > k_grid_x || cols > k_u32_max / rows)
        return bad("rms_norm", "bad shape");
    const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    if (x.size() != n || weight.size() != static_cast<std::size_t>(cols))
        return bad("rms_norm", "buffer sizes do not match the shape");
    auto xb = create_buffer(x.size_bytes());
    auto wb = create_buffer(weight.size_bytes());
    auto yb = create_buffer(x.size_bytes());
    auto seq = create_sequence();
    if (!xb || !wb || !yb || !seq)
        return !xb ? xb.status() : !wb ? wb.status() : !yb ? yb.status() : seq.status();
    if (Status s = upload(**xb, std::as_bytes(x)); !s.ok())
        return s;
    if (Status s = upload(**wb, std::as_bytes(weight)); !s.ok())
        return s;
    if (Status s = record_rms_norm(**seq, **xb, **wb, **yb, rows, cols, eps); !s.ok())
        return s;
    if (Status s = (*seq)->run(); !s.ok())
        return s;
    std::vector<float> y(n);
    if (Status s = download(**yb, std::as_writable_bytes(std::span(y))); !s.ok())
        return s;
    return y;
}

} // namespace glmdesk::engine
