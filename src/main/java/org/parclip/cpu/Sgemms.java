package org.parclip.cpu;

import org.parclip.cli.UserException;

/** Chooses an {@link Sgemm} implementation, and the argument checks every implementation shares. */
public final class Sgemms {
    private Sgemms() {
    }

    /**
     * The system BLAS when one loads (see {@link BlasSgemm}), else the pure-Java GEMM. A library named by
     * {@code PARCLIP_BLAS} that does not load is a {@link UserException}, not a silent fallback.
     */
    public static Sgemm best(int threads) {
        boolean blas = BlasSgemm.available() || System.getenv(BlasSgemm.ENV) != null;
        return blas ? new BlasSgemm(threads) : new JavaSgemm(threads);
    }

    /**
     * The implementation called {@code name}: "blas" (a {@link UserException} saying what was tried when no BLAS
     * library loads) or "java".
     */
    public static Sgemm byName(String name, int threads) {
        return switch (name) {
            case "blas" -> new BlasSgemm(threads);
            case "java" -> new JavaSgemm(threads);
            default -> throw new UserException("unknown GEMM implementation '" + name + "' (expected blas or java)");
        };
    }

    /**
     * What every implementation does first: check the arguments (see {@link #checkArguments}), then finish the calls
     * that need no multiplication. Returns true when C is already final: an empty C, or k == 0 / alpha == 0, where C
     * becomes beta * C (BLAS would also reject the leading dimensions callers pass for an empty A or B).
     */
    static boolean prologue(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                            float beta, float[] c, int cOffset, int ldc) {
        checkArguments(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        if (m == 0 || n == 0) return true;
        if (k == 0 || alpha == 0) {
            scale(m, n, beta, c, cOffset, ldc);
            return true;
        }
        return false;
    }

    /**
     * Throws IllegalArgumentException unless every element the call may touch lies inside its array and each leading
     * dimension is at least its matrix's row length. Native BLAS gets heap arrays directly, so this is what stands
     * between a wrong stride and a corrupted heap.
     */
    static void checkArguments(boolean transA, boolean transB, int m, int n, int k,
                               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float[] c, int cOffset, int ldc) {
        if (m < 0 || n < 0 || k < 0)
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        checkMatrix("A", transA ? k : m, transA ? m : k, a, aOffset, lda);
        checkMatrix("B", transB ? n : k, transB ? k : n, b, bOffset, ldb);
        checkMatrix("C", m, n, c, cOffset, ldc);
    }

    private static void checkMatrix(String what, int rows, int cols, float[] x, int offset, int ld) {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new IllegalArgumentException(what + ": leading dimension " + ld + " < " + cols + " columns");
        long last = offset + (long) (rows - 1) * ld + cols;
        if (offset < 0 || last > x.length)
            throw new IllegalArgumentException(what + ": " + rows + "x" + cols + " with leading dimension " + ld
                    + " at offset " + offset + " exceeds its array of " + x.length);
    }

    /** C = beta * C over [m x n]; beta == 0 stores zeros (ignoring NaN in C), as BLAS does when alpha or k is 0. */
    static void scale(int m, int n, float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            for (int j = row; j < row + n; j++) c[j] = beta == 0f ? 0f : beta * c[j];
        }
    }
}
