#include "app/bench/memory_bandwidth.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace glmdesk::bench {
namespace {

// Four independent accumulators let the compiler keep several loads in flight and vectorise.
std::uint64_t sum_words(const std::uint64_t *p, std::size_t n)
{
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a += p[i];
        b += p[i + 1];
        c += p[i + 2];
        d += p[i + 3];
    }
    for (; i < n; ++i)
        a += p[i];
    return a + b + c + d;
}

} // namespace

BandwidthResult measure_read_bandwidth(std::size_t bytes, int threads, int repetitions)
{
    threads = std::max(1, threads);
    repetitions = std::max(1, repetitions);
    const std::size_t words = std::max<std::size_t>(bytes / sizeof(std::uint64_t), 1024);
    std::unique_ptr<std::uint64_t[]> buffer(new std::uint64_t[words]);
    // Touch every page from the thread that will read it, so first-touch places pages near it.
    const std::size_t per_thread = (words + static_cast<std::size_t>(threads) - 1) / threads;
    auto for_each_slice = [&](auto &&fn) {
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            const std::size_t begin = std::min(words, per_thread * static_cast<std::size_t>(t));
            const std::size_t end = std::min(words, begin + per_thread);
            pool.emplace_back([&fn, t, begin, end] { fn(t, begin, end); });
        }
        for (auto &th : pool)
            th.join();
    };
    for_each_slice([&](int, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            buffer[i] = i * 0x9E3779B97F4A7C15ull;
    });

    std::vector<double> rates;
    std::vector<std::uint64_t> sinks(static_cast<std::size_t>(threads));
    for (int rep = 0; rep < repetitions; ++rep) {
        const auto start = std::chrono::steady_clock::now();
        for_each_slice([&](int t, std::size_t begin, std::size_t end) {
            sinks[static_cast<std::size_t>(t)] += sum_words(buffer.get() + begin, end - begin);
        });
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        rates.push_back(static_cast<double>(words * sizeof(std::uint64_t)) / elapsed.count() / 1e9);
    }
    // The sums must be observable or the reads could be optimised away.
    volatile std::uint64_t keep = 0;
    for (auto s : sinks)
        keep = keep + s;
    (void)keep;

    std::sort(rates.begin(), rates.end());
    BandwidthResult r;
    r.best_gb_per_s = rates.back();
    r.median_gb_per_s = rates[rates.size() / 2];
    r.bytes = words * sizeof(std::uint64_t);
    r.threads = threads;
    return r;
}

} // namespace glmdesk::bench
