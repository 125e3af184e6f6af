// Fused AdamW (torch.optim.AdamW semantics) on fp32 master weights: one read and one write of p, m and v per
// step instead of the half-dozen passes of an unfused update. One thread per parameter, grid-stride.
#include "common.cuh"

// g = gradScale * grad; p *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps), with stepSize = lr / (1 - b1^step) and bc2Sqrt = sqrt(1 - b2^step)
// computed on the host in double. When pBf16 is not null the updated weights are also written there as bf16,
// the copy a mixed-precision forward pass reads.
extern "C" __global__ void adamw_f32(long long n, float* p, const float* grad, float* m, float* v, float lr,
                                     float beta1, float beta2, float eps, float weightDecay, float gradScale,
                                     float stepSize, float bc2Sqrt, __nv_bfloat16* pBf16) {
    GRID_STRIDE(i, n) {
        const float g = gradScale * grad[i];
        float pi = p[i] * (1.f - lr * weightDecay);
        const float mi = beta1 * m[i] + (1.f - beta1) * g;
        const float vi = beta2 * v[i] + (1.f - beta2) * g * g;
        pi -= stepSize * mi / (sqrtf(vi) / bc2Sqrt + eps);
        p[i] = pi;
        m[i] = mi;
        v[i] = vi;
        if (pBf16 != nullptr) pBf16[i] = __float2bfloat16_rn(pi);
    }
}
