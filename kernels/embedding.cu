// Row gathers (token embedding lookup, class-token / end-of-text pooling) and their deterministic scatter-adds.
// Indices come from the host (the data loader), which validates them and uploads them as int32.
#include "common.cuh"

// out[i, :] = table[idx[i], :], out [n, cols]; one thread per output element, so consecutive threads read and
// write consecutive columns of a row (coalesced).
extern "C" __global__ void gather_rows_f32(const float* table, int cols, const int* idx, int n, float* out) {
    const long long total = (long long)n * cols;
    GRID_STRIDE(e, total) {
        const long long i = e / cols, c = e % cols;
        out[e] = table[(long long)idx[i] * cols + c];
    }
}

// dst[uniq[u], :] += src[pos[p], :] for p in [start[u], start[u + 1]), in ascending p.
// A plain scatter with atomics would race on repeated indices (a text batch repeats tokens thousands of times) and
// add in a different order every run. The host groups the positions by destination row instead (it holds the
// indices anyway), so each destination element has exactly one owning thread, which adds its sources in the
// order the CPU backend does: the same sum every run, and no atomics.
extern "C" __global__ void scatter_add_grouped_f32(const float* src, int cols, const int* uniq, const int* start,
                                                   const int* pos, int nuniq, float* dst) {
    const long long total = (long long)nuniq * cols;
    GRID_STRIDE(e, total) {
        const int u = (int)(e / cols);
        const long long c = e % cols;
        float* d = dst + (long long)uniq[u] * cols + c;
        float acc = *d;
        for (int p = start[u]; p < start[u + 1]; p++) acc += src[(long long)pos[p] * cols + c];
        *d = acc;
    }
}
