package org.parclip.cpu;

/** Pure-Java GEMM: the fallback when no system BLAS is found. */
public final class JavaSgemm implements Sgemm {
    @Override
    public String name() {
        return "java";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    float bv = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOffset + i * ldc + j;
                c[ci] = (float) (alpha * s + (beta == 0 ? 0 : beta * c[ci]));
            }
        }
    }
}
