// Scalar reference dequantization and dot products: the oracle every SIMD, CUDA and Vulkan kernel
// is tested against. Written for clarity, not speed: one block at a time, in the order and with
// the float32 rounding steps of ggml's reference code, so the results are bit-exact against it
// (and against gguf-py, see tools/gen_quant_vectors).
#pragma once

#include "engine/common/status.h"
#include "engine/quant/block_formats.h"

#include <cstddef>

namespace glmdesk::engine {

// True for the formats dequantize_row handles: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS.
bool block_format_supported(BlockFormat format);

// Writes the n_weights floats that `src` (n_weights / block_size blocks, any alignment) encodes.
// InvalidArgument when n_weights is not a whole number of blocks, a pointer is null, or the
// format id is unknown; Unsupported (naming the format) for formats this engine does not decode.
Status dequantize_row(BlockFormat format, const void *src, std::size_t n_weights, float *dst);

// sum_i dequantized(row)[i] * x[i], each product and the sum in double: the value a kernel's
// float result is compared against. Errors as dequantize_row.
Expected<double> dot_row_reference(BlockFormat format, const void *row, const float *x,
                                   std::size_t n_weights);

} // namespace glmdesk::engine
