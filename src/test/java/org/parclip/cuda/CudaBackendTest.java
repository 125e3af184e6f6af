package org.parclip.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.parclip.tensor.Backends;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the CUDA backend offers beyond {@link org.parclip.tensor.Backend}: BF16 storage and mixed-precision GEMM and
 * attention, the fused residual LayerNorm, AdamW's bf16 copy, CUDA graphs, event timing, reproducibility, TF32.
 * Skipped, with the reason, where no GPU is usable.
 */
class CudaBackendTest {
    private static Both t;

    @BeforeAll
    static void open() {
        if (!CudaBackend.isAvailable()) return;
        t = new Both(Backends.create("cpu", 2), new CudaBackend(0));
    }

    /** Each test, not the class, is skipped, so reports count the skipped tests and show the reason. */
    @BeforeEach
    void requireGpu() {
        assumeTrue(t != null, "no usable GPU: " + CudaBackend.unavailableReason());
    }

    @AfterAll
    static void close() {
        if (t != null) {
            t.gpu.close();
            t.cpu.close();
        }
    }

    /** Values rounded to bf16 (nearest even), as the device rounds them. */
    private static float[] bf16(float[] x) {
        float[] r = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int bits = Float.floatToRawIntBits(x[i]);
            bits += 0x7fff + ((bits >>> 16) & 1);
            r[i] = Float.intBitsToFloat(bits & 0xffff0000);
        }
        return r;
    }

    private Tensor toBf16(Tensor f32) {
        Tensor b = t.gpu.allocate(DType.BF16, f32.shape());
        t.gpu.convert(f32, b);
        return b;
    }

    @Test
    void bf16ConversionRoundsToNearestEven() {
        float[] x = t.randomValues(10_001, 3);
        Tensor b = toBf16(t.gpu.fromHost(x, x.length));
        assertArrayEquals(bf16(x), t.gpu.toHost(b));
    }

    @Test
    void bf16MatmulAccumulatesInFp32() {
        int m = 70, n = 33, k = 256;
        float[] a = bf16(t.randomValues((long) m * k, 1)), b = bf16(t.randomValues((long) n * k, 1));
        Both.P c = t.zeros(m, n);
        t.cpu.matmul(t.cpu.fromHost(a, m, k), false, t.cpu.fromHost(b, n, k), true, c.c(), 1, 0);
        // bf16 operands are exact in fp32, so an fp32 result differs from the CPU's only by summation order.
        t.gpu.matmul(toBf16(t.gpu.fromHost(a, m, k)), false, toBf16(t.gpu.fromHost(b, n, k)), true, c.g(), 1, 0);
        t.check("bf16 x bf16 -> fp32 matmul", c);
        Tensor cb = t.gpu.allocate(DType.BF16, m, n);
        t.gpu.matmul(toBf16(t.gpu.fromHost(a, m, k)), false, toBf16(t.gpu.fromHost(b, n, k)), true, cb, 1, 0);
        Both.assertClose("bf16 x bf16 -> bf16 matmul", t.cpu.toHost(c.c()), t.gpu.toHost(cb), 1e-2);
    }

    @Test
    void bf16AttentionMatchesFp32OnRoundedInputs() {
        int batch = 2, seq = 77, heads = 2, width = 128;
        float[] qkv = bf16(t.randomValues((long) batch * seq * 3 * width, 1));
        float[] dout = bf16(t.randomValues((long) batch * seq * width, 1));
        Both.P q = t.of(qkv, batch * seq, 3 * width), out = t.zeros(batch * seq, width);
        Tensor savedC = t.cpu.allocate(t.cpu.attentionSavedShape(batch, heads, seq));
        t.cpu.attentionForward(q.c(), out.c(), savedC, batch, seq, heads, true);
        Tensor qb = toBf16(q.g()), outB = t.gpu.allocate(DType.BF16, batch * seq, width);
        Tensor savedG = t.gpu.allocate(t.gpu.attentionSavedShape(batch, heads, seq));
        t.gpu.attentionForward(qb, outB, savedG, batch, seq, heads, true);
        Both.assertClose("bf16 attention", t.cpu.toHost(out.c()), t.gpu.toHost(outB), 1e-2);
        Tensor dqkvC = t.cpu.allocate(batch * seq, 3 * width), dqkvB = t.gpu.allocate(DType.BF16, batch * seq, 3 * width);
        t.cpu.attentionBackward(q.c(), out.c(), t.cpu.fromHost(dout, batch * seq, width), savedC, dqkvC, batch, seq, heads, true);
        t.gpu.attentionBackward(qb, outB, toBf16(t.gpu.fromHost(dout, batch * seq, width)), savedG, dqkvB, batch, seq,
                heads, true);
        // The bf16 path rounds out before D = rowsum(dO * O) and the gradients on the way out: a few bf16 ulps.
        Both.assertClose("bf16 attention backward", t.cpu.toHost(dqkvC), t.gpu.toHost(dqkvB), 3e-2);
    }

    @Test
    void residualLayerNormEqualsAddThenLayerNorm() {
        int rows = 99, cols = 512;
        Both.P a = t.rand(rows, cols), b = t.rand(rows, cols), w = t.rand(cols), bias = t.rand(cols);
        Both.P out = t.zeros(rows, cols), mean = t.zeros(rows), rstd = t.zeros(rows);
        t.cpu.axpy(1, b.c(), a.c());
        t.cpu.layerNormForward(a.c(), w.c(), bias.c(), 1e-5f, out.c(), mean.c(), rstd.c());
        t.gpu.residualLayerNormForward(a.g(), b.g(), a.g(), w.g(), bias.g(), 1e-5f, out.g(), mean.g(), rstd.g());
        t.check("residual (in place)", a);
        t.check("residual LayerNorm out", out);
        t.check("residual LayerNorm rstd", rstd);
    }

    @Test
    void adamwWritesTheBf16Copy() {
        int n = 4099;
        Tensor p = t.gpu.fromHost(t.randomValues(n, 1), n), g = t.gpu.fromHost(t.randomValues(n, 1), n);
        Tensor m = t.gpu.allocate(n), v = t.gpu.allocate(n), copy = t.gpu.allocate(DType.BF16, n);
        t.gpu.adamw(p, g, m, v, 1e-3f, 0.9f, 0.98f, 1e-8f, 0.1f, 1, 1, copy);
        assertArrayEquals(bf16(t.gpu.toHost(p)), t.gpu.toHost(copy));
    }

    @Test
    void graphsReplayTheCapturedOps() {
        float[] x0 = t.randomValues(1000, 1), y0 = t.randomValues(1000, 1);
        Tensor x = t.gpu.fromHost(x0, 1000), y = t.gpu.fromHost(y0, 1000);
        t.gpu.axpy(0, x, y); // warm-up, as capture() asks: loads the kernels (exact no-ops on y)
        t.gpu.scale(y, 1);
        try (CudaBackend.Graph graph = t.gpu.capture(() -> {
            t.gpu.axpy(2, x, y);
            t.gpu.scale(y, 0.5f);
        })) {
            float[] before = t.gpu.toHost(y);
            assertArrayEquals(y0, before, "capturing must not run the ops");
            graph.launch();
            graph.launch();
        }
        float[] expected = y0.clone();
        for (int r = 0; r < 2; r++)
            for (int i = 0; i < expected.length; i++) expected[i] = (expected[i] + 2 * x0[i]) * 0.5f;
        Both.assertClose("graph replayed twice", expected, t.gpu.toHost(y), 1e-6);
    }

    @Test
    void eventsTimeTheQueuedWork() {
        Tensor a = t.gpu.allocate(1024, 1024), c = t.gpu.allocate(1024, 1024);
        float ms = t.gpu.timeMillis(() -> t.gpu.matmul(a, false, a, false, c, 1, 0));
        assertTrue(ms > 0 && ms < 10_000, "GEMM took " + ms + " ms");
    }

    @Test
    void reductionsAreBitwiseReproducible() {
        int rows = 20_000, cols = 512;
        Tensor x = t.gpu.fromHost(t.randomValues((long) rows * cols, 1), rows, cols);
        Tensor s1 = t.gpu.allocate(cols), s2 = t.gpu.allocate(cols);
        t.gpu.sumRows(x, s1, 1, 0);
        t.gpu.sumRows(x, s2, 1, 0);
        assertArrayEquals(t.gpu.toHost(s1), t.gpu.toHost(s2));
        assertEquals(t.gpu.sumOfSquares(x), t.gpu.sumOfSquares(x));
        int[] ids = new int[5000];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 7;
        Tensor d = t.gpu.fromHost(t.randomValues(5000L * 64, 1), 5000, 64);
        Tensor e1 = t.gpu.allocate(10, 64), e2 = t.gpu.allocate(10, 64);
        t.gpu.embeddingBackward(ids, d, e1);
        t.gpu.embeddingBackward(ids, d, e2);
        assertArrayEquals(t.gpu.toHost(e1), t.gpu.toHost(e2));
    }

    @Test
    void tf32IsOptIn() {
        int m = 128, n = 128, k = 1024;
        float[] a = t.randomValues((long) m * k, 1), b = t.randomValues((long) k * n, 1);
        Both.P c = t.zeros(m, n);
        t.cpu.matmul(t.cpu.fromHost(a, m, k), false, t.cpu.fromHost(b, k, n), false, c.c(), 1, 0);
        try (CudaBackend fast = new CudaBackend(0, true)) {
            Tensor cf = fast.allocate(m, n);
            fast.matmul(fast.fromHost(a, m, k), false, fast.fromHost(b, k, n), false, cf, 1, 0);
            Both.assertClose("TF32 matmul", t.cpu.toHost(c.c()), fast.toHost(cf), 1e-2);
        }
    }

    @Test
    void misuseFailsClearly() {
        Tensor cpuTensor = t.cpu.allocate(4);
        assertThrows(IllegalArgumentException.class, () -> t.gpu.scale(cpuTensor, 2));
        Tensor table = t.gpu.allocate(10, 4), out = t.gpu.allocate(1, 4);
        assertThrows(IndexOutOfBoundsException.class, () -> t.gpu.embeddingForward(new int[] {10}, table, out));
        Tensor qkv = t.gpu.allocate(10, 3 * 96);
        assertThrows(UnsupportedOperationException.class,
                () -> t.gpu.attentionForward(qkv, t.gpu.allocate(10, 96), t.gpu.allocate(1, 1, 10), 1, 10, 1, false));
        long before = t.gpu.allocatedBytes();
        t.gpu.allocate(1 << 20);
        assertTrue(t.gpu.allocatedBytes() >= before + (4L << 20));
    }
}
