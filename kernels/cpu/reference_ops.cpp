#include "kernels/cpu/reference_ops.h"

#include <cmath>

namespace glmdesk::kernels::cpu {

void rms_norm_reference(const float *x, const float *weight, float *y, std::int64_t rows,
                        std::int64_t cols, float eps)
{
    for (std::int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        double sum_sq = 0.0;
        for (std::int64_t c = 0; c < cols; ++c)
            sum_sq += static_cast<double>(xr[c]) * xr[c];
        const double scale = 1.0 / std::sqrt(sum_sq / static_cast<double>(cols) + eps);
        for (std::int64_t c = 0; c < cols; ++c)
            yr[c] = static_cast<float>(xr[c] * scale * weight[c]);
    }
}

} // namespace glmdesk::kernels::cpu
