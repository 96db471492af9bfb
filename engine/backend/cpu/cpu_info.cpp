#include "engine/backend/cpu/cpu_info.h"

#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace glmdesk::engine {

CpuFeatures detect_cpu_features()
{
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        f.f16c = (ecx & bit_F16C) != 0;
    // AVX-VNNI (VEX-encoded, Alder Lake and later) lives in leaf 7, sub-leaf 1, EAX bit 4.
    if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
        f.avx_vnni = (eax & (1u << 4)) != 0;
#endif
    return f;
}

std::string cpu_description()
{
    const CpuFeatures f = detect_cpu_features();
    std::string s = std::to_string(std::thread::hardware_concurrency()) + " threads";
    const char *sep = ", ";
    auto add = [&](bool have, const char *name) {
        if (have) {
            s += sep;
            s += name;
            sep = " ";
        }
    };
    add(f.avx2, "AVX2");
    add(f.fma, "FMA");
    add(f.f16c, "F16C");
    add(f.avx_vnni, "AVX-VNNI");
    add(f.avx512f, "AVX-512F");
    add(f.avx512bw, "AVX-512BW");
    add(f.avx512vnni, "AVX-512VNNI");
    return s;
}

} // namespace glmdesk::engine
