// What the CPU offers the kernels: core count and the SIMD extensions the dispatcher can pick.
#pragma once

#include <string>

namespace glmdesk::engine {

struct CpuFeatures
{
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vnni = false;
    bool avx_vnni = false;
};

CpuFeatures detect_cpu_features();

// "12 threads, AVX2 FMA F16C AVX-512 (F BW VNNI)".
std::string cpu_description();

} // namespace glmdesk::engine
