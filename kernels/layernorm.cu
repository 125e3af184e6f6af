// LayerNorm over the last dimension, forward and backward, statistics in fp32 (CLIP's LayerNorm casts to fp32).
//
// Rows are token vectors (C = 512..1024, rows = batch * seq up to ~10^5). One warp owns one row: its lanes stride
// the row (coalesced), the mean and variance need only warp shuffles, and the row stays in L1 between passes.
// Blocks hold 8 warps = 8 rows. The weight/bias gradients are column sums over all rows and use the same
// two-pass, atomic-free scheme as col_sum_partial_f32 (elementwise.cu) so they are reproducible.
#include "common.cuh"

#define LN_ROWS_PER_BLOCK 8

// Normalises one row given its pointer; two passes (mean, then squared deviations), like the CPU backend, rather
// than E[x^2] - E[x]^2, which cancels badly when the mean is large. 1/sqrtf, not rsqrtf (2 ulp), for parity.
__device__ __forceinline__ void layernorm_row(const float* xr, const float* weight, const float* bias, float eps,
                                              int cols, float* o, float* mean, float* rstd, int row) {
    const int lane = threadIdx.x & 31;
    float s = 0.f;
    for (int c = lane; c < cols; c += 32) s += xr[c];
    const float m = warp_sum(s) / cols;
    float q = 0.f;
    for (int c = lane; c < cols; c += 32) {
        const float d = xr[c] - m;
        q += d * d;
    }
    const float rs = 1.f / sqrtf(warp_sum(q) / cols + eps);
    for (int c = lane; c < cols; c += 32) o[c] = (xr[c] - m) * rs * weight[c] + bias[c];
    if (lane == 0 && mean != nullptr) {
        mean[row] = m;
        rstd[row] = rs;
    }
}

// out = LayerNorm(x); mean, rstd [rows] saved for the backward (may be null in inference).
extern "C" __global__ void layernorm_forward_f32(const float* x, const float* weight, const float* bias, float eps,
                                                 int rows, int cols, float* out, float* mean, float* rstd) {
    const int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (row >= rows) return;
    const long long off = (long long)row * cols;
    layernorm_row(x + off, weight, bias, eps, cols, out + off, mean, rstd, row);
}

// Fused residual add + LayerNorm: residual = a + b, out = LayerNorm(residual). This is the pre-norm block's
// "x = x + attn(ln_1(x)); h = ln_2(x)" in one read of a and b instead of an add kernel and a re-read.
// residual may alias a or b (each element is read before it is written, by the same thread).
extern "C" __global__ void residual_layernorm_forward_f32(const float* a, const float* b, float* residual,
                                                          const float* weight, const float* bias, float eps,
                                                          int rows, int cols, float* out, float* mean,
                                                          float* rstd) {
    const int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (row >= rows) return;
    const long long off = (long long)row * cols;
    for (int c = threadIdx.x & 31; c < cols; c += 32) residual[off + c] = a[off + c] + b[off + c];
    __syncwarp();  // the row is re-read by other lanes of this warp
    layernorm_row(residual + off, weight, bias, eps, cols, out + off, mean, rstd, row);
}

// dx = rstd * (dn - mean(dn) - xhat * mean(dn * xhat)) with dn = dout * weight, xhat = (x - mean) * rstd.
// One warp per row; dx overwritten, or accumulated into when accumulate != 0.
extern "C" __global__ void layernorm_backward_dx_f32(const float* dout, const float* x, const float* weight,
                                                     const float* mean, const float* rstd, int rows, int cols,
                                                     float* dx, int accumulate) {
    const int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (row >= rows) return;
    const int lane = threadIdx.x & 31;
    const long long off = (long long)row * cols;
    const float m = mean[row], rs = rstd[row];
    float sdn = 0.f, sdnx = 0.f;
    for (int c = lane; c < cols; c += 32) {
        const float dn = dout[off + c] * weight[c];
        sdn += dn;
        sdnx += dn * ((x[off + c] - m) * rs);
    }
    const float meanDn = warp_sum(sdn) / cols, meanDnx = warp_sum(sdnx) / cols;
    for (int c = lane; c < cols; c += 32) {
        const float xhat = (x[off + c] - m) * rs;
        const float g = rs * (dout[off + c] * weight[c] - meanDn - xhat * meanDnx);
        dx[off + c] = accumulate ? dx[off + c] + g : g;
    }
}

// Pass 1 of dweight = sum_rows(dout * xhat), dbias = sum_rows(dout): block (32, 8) owns 32 columns and one chunk
// of rows; writes partial[chunk, 0:cols] (weight) and partial[chunk, cols:2cols] (bias). Pass 2 is
// col_sum_finish_f32 with stride 2 * cols, accumulating into the gradients.
extern "C" __global__ void layernorm_param_grad_partial_f32(const float* dout, const float* x, const float* mean,
                                                            const float* rstd, int rows, int cols,
                                                            int rowsPerChunk, float* partial) {
    __shared__ float tw[8][33], tb[8][33];
    const int c = blockIdx.x * 32 + threadIdx.x;
    const int r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    float sw = 0.f, sb = 0.f;
    if (c < cols)
        for (int r = r0 + threadIdx.y; r < r1; r += 8) {
            const long long i = (long long)r * cols + c;
            const float d = dout[i];
            sw += d * ((x[i] - mean[r]) * rstd[r]);
            sb += d;
        }
    tw[threadIdx.y][threadIdx.x] = sw;
    tb[threadIdx.y][threadIdx.x] = sb;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float w = 0.f, b = 0.f;
#pragma unroll
        for (int k = 0; k < 8; k++) {
            w += tw[k][threadIdx.x];
            b += tb[k][threadIdx.x];
        }
        const long long base = (long long)blockIdx.y * 2 * cols;
        partial[base + c] = w;
        partial[base + cols + c] = b;
    }
}
