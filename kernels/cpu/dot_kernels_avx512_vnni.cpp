// AVX-512 VNNI kernels at 256-bit width (AVX512VL): the AVX2 code with one vpdpbusd per 32-weight
// chunk. Compiled with AVX-512 flags only; called after a CPUID check.
#define GLMDESK_X86_VNNI 1 // AVX-512 VNNI
#define GLMDESK_X86_TABLE avx512_vnni_kernels
#include "kernels/cpu/dot_kernels_x86.inc"
