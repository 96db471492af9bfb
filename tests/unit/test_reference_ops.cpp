// The scalar reference is the oracle for every kernel, so it is checked against properties that
// hold for RMSNorm whatever the implementation: unit RMS, scale invariance, the weight applies.
#include "kernels/cpu/reference_ops.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>

using glmdesk::kernels::cpu::rms_norm_reference;

TEST(RmsNormReference, OutputHasUnitRmsWithUnitWeight)
{
    const int rows = 5, cols = 4096;
    const auto x = glmdesk::test::random_floats(rows * cols, 1, -3.0f, 3.0f);
    const std::vector<float> w(cols, 1.0f);
    std::vector<float> y(x.size());
    rms_norm_reference(x.data(), w.data(), y.data(), rows, cols, 1e-5f);
    for (int r = 0; r < rows; ++r) {
        double sum_sq = 0.0;
        for (int c = 0; c < cols; ++c)
            sum_sq += double(y[r * cols + c]) * y[r * cols + c];
        EXPECT_NEAR(std::sqrt(sum_sq / cols), 1.0, 1e-5) << "row " << r;
    }
}

TEST(RmsNormReference, IsScaleInvariantAndAppliesTheWeight)
{
    const int cols = 256;
    const auto x = glmdesk::test::random_floats(cols, 2);
    const auto w = glmdesk::test::random_floats(cols, 3, 0.5f, 2.0f);
    std::vector<float> x_scaled(cols), y(cols), y_scaled(cols), y_unit(cols);
    for (int c = 0; c < cols; ++c)
        x_scaled[c] = 37.0f * x[c];
    const std::vector<float> ones(cols, 1.0f);
    rms_norm_reference(x.data(), w.data(), y.data(), 1, cols, 0.0f);
    rms_norm_reference(x_scaled.data(), w.data(), y_scaled.data(), 1, cols, 0.0f);
    rms_norm_reference(x.data(), ones.data(), y_unit.data(), 1, cols, 0.0f);
    EXPECT_LT(glmdesk::test::max_rel_error(y_scaled, y), 1e-6);
    for (int c = 0; c < cols; ++c)
        EXPECT_NEAR(y[c], y_unit[c] * w[c], 1e-6f * std::fabs(y[c]) + 1e-7f) << c;
}

TEST(RmsNormReference, EpsilonKeepsAZeroRowFinite)
{
    const std::vector<float> x(64, 0.0f), w(64, 1.0f);
    std::vector<float> y(64, 1.0f);
    rms_norm_reference(x.data(), w.data(), y.data(), 1, 64, 1e-5f);
    for (float v : y)
        EXPECT_EQ(v, 0.0f);
}
