package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.parclip.cpu.CpuTestSupport.*;

/** Embedding lookups, row gathers and their scatter-add adjoints, with repeated indices. */
class CpuBackendEmbeddingTest {

    @Test
    void embeddingForwardGathersAndBackwardSumsRepeatedIds() {
        int vocab = 50, width = 600, n = 400; // n > vocab: every id repeats
        Random rng = new Random(1);
        double[] table = randnF(rng, vocab * width), dout = randnF(rng, n * width), dtable0 = randnF(rng, vocab * width);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        double[] expectedOut = new double[n * width];
        double[] expectedGrad = dtable0.clone();
        for (int i = 0; i < n; i++)
            for (int c = 0; c < width; c++) {
                expectedOut[i * width + c] = table[ids[i] * width + c];
                expectedGrad[ids[i] * width + c] += dout[i * width + c];
            }
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(n, width);
            be.embeddingForward(ids, tensor(be, table, vocab, width), out);
            assertClose(expectedOut, be.toHost(out), 0, "lookup");
            Tensor dtable = tensor(be, dtable0, vocab, width);
            be.embeddingBackward(ids, tensor(be, dout, n, width), dtable);
            assertClose(expectedGrad, be.toHost(dtable), 1e-6, "dtable");
            assertThrows(IndexOutOfBoundsException.class,
                    () -> be.embeddingForward(new int[]{0, vocab}, tensor(be, table, vocab, width), be.allocate(2, width)));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> be.embeddingBackward(new int[]{-1}, be.allocate(1, width), dtable));
        }
    }

    @Test
    void gatherRowsAndScatterAddRowsOnThreeDimensionalTensors() {
        int batch = 4, seq = 5, width = 8;
        Random rng = new Random(2);
        double[] x = randnF(rng, batch * seq * width), dout = randnF(rng, 3 * width), dx0 = randnF(rng, x.length);
        int[] rows = {0, 7, 7}; // row 7 twice: both gradients must land
        double[] expectedOut = new double[3 * width];
        double[] expectedDx = dx0.clone();
        for (int i = 0; i < rows.length; i++)
            for (int c = 0; c < width; c++) {
                expectedOut[i * width + c] = x[rows[i] * width + c];
                expectedDx[rows[i] * width + c] += dout[i * width + c];
            }
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(3, width);
            be.gatherRows(tensor(be, x, batch, seq, width), rows, out);
            assertClose(expectedOut, be.toHost(out), 0, "gather");
            Tensor dx = tensor(be, dx0, batch, seq, width);
            be.scatterAddRows(tensor(be, dout, 3, width), rows, dx);
            assertClose(expectedDx, be.toHost(dx), 1e-6, "scatter-add");
        }
    }
}
