package org.parclip.cpu;

/**
 * Single-precision GEMM on heap arrays, row-major, as cblas_sgemm(CblasRowMajor, ...) defines it:
 * C = alpha * op(A) * op(B) + beta * C with op(A) [m, k], op(B) [k, n], C [m, n]; lda/ldb/ldc are row strides.
 */
public interface Sgemm {
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
               float beta, float[] c, int cOffset, int ldc);

    /** "blas" or "java", for logs and benchmarks. */
    String name();
}
