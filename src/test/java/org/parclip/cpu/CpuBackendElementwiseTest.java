package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.parclip.cpu.CpuTestSupport.*;

/** Memory ops, copies and the element-wise updates and reductions, on views that do not start at offset 0. */
class CpuBackendElementwiseTest {

    @Test
    void hostRoundTripsRespectViewOffsets() {
        try (CpuBackend be = backend()) {
            Tensor t = be.allocate(4, 3);
            assertArrayEquals(new float[12], be.toHost(t), "allocate zero-fills");
            Tensor rows = t.slice(1, 3);
            be.copyFromHost(new float[]{9, 1, 2, 3, 4, 5, 6}, 1, rows);
            assertArrayEquals(new float[]{0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0}, be.toHost(t));
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, be.toHost(rows));
            float[] src = {1, 2};
            Tensor h = be.fromHost(src, 2);
            src[0] = 7;
            assertArrayEquals(new float[]{1, 2}, be.toHost(h), "fromHost copies");
            assertThrows(IllegalArgumentException.class, () -> be.fromHost(new float[3], 2, 2));
        }
    }

    @Test
    void fillCopyAndReuse() {
        try (CpuBackend be = backend()) {
            Tensor t = be.allocate(100_000);
            be.fill(t.slice(10, 99_990), 2.5f);
            float[] h = be.toHost(t);
            assertEquals(0f, h[9]);
            assertEquals(2.5f, h[10]);
            assertEquals(2.5f, h[99_989]);
            assertEquals(0f, h[99_990]);
            Tensor d = be.allocate(2, 5);
            be.copy(be.fromHost(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10), d);
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, be.toHost(d));
            assertThrows(IllegalArgumentException.class, () -> be.copy(be.allocate(3), d));
            Tensor reused = be.reuse(t, 10, 10);
            assertEquals(t.storage(), reused.storage());
            assertEquals(100, reused.numel());
        }
    }

    @Test
    void copyBlocksWithStridesOffsetsAndAccumulation() {
        Random rng = new Random(1);
        int count = 5, length = 7, srcStride = 9, dstStride = 11;
        double[] src = randnF(rng, 60), dst = randnF(rng, 70);
        for (boolean accumulate : new boolean[]{false, true}) {
            double[] expected = dst.clone();
            for (int i = 0; i < count; i++)
                for (int j = 0; j < length; j++) {
                    double v = src[2 + i * srcStride + j];
                    expected[3 + i * dstStride + j] = accumulate ? (float) (expected[3 + i * dstStride + j] + v) : v;
                }
            try (CpuBackend be = backend()) {
                Tensor d = tensor(be, dst, 70);
                be.copyBlocks(tensor(be, src, 60), 2, srcStride, d, 3, dstStride, count, length, accumulate);
                assertClose(expected, be.toHost(d), 0, "blocks, accumulate " + accumulate);
            }
        }
    }

    @Test
    void copyBlocksAccumulateIntoOneBlockSumsAllOfThem() {
        // The class token's gradient: the sum over the batch of each sequence's first row (dstStride 0), large
        // enough to run in parallel.
        int count = 300, length = 512, seq = 3;
        Random rng = new Random(2);
        double[] src = randnF(rng, count * seq * length), dst = randnF(rng, length);
        double[] expected = dst.clone();
        for (int i = 0; i < count; i++) for (int j = 0; j < length; j++) expected[j] += src[i * seq * length + j];
        try (CpuBackend be = backend()) {
            Tensor d = tensor(be, dst, length);
            be.copyBlocks(tensor(be, src, count * seq, length), 0, seq * length, d, 0, 0, count, length, true);
            assertClose(expected, be.toHost(d), 1e-6, "summed blocks");
            assertThrows(IllegalArgumentException.class,
                    () -> be.copyBlocks(be.allocate(10), 0, 5, d, 0, 0, 3, 5, true), "source blocks out of range");
        }
    }

    @Test
    void axpyScaleAndAddRowVector() {
        Random rng = new Random(3);
        int rows = 150, cols = 301; // parallel and with vector tails
        double[] x = randnF(rng, rows * cols), y = randnF(rng, rows * cols), bias = randnF(rng, cols);
        try (CpuBackend be = backend()) {
            Tensor ty = tensor(be, y, rows, cols);
            be.axpy(-0.75f, tensor(be, x, rows, cols), ty);
            double[] e = y.clone();
            for (int i = 0; i < e.length; i++) e[i] += (float) -0.75 * x[i];
            assertClose(e, be.toHost(ty), 1e-6, "axpy");
            be.scale(ty, 3f);
            for (int i = 0; i < e.length; i++) e[i] *= 3;
            assertClose(e, be.toHost(ty), 1e-6, "scale");
            be.addRowVector(ty, tensor(be, bias, cols));
            for (int i = 0; i < e.length; i++) e[i] += bias[i % cols];
            assertClose(e, be.toHost(ty), 1e-6, "addRowVector");
        }
    }

    @Test
    void sumRowsScalesAndBlendsWithTheOutput() {
        Random rng = new Random(4);
        int rows = 1000, cols = 67;
        double[] x = randnF(rng, rows * cols), out = randnF(rng, cols);
        double[] expected = new double[cols];
        for (int c = 0; c < cols; c++) {
            double s = 0;
            for (int r = 0; r < rows; r++) s += x[r * cols + c];
            expected[c] = 0.5 * out[c] + 2 * s;
        }
        try (CpuBackend be = backend()) {
            Tensor o = tensor(be, out, cols);
            be.sumRows(tensor(be, x, rows, cols), o, 2f, 0.5f);
            assertClose(expected, be.toHost(o), 1e-6, "sumRows");
            be.fill(o, Float.NaN);
            be.sumRows(tensor(be, x, rows, cols), o, 1f, 0f); // beta 0 ignores the old value, even NaN
            for (int c = 0; c < cols; c++) expected[c] = (expected[c] - 0.5 * out[c]) / 2;
            assertClose(expected, be.toHost(o), 1e-6, "sumRows, beta 0");
        }
    }

    @Test
    void sumOfSquaresIsAccurateOverManyElements() {
        Random rng = new Random(5);
        double[] x = randnF(rng, 1_000_003);
        for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] + 10);
        double expected = 0;
        for (double v : x) expected += v * v;
        try (CpuBackend be = backend()) {
            assertEquals(expected, be.sumOfSquares(tensor(be, x, x.length)), expected * 1e-6);
        }
    }
}
