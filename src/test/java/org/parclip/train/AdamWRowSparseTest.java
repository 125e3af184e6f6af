package org.parclip.train;

import org.junit.jupiter.api.Test;
import org.parclip.io.StateDict;
import org.parclip.nn.Parameter;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Backends;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A row-sparse gradient (an embedding table's) is stepped only in its live rows and decayed elsewhere; the result
 * must be bitwise what the dense step gives, through a checkpoint restore too.
 */
class AdamWRowSparseTest {
    private static final int ROWS = 40, WIDTH = 24;

    @Test
    void rowSparseStepsEqualDenseStepsBitForBit() {
        try (Backend be = Backends.create("cpu", 2)) {
            SplittableRandom rng = new SplittableRandom(7);
            float[] init = new float[ROWS * WIDTH];
            for (int i = 0; i < init.length; i++) init[i] = (float) rng.nextGaussian();
            Parameter sparse = parameter(be, init), dense = parameter(be, init), resumed = parameter(be, init);
            AdamW sparseOpt = optimizer(be, sparse), denseOpt = optimizer(be, dense);
            AdamW resumedOpt = null;

            for (int step = 1; step <= 6; step++) {
                // Some rows stay untouched for a while, some are touched once and then left (live, decaying moments).
                int[] rows = rng.ints(5, 0, step < 3 ? ROWS / 2 : ROWS).toArray();
                float[] grad = new float[ROWS * WIDTH];
                for (int r : rows) for (int j = 0; j < WIDTH; j++) grad[r * WIDTH + j] = (float) rng.nextGaussian();
                List<Parameter> stepped = new ArrayList<>(List.of(sparse, dense));
                if (resumedOpt != null) stepped.add(resumed);
                for (Parameter p : stepped) {
                    p.zeroGrad(be);
                    assertArrayEquals(new float[ROWS * WIDTH], be.toHost(p.grad(be)), "gradient not zeroed");
                    be.copyFromHost(grad, 0, p.grad(be));
                    if (p != dense) p.markGradRows(rows);
                }
                float lr = 1e-2f * step, scale = 0.5f;
                sparseOpt.step(lr, scale);
                denseOpt.step(lr, scale);
                if (resumedOpt != null) resumedOpt.step(lr, scale);

                assertArrayEquals(be.toHost(dense.value()), be.toHost(sparse.value()), "weights at step " + step);
                assertMomentsEqual(denseOpt.state(), sparseOpt.state());
                if (resumedOpt != null) {
                    assertArrayEquals(be.toHost(dense.value()), be.toHost(resumed.value()), "resumed at step " + step);
                    assertMomentsEqual(denseOpt.state(), resumedOpt.state());
                }
                if (step == 3) { // restore a fresh optimiser from the sparse one's checkpoint
                    be.copyFromHost(be.toHost(sparse.value()), 0, resumed.value());
                    resumedOpt = optimizer(be, resumed);
                    resumedOpt.restore(sparseOpt.state(), sparseOpt.stepCount());
                }
            }
        }
    }

    @Test
    void runsCoverExactlyTheSetAndTheClearRows() {
        BitSet bits = new BitSet();
        bits.set(0);
        bits.set(3, 6);
        bits.set(9);
        List<String> set = new ArrayList<>(), clear = new ArrayList<>();
        Parameter.forEachRun(bits, 10, true, (a, b) -> set.add(a + "-" + b));
        Parameter.forEachRun(bits, 10, false, (a, b) -> clear.add(a + "-" + b));
        assertEquals(List.of("0-1", "3-6", "9-10"), set);
        assertEquals(List.of("1-3", "6-9"), clear);
        List<String> none = new ArrayList<>();
        Parameter.forEachRun(new BitSet(), 4, true, (a, b) -> none.add(a + "-" + b));
        Parameter.forEachRun(new BitSet(), 4, false, (a, b) -> none.add(a + "-" + b));
        assertEquals(List.of("0-4"), none);
    }

    private static Parameter parameter(Backend be, float[] init) {
        Tensor value = be.fromHost(init.clone(), ROWS, WIDTH);
        return new Parameter("token_embedding.weight", value, DType.F32);
    }

    private static AdamW optimizer(Backend be, Parameter p) {
        return new AdamW(be, List.of(p), 0.9, 0.98, 1e-6, 0.1);
    }

    private static void assertMomentsEqual(StateDict expected, StateDict actual) {
        for (String name : expected.names())
            assertArrayEquals(expected.get(name).toFloats(), actual.get(name).toFloats(), name);
    }
}
