package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.parclip.cpu.CpuTestSupport.*;

/** LayerNorm and BatchNorm2d against float64 re-implementations of nn.LayerNorm and nn.BatchNorm2d. */
class CpuBackendNormTest {
    private static final float EPS = 1e-5f;

    /** nn.LayerNorm over rows of width c: biased variance, eps inside the square root. */
    private static double[] layerNorm(double[] x, double[] w, double[] b, int c) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / c; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) mean += x[r * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) var += (x[r * c + i] - mean) * (x[r * c + i] - mean);
            var /= c;
            for (int i = 0; i < c; i++) out[r * c + i] = (x[r * c + i] - mean) / Math.sqrt(var + EPS) * w[i] + b[i];
        }
        return out;
    }

    @ParameterizedTest(name = "accumulateDx {0}")
    @ValueSource(booleans = {false, true})
    void layerNormMatchesFloat64(boolean accumulateDx) {
        // 300 rows span three gradient blocks; width 37 exercises the vector tail; the offset mean tests stability.
        int rows = 300, c = 37;
        Random rng = new Random(11);
        double[] x = randnF(rng, rows * c);
        for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] + 50);
        double[] w = randnF(rng, c), b = randnF(rng, c), dout = randnF(rng, rows * c);
        double[] dx0 = randnF(rng, rows * c), dw0 = randnF(rng, c), db0 = randnF(rng, c);
        try (CpuBackend be = backend()) {
            Tensor tx = tensor(be, x, rows, c), tw = tensor(be, w, c), tb = tensor(be, b, c);
            Tensor out = be.allocate(rows, c), mean = be.allocate(rows), rstd = be.allocate(rows);
            be.layerNormForward(tx, tw, tb, EPS, out, mean, rstd);
            assertClose(layerNorm(x, w, b, c), be.toHost(out), 2e-5, "out");

            Tensor dx = tensor(be, dx0, rows, c), dw = tensor(be, dw0, c), db = tensor(be, db0, c);
            be.layerNormBackward(tensor(be, dout, rows, c), tx, tw, mean, rstd, dx, accumulateDx, dw, db);
            double[] ex = numericGradient(v -> layerNorm(v, w, b, c), x, dout);
            if (accumulateDx) for (int i = 0; i < ex.length; i++) ex[i] += dx0[i];
            assertClose(ex, be.toHost(dx), 1e-4, "dx");
            assertClose(plus(dw0, numericGradient(v -> layerNorm(x, v, b, c), w, dout)), be.toHost(dw), 1e-4, "dweight");
            assertClose(plus(db0, numericGradient(v -> layerNorm(x, w, v, c), b, dout)), be.toHost(db), 1e-4, "dbias");
        }
    }

    /** nn.BatchNorm2d's normalisation with given per-channel statistics (training passes the batch's). */
    private static double[] batchNorm(double[] x, double[] w, double[] b, double[] mean, double[] var, int n, int c, int hw) {
        double[] out = new double[x.length];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int p = 0; p < hw; p++) {
                    int i = (ni * c + ci) * hw + p;
                    out[i] = (x[i] - mean[ci]) / Math.sqrt(var[ci] + EPS) * w[ci] + b[ci];
                }
        return out;
    }

    /** Per-channel mean and biased variance over (n, h, w). */
    private static double[][] batchStats(double[] x, int n, int c, int hw) {
        double[] mean = new double[c], var = new double[c];
        for (int ci = 0; ci < c; ci++) {
            for (int ni = 0; ni < n; ni++) for (int p = 0; p < hw; p++) mean[ci] += x[(ni * c + ci) * hw + p];
            mean[ci] /= n * hw;
            for (int ni = 0; ni < n; ni++)
                for (int p = 0; p < hw; p++) var[ci] += Math.pow(x[(ni * c + ci) * hw + p] - mean[ci], 2);
            var[ci] /= n * hw;
        }
        return new double[][]{mean, var};
    }

    private static double[] trainBatchNorm(double[] x, double[] w, double[] b, int n, int c, int hw) {
        double[][] s = batchStats(x, n, c, hw);
        return batchNorm(x, w, b, s[0], s[1], n, c, hw);
    }

    @Test
    void batchNormTrainingNormalisesWithBatchStatsAndTracksUnbiasedVariance() {
        int n = 3, c = 4, h = 5, w = 6, hw = h * w;
        float momentum = 0.1f;
        Random rng = new Random(12);
        double[] x = randnF(rng, n * c * hw);
        for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] * 2 + 3);
        double[] wt = randnF(rng, c), bs = randnF(rng, c), rm = randnF(rng, c), rv = new double[c];
        for (int i = 0; i < c; i++) rv[i] = (float) (0.5 + rng.nextDouble());
        double[] dout = randnF(rng, x.length);
        try (CpuBackend be = backend()) {
            Tensor tx = tensor(be, x, n, c, h, w), tw = tensor(be, wt, c);
            Tensor trm = tensor(be, rm, c), trv = tensor(be, rv, c);
            Tensor out = be.allocate(n, c, h, w), sm = be.allocate(c), si = be.allocate(c);
            be.batchNormForward(tx, tw, tensor(be, bs, c), trm, trv, true, momentum, EPS, out, sm, si);
            assertClose(trainBatchNorm(x, wt, bs, n, c, hw), be.toHost(out), 1e-5, "out");

            double[][] s = batchStats(x, n, c, hw);
            double count = n * hw;
            double[] erm = new double[c], erv = new double[c], einv = new double[c];
            for (int i = 0; i < c; i++) {
                erm[i] = (1 - momentum) * rm[i] + momentum * s[0][i];
                erv[i] = (1 - momentum) * rv[i] + momentum * s[1][i] * count / (count - 1);
                einv[i] = 1 / Math.sqrt(s[1][i] + EPS);
            }
            assertClose(erm, be.toHost(trm), 1e-6, "running mean");
            assertClose(erv, be.toHost(trv), 1e-6, "running var (unbiased)");
            assertClose(s[0], be.toHost(sm), 1e-6, "saved mean");
            assertClose(einv, be.toHost(si), 1e-6, "saved invstd");

            Tensor dx = be.allocate(n, c, h, w), dw = tensor(be, wt, c), db = tensor(be, bs, c);
            be.fill(dx, Float.NaN); // overwritten
            be.batchNormBackward(tensor(be, dout, n, c, h, w), tx, tw, sm, si, true, dx, dw, db);
            assertClose(numericGradient(v -> trainBatchNorm(v, wt, bs, n, c, hw), x, dout), be.toHost(dx), 1e-4, "dx");
            assertClose(plus(wt, numericGradient(v -> trainBatchNorm(x, v, bs, n, c, hw), wt, dout)), be.toHost(dw),
                    1e-4, "dweight accumulated");
            assertClose(plus(bs, numericGradient(v -> trainBatchNorm(x, wt, v, n, c, hw), bs, dout)), be.toHost(db),
                    1e-4, "dbias accumulated");
        }
    }

    @Test
    void batchNormEvalUsesRunningStatsAndLeavesThemAlone() {
        int n = 2, c = 3, h = 4, w = 5, hw = h * w;
        Random rng = new Random(13);
        double[] x = randnF(rng, n * c * hw), wt = randnF(rng, c), bs = randnF(rng, c), rm = randnF(rng, c);
        double[] rv = new double[c];
        for (int i = 0; i < c; i++) rv[i] = (float) (0.5 + rng.nextDouble());
        double[] dout = randnF(rng, x.length);
        try (CpuBackend be = backend()) {
            Tensor tx = tensor(be, x, n, c, h, w), tw = tensor(be, wt, c);
            Tensor trm = tensor(be, rm, c), trv = tensor(be, rv, c);
            Tensor out = be.allocate(n, c, h, w), sm = be.allocate(c), si = be.allocate(c);
            be.batchNormForward(tx, tw, tensor(be, bs, c), trm, trv, false, 0.1f, EPS, out, sm, si);
            assertClose(batchNorm(x, wt, bs, rm, rv, n, c, hw), be.toHost(out), 1e-5, "out");
            assertClose(rm, be.toHost(trm), 0, "running mean unchanged");
            assertClose(rv, be.toHost(trv), 0, "running var unchanged");

            Tensor dx = be.allocate(n, c, h, w), dw = be.allocate(c), db = be.allocate(c);
            be.batchNormBackward(tensor(be, dout, n, c, h, w), tx, tw, sm, si, false, dx, dw, db);
            assertClose(numericGradient(v -> batchNorm(v, wt, bs, rm, rv, n, c, hw), x, dout), be.toHost(dx), 1e-4, "dx");
            assertClose(numericGradient(v -> batchNorm(x, v, bs, rm, rv, n, c, hw), wt, dout), be.toHost(dw), 1e-4, "dweight");
            assertClose(numericGradient(v -> batchNorm(x, wt, v, rm, rv, n, c, hw), bs, dout), be.toHost(db), 1e-4, "dbias");
        }
    }
}
