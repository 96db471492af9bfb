// AVX2 + FMA + F16C kernels (compiled with those flags only; called after a CPUID check).
#define GLMDESK_X86_VNNI 0
#define GLMDESK_X86_TABLE avx2_kernels
#include "kernels/cpu/dot_kernels_x86.inc"
