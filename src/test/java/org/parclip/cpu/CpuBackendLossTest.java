package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.tensor.Backend.ContrastiveResult;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parclip.cpu.CpuTestSupport.*;

/** F.normalize, the symmetric InfoNCE and the teacher distance against float64 re-implementations. */
class CpuBackendLossTest {

    private static double[] normalize(double[] x, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / cols; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += x[r * cols + c] * x[r * cols + c];
            double d = Math.max(Math.sqrt(s), 1e-12);
            for (int c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] / d;
        }
        return y;
    }

    /** Rows of unit length (rounded to float), as the loss receives them. */
    private static double[] unitRows(Random rng, int rows, int cols) {
        double[] n = normalize(randn(rng, rows * cols), cols);
        for (int i = 0; i < n.length; i++) n[i] = (float) n[i];
        return n;
    }

    @Test
    void l2NormalizeForwardAndBackward() {
        int rows = 5, cols = 37;
        Random rng = new Random(1);
        double[] x = randnF(rng, rows * cols), dout = randnF(rng, rows * cols), dx0 = randnF(rng, rows * cols);
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(rows, cols), norms = be.allocate(rows);
            be.l2NormalizeForward(tensor(be, x, rows, cols), out, norms);
            assertClose(normalize(x, cols), be.toHost(out), 1e-6, "out");
            double[] expectedNorms = new double[rows];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) expectedNorms[r] += x[r * cols + c] * x[r * cols + c];
            for (int r = 0; r < rows; r++) expectedNorms[r] = Math.sqrt(expectedNorms[r]);
            assertClose(expectedNorms, be.toHost(norms), 1e-6, "norms");

            double[] grad = numericGradient(v -> normalize(v, cols), x, dout);
            for (boolean accumulate : new boolean[]{false, true}) {
                Tensor dx = tensor(be, dx0, rows, cols);
                be.l2NormalizeBackward(tensor(be, dout, rows, cols), out, norms, dx, accumulate);
                assertClose(accumulate ? plus(dx0, grad) : grad, be.toHost(dx), 1e-4, "dx, accumulate " + accumulate);
            }
        }
    }

    @Test
    void l2NormalizeOfAZeroRowDividesByEps() {
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(1, 3), norms = be.allocate(1), dx = be.allocate(1, 3);
            be.l2NormalizeForward(be.allocate(1, 3), out, norms);
            assertClose(new double[3], be.toHost(out), 0, "out");
            be.l2NormalizeBackward(be.fromHost(new float[]{1, -2, 3}, 1, 3), out, norms, dx, false);
            assertClose(new double[]{1e12, -2e12, 3e12}, be.toHost(dx), 1e-6, "dx = dout / eps");
        }
    }

    /** (CE(rows of s a b^T, diagonal) + CE(columns, diagonal)) / 2 with log-sum-exp in double. */
    private static double contrastive(double[] a, double[] b, int n, int e, double scale) {
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < e; c++) s += a[i * e + c] * b[j * e + c];
                logits[i][j] = scale * s;
            }
        double rows = 0, cols = 0;
        for (int i = 0; i < n; i++) {
            double rmax = Double.NEGATIVE_INFINITY, cmax = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                rmax = Math.max(rmax, logits[i][j]);
                cmax = Math.max(cmax, logits[j][i]);
            }
            double rs = 0, cs = 0;
            for (int j = 0; j < n; j++) {
                rs += Math.exp(logits[i][j] - rmax);
                cs += Math.exp(logits[j][i] - cmax);
            }
            rows += rmax + Math.log(rs) - logits[i][i];
            cols += cmax + Math.log(cs) - logits[i][i];
        }
        return (rows / n + cols / n) / 2;
    }

    @ParameterizedTest(name = "n {0}, e {1}, scale {2}")
    @CsvSource({"6, 16, 14.285714", "33, 20, 100"})
    void contrastiveLossValueAndGradients(int n, int e, float scale) {
        Random rng = new Random(n);
        double[] a = unitRows(rng, n, e), b = unitRows(rng, n, e);
        double[] da0 = randnF(rng, n * e), db0 = randnF(rng, n * e);
        float weight = 0.7f;
        try (CpuBackend be = backend()) {
            Tensor da = tensor(be, da0, n, e), db = tensor(be, db0, n, e);
            ContrastiveResult r = be.contrastiveLoss(tensor(be, a, n, e), tensor(be, b, n, e), scale, da, db, weight);
            double expected = contrastive(a, b, n, e, scale);
            assertEquals(expected, r.loss(), 1e-5 * Math.max(1, expected));
            double[] ga = numericGradient(v -> contrastive(v, b, n, e, scale), a, 1e-6);
            double[] gb = numericGradient(v -> contrastive(a, v, n, e, scale), b, 1e-6);
            for (int i = 0; i < ga.length; i++) {
                ga[i] *= weight;
                gb[i] *= weight;
            }
            assertClose(plus(da0, ga), be.toHost(da), 1e-4, "da accumulated");
            assertClose(plus(db0, gb), be.toHost(db), 1e-4, "db accumulated");
        }
    }

    @Test
    void contrastiveCorrectCountsRowsWhosePairWins() {
        // 300 rows (several parallel chunks): even rows pair with a near copy, odd rows with an unrelated vector.
        int n = 300, e = 32;
        float scale = 100;
        Random rng = new Random(7);
        double[] a = unitRows(rng, n, e), b = unitRows(rng, n, e);
        for (int i = 0; i < n; i += 2)
            for (int c = 0; c < e; c++) b[i * e + c] = (float) (a[i * e + c] + 0.05 * rng.nextGaussian());
        int expectedCorrect = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestDot = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double d = 0;
                for (int c = 0; c < e; c++) d += a[i * e + c] * b[j * e + c];
                if (d > bestDot) {
                    bestDot = d;
                    best = j;
                }
            }
            if (best == i) expectedCorrect++;
        }
        assertTrue(expectedCorrect > n / 3 && expectedCorrect < n, "the data should make some rows miss");
        try (CpuBackend be = backend()) {
            ContrastiveResult r = be.contrastiveLoss(tensor(be, a, n, e), tensor(be, b, n, e), scale, null, null, 1);
            assertEquals(expectedCorrect, r.correct());
            double expected = contrastive(a, b, n, e, scale);
            assertEquals(expected, r.loss(), 1e-5 * expected);
        }
    }

    private static double squaredDistance(double[] a, double[] b, int n) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s / n;
    }

    @Test
    void squaredDistanceMeanValueAndGradient() {
        int n = 7, e = 45;
        Random rng = new Random(9);
        double[] a = unitRows(rng, n, e), b = unitRows(rng, n, e), da0 = randnF(rng, n * e);
        float weight = -0.5f; // PAR subtracts half the distance
        try (CpuBackend be = backend()) {
            Tensor da = tensor(be, da0, n, e);
            double d = be.squaredDistanceMean(tensor(be, a, n, e), tensor(be, b, n, e), da, weight);
            assertEquals(squaredDistance(a, b, n), d, 1e-6);
            double[] g = numericGradient(v -> squaredDistance(v, b, n), a, 1e-6);
            for (int i = 0; i < g.length; i++) g[i] *= weight;
            assertClose(plus(da0, g), be.toHost(da), 1e-5, "da accumulated");
            assertEquals(d, be.squaredDistanceMean(tensor(be, a, n, e), tensor(be, b, n, e), null, 1), 0,
                    "no gradient requested");
        }
    }
}
