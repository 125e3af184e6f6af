package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.parclip.cpu.CpuTestSupport.*;

/** The translation of tensor views into Sgemm calls: transposes, leading dimensions, alpha/beta, batch offsets. */
class CpuBackendMatmulTest {

    /** alpha * op(A) op(B) + beta * C for one [m, n] item; A stored [m,k] or [k,m], B [k,n] or [n,k]. */
    private static double[] gemm(double[] a, int aAt, boolean ta, double[] b, int bAt, boolean tb, double[] c, int cAt,
                                 int m, int n, int k, double alpha, double beta) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += a[aAt + (ta ? p * m + i : i * k + p)] * b[bAt + (tb ? j * k + p : p * n + j)];
                out[i * n + j] = alpha * s + beta * c[cAt + i * n + j];
            }
        return out;
    }

    @ParameterizedTest(name = "transA {0}, transB {1}")
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void matmulAllTransposes(boolean ta, boolean tb) {
        int m = 5, n = 7, k = 3;
        Random rng = new Random(ta ? 1 : 2);
        double[] a = randnF(rng, m * k), b = randnF(rng, k * n), c = randnF(rng, m * n);
        try (CpuBackend be = backend()) {
            Tensor tc = tensor(be, c, m, n);
            be.matmul(tensor(be, a, ta ? k : m, ta ? m : k), ta, tensor(be, b, tb ? n : k, tb ? k : n), tb, tc, 1.5f, -0.5f);
            assertClose(gemm(a, 0, ta, b, 0, tb, c, 0, m, n, k, 1.5, -0.5), be.toHost(tc), 1e-6, "C");
        }
    }

    @ParameterizedTest(name = "transA {0}, transB {1}")
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void batchedMatmulAllTransposes(boolean ta, boolean tb) {
        int batch = 3, m = 4, n = 6, k = 5;
        Random rng = new Random(ta ? 3 : 4);
        double[] a = randnF(rng, batch * m * k), b = randnF(rng, batch * k * n), c = randnF(rng, batch * m * n);
        double[] expected = new double[c.length];
        for (int i = 0; i < batch; i++)
            System.arraycopy(gemm(a, i * m * k, ta, b, i * k * n, tb, c, i * m * n, m, n, k, 0.5, 2), 0,
                    expected, i * m * n, m * n);
        try (CpuBackend be = backend()) {
            Tensor tc = tensor(be, c, batch, m, n);
            be.batchedMatmul(tensor(be, a, batch, ta ? k : m, ta ? m : k), ta,
                    tensor(be, b, batch, tb ? n : k, tb ? k : n), tb, tc, 0.5f, 2f);
            assertClose(expected, be.toHost(tc), 1e-6, "C");
        }
    }

    @Test
    void matmulOnViewsAndRejectsMismatchedShapes() {
        int m = 2, n = 3, k = 4;
        Random rng = new Random(5);
        double[] a = randnF(rng, 3 * m * k), b = randnF(rng, n * k);
        try (CpuBackend be = backend()) {
            Tensor ta = tensor(be, a, 3, m, k);
            Tensor c = be.allocate(m * n); // C only needs m*n elements
            be.matmul(ta.select(1), false, tensor(be, b, n, k), true, c, 1, 0);
            assertClose(gemm(a, m * k, false, b, 0, true, new double[m * n], 0, m, n, k, 1, 0), be.toHost(c), 1e-6, "C");
            assertThrows(IllegalArgumentException.class,
                    () -> be.matmul(ta.select(0), false, tensor(be, b, n, k), false, c, 1, 0));
        }
    }
}
