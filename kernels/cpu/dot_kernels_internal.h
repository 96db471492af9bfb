// Shared between dot_kernels.cpp and the per-ISA translation units. The ISA files are compiled
// with extra -m flags, so they must not define or instantiate any non-static inline function that
// other files also use: the linker could keep their AVX2 copy for everyone. Hence only plain
// declarations here, and everything in those files sits in an anonymous namespace.
#pragma once

#include "kernels/cpu/dot_kernels.h"

namespace glmdesk::kernels::cpu::detail {

FormatKernels scalar_kernels(BlockFormat format);
#if defined(GLMDESK_KERNELS_X86)
FormatKernels avx2_kernels(BlockFormat format);
FormatKernels avx_vnni_kernels(BlockFormat format);
FormatKernels avx512_vnni_kernels(BlockFormat format);
FormatKernels avx512_bf16_kernels(BlockFormat format); // BF16 only; empty for the others
#endif

} // namespace glmdesk::kernels::cpu::detail
