// glmdesk-bench: speed measurements without Qt. Every speed we report is a fraction of a limit
// measured on the same machine; --membw measures the CPU side of that limit.
#include "app/bench/memory_bandwidth.h"
#include "engine/engine.h"

#include <charconv>
#include <cstdio>
#include <string_view>
#include <thread>

namespace {

void print_usage(std::FILE *out)
{
    std::fputs("usage: glmdesk-bench [options]\n"
               "  --version        print the version and the backends compiled in\n"
               "  --membw          measure host memory read bandwidth (GB/s)\n"
               "  --mib N          buffer size for --membw in MiB (default 2048)\n"
               "  --threads N      threads for --membw (default: all hardware threads)\n"
               "  --reps N         repetitions for --membw (default 5)\n"
               "  --json           one JSON object on stdout\n"
               "  -h, --help       this help\n",
               out);
}

bool parse_int(std::string_view text, int &out)
{
    const auto *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && out > 0;
}

} // namespace

int main(int argc, char **argv)
{
    bool json = false, membw = false, version = false;
    int mib = 2048, reps = 5;
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto int_value = [&](int &out) {
            if (i + 1 >= argc || !parse_int(argv[i + 1], out)) {
                std::fprintf(stderr, "glmdesk-bench: %s needs a positive integer\n", argv[i]);
                return false;
            }
            ++i;
            return true;
        };
        if (arg == "--version") {
            version = true;
        } else if (arg == "--json") {
            json = true;
        } else if (arg == "--membw") {
            membw = true;
        } else if (arg == "--mib") {
            if (!int_value(mib))
                return 2;
        } else if (arg == "--threads") {
            if (!int_value(threads))
                return 2;
        } else if (arg == "--reps") {
            if (!int_value(reps))
                return 2;
        } else if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "glmdesk-bench: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (version) {
        std::printf("%s\n", glmdesk::engine::version_line("glmdesk-bench").c_str());
        return 0;
    }
    if (!membw) {
        print_usage(stderr);
        return 2;
    }
    const auto r =
        glmdesk::bench::measure_read_bandwidth(static_cast<std::size_t>(mib) << 20, threads, reps);
    if (json) {
        std::printf("{\"membw\":{\"best_gb_per_s\":%.2f,\"median_gb_per_s\":%.2f,\"bytes\":%zu,"
                    "\"threads\":%d}}\n",
                    r.best_gb_per_s, r.median_gb_per_s, r.bytes, r.threads);
    } else {
        std::printf("host memory read bandwidth: %.2f GB/s best, %.2f GB/s median "
                    "(%zu MiB, %d threads, %d reps)\n",
                    r.best_gb_per_s, r.median_gb_per_s, r.bytes >> 20, r.threads, reps);
    }
    return 0;
}
