#include "engine/model/synthetic_model.h"

#include "engine/common/thread_pool.h"
#include "engine/io/gguf_writer.h"
#include "engine/model/glm45_loader.h"
#include "engine/quant/block_layouts.h"
#include "engine/quant/reference.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <new>
#include <optional>

namespace glmdesk::engine {

// ------------------------------------------------------------------------------ presets, formats

namespace {

constexpr std::array<std::string_view, 2> k_presets{"air", "air-mini"};
constexpr std::array<std::string_view, 16> k_schemes{
    "q4_k_m", "f32",    "f16",  "bf16", "q8_0", "q4_0", "q4_1", "q5_0",
    "q5_1",   "iq4_nl", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "iq4_xs"};

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_vector_kind(WeightKind kind)
{
    switch (kind) {
    case WeightKind::OutputNorm:
    case WeightKind::AttnNorm:
    case WeightKind::AttnQBias:
    case WeightKind::AttnKBias:
    case WeightKind::AttnVBias:
    case WeightKind::AttnQNorm:
    case WeightKind::AttnKNorm:
    case WeightKind::PostAttnNorm:
    case WeightKind::Router: // a matrix, but kept in f32 by every converter (routing is exact)
    case WeightKind::RouterBias:
    case WeightKind::NextnEnorm:
    case WeightKind::NextnHnorm:
    case WeightKind::NextnSharedHeadNorm:
        return true;
    default:
        return false;
    }
}

bool is_down_kind(WeightKind kind)
{
    return kind == WeightKind::FfnDown || kind == WeightKind::ExpDown ||
           kind == WeightKind::ShexpDown;
}

// llama.cpp's choice of the layers that get more bits in its _M mixes.
bool use_more_bits(int layer, int n_layers)
{
    return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

// llama-quantize's replacement when a row is not whole 256-blocks.
BlockFormat fallback_format(BlockFormat f)
{
    switch (f) {
    case BlockFormat::Q2_K:
    case BlockFormat::Q3_K:
    case BlockFormat::IQ4_XS:
        return BlockFormat::IQ4_NL;
    case BlockFormat::Q4_K:
        return BlockFormat::Q5_0;
    case BlockFormat::Q5_K:
        return BlockFormat::Q5_1;
    case BlockFormat::Q6_K:
        return BlockFormat::Q8_0;
    default:
        return f;
    }
}

std::optional<BlockFormat> single_format(std::string_view scheme)
{
    for (const BlockFormatInfo &info : k_block_formats)
        if (lower(info.name) == scheme)
            return info.format;
    return std::nullopt;
}

// llama.cpp's general.file_type for the schemes that are one of its file types.
std::optional<std::uint32_t> llama_file_type(std::string_view scheme)
{
    constexpr std::pair<std::string_view, std::uint32_t> types[] = {
        {"f32", 0},  {"f16", 1},     {"q4_0", 2},  {"q4_1", 3},    {"q8_0", 7},    {"q5_0", 8},
        {"q5_1", 9}, {"q4_k_m", 15}, {"q6_k", 18}, {"iq4_nl", 25}, {"iq4_xs", 30}, {"bf16", 32},
    };
    for (const auto &[name, type] : types)
        if (name == scheme)
            return type;
    return std::nullopt;
}

} // namespace

std::span<const std::string_view> synthetic_preset_names()
{
    return k_presets;
}

std::span<const std::string_view> synthetic_format_names()
{
    return k_schemes;
}

Expected<Glm45Config> synthetic_preset_config(std::string_view preset)
{
    Glm45Config c;
    c.architecture = "glm4moe";
    if (preset == "air") { // GLM45_SPEC.md section 1
        c.n_vocab = 151552;
        c.n_embd = 4096;
        c.n_layer = 46;
        c.n_ff = 10944;
        c.n_ff_exp = 1408;
        c.n_expert = 128;
        c.n_expert_used = 8;
        c.n_head = 96;
        c.n_head_kv = 8;
        c.head_dim = 128;
        c.context_length = 131072;
    } else if (preset == "air-mini") { // tests/data/io/air-mini-config.json
        c.n_vocab = 1600;
        c.n_embd = 256;
        c.n_layer = 3;
        c.n_ff = 512;
        c.n_ff_exp = 256;
        c.n_expert = 16;
        c.n_expert_used = 4;
        c.n_head = 8;
        c.n_head_kv = 2;
        c.head_dim = 64;
        c.context_length = 4096;
    } else {
        return error(StatusCode::InvalidArgument,
                     "unknown synthetic model '" + std::string(preset) + "' (air or air-mini)");
    }
    c.n_nextn = 0;
    c.n_leading_dense = 1;
    c.n_expert_shared = 1;
    c.head_dim_v = c.head_dim;
    c.n_rot = c.head_dim / 2; // partial_rotary_factor 0.5
    c.rope_theta = 1.0e6f;
    c.rms_eps = 1e-5f;
    c.expert_weights_scale = 1.0f;
    c.expert_weights_norm = true;
    c.use_qk_norm = false;
    c.attention_bias = true;
    c.tie_word_embeddings = false;
    return c;
}

Expected<BlockFormat> synthetic_tensor_format(std::string_view scheme_in, WeightKind kind,
                                              int layer, int n_blocks, std::uint64_t row_len)
{
    const std::string scheme = lower(scheme_in);
    if (std::find(k_schemes.begin(), k_schemes.end(), scheme) == k_schemes.end())
        return error(StatusCode::InvalidArgument,
                     "unknown synthetic format '" + std::string(scheme_in) + "'");
    if (is_vector_kind(kind))
        return BlockFormat::F32;
    BlockFormat f = BlockFormat::Q4_K;
    if (scheme == "q4_k_m") {
        switch (kind) {
        case WeightKind::Output: // not the MTP layer's own head: llama-quantize keeps it q4_K
            f = BlockFormat::Q6_K;
            break;
        case WeightKind::AttnK:
        case WeightKind::AttnV:
            f = BlockFormat::Q8_0;
            break;
        case WeightKind::AttnOutput:
            f = BlockFormat::Q5_K;
            break;
        default:
            if (is_down_kind(kind) && use_more_bits(layer, n_blocks))
                f = BlockFormat::Q6_K;
            break;
        }
    } else {
        f = *single_format(scheme);
    }
    if (row_len % block_format_info(f).block_size != 0)
        f = fallback_format(f);
    return f;
}

// ------------------------------------------------------------------------------ random blocks

namespace {

std::uint64_t splitmix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// One chunk's random stream, a function of (seed, tensor, chunk) only.
class Rng
{
public:
    Rng(std::uint64_t seed, std::uint64_t tensor, std::uint64_t chunk)
    {
        std::uint64_t s = seed;
        m_state = splitmix64(s) ^ (tensor * 0xd1b54a32d192ed03ull);
        m_state = splitmix64(m_state) ^ (chunk * 0x8cb92ba72f3d8dd7ull);
        splitmix64(m_state);
    }
    std::uint64_t next() { return splitmix64(m_state); }
    float uniform() { return static_cast<float>(next() >> 40) * 0x1p-24f; } // [0, 1)
    // Roughly normal (Irwin-Hall of 4), unit variance, bounded by +-3.5.
    float normal()
    {
        const std::uint64_t r = next();
        float sum = 0.0f;
        for (int i = 0; i < 4; ++i)
            sum += static_cast<float>((r >> (16 * i)) & 0xffffu) * 0x1p-16f;
        return (sum - 2.0f) * 1.7320508f;
    }
    void bytes(std::uint8_t *dst, std::size_t n)
    {
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            const std::uint64_t r = next();
            std::memcpy(dst + i, &r, 8);
        }
        if (i < n) {
            const std::uint64_t r = next();
            std::memcpy(dst + i, &r, n - i);
        }
    }

private:
    std::uint64_t m_state = 0;
};

// Where a block format keeps its positive scale d and (for the formats with one) its min field,
// and how large d must be for unit-RMS weights.
struct BlockRecipe
{
    BlockFormat format = BlockFormat::F32;
    std::size_t type_size = 0;
    std::size_t block_size = 0;
    std::size_t d_offset = 0;
    std::optional<std::size_t> min_offset;
    float rms_per_d = 1.0f; // RMS of the dequantized weights when d = 1
    float min_per_d = 0.0f; // min field = min_per_d * d makes the weights zero-mean
};

std::optional<BlockRecipe> recipe_layout(BlockFormat f)
{
    BlockRecipe r;
    r.format = f;
    r.type_size = block_format_info(f).type_size;
    r.block_size = block_format_info(f).block_size;
    switch (f) {
    case BlockFormat::Q4_0:
        r.d_offset = offsetof(BlockQ4_0, d);
        break;
    case BlockFormat::Q4_1:
        r.d_offset = offsetof(BlockQ4_1, d);
        r.min_offset = offsetof(BlockQ4_1, m);
        break;
    case BlockFormat::Q5_0:
        r.d_offset = offsetof(BlockQ5_0, d);
        break;
    case BlockFormat::Q5_1:
        r.d_offset = offsetof(BlockQ5_1, d);
        r.min_offset = offsetof(BlockQ5_1, m);
        break;
    case BlockFormat::Q8_0:
        r.d_offset = offsetof(BlockQ8_0, d);
        break;
    case BlockFormat::Q2_K:
        r.d_offset = offsetof(BlockQ2_K, d);
        r.min_offset = offsetof(BlockQ2_K, dmin);
        break;
    case BlockFormat::Q3_K:
        r.d_offset = offsetof(BlockQ3_K, d);
        break;
    case BlockFormat::Q4_K:
        r.d_offset = offsetof(BlockQ4_K, d);
        r.min_offset = offsetof(BlockQ4_K, dmin);
        break;
    case BlockFormat::Q5_K:
        r.d_offset = offsetof(BlockQ5_K, d);
        r.min_offset = offsetof(BlockQ5_K, dmin);
        break;
    case BlockFormat::Q6_K:
        r.d_offset = offsetof(BlockQ6_K, d);
        break;
    case BlockFormat::IQ4_NL:
        r.d_offset = offsetof(BlockIQ4_NL, d);
        break;
    case BlockFormat::IQ4_XS:
        r.d_offset = offsetof(BlockIQ4_XS, d);
        break;
    default:
        return std::nullopt;
    }
    return r;
}

void set_f16(std::uint8_t *block, std::size_t offset, float v)
{
    const Fp16Bits h = float_to_fp16(v);
    std::memcpy(block + offset, &h, sizeof h);
}

// Measures the format's own decoder on random blocks: the mean with d = 1 (min 0), the mean with
// the min field 1 (d 0), then the RMS at d = 1 with the min that cancels the mean.
Expected<BlockRecipe> calibrated_recipe(BlockFormat f)
{
    auto recipe = recipe_layout(f);
    if (!recipe)
        return error(StatusCode::Unsupported, "the synthetic generator has no recipe for " +
                                                  std::string(block_format_name(f)));
    BlockRecipe r = *recipe;
    constexpr std::size_t n_blocks = 256;
    std::vector<std::uint8_t> blocks(n_blocks * r.type_size);
    std::vector<float> values(n_blocks * r.block_size);
    Rng rng(0x5eed, static_cast<std::uint64_t>(f), 0);
    rng.bytes(blocks.data(), blocks.size());
    auto measure = [&](float d, float m, double &mean, double &rms) -> Status {
        for (std::size_t b = 0; b < n_blocks; ++b) {
            set_f16(blocks.data() + b * r.type_size, r.d_offset, d);
            if (r.min_offset)
                set_f16(blocks.data() + b * r.type_size, *r.min_offset, m);
        }
        if (Status s = dequantize_row(f, blocks.data(), values.size(), values.data()); !s.ok())
            return s;
        double sum = 0.0, sum_sq = 0.0;
        for (const float v : values) {
            sum += v;
            sum_sq += static_cast<double>(v) * v;
        }
        mean = sum / static_cast<double>(values.size());
        rms = std::sqrt(sum_sq / static_cast<double>(values.size()));
        return {};
    };
    double mean_d = 0, rms = 0;
    if (Status s = measure(1.0f, 0.0f, mean_d, rms); !s.ok())
        return s;
    if (r.min_offset) {
        double mean_m = 0, unused = 0;
        if (Status s = measure(0.0f, 1.0f, mean_m, unused); !s.ok())
            return s;
        if (mean_m != 0.0)
            r.min_per_d = static_cast<float>(-mean_d / mean_m);
        if (Status s = measure(1.0f, r.min_per_d, mean_d, rms); !s.ok())
            return s;
    }
    if (!(rms > 0.0))
        return error(StatusCode::Internal,
                     "calibration of " + std::string(block_format_name(f)) + " failed");
    r.rms_per_d = static_cast<float>(rms);
    return r;
}

// What a tensor's values look like.
enum class Fill {
    Matrix,     // mean 0, RMS `scale`
    Norm,       // 1 +- 0.05
    Bias,       // +- 0.1
    RouterBias, // +- 0.05
};

struct TensorPlan
{
    Fill fill = Fill::Matrix;
    float scale = 1.0f;
    BlockRecipe recipe;        // quantized formats
    std::uint64_t n_units = 0; // blocks (quantized) or elements (float formats)
    std::uint64_t units_per_chunk = 0;
};

float fill_value(Fill fill, float scale, Rng &rng)
{
    switch (fill) {
    case Fill::Matrix:
        return scale * rng.normal();
    case Fill::Norm:
        return 1.0f + 0.1f * (rng.uniform() - 0.5f);
    case Fill::Bias:
        return 0.2f * (rng.uniform() - 0.5f);
    case Fill::RouterBias:
        return 0.1f * (rng.uniform() - 0.5f);
    }
    return 0.0f;
}

// A floor for block scales. Real Q6_K / Q4_K files hold subnormal binary16 scales (d ~ 1e-5 for
// weights of magnitude 0.05), so small ones are realistic; the floor keeps at least 6 significant
// bits in the subnormal range.
constexpr float k_min_scale = 0x1p-18f;

void fill_chunk(BlockFormat format, const TensorPlan &plan, std::uint8_t *data, std::uint64_t first,
                std::uint64_t count, Rng &rng)
{
    switch (format) {
    case BlockFormat::F32:
        for (std::uint64_t i = 0; i < count; ++i) {
            const float v = fill_value(plan.fill, plan.scale, rng);
            std::memcpy(data + (first + i) * 4, &v, 4);
        }
        return;
    case BlockFormat::F16:
        for (std::uint64_t i = 0; i < count; ++i)
            set_f16(data, (first + i) * 2, fill_value(plan.fill, plan.scale, rng));
        return;
    case BlockFormat::BF16:
        for (std::uint64_t i = 0; i < count; ++i) {
            const Bf16Bits b = float_to_bf16(fill_value(plan.fill, plan.scale, rng));
            std::memcpy(data + (first + i) * 2, &b, 2);
        }
        return;
    default:
        break;
    }
    const BlockRecipe &r = plan.recipe;
    std::uint8_t *blocks = data + first * r.type_size;
    rng.bytes(blocks, static_cast<std::size_t>(count * r.type_size));
    const float d0 = plan.scale / r.rms_per_d;
    for (std::uint64_t b = 0; b < count; ++b) {
        // Scales vary from block to block (+-25%), as they do in a real file.
        const float d = std::max(k_min_scale, d0 * (0.75f + 0.5f * rng.uniform()));
        std::uint8_t *block = blocks + b * r.type_size;
        set_f16(block, r.d_offset, d);
        if (r.min_offset)
            set_f16(block, *r.min_offset, d * r.min_per_d);
    }
}

bool is_float_format(BlockFormat f)
{
    return f == BlockFormat::F32 || f == BlockFormat::F16 || f == BlockFormat::BF16;
}

} // namespace

// ------------------------------------------------------------------------------ the model

// 64-byte aligned (cache lines, wide loads); no huge pages: with the kernel's usual "defrag on
// madvise" setting they made generation slower (direct compaction), and a model loaded from a
// file is in 4 KiB pages too, so the bench reads memory the way a real run does.
struct SyntheticModel::Buffer
{
    explicit Buffer(std::size_t n)
        : bytes(n), data(static_cast<std::uint8_t *>(::operator new(
                        std::max<std::size_t>(n, 1), std::align_val_t{64}, std::nothrow)))
    {}
    ~Buffer() { ::operator delete(data, std::align_val_t{64}); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    std::size_t bytes;
    std::uint8_t *data;
};

SyntheticModel::SyntheticModel(SyntheticModel &&) noexcept = default;
SyntheticModel &SyntheticModel::operator=(SyntheticModel &&) noexcept = default;
SyntheticModel::~SyntheticModel() = default;

std::uint64_t SyntheticModel::total_bytes() const
{
    std::uint64_t n = 0;
    for (const Tensor &t : m_tensors)
        n += t.data.size();
    return n;
}

std::span<std::uint8_t> SyntheticModel::mutable_data(std::size_t i)
{
    if (i >= m_buffers.size())
        return {};
    return {m_buffers[i]->data, m_buffers[i]->bytes};
}

Expected<SyntheticModel> SyntheticModel::build(const SyntheticOptions &options)
{
    auto full = synthetic_preset_config(options.preset);
    if (!full)
        return full.status();
    const std::string scheme = lower(options.format);
    if (std::find(k_schemes.begin(), k_schemes.end(), scheme) == k_schemes.end()) {
        std::string names;
        for (std::string_view n : k_schemes)
            names += (names.empty() ? "" : ", ") + std::string(n);
        return error(StatusCode::InvalidArgument,
                     "unknown synthetic format '" + options.format + "' (one of " + names + ")");
    }
    const int full_layers = static_cast<int>(full->n_layer);
    const int n_layers = options.n_layers == 0 ? full_layers : options.n_layers;
    if (n_layers < 1 || n_layers > full_layers)
        return error(StatusCode::InvalidArgument,
                     "layer count " + std::to_string(options.n_layers) + " is out of range for " +
                         options.preset + " (1 to " + std::to_string(full_layers) + ")");

    SyntheticModel model;
    model.m_options = options;
    model.m_options.format = scheme;
    model.m_options.n_layers = n_layers;
    model.m_config = *full;
    model.m_config.n_layer = static_cast<std::uint32_t>(n_layers);
    model.m_config.n_leading_dense = 1;
    model.m_config.n_nextn = options.mtp ? 1 : 0;
    if (Status s = validate_glm45_config(model.m_config); !s.ok())
        return s;
    auto dims = glm45_dims(model.m_config);
    if (!dims)
        return dims.status();
    model.m_dims = *dims;
    const Glm45Config &c = model.m_config;

    // The tensor list, in the order a converter writes it.
    struct Entry
    {
        WeightKind kind;
        int layer;
    };
    std::vector<Entry> entries{{WeightKind::TokenEmbd, -1}};
    constexpr WeightKind attention[] = {
        WeightKind::AttnNorm,  WeightKind::AttnQ,      WeightKind::AttnQBias,
        WeightKind::AttnK,     WeightKind::AttnKBias,  WeightKind::AttnV,
        WeightKind::AttnVBias, WeightKind::AttnOutput, WeightKind::PostAttnNorm};
    constexpr WeightKind dense[] = {WeightKind::FfnGate, WeightKind::FfnUp, WeightKind::FfnDown};
    constexpr WeightKind moe[] = {
        WeightKind::Router,  WeightKind::RouterBias, WeightKind::ExpGate, WeightKind::ExpUp,
        WeightKind::ExpDown, WeightKind::ShexpGate,  WeightKind::ShexpUp, WeightKind::ShexpDown};
    for (int l = 0; l < n_layers; ++l) {
        for (WeightKind k : attention)
            entries.push_back({k, l});
        if (c.is_dense_layer(static_cast<std::uint32_t>(l)))
            for (WeightKind k : dense)
                entries.push_back({k, l});
        else
            for (WeightKind k : moe)
                entries.push_back({k, l});
    }
    if (options.mtp) {
        constexpr WeightKind nextn[] = {WeightKind::NextnEhProj, WeightKind::NextnEnorm,
                                        WeightKind::NextnHnorm, WeightKind::NextnSharedHeadNorm};
        for (WeightKind k : nextn)
            entries.push_back({k, n_layers});
        for (WeightKind k : attention)
            entries.push_back({k, n_layers});
        for (WeightKind k : moe)
            entries.push_back({k, n_layers});
    }
    entries.push_back({WeightKind::OutputNorm, -1});
    entries.push_back({WeightKind::Output, -1});
    const int n_blocks = static_cast<int>(c.n_block());

    std::vector<TensorPlan> plans;
    std::vector<std::optional<BlockRecipe>> recipes(64);
    for (const Entry &e : entries) {
        Tensor t;
        t.kind = e.kind;
        t.layer = e.layer;
        t.name = gguf_weight_name(e.kind, e.layer);
        t.dims = expected_weight_shape(e.kind, c);
        auto format = synthetic_tensor_format(scheme, e.kind, e.layer, n_blocks, t.dims[0]);
        if (!format)
            return format.status();
        t.format = *format;
        std::uint64_t n_elements = 1;
        for (const std::uint64_t d : t.dims)
            n_elements *= d;
        const auto bytes = block_format_bytes(t.format, n_elements);
        if (!bytes || *bytes > std::numeric_limits<std::size_t>::max())
            return error(StatusCode::InvalidArgument, t.name + ": impossible size");

        TensorPlan plan;
        switch (e.kind) {
        case WeightKind::AttnNorm:
        case WeightKind::PostAttnNorm:
        case WeightKind::OutputNorm:
        case WeightKind::NextnEnorm:
        case WeightKind::NextnHnorm:
        case WeightKind::NextnSharedHeadNorm:
            plan.fill = Fill::Norm;
            break;
        case WeightKind::AttnQBias:
        case WeightKind::AttnKBias:
        case WeightKind::AttnVBias:
            plan.fill = Fill::Bias;
            break;
        case WeightKind::RouterBias:
            plan.fill = Fill::RouterBias;
            break;
        case WeightKind::TokenEmbd:
            plan.scale = 1.0f; // the residual stream starts at unit scale
            break;
        default:
            plan.scale = 1.0f / std::sqrt(static_cast<float>(t.dims[0]));
            break;
        }
        if (is_float_format(t.format)) {
            plan.n_units = n_elements;
            plan.units_per_chunk = std::uint64_t{1} << 18;
        } else {
            const auto id = static_cast<std::size_t>(t.format);
            if (id >= recipes.size())
                return error(StatusCode::Internal, "block format id out of range");
            if (!recipes[id]) {
                auto r = calibrated_recipe(t.format);
                if (!r)
                    return r.status();
                recipes[id] = *r;
            }
            plan.recipe = *recipes[id];
            plan.n_units = n_elements / plan.recipe.block_size;
            plan.units_per_chunk = std::max<std::uint64_t>(1, (1u << 20) / plan.recipe.type_size);
        }

        auto buffer = std::make_unique<Buffer>(static_cast<std::size_t>(*bytes));
        if (!buffer->data)
            return error(StatusCode::OutOfMemory,
                         "cannot allocate " + std::to_string(*bytes >> 20) + " MiB for " + t.name +
                             " (the synthetic model needs all of its weights in memory)");
        t.data = std::span<const std::uint8_t>(buffer->data, buffer->bytes);
        model.m_buffers.push_back(std::move(buffer));
        model.m_tensors.push_back(std::move(t));
        plans.push_back(plan);
    }

    // Every chunk of every tensor is one job; the pool's static split keeps it balanced because
    // almost every chunk is the same size.
    struct Job
    {
        std::uint32_t tensor;
        std::uint64_t chunk;
    };
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < plans.size(); ++i) {
        const std::uint64_t n_chunks =
            (plans[i].n_units + plans[i].units_per_chunk - 1) / plans[i].units_per_chunk;
        for (std::uint64_t k = 0; k < n_chunks; ++k)
            jobs.push_back({static_cast<std::uint32_t>(i), k});
    }
    ThreadPool pool(options.n_threads);
    pool.parallel_for(
        static_cast<std::int64_t>(jobs.size()), [&](std::int64_t j0, std::int64_t j1) {
            for (std::int64_t j = j0; j < j1; ++j) {
                const Job &job = jobs[static_cast<std::size_t>(j)];
                const TensorPlan &plan = plans[job.tensor];
                const std::uint64_t first = job.chunk * plan.units_per_chunk;
                const std::uint64_t count = std::min(plan.units_per_chunk, plan.n_units - first);
                Rng rng(options.seed, job.tensor, job.chunk);
                fill_chunk(model.m_tensors[job.tensor].format, plan,
                           model.m_buffers[job.tensor]->data, first, count, rng);
            }
        });

    // The engine's views, cut exactly as the loader cuts a GGUF file's tensors.
    model.m_weights.layers.resize(static_cast<std::size_t>(n_layers));
    if (options.mtp)
        model.m_weights.mtp.emplace();
    for (const Tensor &t : model.m_tensors) {
        WeightView v;
        v.format = t.format;
        v.row_len = static_cast<std::int64_t>(t.dims[0]);
        v.n_rows = t.dims.size() > 1 ? static_cast<std::int64_t>(t.dims[1]) : 1;
        v.data = t.data.data();
        v.name = t.name;
        Glm45Weights &w = model.m_weights;
        if (t.layer < 0) {
            (t.kind == WeightKind::TokenEmbd ? w.token_embd
             : t.kind == WeightKind::Output  ? w.output
                                             : w.output_norm) = v;
            continue;
        }
        Glm45LayerWeights &lw =
            t.layer < n_layers ? w.layers[static_cast<std::size_t>(t.layer)] : w.mtp->layer;
        std::vector<WeightView> *experts = nullptr;
        switch (t.kind) {
        case WeightKind::NextnEhProj:
            w.mtp->eh_proj = v;
            break;
        case WeightKind::NextnEnorm:
            w.mtp->enorm = v;
            break;
        case WeightKind::NextnHnorm:
            w.mtp->hnorm = v;
            break;
        case WeightKind::NextnSharedHeadNorm:
            w.mtp->shared_head_norm = v;
            break;
        case WeightKind::AttnNorm:
            lw.attn_norm = v;
            break;
        case WeightKind::AttnQ:
            lw.attn_q = v;
            break;
        case WeightKind::AttnQBias:
            lw.attn_q_bias = v;
            break;
        case WeightKind::AttnK:
            lw.attn_k = v;
            break;
        case WeightKind::AttnKBias:
            lw.attn_k_bias = v;
            break;
        case WeightKind::AttnV:
            lw.attn_v = v;
            break;
        case WeightKind::AttnVBias:
            lw.attn_v_bias = v;
            break;
        case WeightKind::AttnOutput:
            lw.attn_output = v;
            break;
        case WeightKind::PostAttnNorm:
            lw.post_attention_norm = v;
            break;
        case WeightKind::FfnGate:
            lw.ffn_gate = v;
            break;
        case WeightKind::FfnUp:
            lw.ffn_up = v;
            break;
        case WeightKind::FfnDown:
            lw.ffn_down = v;
            break;
        case WeightKind::Router:
            lw.router = v;
            break;
        case WeightKind::RouterBias:
            lw.router_bias = v;
            break;
        case WeightKind::ShexpGate:
            lw.shexp_gate = v;
            break;
        case WeightKind::ShexpUp:
            lw.shexp_up = v;
            break;
        case WeightKind::ShexpDown:
            lw.shexp_down = v;
            break;
        case WeightKind::ExpGate:
            experts = &lw.exp_gate;
            break;
        case WeightKind::ExpUp:
            experts = &lw.exp_up;
            break;
        case WeightKind::ExpDown:
            experts = &lw.exp_down;
            break;
        default:
            break;
        }
        if (!experts)
            continue;
        const std::uint64_t stride = static_cast<std::uint64_t>(v.n_rows) * v.row_bytes();
        for (std::uint64_t e = 0; e < t.dims[2]; ++e) {
            WeightView ev = v;
            ev.data = v.data + e * stride;
            ev.name = t.name + "[" + std::to_string(e) + "]";
            experts->push_back(std::move(ev));
        }
    }
    return model;
}

Status SyntheticModel::add_to_gguf(GgufWriter &w) const
{
    using V = GgufWriteValue;
    const Glm45Config &c = m_config;
    const std::string arch = c.architecture;
    const std::string name = !m_options.name.empty()
                                 ? m_options.name
                                 : "GLM Desk synthetic " + m_options.preset + " (" +
                                       std::to_string(c.n_layer) + " layers" +
                                       (c.n_nextn ? " + MTP, " : ", ") + m_options.format +
                                       ", seed " + std::to_string(m_options.seed) + ")";
    std::vector<std::pair<std::string, V>> kvs = {
        {"general.architecture", V::string(arch)},
        {"general.type", V::string("model")},
        {"general.name", V::string(name)},
        {"general.quantization_version", V::u32(2)},
        {"glmdesk.synthetic.preset", V::string(m_options.preset)},
        {"glmdesk.synthetic.format", V::string(m_options.format)},
        {"glmdesk.synthetic.seed", V::u64(m_options.seed)},
        {arch + ".block_count", V::u32(c.n_layer + c.n_nextn)},
        {arch + ".context_length", V::u32(c.context_length)},
        {arch + ".embedding_length", V::u32(c.n_embd)},
        {arch + ".feed_forward_length", V::u32(c.n_ff)},
        {arch + ".attention.head_count", V::u32(c.n_head)},
        {arch + ".attention.head_count_kv", V::u32(c.n_head_kv)},
        {arch + ".attention.key_length", V::u32(c.head_dim)},
        {arch + ".attention.value_length", V::u32(c.head_dim_v)},
        {arch + ".attention.layer_norm_rms_epsilon", V::f32(c.rms_eps)},
        {arch + ".rope.dimension_count", V::u32(c.n_rot)},
        {arch + ".rope.freq_base", V::f32(c.rope_theta)},
        {arch + ".expert_count", V::u32(c.n_expert)},
        {arch + ".expert_used_count", V::u32(c.n_expert_used)},
        {arch + ".expert_feed_forward_length", V::u32(c.n_ff_exp)},
        {arch + ".expert_shared_count", V::u32(c.n_expert_shared)},
        {arch + ".leading_dense_block_count", V::u32(c.n_leading_dense)},
        {arch + ".expert_gating_func", V::u32(2)}, // sigmoid
        {arch + ".expert_weights_scale", V::f32(c.expert_weights_scale)},
        {arch + ".expert_weights_norm", V::boolean(c.expert_weights_norm)},
        {arch + ".nextn_predict_layers", V::u32(c.n_nextn)},
    };
    if (const auto ft = llama_file_type(m_options.format))
        kvs.emplace_back("general.file_type", V::u32(*ft));
    for (auto &[key, value] : kvs)
        if (Status s = w.set(key, std::move(value)); !s.ok())
            return s;
    for (const Tensor &t : m_tensors)
        if (Status s = w.add_tensor(t.name, t.format, t.dims, t.data); !s.ok())
            return s;
    return {};
}

// ------------------------------------------------------------------------------ vocabulary

namespace {

// GLM-4.5's special tokens in id order (GLM45_SPEC.md section 6: Air ids 151329-151364).
constexpr std::array<std::string_view, 36> k_specials{"<|endoftext|>",
                                                      "[MASK]",
                                                      "[gMASK]",
                                                      "[sMASK]",
                                                      "<sop>",
                                                      "<eop>",
                                                      "<|system|>",
                                                      "<|user|>",
                                                      "<|assistant|>",
                                                      "<|observation|>",
                                                      "<|begin_of_image|>",
                                                      "<|end_of_image|>",
                                                      "<|begin_of_video|>",
                                                      "<|end_of_video|>",
                                                      "<|begin_of_audio|>",
                                                      "<|end_of_audio|>",
                                                      "<|begin_of_transcription|>",
                                                      "<|end_of_transcription|>",
                                                      "<|code_prefix|>",
                                                      "<|code_middle|>",
                                                      "<|code_suffix|>",
                                                      "<think>",
                                                      "</think>",
                                                      "<tool_call>",
                                                      "</tool_call>",
                                                      "<tool_response>",
                                                      "</tool_response>",
                                                      "<arg_key>",
                                                      "</arg_key>",
                                                      "<arg_value>",
                                                      "</arg_value>",
                                                      "/nothink",
                                                      "<|begin_of_box|>",
                                                      "<|end_of_box|>",
                                                      "<|image|>",
                                                      "<|video|>"};
constexpr std::uint32_t k_air_first_special = 151329;

// Byte-level BPE spells byte b as one printable code point: itself when printable, else 256 + its
// rank among the unprintable bytes (GPT-2's table).
std::string byte_spelling(std::uint8_t b)
{
    auto printable = [](unsigned v) {
        return (v >= 33 && v <= 126) || (v >= 161 && v <= 172) || v >= 174;
    };
    unsigned cp = b;
    if (!printable(b)) {
        unsigned rank = 0;
        for (unsigned v = 0; v < b; ++v)
            rank += printable(v) ? 0 : 1;
        cp = 256 + rank;
    }
    std::string out;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
    return out;
}

} // namespace

Expected<GgufVocab> synthetic_byte_vocab(std::uint32_t n_vocab)
{
    constexpr std::uint32_t n_specials = k_specials.size();
    if (n_vocab < 256 + n_specials || n_vocab > (1u << 22))
        return error(StatusCode::InvalidArgument,
                     "a byte-level vocabulary needs 292 to 4194304 tokens, not " +
                         std::to_string(n_vocab));
    const std::uint32_t first_special =
        n_vocab >= k_air_first_special + n_specials ? k_air_first_special : n_vocab - n_specials;
    GgufVocab v;
    v.tokens.reserve(n_vocab);
    v.token_types.reserve(n_vocab);
    for (std::uint32_t id = 0; id < n_vocab; ++id) {
        if (id < 256) {
            v.tokens.push_back(byte_spelling(static_cast<std::uint8_t>(id)));
            v.token_types.push_back(1); // normal
        } else if (id >= first_special && id < first_special + n_specials) {
            v.tokens.emplace_back(k_specials[id - first_special]);
            v.token_types.push_back(3); // control
        } else {
            v.tokens.push_back("[PAD" + std::to_string(id) + "]");
            v.token_types.push_back(5); // unused
        }
    }
    return v;
}

Status add_vocab_to_gguf(GgufWriter &w, const GgufVocab &vocab)
{
    using V = GgufWriteValue;
    if (vocab.token_types.size() != vocab.tokens.size())
        return error(StatusCode::InvalidArgument,
                     "vocabulary has " + std::to_string(vocab.tokens.size()) + " tokens but " +
                         std::to_string(vocab.token_types.size()) + " token types");
    const std::pair<const char *, V> kvs[] = {
        {"tokenizer.ggml.model", V::string(vocab.model)},
        {"tokenizer.ggml.pre", V::string(vocab.pre)},
        {"tokenizer.ggml.tokens", V::string_array(std::span<const std::string>(vocab.tokens))},
        {"tokenizer.ggml.token_type", V::array(vocab.token_types)},
        {"tokenizer.ggml.merges", V::string_array(std::span<const std::string>(vocab.merges))},
    };
    for (const auto &[key, value] : kvs)
        if (Status s = w.set(key, value); !s.ok())
            return s;
    auto find = [&](std::string_view text) -> std::optional<std::uint32_t> {
        for (std::size_t i = 0; i < vocab.tokens.size(); ++i)
            if (vocab.tokens[i] == text && vocab.token_types[i] == 3)
                return static_cast<std::uint32_t>(i);
        return std::nullopt;
    };
    const std::pair<const char *, std::string_view> ids[] = {
        {"tokenizer.ggml.eos_token_id", "<|endoftext|>"},
        {"tokenizer.ggml.padding_token_id", "<|endoftext|>"},
        {"tokenizer.ggml.bos_token_id", "[gMASK]"},
        {"tokenizer.ggml.eot_token_id", "<|user|>"},
        {"tokenizer.ggml.unknown_token_id", "<|endoftext|>"},
        {"tokenizer.ggml.eom_token_id", "<|observation|>"},
    };
    for (const auto &[key, text] : ids)
        if (const auto id = find(text))
            if (Status s = w.set(key, V::u32(*id)); !s.ok())
                return s;
    return {};
}

} // namespace glmdesk::engine
