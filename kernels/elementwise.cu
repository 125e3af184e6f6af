// Elementwise ops, reductions, casts, copies and layout changes (Backend's memory, elementwise, pooling and
// batch-norm ops). Elementwise kernels run one thread per element in grid-stride loops; the host sizes the grid.
#include "common.cuh"

// ------------------------------------------------------------------ elementwise

// y += alpha * x. x may alias y.
extern "C" __global__ void axpy_f32(long long n, float alpha, const float* x, float* y) {
    GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

extern "C" __global__ void scale_f32(long long n, float s, float* x) {
    GRID_STRIDE(i, n) x[i] *= s;
}

// x[r, c] += bias[c] over n = rows * cols elements.
extern "C" __global__ void add_row_vector_f32(long long n, int cols, float* x, const float* bias) {
    GRID_STRIDE(i, n) x[i] += bias[i % cols];
}

// ------------------------------------------------------------------ column sums (bias gradients, sumRows)

// Pass 1 of a deterministic column sum of x [rows, cols]: block (32, 8) owns a 32-column stripe and one chunk of
// rowsPerChunk rows (blockIdx.y); its 8 thread rows read whole 128-byte row segments (coalesced), then fold
// through shared memory into partial[chunk, col]. Chunking the rows gives enough blocks to fill the GPU even when
// cols is small; pass 2 (col_sum_finish_f32) adds the chunks in order. No atomics: reproducible sums.
extern "C" __global__ void col_sum_partial_f32(const float* x, int rows, int cols, int rowsPerChunk, float* partial) {
    __shared__ float tile[8][33];
    const int c = blockIdx.x * 32 + threadIdx.x;
    const int r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    float s = 0.f;
    if (c < cols)
        for (int r = r0 + threadIdx.y; r < r1; r += 8) s += x[(long long)r * cols + c];
    tile[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float t = 0.f;
#pragma unroll
        for (int k = 0; k < 8; k++) t += tile[k][threadIdx.x];
        partial[(long long)blockIdx.y * cols + c] = t;
    }
}

// Pass 2: out[c] = beta * out[c] + alpha * sum_g partial[g * stride + c], one thread per column. beta == 0 does
// not read out (it may be uninitialised), as in BLAS. stride lets one partial buffer carry several sums
// (LayerNorm's weight and bias gradients).
extern "C" __global__ void col_sum_finish_f32(const float* partial, int chunks, int stride, int cols, float* out,
                                              float alpha, float beta) {
    GRID_STRIDE(c, cols) {
        float s = 0.f;
        for (int g = 0; g < chunks; g++) s += partial[(long long)g * stride + c];
        out[c] = beta == 0.f ? alpha * s : beta * out[c] + alpha * s;
    }
}

// ------------------------------------------------------------------ sums in double

// Block partial sums of x^2 in double (gradient norms over hundreds of millions of elements keep full precision).
extern "C" __global__ void sumsq_partial_f32(const float* x, long long n, double* partial) {
    double s = 0.0;
    GRID_STRIDE(i, n) {
        const double v = x[i];
        s += v * v;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// One block adds count partials in a fixed order: the second pass of every double reduction.
extern "C" __global__ void sum_f64(const double* partial, int count, double* out) {
    double s = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) s += partial[i];
    s = block_sum(s);
    if (threadIdx.x == 0) *out = s;
}

// ------------------------------------------------------------------ casts

extern "C" __global__ void f32_to_bf16(long long n, const float* x, __nv_bfloat16* y) {
    GRID_STRIDE(i, n) y[i] = __float2bfloat16_rn(x[i]);
}

extern "C" __global__ void bf16_to_f32(long long n, const __nv_bfloat16* x, float* y) {
    GRID_STRIDE(i, n) y[i] = __bfloat162float(x[i]);
}

// ------------------------------------------------------------------ block copies

// dst[i * dstStride + j] (+)= src[i * srcStride + j] for i < count, j < length; one thread per element.
// The host sends the accumulate-into-one-block case (dstStride == 0) to sum_blocks_f32 instead.
extern "C" __global__ void copy_blocks_f32(const float* src, int srcStride, float* dst, int dstStride, int count,
                                           int length, int accumulate) {
    const long long total = (long long)count * length;
    GRID_STRIDE(e, total) {
        const long long i = e / length, j = e % length;
        const float v = src[i * srcStride + j];
        float* d = dst + i * dstStride + j;
        *d = accumulate ? *d + v : v;
    }
}

// dst[j] += sum_i src[i * srcStride + j]: one thread per column adds the blocks in order (no races, reproducible).
extern "C" __global__ void sum_blocks_f32(const float* src, int srcStride, float* dst, int count, int length) {
    GRID_STRIDE(j, length) {
        float acc = dst[j];
        for (int i = 0; i < count; i++) acc += src[(long long)i * srcStride + j];
        dst[j] = acc;
    }
}

// ------------------------------------------------------------------ layout changes

// Non-overlapping patches of x [n, c, h, w] as rows of out [n * gh * gw, c * p * p], (c, ky, kx) within a row.
// One thread per output element: writes are coalesced, each read is one gather (rows of p floats are contiguous).
extern "C" __global__ void patchify_f32(const float* x, int n, int c, int h, int w, int p, float* out) {
    const int gh = h / p, gw = w / p, rowLen = c * p * p;
    const long long total = (long long)n * gh * gw * rowLen;
    GRID_STRIDE(e, total) {
        const long long row = e / rowLen;
        const int col = (int)(e % rowLen);
        const int ci = col / (p * p), ky = (col / p) % p, kx = col % p;
        const long long b = row / (gh * gw);
        const int pr = (int)(row % (gh * gw)), py = pr / gw, px = pr % gw;
        out[e] = x[((b * c + ci) * h + py * p + ky) * (long long)w + px * p + kx];
    }
}

// x [n, a, b] -> out [n, b, a]. Block (32, 8) moves a 32x32 tile through shared memory so both the reads of x
// and the writes of out are coalesced; the tile row is padded to 33 floats so the column reads hit 32 banks.
// Grid (ceil(b/32), ceil(a/32), n).
extern "C" __global__ void transpose12_f32(const float* x, int a, int b, float* out) {
    __shared__ float tile[32][33];
    const long long plane = (long long)blockIdx.z * a * b;
    const int i0 = blockIdx.y * 32, j0 = blockIdx.x * 32;
    for (int k = threadIdx.y; k < 32; k += 8) {
        const int i = i0 + k, j = j0 + threadIdx.x;
        if (i < a && j < b) tile[k][threadIdx.x] = x[plane + (long long)i * b + j];
    }
    __syncthreads();
    for (int k = threadIdx.y; k < 32; k += 8) {
        const int j = j0 + k, i = i0 + threadIdx.x;
        if (i < a && j < b) out[plane + (long long)j * a + i] = tile[threadIdx.x][k];
    }
}

// ------------------------------------------------------------------ average pooling (kernel = stride = k)

// out [nc, h/k, w/k]: one thread per output, summing its k x k window.
extern "C" __global__ void avgpool_forward_f32(const float* x, int nc, int h, int w, int k, float* out) {
    const int ho = h / k, wo = w / k;
    const long long total = (long long)nc * ho * wo;
    const float inv = 1.f / (k * k);  // multiplied, like the CPU backend (exact for k = 2)
    GRID_STRIDE(e, total) {
        const int ox = (int)(e % wo), oy = (int)((e / wo) % ho);
        const long long plane = e / ((long long)wo * ho);
        const float* p = x + (plane * h + (long long)oy * k) * w + (long long)ox * k;
        float s = 0.f;
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) s += p[ky * w + kx];
        out[e] = s * inv;
    }
}

// dx [nc, h, w] overwritten: one thread per input element reads its window's gradient (no scatter, no races);
// rows and columns past the last full window get 0, as the forward ignored them.
extern "C" __global__ void avgpool_backward_f32(const float* dout, int nc, int h, int w, int k, float* dx) {
    const int ho = h / k, wo = w / k;
    const long long total = (long long)nc * h * w;
    const float inv = 1.f / (k * k);
    GRID_STRIDE(e, total) {
        const int x = (int)(e % w), y = (int)((e / w) % h);
        const long long plane = e / ((long long)w * h);
        const int oy = y / k, ox = x / k;
        dx[e] = (oy < ho && ox < wo) ? dout[(plane * ho + oy) * wo + ox] * inv : 0.f;
    }
}

// ------------------------------------------------------------------ batch norm (NCHW, per channel)

// One block per channel: it reduces the channel's n*hw values (strided planes) in double, so a channel of
// millions of values keeps an exact mean, and then normalises them. Training: two passes (mean, then squared
// deviations), biased variance for the normalisation, unbiased for the running variance, as PyTorch does.
extern "C" __global__ void batchnorm_forward_f32(const float* x, const float* weight, const float* bias,
                                                 float* runMean, float* runVar, int training, float momentum,
                                                 float eps, int n, int c, int hw, float* out, float* saveMean,
                                                 float* saveInvStd) {
    const int ch = blockIdx.x;
    const long long count = (long long)n * hw;
#define BN_INDEX(e) (((e) / hw * c + ch) * (long long)hw + (e) % hw)
    float mean, invstd;
    if (training) {
        double s = 0.0;
        for (long long e = threadIdx.x; e < count; e += blockDim.x) s += x[BN_INDEX(e)];
        const double m = block_sum(s) / count;
        double q = 0.0;
        for (long long e = threadIdx.x; e < count; e += blockDim.x) {
            const double d = x[BN_INDEX(e)] - m;
            q += d * d;
        }
        const double var = block_sum(q) / count;
        mean = (float)m;
        invstd = (float)(1.0 / sqrt(var + eps));
        if (threadIdx.x == 0) {
            const double unbiased = count > 1 ? var * count / (count - 1) : var;
            runMean[ch] = (float)((1.0 - momentum) * runMean[ch] + momentum * m);
            runVar[ch] = (float)((1.0 - momentum) * runVar[ch] + momentum * unbiased);
        }
    } else {
        mean = runMean[ch];
        invstd = (float)(1.0 / sqrt((double)runVar[ch] + eps));
    }
    if (threadIdx.x == 0) {
        saveMean[ch] = mean;
        saveInvStd[ch] = invstd;
    }
    const float w = weight[ch], b = bias[ch];
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        const long long i = BN_INDEX(e);
        out[i] = (x[i] - mean) * invstd * w + b;
    }
}

// One block per channel. With xhat = (x - mean) * invstd: dbias += sum(dout), dweight += sum(dout * xhat);
// training: dx = w * invstd * (dout - mean(dout) - xhat * mean(dout * xhat)); eval: dx = dout * w * invstd.
extern "C" __global__ void batchnorm_backward_f32(const float* dout, const float* x, const float* weight,
                                                  const float* saveMean, const float* saveInvStd, int training,
                                                  int n, int c, int hw, float* dx, float* dweight, float* dbias) {
    const int ch = blockIdx.x;
    const long long count = (long long)n * hw;
    const float mean = saveMean[ch], invstd = saveInvStd[ch];
    double sd = 0.0, sdx = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        const long long i = BN_INDEX(e);
        const float d = dout[i];
        sd += d;
        sdx += (double)d * ((x[i] - mean) * invstd);
    }
    sd = block_sum(sd);
    sdx = block_sum(sdx);
    if (threadIdx.x == 0) {
        dweight[ch] += (float)sdx;
        dbias[ch] += (float)sd;
    }
    const float k = weight[ch] * invstd;
    const float meanD = training ? (float)(sd / count) : 0.f, meanDX = training ? (float)(sdx / count) : 0.f;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        const long long i = BN_INDEX(e);
        const float xhat = (x[i] - mean) * invstd;
        dx[i] = k * (dout[i] - meanD - xhat * meanDX);
    }
#undef BN_INDEX
}
