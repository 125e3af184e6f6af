// Fused AdamW (torch.optim.AdamW semantics) on fp32 master weights: one read and one write of p, m and v per
// step instead of the half-dozen passes of an unfused update. One thread per parameter, grid-stride.
#include "common.cuh"

// g = gradScale * grad; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p = p * decay - (m / (sqrt(v) * invBc2Sqrt + eps)) * stepSize, with decay = 1 - lr * wd,
// stepSize = lr / (1 - b1^step) and invBc2Sqrt = 1 / sqrt(1 - b2^step) computed on the host in double and rounded
// once (as PyTorch's Python floats reach its kernels), in the CPU backend's order of operations.
// When pBf16 is not null the updated weights are also written there as bf16, the copy a mixed-precision forward
// pass reads.
extern "C" __global__ void adamw_f32(long long n, float* p, const float* grad, float* m, float* v, float decay,
                                     float beta1, float beta2, float eps, float gradScale, float stepSize,
                                     float invBc2Sqrt, __nv_bfloat16* pBf16) {
    const float c1 = 1.f - beta1, c2 = 1.f - beta2;  // exact in fp32 for betas in [0.5, 1)
    GRID_STRIDE(i, n) {
        const float g = grad[i] * gradScale;
        const float mi = m[i] * beta1 + g * c1;
        const float vi = v[i] * beta2 + g * g * c2;
        const float pi = p[i] * decay - mi / (sqrtf(vi) * invBc2Sqrt + eps) * stepSize;
        p[i] = pi;
        m[i] = mi;
        v[i] = vi;
        if (pBf16 != nullptr) pBf16[i] = __float2bfloat16_rn(pi);
    }
}
