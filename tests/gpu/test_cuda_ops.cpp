// CUDA ops against the CPU reference on random data. Needs a CUDA GPU; skips (reported by ctest as
// skipped, with the reason) where there is none.
#include "engine/backend/cuda/cuda_device.h"
#include "kernels/cpu/reference_ops.h"
#include "kernels/cuda/rms_norm.h"
#include "tests/support/test_support.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

namespace {

class CudaOps : public ::testing::Test
{
protected:
    void SetUp() override
    {
        auto devices = glmdesk::engine::cuda_device_infos();
        if (!devices || devices->empty())
            GTEST_SKIP() << "no CUDA GPU: "
                         << (devices ? std::string("driver reports 0 devices")
                                     : devices.status().message());
        std::printf("CUDA device: %s\n", devices->front().name.c_str());
    }
};

// Device buffer that frees itself, so a failed ASSERT leaks nothing.
struct DeviceFloats
{
    float *ptr = nullptr;
    explicit DeviceFloats(size_t n) { EXPECT_EQ(cudaMalloc(&ptr, n * sizeof(float)), cudaSuccess); }
    ~DeviceFloats() { cudaFree(ptr); }
    DeviceFloats(const DeviceFloats &) = delete;
    DeviceFloats &operator=(const DeviceFloats &) = delete;
};

} // namespace

TEST_F(CudaOps, RmsNormMatchesCpuReference)
{
    for (const auto &[rows, cols] : {std::pair{1, 4096}, {7, 128}, {3, 1000}, {64, 256}}) {
        const auto x = glmdesk::test::random_floats(size_t(rows) * cols, 21 + rows, -4.0f, 4.0f);
        const auto w = glmdesk::test::random_floats(cols, 22 + cols, 0.2f, 1.8f);
        std::vector<float> ref(x.size()), y(x.size());
        glmdesk::kernels::cpu::rms_norm_reference(x.data(), w.data(), ref.data(), rows, cols,
                                                  1e-5f);
        DeviceFloats dx(x.size()), dw(w.size()), dy(y.size());
        cudaMemcpy(dx.ptr, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice);
        cudaMemcpy(dw.ptr, w.data(), w.size() * sizeof(float), cudaMemcpyHostToDevice);
        ASSERT_EQ(glmdesk::kernels::cuda::launch_rms_norm_f32(dx.ptr, dw.ptr, dy.ptr, rows, cols,
                                                              1e-5f, nullptr),
                  0);
        ASSERT_EQ(cudaMemcpy(y.data(), dy.ptr, y.size() * sizeof(float), cudaMemcpyDeviceToHost),
                  cudaSuccess);
        EXPECT_LT(glmdesk::test::max_rel_error(y, ref), 1e-5) << rows << "x" << cols;
    }
}

// Prefill GEMMs go through cuBLAS: the link and a product against a plain loop.
TEST_F(CudaOps, CublasSgemmMatchesPlainLoop)
{
    const int m = 33, n = 17, k = 64; // C[m,n] = A[m,k] * B[k,n], column-major as cuBLAS wants
    const auto a = glmdesk::test::random_floats(size_t(m) * k, 31);
    const auto b = glmdesk::test::random_floats(size_t(k) * n, 32);
    std::vector<float> ref(size_t(m) * n, 0.0f), c(ref.size());
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) {
            double acc = 0.0;
            for (int p = 0; p < k; ++p)
                acc += double(a[size_t(p) * m + i]) * b[size_t(j) * k + p];
            ref[size_t(j) * m + i] = float(acc);
        }
    DeviceFloats da(a.size()), db(b.size()), dc(c.size());
    cudaMemcpy(da.ptr, a.data(), a.size() * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(db.ptr, b.data(), b.size() * sizeof(float), cudaMemcpyHostToDevice);
    cublasHandle_t handle = nullptr;
    ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
    const float alpha = 1.0f, beta = 0.0f;
    EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, da.ptr, m, db.ptr, k,
                          &beta, dc.ptr, m),
              CUBLAS_STATUS_SUCCESS);
    cublasDestroy(handle);
    ASSERT_EQ(cudaMemcpy(c.data(), dc.ptr, c.size() * sizeof(float), cudaMemcpyDeviceToHost),
              cudaSuccess);
    // TF32 tensor-core math may be on by default on Ampere+: allow its 10-bit mantissa.
    EXPECT_LT(glmdesk::test::max_rel_error(c, ref), 2e-3);
}
