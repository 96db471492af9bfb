// Host memory read bandwidth: the ceiling that CPU decode speed is reported against
// ("x tokens/s = y% of the bandwidth limit"), measured rather than taken from a spec sheet.
#pragma once

#include <cstddef>

namespace glmdesk::bench {

struct BandwidthResult
{
    double best_gb_per_s = 0.0;   // best of the repetitions, 1 GB = 1e9 bytes
    double median_gb_per_s = 0.0; // median of the repetitions
    std::size_t bytes = 0;        // buffer size read per repetition
    int threads = 0;
};

// Reads a `bytes`-sized buffer with `threads` threads, `repetitions` times.
BandwidthResult measure_read_bandwidth(std::size_t bytes, int threads, int repetitions);

} // namespace glmdesk::bench
