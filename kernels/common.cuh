// Helpers shared by every kernel file (they are compiled as one unit, see native/Makefile).
//
// Conventions of all kernels: row-major contiguous tensors; element counts that can exceed 2^31 are long long;
// blocks have a multiple of 32 threads; reductions use fixed shapes and orders and no floating-point atomics,
// so every result is bitwise reproducible from run to run on the same GPU and launch configuration.
#pragma once

#include <cuda_bf16.h>
#include <math_constants.h>

#define FULL_MASK 0xffffffffu

// Grid-stride loop over [0, n): the host caps the grid at a few waves of blocks and each thread strides on.
#define GRID_STRIDE(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

__device__ __forceinline__ int warp_min_int(int v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = min(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Block-wide reductions; every thread gets the result. Each warp reduces with shuffles, then every warp reduces
// the per-warp partials in the same order, so all threads agree bit for bit. The leading __syncthreads lets a
// kernel call the same reduction several times (the shared slots are reused).
template <typename T>
__device__ T block_sum(T v) {
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    return warp_sum(lane < warps ? partial[lane] : T(0));
}

__device__ inline float block_max(float v) {
    __shared__ float partial[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    return warp_max(lane < warps ? partial[lane] : -CUDART_INF_F);
}

__device__ inline int block_min_int(int v) {
    __shared__ int partial[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_min_int(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    return warp_min_int(lane < warps ? partial[lane] : 0x7fffffff);
}

// Storage types: fp32, or bf16 for mixed precision. Arithmetic is always fp32; stores round to nearest even.
__device__ __forceinline__ float to_f(float x) { return x; }
__device__ __forceinline__ float to_f(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T> __device__ __forceinline__ T from_f(float x);
template <> __device__ __forceinline__ float from_f<float>(float x) { return x; }
template <> __device__ __forceinline__ __nv_bfloat16 from_f<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }
