package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.parclip.cpu.CpuTestSupport.*;

class CpuBackendActivationTest {
    /** 3 * 20011 elements: several parallel chunks, each with a vector tail. */
    private static final int N = 3 * 20011;

    private static double quickGelu(double x) {
        return x / (1 + Math.exp(-1.702 * x));
    }

    private static double[] quickGelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = quickGelu(x[i]);
        return y;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0);
        return y;
    }

    private static double[] inputs(Random rng) {
        double[] x = randnF(rng, N);
        for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] * 4); // reaches the saturated ends of the sigmoid
        x[0] = -100; // exp overflow must give -0, not NaN
        x[1] = 100;
        return x;
    }

    @Test
    void quickGeluForwardAndBackward() {
        Random rng = new Random(1);
        double[] x = inputs(rng), dout = randnF(rng, N);
        try (CpuBackend be = backend()) {
            Tensor tx = tensor(be, x, N), out = be.allocate(N);
            be.quickGeluForward(tx, out);
            assertClose(quickGelu(x), be.toHost(out), 1e-6, "out");
            Tensor g = tensor(be, dout, N);
            be.quickGeluBackward(tx, g, g); // in place, as allowed
            // Element-wise, so the central difference is taken per element rather than over the whole vector.
            double[] expected = new double[N];
            double h = 1e-6;
            for (int i = 0; i < N; i++) expected[i] = dout[i] * (quickGelu(x[i] + h) - quickGelu(x[i] - h)) / (2 * h);
            assertClose(expected, be.toHost(g), 1e-5, "dx");
            be.quickGeluForward(tx, tx);
            assertClose(quickGelu(x), be.toHost(tx), 1e-6, "out in place");
        }
    }

    @Test
    void reluForwardAndBackward() {
        Random rng = new Random(2);
        double[] x = inputs(rng), dout = randnF(rng, N);
        x[2] = 0; // the subgradient at 0 is 0, as in PyTorch
        try (CpuBackend be = backend()) {
            Tensor tx = tensor(be, x, N);
            be.reluForward(tx, tx);
            double[] y = relu(x);
            assertClose(y, be.toHost(tx), 0, "out in place");
            Tensor g = tensor(be, dout, N);
            be.reluBackward(tx, g, g);
            double[] expected = new double[N];
            for (int i = 0; i < N; i++) expected[i] = y[i] > 0 ? dout[i] : 0;
            assertClose(expected, be.toHost(g), 0, "dx");
        }
    }

    @Test
    void softmaxRowsIsShiftInvariantAndExact() {
        int rows = 300, cols = 77;
        Random rng = new Random(3);
        double[] x = randnF(rng, rows * cols);
        for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] * 10 + 500); // exp(500) would overflow unshifted
        double[] expected = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += Math.exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++) expected[r * cols + c] = Math.exp(x[r * cols + c] - max) / sum;
        }
        try (CpuBackend be = backend()) {
            Tensor t = tensor(be, x, rows, cols);
            be.softmaxRows(t, t);
            float[] got = be.toHost(t);
            assertClose(expected, got, 1e-5, "softmax");
            double rowSum = 0;
            for (int c = 0; c < cols; c++) rowSum += got[c];
            assertEquals(1.0, rowSum, 1e-5);
        }
    }
}
