package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.tensor.Tensor;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.parclip.cpu.CpuTestSupport.*;

class CpuBackendAttentionTest {

    /** Float64 multi-head attention on fused qkv rows; probs [b, h, i, j] with masked entries 0. */
    private record Reference(double[] out, double[] probs) {
        static Reference of(double[] qkv, int batch, int seq, int heads, boolean causal) {
            int w = qkv.length / (batch * seq * 3), d = w / heads;
            double[] out = new double[batch * seq * w];
            double[] probs = new double[batch * heads * seq * seq];
            for (int b = 0; b < batch; b++)
                for (int h = 0; h < heads; h++)
                    for (int i = 0; i < seq; i++) {
                        double[] s = new double[seq];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < seq; j++) {
                            if (causal && j > i) continue;
                            double dot = 0;
                            for (int c = 0; c < d; c++)
                                dot += qkv[(b * seq + i) * 3 * w + h * d + c] * qkv[(b * seq + j) * 3 * w + w + h * d + c];
                            s[j] = dot / Math.sqrt(d);
                            max = Math.max(max, s[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < seq; j++) {
                            s[j] = causal && j > i ? 0 : Math.exp(s[j] - max);
                            sum += s[j];
                        }
                        for (int j = 0; j < seq; j++) {
                            double p = s[j] / sum;
                            probs[((b * heads + h) * seq + i) * seq + j] = p;
                            for (int c = 0; c < d; c++)
                                out[(b * seq + i) * w + h * d + c] += p * qkv[(b * seq + j) * 3 * w + 2 * w + h * d + c];
                        }
                    }
            return new Reference(out, probs);
        }
    }

    @ParameterizedTest(name = "batch {0}, seq {1}, heads {2}, head dim {3}, causal {4}")
    @CsvSource({"2, 7, 2, 8, false", "2, 7, 2, 8, true", "1, 17, 2, 64, false", "1, 17, 2, 64, true",
            "3, 17, 2, 8, true"})
    void forwardAndBackwardMatchFloat64(int batch, int seq, int heads, int d, boolean causal) {
        Random rng = new Random(seq * 31L + d + (causal ? 1 : 0));
        int w = heads * d;
        double[] qkv = randnF(rng, batch * seq * 3 * w);
        double[] dout = randnF(rng, batch * seq * w);
        try (CpuBackend be = backend()) {
            Tensor tq = tensor(be, qkv, batch * seq, 3 * w);
            Tensor out = be.allocate(batch * seq, w);
            Tensor saved = be.allocate(be.attentionSavedShape(batch, heads, seq));
            be.fill(out, Float.NaN);
            be.fill(saved, Float.NaN); // masked probabilities must be written, not left over
            be.attentionForward(tq, out, saved, batch, seq, heads, causal);
            Reference ref = Reference.of(qkv, batch, seq, heads, causal);
            assertClose(ref.out, be.toHost(out), 1e-5, "out");
            assertClose(ref.probs, be.toHost(saved), 1e-5, "probabilities");

            Tensor dqkv = be.allocate(batch * seq, 3 * w);
            be.fill(dqkv, Float.NaN); // overwritten
            be.attentionBackward(tq, out, tensor(be, dout, batch * seq, w), saved, dqkv, batch, seq, heads, causal);
            double[] expected = numericGradient(x -> Reference.of(x, batch, seq, heads, causal).out, qkv, dout);
            assertClose(expected, be.toHost(dqkv), 1e-4, "dqkv");
        }
    }

    @Test
    void causalRowsIgnoreLaterKeysAndValues() {
        int seq = 7, heads = 2, d = 8, w = heads * d;
        Random rng = new Random(5);
        double[] qkv = randnF(rng, seq * 3 * w);
        double[] changed = qkv.clone();
        for (int c = w; c < 3 * w; c++) changed[(seq - 1) * 3 * w + c] += 3; // last token's key and value
        try (CpuBackend be = backend()) {
            float[] a = run(be, qkv, seq, heads, w);
            float[] b = run(be, changed, seq, heads, w);
            assertArrayEquals(Arrays.copyOf(a, (seq - 1) * w), Arrays.copyOf(b, (seq - 1) * w));
        }
    }

    @Test
    void rejectsSavedOfTheWrongShape() {
        try (CpuBackend be = backend()) {
            Tensor qkv = be.allocate(7, 48);
            assertThrows(IllegalArgumentException.class,
                    () -> be.attentionForward(qkv, be.allocate(7, 16), be.allocate(1, 2, 7), 1, 7, 2, false));
        }
    }

    private static float[] run(CpuBackend be, double[] qkv, int seq, int heads, int w) {
        Tensor out = be.allocate(seq, w);
        be.attentionForward(tensor(be, qkv, seq, 3 * w), out, be.allocate(be.attentionSavedShape(1, heads, seq)), 1, seq,
                heads, true);
        return be.toHost(out);
    }
}
