// Losses on embeddings: symmetric InfoNCE (CLIP loss), mean squared distance (PAR's teacher term), and the L2
// normalisation in front of both. Batches are n <= a few thousand rows of E <= 1024 values: the n x n logits come
// from cuBLAS (scale * a b^T), these kernels do the softmax statistics, the loss value and dLoss/dlogits; the
// gradients w.r.t. a and b are then two more GEMMs on the host side.
#include "common.cuh"

// ------------------------------------------------------------------ contrastive loss

// Row i of logits L [n, n]: lseRow[i] = logsumexp_j L[i, j]; hit[i] = 1 when the diagonal is the row's first
// maximum (argmax == label, the in-batch top-1 accuracy). One block per row.
extern "C" __global__ void contrastive_row_stats_f32(const float* L, int n, float* lseRow, int* hit) {
    const int i = blockIdx.x;
    const float* row = L + (long long)i * n;
    float m = -CUDART_INF_F;
    for (int j = threadIdx.x; j < n; j += blockDim.x) m = fmaxf(m, row[j]);
    m = block_max(m);
    float s = 0.f;
    int first = 0x7fffffff;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        s += expf(row[j] - m);
        if (row[j] == m) first = min(first, j);
    }
    s = block_sum(s);
    first = block_min_int(first);
    if (threadIdx.x == 0) {
        lseRow[i] = m + logf(s);
        hit[i] = first == i;
    }
}

// Column j: lseCol[j] = logsumexp_i L[i, j]. One block per column; the strided reads are fine at these sizes.
extern "C" __global__ void contrastive_col_stats_f32(const float* L, int n, float* lseCol) {
    const int j = blockIdx.x;
    float m = -CUDART_INF_F;
    for (int i = threadIdx.x; i < n; i += blockDim.x) m = fmaxf(m, L[(long long)i * n + j]);
    m = block_max(m);
    float s = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += expf(L[(long long)i * n + j] - m);
    s = block_sum(s);
    if (threadIdx.x == 0) lseCol[j] = m + logf(s);
}

// One block: out[0] = sum_i (lseRow[i] - L[i,i]) + (lseCol[i] - L[i,i]) (the host divides by 2n), out[1] = hits.
// Double accumulation in a fixed order.
extern "C" __global__ void contrastive_loss_sum(const float* L, const float* lseRow, const float* lseCol,
                                                const int* hit, int n, double* out) {
    double s = 0.0, h = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        const double d = L[(long long)i * n + i];
        s += ((double)lseRow[i] - d) + ((double)lseCol[i] - d);
        h += hit[i];
    }
    s = block_sum(s);
    h = block_sum(h);
    if (threadIdx.x == 0) {
        out[0] = s;
        out[1] = h;
    }
}

// G = coef * (softmax_rows(L) + softmax_cols(L) - 2 I): dLoss/dlogits with coef = gradWeight / (2n).
// One thread per element.
extern "C" __global__ void contrastive_grad_f32(const float* L, const float* lseRow, const float* lseCol, int n,
                                                float coef, float* G) {
    const long long total = (long long)n * n;
    GRID_STRIDE(e, total) {
        const int i = (int)(e / n), j = (int)(e % n);
        const float v = L[e];
        G[e] = coef * (expf(v - lseRow[i]) + expf(v - lseCol[j]) - (i == j ? 2.f : 0.f));
    }
}

// ------------------------------------------------------------------ squared distance

// Block partials of sum (a - b)^2 in double and, when da is not null, da += coef * (a - b) with
// coef = 2 * gradWeight / rows, in the same pass. sum_f64 (elementwise.cu) adds the partials.
extern "C" __global__ void sqdist_partial_f32(const float* a, const float* b, long long n, float* da, float coef,
                                              double* partial) {
    double s = 0.0;
    GRID_STRIDE(i, n) {
        const float d = a[i] - b[i];
        s += (double)d * d;
        if (da != nullptr) da[i] += coef * d;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// ------------------------------------------------------------------ L2 normalisation (F.normalize)

// out = x / max(||x||, 1e-12) per row, norms[row] = ||x|| (unclamped). One warp per row, 8 rows per block.
extern "C" __global__ void l2norm_forward_f32(const float* x, int rows, int cols, float* out, float* norms) {
    const int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= rows) return;
    const long long off = (long long)row * cols;
    float s = 0.f;
    for (int c = lane; c < cols; c += 32) s += x[off + c] * x[off + c];
    const float nrm = sqrtf(warp_sum(s));
    const float d = fmaxf(nrm, 1e-12f);
    for (int c = lane; c < cols; c += 32) out[off + c] = x[off + c] / d;
    if (lane == 0) norms[row] = nrm;
}

// Backward given the output y: ||x|| > 1e-12: dx = (dy - y (y . dy)) / ||x||; else the clamp made the op linear:
// dx = dy / 1e-12. dx overwritten, or accumulated into when accumulate != 0.
extern "C" __global__ void l2norm_backward_f32(const float* dout, const float* out, const float* norms, int rows,
                                               int cols, float* dx, int accumulate) {
    const int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= rows) return;
    const long long off = (long long)row * cols;
    const float nrm = norms[row];
    float dot = 0.f;
    for (int c = lane; c < cols; c += 32) dot += out[off + c] * dout[off + c];
    dot = warp_sum(dot);
    for (int c = lane; c < cols; c += 32) {
        const float g = nrm > 1e-12f ? (dout[off + c] - out[off + c] * dot) / nrm : dout[off + c] / 1e-12f;
        dx[off + c] = accumulate ? dx[off + c] + g : g;
    }
}
