// Activations, forward and backward: QuickGELU (CLIP's MLP), ReLU (ResNet), row softmax.
// Pointwise ops run one thread per element (grid-stride); outputs may alias inputs because each thread reads its
// element before writing it.
#include "common.cuh"

// out = x * sigmoid(1.702 x), written as x / (1 + exp(-1.702 x)); IEEE expf (no fast math, see native/Makefile).
extern "C" __global__ void quickgelu_forward_f32(long long n, const float* x, float* out) {
    GRID_STRIDE(i, n) {
        const float v = x[i];
        out[i] = v / (1.f + expf(-1.702f * v));
    }
}

// d/dx [x s(1.702x)] = s + 1.702 x s (1 - s), s = sigmoid(1.702 x). dx may alias dout.
extern "C" __global__ void quickgelu_backward_f32(long long n, const float* x, const float* dout, float* dx) {
    GRID_STRIDE(i, n) {
        const float v = x[i];
        const float s = 1.f / (1.f + expf(-1.702f * v));
        dx[i] = dout[i] * (s + 1.702f * v * s * (1.f - s));
    }
}

extern "C" __global__ void relu_forward_f32(long long n, const float* x, float* out) {
    GRID_STRIDE(i, n) {
        const float v = x[i];
        out[i] = v > 0.f ? v : 0.f;
    }
}

// Given the forward output: dx = dout where out > 0, else 0. dx may alias dout.
extern "C" __global__ void relu_backward_f32(long long n, const float* out, const float* dout, float* dx) {
    GRID_STRIDE(i, n) dx[i] = out[i] > 0.f ? dout[i] : 0.f;
}

// Softmax over each row of x [rows, cols]; one block per row (rows here are short score rows or logits of any
// length): block max, block sum of exp, then the normalised write. out may alias x.
extern "C" __global__ void softmax_rows_f32(const float* x, int cols, float* out) {
    const long long off = (long long)blockIdx.x * cols;
    float m = -CUDART_INF_F;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, x[off + c]);
    m = block_max(m);
    float s = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += expf(x[off + c] - m);
    s = block_sum(s);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) out[off + c] = expf(x[off + c] - m) / s;
}
