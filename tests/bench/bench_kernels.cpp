// CPU dot-kernel throughput in GB/s of weight bytes, per block format, for both activation paths
// (f32: float activations; q16: activations quantized once per token), 1 thread and all threads,
// on a matrix the size of one GLM-4.5-Air expert projection (1408 rows x 4096, cache-resident on a
// large-LLC machine: shows compute speed) and on one larger than the last-level cache (512 MiB:
// shows memory streaming). A plain streaming read of a 1 GiB buffer measures the machine's read
// bandwidth first; each kernel also reports bw_frac, its GB/s over that bandwidth for the same
// thread count.
//   build/<dir>/tests/unit/tokenizer/bench/bench_kernels [--benchmark_filter=q4_K]
#include "engine/common/thread_pool.h"
#include "engine/quant/block_layouts.h"
#include "kernels/cpu/dot_kernels.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using glmdesk::engine::BlockFormat;
using glmdesk::engine::ThreadPool;
namespace cpu = glmdesk::kernels::cpu;
namespace eng = glmdesk::engine;

namespace {

constexpr int k_cols = 4096;        // GLM-4.5-Air hidden size: the input of gate/up
constexpr int k_expert_rows = 1408; // GLM-4.5-Air expert intermediate size
constexpr std::size_t k_large_bytes = std::size_t{512} << 20;
constexpr std::size_t k_stream_bytes = std::size_t{1} << 30;

struct BenchFormat
{
    BlockFormat format;
    std::vector<int> scale_offsets; // fp16 fields per block to make finite
};

const std::vector<BenchFormat> k_formats = {
    {BlockFormat::Q4_K, {0, 2}},   {BlockFormat::Q5_K, {0, 2}}, {BlockFormat::Q6_K, {208}},
    {BlockFormat::Q8_0, {0}},      {BlockFormat::IQ4_XS, {0}},  {BlockFormat::Q3_K, {108}},
    {BlockFormat::Q2_K, {80, 82}}, {BlockFormat::Q5_0, {0}},    {BlockFormat::IQ4_NL, {0}},
    {BlockFormat::BF16, {}},       {BlockFormat::F16, {}},      {BlockFormat::F32, {}},
};

std::uint64_t next(std::uint64_t &state)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

float small_float(std::uint64_t &state)
{
    return (static_cast<float>(next(state) % 2000) - 999.5f) * 1e-4f;
}

std::unique_ptr<unsigned char[]> random_matrix(const BenchFormat &bf, std::size_t rows)
{
    const eng::BlockFormatInfo info = eng::block_format_info(bf.format);
    const std::size_t bytes = rows * (k_cols / info.block_size) * info.type_size;
    auto data = std::make_unique_for_overwrite<unsigned char[]>(bytes);
    std::uint64_t state = 0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(bf.format);
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        const std::uint64_t v = next(state);
        std::memcpy(data.get() + i, &v, 8);
    }
    for (; i < bytes; ++i)
        data[i] = static_cast<unsigned char>(next(state));
    for (std::size_t b = 0; b < bytes; b += info.type_size) {
        unsigned char *block = data.get() + b;
        if (bf.format == BlockFormat::F32) {
            const float v = small_float(state);
            std::memcpy(block, &v, 4);
        } else if (bf.format == BlockFormat::F16) {
            const eng::Fp16Bits h = eng::float_to_fp16(small_float(state));
            std::memcpy(block, &h, 2);
        } else if (bf.format == BlockFormat::BF16) {
            const eng::Bf16Bits h = eng::float_to_bf16(small_float(state));
            std::memcpy(block, &h, 2);
        }
        for (int offset : bf.scale_offsets) {
            const eng::Fp16Bits h = eng::float_to_fp16(1e-3f + std::abs(small_float(state)));
            std::memcpy(block + offset, &h, 2);
        }
    }
    return data;
}

ThreadPool &pool(int threads)
{
    static std::map<int, std::unique_ptr<ThreadPool>> pools;
    auto &slot = pools[threads];
    if (!slot)
        slot = std::make_unique<ThreadPool>(threads);
    return *slot;
}

int all_threads()
{
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::map<int, double> &measured_bandwidth() // threads -> bytes/s
{
    static std::map<int, double> bw;
    return bw;
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::max(
        1e-9, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// Read bandwidth: sum a 1 GiB buffer of 64-bit words (4 independent sums, which the compiler
// vectorizes), split across the pool.
void bm_stream_read(benchmark::State &state, int threads)
{
    static const std::unique_ptr<std::uint64_t[]> buffer = [] {
        auto b = std::make_unique_for_overwrite<std::uint64_t[]>(k_stream_bytes / 8);
        for (std::size_t i = 0; i < k_stream_bytes / 8; ++i)
            b[i] = i * 0x9e3779b97f4a7c15ull;
        return b;
    }();
    const std::int64_t words = static_cast<std::int64_t>(k_stream_bytes / 8);
    ThreadPool &p = pool(threads);
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        p.parallel_for(words / 4096, [&](std::int64_t begin, std::int64_t end) {
            const std::uint64_t *w = buffer.get() + begin * 4096;
            std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (std::int64_t i = 0; i < (end - begin) * 4096; i += 4) {
                s0 += w[i];
                s1 += w[i + 1];
                s2 += w[i + 2];
                s3 += w[i + 3];
            }
            benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
        });
    }
    const double bytes =
        static_cast<double>(state.iterations()) * static_cast<double>(k_stream_bytes);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["GBps"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsRate);
    double &best = measured_bandwidth()[threads];
    best = std::max(best, bytes / seconds_since(start));
}

// The pool's cost per parallel_for: what every matrix of a decode step pays on top of its work.
void bm_pool_empty_job(benchmark::State &state, int threads)
{
    ThreadPool &p = pool(threads);
    std::vector<std::int64_t> touched(static_cast<std::size_t>(threads) * 16, 0);
    for (auto _ : state)
        p.parallel_for(threads, [&](std::int64_t begin, std::int64_t) {
            ++touched[static_cast<std::size_t>(begin) * 16]; // one cache line per thread
        });
    benchmark::DoNotOptimize(touched.data());
}

struct MatrixCache
{
    BlockFormat format{};
    std::size_t rows = 0;
    std::unique_ptr<unsigned char[]> data;
};

const unsigned char *matrix(const BenchFormat &bf, std::size_t rows)
{
    static MatrixCache cache; // one matrix at a time: the large ones are 512 MiB each
    if (!cache.data || cache.format != bf.format || cache.rows != rows) {
        cache.data.reset();
        cache.data = random_matrix(bf, rows);
        cache.format = bf.format;
        cache.rows = rows;
    }
    return cache.data.get();
}

void bm_matmul(benchmark::State &state, BenchFormat bf, bool large, bool q16, int threads)
{
    const eng::BlockFormatInfo info = eng::block_format_info(bf.format);
    const std::size_t row_bytes = (k_cols / info.block_size) * info.type_size;
    const std::size_t rows =
        large ? (k_large_bytes + row_bytes - 1) / row_bytes : std::size_t{k_expert_rows};
    const unsigned char *w = matrix(bf, rows);
    std::uint64_t seed = 42;
    std::vector<float> x(k_cols);
    for (float &v : x)
        v = small_float(seed) * 10.0f;
    cpu::QuantizedActivations xq;
    cpu::quantize_activations(x.data(), k_cols, 1, xq);
    std::vector<float> y(rows);
    ThreadPool &p = pool(threads);
    bool ok = true;
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        p.parallel_for(static_cast<std::int64_t>(rows), [&](std::int64_t begin, std::int64_t end) {
            if (!cpu::matmul(bf.format, w, row_bytes, k_cols, static_cast<int>(begin),
                             static_cast<int>(end), x.data(), q16 ? &xq : nullptr, 1, y.data(),
                             rows))
                ok = false;
        });
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    if (!ok)
        state.SkipWithError("matmul refused the shape");
    const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(rows) *
                         static_cast<double>(row_bytes);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["GBps"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsRate);
    state.SetLabel(cpu::isa_name(cpu::best_isa()));
    if (const auto bw = measured_bandwidth().find(threads); bw != measured_bandwidth().end())
        state.counters["bw_frac"] = bytes / seconds_since(start) / bw->second;
}

// Prefill: 64 tokens against one expert-sized matrix; reports multiply-adds per second.
void bm_prefill(benchmark::State &state, BenchFormat bf, bool q16, int threads)
{
    constexpr int tokens = 64;
    const eng::BlockFormatInfo info = eng::block_format_info(bf.format);
    const std::size_t row_bytes = (k_cols / info.block_size) * info.type_size;
    const std::size_t rows = k_expert_rows;
    const unsigned char *w = matrix(bf, rows);
    std::uint64_t seed = 7;
    std::vector<float> x(static_cast<std::size_t>(k_cols) * tokens);
    for (float &v : x)
        v = small_float(seed) * 10.0f;
    cpu::QuantizedActivations xq;
    cpu::quantize_activations(x.data(), k_cols, tokens, xq);
    std::vector<float> y(rows * tokens);
    ThreadPool &p = pool(threads);
    for (auto _ : state) {
        p.parallel_for(static_cast<std::int64_t>(rows), [&](std::int64_t begin, std::int64_t end) {
            cpu::matmul(bf.format, w, row_bytes, k_cols, static_cast<int>(begin),
                        static_cast<int>(end), x.data(), q16 ? &xq : nullptr, tokens, y.data(),
                        rows);
        });
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.counters["GMACps"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(rows) * k_cols * tokens / 1e9,
        benchmark::Counter::kIsRate);
}

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    const std::vector<int> thread_counts =
        all_threads() > 1 ? std::vector<int>{1, all_threads()} : std::vector<int>{1};
    for (int threads : thread_counts)
        benchmark::RegisterBenchmark("stream_read/1GiB/threads:" + std::to_string(threads),
                                     bm_stream_read, threads)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    for (int threads : thread_counts)
        benchmark::RegisterBenchmark("pool_empty_job/threads:" + std::to_string(threads),
                                     bm_pool_empty_job, threads)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
    for (const BenchFormat &bf : k_formats) {
        const std::string name(eng::block_format_info(bf.format).name);
        const bool has_q16 = cpu::kernels(bf.format).dot_q16 != nullptr;
        for (const bool large : {false, true})
            for (const bool q16 : {false, true}) {
                if (q16 && !has_q16)
                    continue;
                for (int threads : thread_counts)
                    benchmark::RegisterBenchmark(name + (q16 ? "/q16" : "/f32") +
                                                     (large ? "/512MiB" : "/expert_1408x4096") +
                                                     "/threads:" + std::to_string(threads),
                                                 bm_matmul, bf, large, q16, threads)
                        ->UseRealTime()
                        ->Unit(benchmark::kMillisecond);
            }
    }
    for (const BenchFormat &bf : k_formats) {
        const std::string name(eng::block_format_info(bf.format).name);
        const bool has_q16 = cpu::kernels(bf.format).dot_q16 != nullptr;
        for (int threads : thread_counts)
            benchmark::RegisterBenchmark(
                name + (has_q16 ? "/q16" : "/f32") +
                    "/prefill64/expert_1408x4096/threads:" + std::to_string(threads),
                bm_prefill, bf, has_q16, threads)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
