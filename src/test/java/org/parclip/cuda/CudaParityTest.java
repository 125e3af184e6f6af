package org.parclip.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Backends;
import org.parclip.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every {@link Backend} op on the GPU against the CPU backend, fp32, 1e-5 relative (see {@link Both#assertClose}).
 * Shapes are chosen off the kernels' tile sizes (rows not a multiple of 8, columns not of 32, sequences not of 32)
 * so partial tiles are exercised. Skipped, with the reason, where no GPU is usable.
 */
class CudaParityTest {
    private static Both t;

    @BeforeAll
    static void open() {
        if (!CudaBackend.isAvailable()) return;
        CudaBackend gpu = new CudaBackend(0);
        System.out.println("CUDA parity tests on " + gpu.description());
        t = new Both(Backends.create("cpu", 2), gpu);
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

    // ---------------------------------------------------------------- memory

    @Test
    void fillCopyAndHostTransfers() {
        Both.P x = t.rand(37, 29), y = t.zeros(29, 37);
        t.check("fromHost/toHost", x);
        t.cpu.fill(y.c(), 2.5f);
        t.gpu.fill(y.g(), 2.5f);
        t.check("fill", y);
        t.cpu.copy(x.c(), y.c());
        t.gpu.copy(x.g(), y.g());
        t.check("copy", y);
        float[] src = t.randomValues(5000, 1);
        Both.P part = t.zeros(40, 29).slice(3, 10);
        t.cpu.copyFromHost(src, 123, part.c());
        t.gpu.copyFromHost(src, 123, part.g());
        t.check("copyFromHost into a slice", part);
        // Larger than one pinned transfer chunk (8 MiB).
        Both.P big = t.rand(3_000_001);
        t.check("multi-chunk transfer", big);
    }

    @Test
    void copyBlocks() {
        Both.P src = t.rand(5, 7, 33), dst = t.rand(6, 8, 33), sum = t.rand(33);
        // Assemble: 5 blocks of 7*33 into dst at row 1 of each of 8-row blocks.
        for (Backend b : new Backend[] {t.cpu, t.gpu}) {
            boolean g = b == t.gpu;
            b.copyBlocks(g ? src.g() : src.c(), 0, 7 * 33, g ? dst.g() : dst.c(), 33, 8 * 33, 5, 7 * 33, false);
            b.copyBlocks(g ? src.g() : src.c(), 33, 7 * 33, g ? dst.g() : dst.c(), 8 * 33 * 5, 33, 4, 20, true);
            // Stride 0 with accumulate: blocks summed into one (class-token gradient).
            b.copyBlocks(g ? src.g() : src.c(), 0, 7 * 33, g ? sum.g() : sum.c(), 0, 0, 5, 33, true);
        }
        t.check("copyBlocks", dst);
        t.check("copyBlocks summed into one block", sum);
    }

    // ---------------------------------------------------------------- elementwise and reductions

    @Test
    void elementwise() {
        Both.P x = t.rand(1000, 77), y = t.rand(1000, 77), bias = t.rand(77);
        t.cpu.axpy(-0.75f, x.c(), y.c());
        t.gpu.axpy(-0.75f, x.g(), y.g());
        t.check("axpy", y);
        t.cpu.scale(y.c(), 1.7f);
        t.gpu.scale(y.g(), 1.7f);
        t.check("scale", y);
        t.cpu.addRowVector(y.c(), bias.c());
        t.gpu.addRowVector(y.g(), bias.g());
        t.check("addRowVector", y);
    }

    @ParameterizedTest
    @CsvSource({"1, 5, 1, 0", "3001, 77, 0.5, 1", "40000, 512, 1, 0.25", "7, 2049, -2, 1"})
    void sumRows(int rows, int cols, float alpha, float beta) {
        Both.P x = t.rand(rows, cols), out = t.rand(cols);
        t.cpu.sumRows(x.c(), out.c(), alpha, beta);
        t.gpu.sumRows(x.g(), out.g(), alpha, beta);
        t.check("sumRows " + rows + "x" + cols, out);
    }

    @Test
    void sumOfSquares() {
        Both.P x = t.rand(3.0, 1_234_567);
        Both.assertClose("sumOfSquares", t.cpu.sumOfSquares(x.c()), t.gpu.sumOfSquares(x.g()), 1e-5);
    }

    // ---------------------------------------------------------------- matrix multiplication

    @ParameterizedTest
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void matmul(boolean transA, boolean transB) {
        int m = 67, n = 45, k = 513;
        Both.P a = transA ? t.rand(k, m) : t.rand(m, k), b = transB ? t.rand(n, k) : t.rand(k, n), c = t.rand(m, n);
        t.cpu.matmul(a.c(), transA, b.c(), transB, c.c(), 0.5f, 0.25f);
        t.gpu.matmul(a.g(), transA, b.g(), transB, c.g(), 0.5f, 0.25f);
        t.check("matmul transA=" + transA + " transB=" + transB, c);
    }

    @ParameterizedTest
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void batchedMatmul(boolean transA, boolean transB) {
        int batch = 6, m = 33, n = 17, k = 64;
        Both.P a = transA ? t.rand(batch, k, m) : t.rand(batch, m, k);
        Both.P b = transB ? t.rand(batch, n, k) : t.rand(batch, k, n);
        Both.P c = t.rand(batch, m, n);
        t.cpu.batchedMatmul(a.c(), transA, b.c(), transB, c.c(), 1f, 1f);
        t.gpu.batchedMatmul(a.g(), transA, b.g(), transB, c.g(), 1f, 1f);
        t.check("batchedMatmul transA=" + transA + " transB=" + transB, c);
    }

    // ---------------------------------------------------------------- normalisation

    @Test
    void layerNorm() {
        int rows = 157, cols = 768;
        Both.P x = t.rand(rows, cols), w = t.rand(cols), bias = t.rand(cols), out = t.zeros(rows, cols);
        Both.P mean = t.zeros(rows), rstd = t.zeros(rows);
        for (int i = 0; i < 2; i++) { // shift the mean far from zero on the second pass
            if (i == 1) {
                t.cpu.fill(out.c(), 30f);
                t.gpu.fill(out.g(), 30f);
                t.cpu.axpy(1, out.c(), x.c());
                t.gpu.axpy(1, out.g(), x.g());
            }
            t.cpu.layerNormForward(x.c(), w.c(), bias.c(), 1e-5f, out.c(), mean.c(), rstd.c());
            t.gpu.layerNormForward(x.g(), w.g(), bias.g(), 1e-5f, out.g(), mean.g(), rstd.g());
            t.check("layerNorm out", out);
            t.check("layerNorm mean", mean);
            t.check("layerNorm rstd", rstd);
        }
        Both.P dout = t.rand(rows, cols), dx = t.rand(rows, cols), dw = t.rand(cols), db = t.rand(cols);
        for (boolean accumulate : new boolean[] {false, true}) {
            t.cpu.layerNormBackward(dout.c(), x.c(), w.c(), mean.c(), rstd.c(), dx.c(), accumulate, dw.c(), db.c());
            t.gpu.layerNormBackward(dout.g(), x.g(), w.g(), mean.g(), rstd.g(), dx.g(), accumulate, dw.g(), db.g());
            t.check("layerNorm dx accumulate=" + accumulate, dx);
            t.check("layerNorm dweight", dw);
            t.check("layerNorm dbias", db);
        }
    }

    @Test
    void batchNorm() {
        int n = 5, c = 24, h = 13, w = 11;
        Both.P x = t.rand(2.0, n, c, h, w), weight = t.rand(c), bias = t.rand(c);
        Both.P runMean = t.rand(c), runVar = t.uniform(0.5, 2, c), out = t.zeros(n, c, h, w);
        Both.P saveMean = t.zeros(c), saveInvStd = t.zeros(c);
        Both.P dout = t.rand(n, c, h, w), dx = t.zeros(n, c, h, w), dw = t.rand(c), db = t.rand(c);
        for (boolean training : new boolean[] {true, false}) {
            String mode = training ? " (train)" : " (eval)";
            t.cpu.batchNormForward(x.c(), weight.c(), bias.c(), runMean.c(), runVar.c(), training, 0.1f, 1e-5f,
                    out.c(), saveMean.c(), saveInvStd.c());
            t.gpu.batchNormForward(x.g(), weight.g(), bias.g(), runMean.g(), runVar.g(), training, 0.1f, 1e-5f,
                    out.g(), saveMean.g(), saveInvStd.g());
            t.check("batchNorm out" + mode, out);
            t.check("batchNorm running mean" + mode, runMean);
            t.check("batchNorm running var" + mode, runVar);
            t.check("batchNorm saved mean" + mode, saveMean);
            t.check("batchNorm saved invstd" + mode, saveInvStd);
            t.cpu.batchNormBackward(dout.c(), x.c(), weight.c(), saveMean.c(), saveInvStd.c(), training, dx.c(), dw.c(), db.c());
            t.gpu.batchNormBackward(dout.g(), x.g(), weight.g(), saveMean.g(), saveInvStd.g(), training, dx.g(), dw.g(), db.g());
            t.check("batchNorm dx" + mode, dx);
            t.check("batchNorm dweight" + mode, dw);
            t.check("batchNorm dbias" + mode, db);
        }
    }

    @Test
    void l2Normalize() {
        Both.P x = t.rand(3.0, 129, 512), out = t.zeros(129, 512), norms = t.zeros(129);
        t.cpu.l2NormalizeForward(x.c(), out.c(), norms.c());
        t.gpu.l2NormalizeForward(x.g(), out.g(), norms.g());
        t.check("l2Normalize out", out);
        t.check("l2Normalize norms", norms);
        Both.P dout = t.rand(129, 512), dx = t.rand(129, 512);
        for (boolean accumulate : new boolean[] {false, true}) {
            t.cpu.l2NormalizeBackward(dout.c(), out.c(), norms.c(), dx.c(), accumulate);
            t.gpu.l2NormalizeBackward(dout.g(), out.g(), norms.g(), dx.g(), accumulate);
            t.check("l2Normalize dx accumulate=" + accumulate, dx);
        }
    }

    // ---------------------------------------------------------------- activations

    @Test
    void activations() {
        Both.P x = t.rand(4.0, 301, 97), out = t.zeros(301, 97), dout = t.rand(301, 97), dx = t.zeros(301, 97);
        t.cpu.quickGeluForward(x.c(), out.c());
        t.gpu.quickGeluForward(x.g(), out.g());
        t.check("quickGelu", out);
        t.cpu.quickGeluBackward(x.c(), dout.c(), dx.c());
        t.gpu.quickGeluBackward(x.g(), dout.g(), dx.g());
        t.check("quickGelu backward", dx);
        t.cpu.reluForward(x.c(), out.c());
        t.gpu.reluForward(x.g(), out.g());
        t.check("relu", out);
        t.cpu.reluBackward(out.c(), dout.c(), dx.c());
        t.gpu.reluBackward(out.g(), dout.g(), dx.g());
        t.check("relu backward", dx);
        t.cpu.softmaxRows(x.c(), out.c());
        t.gpu.softmaxRows(x.g(), out.g());
        t.check("softmaxRows", out);
        t.cpu.softmaxRows(x.c(), x.c());
        t.gpu.softmaxRows(x.g(), x.g());
        t.check("softmaxRows in place", x);
    }

    // ---------------------------------------------------------------- attention

    @ParameterizedTest
    @CsvSource({"2, 77, 2, true", "3, 50, 2, false", "1, 257, 1, false", "2, 33, 3, true", "1, 1, 1, false"})
    void attention(int batch, int seq, int heads, boolean causal) {
        int width = heads * 64;
        Both.P qkv = t.rand(batch * seq, 3 * width), out = t.zeros(batch * seq, width);
        Tensor savedC = t.cpu.allocate(t.cpu.attentionSavedShape(batch, heads, seq));
        Tensor savedG = t.gpu.allocate(t.gpu.attentionSavedShape(batch, heads, seq));
        t.cpu.attentionForward(qkv.c(), out.c(), savedC, batch, seq, heads, causal);
        t.gpu.attentionForward(qkv.g(), out.g(), savedG, batch, seq, heads, causal);
        String what = "attention B=" + batch + " T=" + seq + " H=" + heads + " causal=" + causal;
        t.check(what, out);
        Both.P dout = t.rand(batch * seq, width), dqkv = t.rand(batch * seq, 3 * width);
        t.cpu.attentionBackward(qkv.c(), out.c(), dout.c(), savedC, dqkv.c(), batch, seq, heads, causal);
        t.gpu.attentionBackward(qkv.g(), out.g(), dout.g(), savedG, dqkv.g(), batch, seq, heads, causal);
        t.check(what + " backward", dqkv);
    }

    // ---------------------------------------------------------------- convolution and pooling

    @Test
    void patchifyAndTranspose() {
        Both.P x = t.rand(3, 3, 64, 48), out = t.zeros(3 * 4 * 3, 3 * 16 * 16);
        t.cpu.patchify(x.c(), 16, out.c());
        t.gpu.patchify(x.g(), 16, out.g());
        t.check("patchify", out);
        Both.P y = t.rand(4, 37, 70), yt = t.zeros(4, 70, 37);
        t.cpu.transpose12(y.c(), yt.c());
        t.gpu.transpose12(y.g(), yt.g());
        t.check("transpose12", yt);
    }

    @ParameterizedTest
    @CsvSource({"3, 3, 1, 1", "3, 3, 2, 1", "1, 1, 1, 0", "1, 1, 2, 0", "7, 7, 2, 3"})
    void conv2d(int kh, int kw, int stride, int padding) {
        int n = 3, c = 8, h = 19, w = 17, k = 12;
        int ho = (h + 2 * padding - kh) / stride + 1, wo = (w + 2 * padding - kw) / stride + 1;
        Both.P x = t.rand(n, c, h, w), weight = t.rand(0.2, k, c, kh, kw), out = t.zeros(n, k, ho, wo);
        String what = "conv2d " + kh + "x" + kw + " stride " + stride + " padding " + padding;
        t.cpu.conv2dForward(x.c(), weight.c(), stride, padding, out.c());
        t.gpu.conv2dForward(x.g(), weight.g(), stride, padding, out.g());
        t.check(what, out);
        Both.P dout = t.rand(n, k, ho, wo), dx = t.rand(n, c, h, w), dw = t.rand(k, c, kh, kw);
        t.cpu.conv2dBackward(x.c(), weight.c(), stride, padding, dout.c(), dx.c(), dw.c());
        t.gpu.conv2dBackward(x.g(), weight.g(), stride, padding, dout.g(), dx.g(), dw.g());
        t.check(what + " dx", dx);
        t.check(what + " dweight (accumulated)", dw);
    }

    @Test
    void avgPool() {
        Both.P x = t.rand(2, 5, 15, 14), out = t.zeros(2, 5, 7, 7), dx = t.rand(2, 5, 15, 14);
        t.cpu.avgPoolForward(x.c(), 2, out.c());
        t.gpu.avgPoolForward(x.g(), 2, out.g());
        t.check("avgPool", out);
        Both.P dout = t.rand(2, 5, 7, 7);
        t.cpu.avgPoolBackward(dout.c(), 2, dx.c());
        t.gpu.avgPoolBackward(dout.g(), 2, dx.g());
        t.check("avgPool backward", dx);
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @Test
    void embeddingsAndGathers() {
        int vocab = 1000, width = 96, n = 2 * 77;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i % 3 == 0 ? 0 : t.nextInt(vocab); // many repeats, like padding
        Both.P table = t.rand(vocab, width), out = t.zeros(n, width);
        t.cpu.embeddingForward(ids, table.c(), out.c());
        t.gpu.embeddingForward(ids, table.g(), out.g());
        t.check("embedding", out);
        Both.P dout = t.rand(n, width), dtable = t.rand(vocab, width);
        t.cpu.embeddingBackward(ids, dout.c(), dtable.c());
        t.gpu.embeddingBackward(ids, dout.g(), dtable.g());
        t.check("embedding backward", dtable);
        int[] rows = {5, 0, 153, 5, 77};
        Both.P picked = t.zeros(rows.length, width);
        t.cpu.gatherRows(out.c(), rows, picked.c());
        t.gpu.gatherRows(out.g(), rows, picked.g());
        t.check("gatherRows", picked);
        Both.P dpicked = t.rand(rows.length, width), dgrid = t.rand(n, width);
        t.cpu.scatterAddRows(dpicked.c(), rows, dgrid.c());
        t.gpu.scatterAddRows(dpicked.g(), rows, dgrid.g());
        t.check("scatterAddRows", dgrid);
    }

    // ---------------------------------------------------------------- losses

    @Test
    void contrastiveLoss() {
        int n = 97, e = 512;
        Both.P a = t.rand(n, e), b = t.rand(n, e), na = t.zeros(n, e), nb = t.zeros(n, e);
        Both.P norms = t.zeros(n);
        t.cpu.l2NormalizeForward(a.c(), na.c(), norms.c());
        t.gpu.l2NormalizeForward(a.g(), na.g(), norms.g());
        t.cpu.l2NormalizeForward(b.c(), nb.c(), norms.c());
        t.gpu.l2NormalizeForward(b.g(), nb.g(), norms.g());
        // Make the pairs related so that some diagonals win.
        t.cpu.axpy(0.3f, na.c(), nb.c());
        t.gpu.axpy(0.3f, na.g(), nb.g());
        Both.P da = t.rand(n, e), db = t.rand(n, e);
        Backend.ContrastiveResult rc = t.cpu.contrastiveLoss(na.c(), nb.c(), 14.3f, da.c(), db.c(), 0.7f);
        Backend.ContrastiveResult rg = t.gpu.contrastiveLoss(na.g(), nb.g(), 14.3f, da.g(), db.g(), 0.7f);
        Both.assertClose("contrastive loss", rc.loss(), rg.loss(), 1e-5);
        assertEquals(rc.correct(), rg.correct(), "contrastive top-1 hits");
        t.check("contrastive da (accumulated)", da);
        t.check("contrastive db (accumulated)", db);
        Backend.ContrastiveResult noGrad = t.gpu.contrastiveLoss(na.g(), nb.g(), 14.3f, null, null, 1);
        Both.assertClose("contrastive loss without gradients", rc.loss(), noGrad.loss(), 1e-5);
    }

    @Test
    void squaredDistanceMean() {
        Both.P a = t.rand(0.1, 130, 768), b = t.rand(0.1, 130, 768), da = t.rand(130, 768);
        double lc = t.cpu.squaredDistanceMean(a.c(), b.c(), da.c(), -0.5f);
        double lg = t.gpu.squaredDistanceMean(a.g(), b.g(), da.g(), -0.5f);
        Both.assertClose("squared distance", lc, lg, 1e-5);
        t.check("squared distance gradient (accumulated)", da);
        Both.assertClose("squared distance without gradient", lc, t.gpu.squaredDistanceMean(a.g(), b.g(), null, 1), 1e-5);
    }

    // ---------------------------------------------------------------- optimiser

    @Test
    void adamw() {
        int n = 100_003;
        Both.P p = t.rand(n), m = t.zeros(n), v = t.zeros(n);
        for (int step = 1; step <= 3; step++) {
            Both.P g = t.rand(0.01, n);
            t.cpu.adamw(p.c(), g.c(), m.c(), v.c(), 3e-5f, 0.9f, 0.98f, 1e-8f, 1e-4f, 0.5f, step);
            t.gpu.adamw(p.g(), g.g(), m.g(), v.g(), 3e-5f, 0.9f, 0.98f, 1e-8f, 1e-4f, 0.5f, step);
        }
        t.check("adamw param", p);
        t.check("adamw m", m);
        t.check("adamw v", v);
    }
}
