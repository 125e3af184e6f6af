package org.parclip.cpu;

import org.parclip.tensor.Tensor;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;

/**
 * Translates the backend's matrix views into row-major Sgemm calls. The Sgemm owns its parallelism (a BLAS or the
 * Vector API kernel splits one product across cores better than we could split a batch of them), so batches are
 * issued one item after another.
 */
final class MatmulOps {
    private final Sgemm gemm;

    MatmulOps(Sgemm gemm) {
        this.gemm = gemm;
    }

    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        multiply(a, a.rows(), a.cols(), 0, transA, b, b.rows(), b.cols(), 0, transB, c, c.numel(), 0, alpha, beta);
    }

    void batchedMatmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int batch = a.dim(0);
        if (b.dim(0) != batch || c.dim(0) != batch)
            throw new IllegalArgumentException("batch sizes differ: " + a + ", " + b + ", " + c);
        if (batch == 0) return;
        long aItem = a.numel() / batch;
        long bItem = b.numel() / batch;
        long cItem = c.numel() / batch;
        int aCols = itemCols(a);
        int bCols = itemCols(b);
        for (int i = 0; i < batch; i++) {
            multiply(a, Math.toIntExact(aItem / aCols), aCols, i * aItem, transA,
                    b, Math.toIntExact(bItem / bCols), bCols, i * bItem, transB, c, cItem, i * cItem, alpha, beta);
        }
    }

    /** Columns of one batch item: the last dimension, or 1 when the item is a scalar. */
    private static int itemCols(Tensor t) {
        return t.rank() >= 2 ? t.cols() : 1;
    }

    private void multiply(Tensor a, int aRows, int aCols, long aAt, boolean transA,
                          Tensor b, int bRows, int bCols, long bAt, boolean transB,
                          Tensor c, long cCount, long cAt, float alpha, float beta) {
        int m = transA ? aCols : aRows;
        int k = transA ? aRows : aCols;
        int kb = transB ? bCols : bRows;
        int n = transB ? bRows : bCols;
        if (k != kb || cCount != (long) m * n)
            throw new IllegalArgumentException("matmul shapes do not agree: op(A) [" + m + ", " + k + "], op(B) ["
                    + kb + ", " + n + "], C holds " + cCount + " elements (" + a + ", " + b + ", " + c + ")");
        if (m == 0 || n == 0) return;
        gemm.sgemm(transA, transB, m, n, k, alpha, array(a), Math.toIntExact(offset(a) + aAt), aCols,
                array(b), Math.toIntExact(offset(b) + bAt), bCols, beta, array(c), Math.toIntExact(offset(c) + cAt), n);
    }
}
