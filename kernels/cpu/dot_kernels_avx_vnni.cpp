// AVX-VNNI kernels (VEX-encoded vpdpbusd, for CPUs with AVX2 but no AVX-512): the AVX2 code with
// one byte dot-product instruction per 32-weight chunk. Compiled with these flags only; called
// after a CPUID check.
#define GLMDESK_X86_VNNI 2
#define GLMDESK_X86_TABLE avx_vnni_kernels
#include "kernels/cpu/dot_kernels_x86.inc"
