// Fused multi-head scaled dot-product attention, forward and backward, head dim 64 (every CLIP model).
//
// Layout (Backend.attentionForward): qkv [B*T, 3W] is in_proj's output, row b*T+t = [q | k | v], head h at columns
// h*64 .. h*64+63 of each third; out [B*T, W] has the heads side by side, ready for out_proj. The forward saves
// lse [B, H, T], each query's log-sum-exp of its scaled scores, which is all the backward needs to rebuild the
// probabilities: the [T, T] attention matrix is never stored (T <= 577: ViT-L/14-336 has 24*24+1 tokens).
//
// Parallelisation (FlashAttention-2 style, written for clarity and exactness first):
//  - forward: one block per (32-query tile, head, batch). Tiles of 32 keys and values stream through shared
//    memory; an online softmax keeps each query's running max and sum, rescaling its partial output when the max
//    grows, so one pass over the keys suffices.
//  - backward: two kernels, so that no gradient needs atomics (bitwise-reproducible gradients, at the price of
//    computing the scores twice): one block per key tile accumulates dK and dV over all queries, one block per
//    query tile accumulates dQ over all keys. Both recompute P = exp(S - lse); D = rowsum(dO * O) is precomputed.
//  - 128 threads per block. Score tiles: thread t computes entries e = t + 128 r (r < 8) of the 32x32 tile, so a
//    warp handles one query row against 32 keys; output tiles: thread t owns entries e = t + 128 r (r < 16) of the
//    32x64 result (one row, 32 consecutive columns per warp) in registers.
//  - Shared-memory rows of Q, K, V, dO are padded to 65 floats: lane j reading row j, column d hits bank
//    (j + d) mod 32, so the score loops are conflict-free; the rest of the reads are broadcasts or consecutive.
// The causal mask (text encoder) masks key j > query i; tiles that are entirely masked are skipped.
// fp32 and bf16 variants share the code: bf16 inputs and outputs, fp32 arithmetic, shared memory and lse.
#include "common.cuh"

#define HD 64           // head dimension
#define TQ 32           // queries per tile
#define TK 32           // keys per tile
#define NT 128          // threads per block
#define LD (HD + 1)     // padded shared row length
#define SCALE 0.125f    // 1 / sqrt(64)

// rows [row0, row0 + TQ) of one head's q, k or v (column col0) into dst; rows past the sequence become 0.
template <typename T>
__device__ __forceinline__ void load_tile(float (*dst)[LD], const T* src, long long ld, int col0, long long base,
                                          int row0, int valid) {
    for (int e = threadIdx.x; e < TQ * HD; e += NT) {
        const int r = e / HD, d = e % HD;
        dst[r][d] = r < valid ? to_f(src[(base + row0 + r) * ld + col0 + d]) : 0.f;
    }
}

// P[i][j] = exp(S_ij - lse_i) and dS[i][j] = P_ij (dO_i . V_j - D_i) for a 32x32 tile, S_ij = SCALE q_i . k_j;
// masked or out-of-range entries get 0 (so they add nothing to any gradient).
__device__ __forceinline__ void probs_and_dscores(float (*P)[TK + 1], float (*dS)[TK + 1], const float (*Q)[LD],
                                                  const float (*K)[LD], const float (*V)[LD],
                                                  const float (*dO)[LD], const float* lse, const float* D, int q0,
                                                  int nq, int k0, int nk, int causal) {
#pragma unroll
    for (int r = 0; r < TQ * TK / NT; r++) {
        const int e = threadIdx.x + NT * r, i = e / TK, j = e % TK;
        float s = 0.f, dp = 0.f;
#pragma unroll 16
        for (int d = 0; d < HD; d++) {
            s += Q[i][d] * K[j][d];
            dp += dO[i][d] * V[j][d];
        }
        const bool valid = i < nq && j < nk && (!causal || k0 + j <= q0 + i);
        const float p = valid ? expf(s * SCALE - lse[i]) : 0.f;
        P[i][j] = p;
        dS[i][j] = p * (dp - D[i]);
    }
}

template <typename T>
__device__ void attention_forward(const T* qkv, T* out, float* lse, int Tn, int H, int causal) {
    __shared__ float Q[TQ][LD], K[TK][LD], V[TK][LD], S[TQ][TK + 1];
    __shared__ float rowMax[TQ], rowSum[TQ], rowScale[TQ];
    const int q0 = blockIdx.x * TQ, h = blockIdx.y, W = H * HD;
    const long long base = (long long)blockIdx.z * Tn, ld = 3LL * W;
    const int nq = min(TQ, Tn - q0);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;

    load_tile(Q, qkv, ld, h * HD, base, q0, nq);
    if (threadIdx.x < TQ) {
        rowMax[threadIdx.x] = -CUDART_INF_F;
        rowSum[threadIdx.x] = 0.f;
    }
    float acc[TQ * HD / NT];
#pragma unroll
    for (int r = 0; r < TQ * HD / NT; r++) acc[r] = 0.f;

    const int kEnd = causal ? q0 + nq : Tn;  // with the causal mask no query of this tile sees a later key
    for (int k0 = 0; k0 < kEnd; k0 += TK) {
        const int nk = min(TK, Tn - k0);
        __syncthreads();  // the previous tile's K, V and S are no longer read
        load_tile(K, qkv, ld, W + h * HD, base, k0, nk);
        load_tile(V, qkv, ld, 2 * W + h * HD, base, k0, nk);
        __syncthreads();
#pragma unroll
        for (int r = 0; r < TQ * TK / NT; r++) {
            const int e = threadIdx.x + NT * r, i = e / TK, j = e % TK;
            float s = 0.f;
#pragma unroll 16
            for (int d = 0; d < HD; d++) s += Q[i][d] * K[j][d];
            S[i][j] = s * SCALE;
        }
        __syncthreads();
        // Online softmax, warp w on rows w, w+4, ...; lane = key. The first key tile always holds a valid key for
        // every valid query (key 0), so rowMax is finite from then on.
        for (int i = warp; i < TQ; i += NT / 32) {
            const bool valid = i < nq && lane < nk && (!causal || k0 + lane <= q0 + i);
            const float s = valid ? S[i][lane] : -CUDART_INF_F;
            const float mOld = rowMax[i];
            const float mNew = fmaxf(mOld, warp_max(s));
            const float p = valid ? expf(s - mNew) : 0.f;
            const float sum = warp_sum(p);
            S[i][lane] = p;
            __syncwarp();
            if (lane == 0) {
                const float c = mOld == -CUDART_INF_F ? 0.f : expf(mOld - mNew);
                rowScale[i] = c;
                rowSum[i] = rowSum[i] * c + sum;
                rowMax[i] = mNew;
            }
        }
        __syncthreads();
        // O = O * rowScale + P V
#pragma unroll
        for (int r = 0; r < TQ * HD / NT; r++) {
            const int e = threadIdx.x + NT * r, i = e / HD, d = e % HD;
            float a = acc[r] * rowScale[i];
            for (int j = 0; j < nk; j++) a += S[i][j] * V[j][d];
            acc[r] = a;
        }
    }
#pragma unroll
    for (int r = 0; r < TQ * HD / NT; r++) {
        const int e = threadIdx.x + NT * r, i = e / HD, d = e % HD;
        if (i < nq) out[(base + q0 + i) * W + h * HD + d] = from_f<T>(acc[r] / rowSum[i]);
    }
    if (threadIdx.x < nq)
        lse[((long long)blockIdx.z * H + h) * Tn + q0 + threadIdx.x] = rowMax[threadIdx.x] + logf(rowSum[threadIdx.x]);
}

// D[b, h, i] = dO_i . O_i (fp32): one warp per (token, head); lanes take columns lane and lane + 32.
template <typename T>
__device__ void attention_backward_dot(const T* out, const T* dout, float* D, int B, int Tn, int H) {
    const long long w = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (w >= (long long)B * Tn * H) return;
    const int lane = threadIdx.x & 31, h = (int)(w % H);
    const long long bt = w / H, b = bt / Tn, i = bt % Tn, off = bt * H * HD + h * HD;
    float s = to_f(dout[off + lane]) * to_f(out[off + lane]) + to_f(dout[off + lane + 32]) * to_f(out[off + lane + 32]);
    s = warp_sum(s);
    if (lane == 0) D[(b * H + h) * Tn + i] = s;
}

// dK, dV for one key tile: dV_j = sum_i P_ij dO_i, dK_j = SCALE sum_i dS_ij Q_i over all queries i (only i >= the
// tile's first key when causal). Writes the k and v thirds of dqkv.
template <typename T>
__device__ void attention_backward_dkv(const T* qkv, const T* dout, const float* lse, const float* D, T* dqkv,
                                       int Tn, int H, int causal) {
    __shared__ float K[TK][LD], V[TK][LD], Q[TQ][LD], dO[TQ][LD], P[TQ][TK + 1], dS[TQ][TK + 1];
    __shared__ float L[TQ], Dq[TQ];
    const int k0 = blockIdx.x * TK, h = blockIdx.y, W = H * HD;
    const long long base = (long long)blockIdx.z * Tn, ld = 3LL * W, head = ((long long)blockIdx.z * H + h) * Tn;
    const int nk = min(TK, Tn - k0);
    load_tile(K, qkv, ld, W + h * HD, base, k0, nk);
    load_tile(V, qkv, ld, 2 * W + h * HD, base, k0, nk);
    float dk[TK * HD / NT], dv[TK * HD / NT];
#pragma unroll
    for (int r = 0; r < TK * HD / NT; r++) dk[r] = dv[r] = 0.f;

    for (int q0 = causal ? k0 / TQ * TQ : 0; q0 < Tn; q0 += TQ) {
        const int nq = min(TQ, Tn - q0);
        __syncthreads();  // the previous query tile is no longer read
        load_tile(Q, qkv, ld, h * HD, base, q0, nq);
        load_tile(dO, dout, W, h * HD, base, q0, nq);
        if (threadIdx.x < TQ) {
            L[threadIdx.x] = threadIdx.x < nq ? lse[head + q0 + threadIdx.x] : 0.f;
            Dq[threadIdx.x] = threadIdx.x < nq ? D[head + q0 + threadIdx.x] : 0.f;
        }
        __syncthreads();
        probs_and_dscores(P, dS, Q, K, V, dO, L, Dq, q0, nq, k0, nk, causal);
        __syncthreads();
#pragma unroll
        for (int r = 0; r < TK * HD / NT; r++) {
            const int e = threadIdx.x + NT * r, j = e / HD, d = e % HD;
            float a = dv[r], c = dk[r];
            for (int i = 0; i < nq; i++) {
                a += P[i][j] * dO[i][d];
                c += dS[i][j] * Q[i][d];
            }
            dv[r] = a;
            dk[r] = c;
        }
    }
#pragma unroll
    for (int r = 0; r < TK * HD / NT; r++) {
        const int e = threadIdx.x + NT * r, j = e / HD, d = e % HD;
        if (j < nk) {
            const long long row = (base + k0 + j) * ld;
            dqkv[row + W + h * HD + d] = from_f<T>(dk[r] * SCALE);
            dqkv[row + 2 * W + h * HD + d] = from_f<T>(dv[r]);
        }
    }
}

// dQ for one query tile: dQ_i = SCALE sum_j dS_ij K_j over all keys j (j <= the tile's last query when causal).
// Writes the q third of dqkv.
template <typename T>
__device__ void attention_backward_dq(const T* qkv, const T* dout, const float* lse, const float* D, T* dqkv,
                                      int Tn, int H, int causal) {
    __shared__ float K[TK][LD], V[TK][LD], Q[TQ][LD], dO[TQ][LD], P[TQ][TK + 1], dS[TQ][TK + 1];
    __shared__ float L[TQ], Dq[TQ];
    const int q0 = blockIdx.x * TQ, h = blockIdx.y, W = H * HD;
    const long long base = (long long)blockIdx.z * Tn, ld = 3LL * W, head = ((long long)blockIdx.z * H + h) * Tn;
    const int nq = min(TQ, Tn - q0);
    load_tile(Q, qkv, ld, h * HD, base, q0, nq);
    load_tile(dO, dout, W, h * HD, base, q0, nq);
    if (threadIdx.x < TQ) {
        L[threadIdx.x] = threadIdx.x < nq ? lse[head + q0 + threadIdx.x] : 0.f;
        Dq[threadIdx.x] = threadIdx.x < nq ? D[head + q0 + threadIdx.x] : 0.f;
    }
    float dq[TQ * HD / NT];
#pragma unroll
    for (int r = 0; r < TQ * HD / NT; r++) dq[r] = 0.f;

    const int kEnd = causal ? q0 + nq : Tn;
    for (int k0 = 0; k0 < kEnd; k0 += TK) {
        const int nk = min(TK, Tn - k0);
        __syncthreads();  // the previous key tile is no longer read
        load_tile(K, qkv, ld, W + h * HD, base, k0, nk);
        load_tile(V, qkv, ld, 2 * W + h * HD, base, k0, nk);
        __syncthreads();
        probs_and_dscores(P, dS, Q, K, V, dO, L, Dq, q0, nq, k0, nk, causal);
        __syncthreads();
#pragma unroll
        for (int r = 0; r < TQ * HD / NT; r++) {
            const int e = threadIdx.x + NT * r, i = e / HD, d = e % HD;
            float c = dq[r];
            for (int j = 0; j < nk; j++) c += dS[i][j] * K[j][d];
            dq[r] = c;
        }
    }
#pragma unroll
    for (int r = 0; r < TQ * HD / NT; r++) {
        const int e = threadIdx.x + NT * r, i = e / HD, d = e % HD;
        if (i < nq) dqkv[(base + q0 + i) * ld + h * HD + d] = from_f<T>(dq[r] * SCALE);
    }
}

// Entry points. Forward and the two gradient kernels: grid (ceil(T / 32), H, B), block 128.
// attention_backward_dot: 8 warps per block, one warp per (token, head).
#define ATTENTION_ENTRY_POINTS(SUFFIX, T)                                                                         \
    extern "C" __global__ void __launch_bounds__(NT) attention_forward_##SUFFIX(const T* qkv, T* out, float* lse,   \
                                                                                int Tn, int H, int causal) {      \
        attention_forward<T>(qkv, out, lse, Tn, H, causal);                                                       \
    }                                                                                                             \
    extern "C" __global__ void attention_backward_dot_##SUFFIX(const T* out, const T* dout, float* D, int B,      \
                                                               int Tn, int H) {                                   \
        attention_backward_dot<T>(out, dout, D, B, Tn, H);                                                        \
    }                                                                                                             \
    extern "C" __global__ void __launch_bounds__(NT) attention_backward_dkv_##SUFFIX(                            \
        const T* qkv, const T* dout, const float* lse, const float* D, T* dqkv, int Tn, int H, int causal) {      \
        attention_backward_dkv<T>(qkv, dout, lse, D, dqkv, Tn, H, causal);                                        \
    }                                                                                                             \
    extern "C" __global__ void __launch_bounds__(NT) attention_backward_dq_##SUFFIX(                             \
        const T* qkv, const T* dout, const float* lse, const float* D, T* dqkv, int Tn, int H, int causal) {      \
        attention_backward_dq<T>(qkv, dout, lse, D, dqkv, Tn, H, causal);                                         \
    }

ATTENTION_ENTRY_POINTS(f32, float)
ATTENTION_ENTRY_POINTS(bf16, __nv_bfloat16)
