package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.parclip.cpu.CpuTestSupport.randnF;
import static org.parclip.cpu.CpuTestSupport.tensor;

/**
 * Every op sized so that it splits across threads, run on fresh backends and compared bit for bit: twice with the
 * same thread count (the contract), and with one thread against three (the partitions are built not to matter).
 */
class CpuBackendDeterminismTest {

    /** Runs forward and backward ops on seeded data and returns every output, concatenated. */
    private static float[] workload(CpuBackend be) {
        Random rng = new Random(42);
        List<float[]> outs = new ArrayList<>();

        int batch = 4, seq = 17, heads = 2, width = 128;
        Tensor qkv = tensor(be, randnF(rng, batch * seq * 3 * width), batch * seq, 3 * width);
        Tensor att = be.allocate(batch * seq, width), saved = be.allocate(be.attentionSavedShape(batch, heads, seq));
        Tensor dqkv = be.allocate(batch * seq, 3 * width);
        be.attentionForward(qkv, att, saved, batch, seq, heads, true);
        be.attentionBackward(qkv, att, tensor(be, randnF(rng, batch * seq * width), batch * seq, width), saved, dqkv,
                batch, seq, heads, true);
        outs.add(be.toHost(att));
        outs.add(be.toHost(dqkv));

        int rows = 1000, c = 128;
        Tensor x = tensor(be, randnF(rng, rows * c), rows, c), w = tensor(be, randnF(rng, c), c);
        Tensor ln = be.allocate(rows, c), mean = be.allocate(rows), rstd = be.allocate(rows);
        Tensor dx = be.allocate(rows, c), dw = be.allocate(c), db = be.allocate(c);
        be.layerNormForward(x, w, tensor(be, randnF(rng, c), c), 1e-5f, ln, mean, rstd);
        be.layerNormBackward(tensor(be, randnF(rng, rows * c), rows, c), x, w, mean, rstd, dx, false, dw, db);
        outs.add(be.toHost(ln));
        outs.add(be.toHost(dx));
        outs.add(be.toHost(dw));
        outs.add(be.toHost(db));

        Tensor sums = be.allocate(c);
        be.sumRows(ln, sums, 1, 0);
        outs.add(be.toHost(sums));
        outs.add(new float[]{(float) be.sumOfSquares(x), (float) (be.sumOfSquares(x) - (float) be.sumOfSquares(x))});

        Tensor gelu = be.allocate(rows, c);
        be.quickGeluForward(x, gelu);
        be.quickGeluBackward(x, ln, dx);
        be.softmaxRows(gelu, ln);
        outs.add(be.toHost(gelu));
        outs.add(be.toHost(dx));
        outs.add(be.toHost(ln));

        int n = 8, ch = 16, h = 32;
        Tensor img = tensor(be, randnF(rng, n * ch * h * h), n, ch, h, h);
        Tensor kernel = tensor(be, randnF(rng, ch * ch * 9), ch, ch, 3, 3);
        Tensor conv = be.allocate(n, ch, h, h), dimg = be.allocate(n, ch, h, h), dkernel = be.allocate(ch, ch, 3, 3);
        be.conv2dForward(img, kernel, 1, 1, conv);
        be.conv2dBackward(img, kernel, 1, 1, conv, dimg, dkernel);
        Tensor bw = tensor(be, randnF(rng, ch), ch), bb = be.allocate(ch), rm = be.allocate(ch), rv = be.allocate(ch);
        be.fill(rv, 1);
        Tensor bn = be.allocate(n, ch, h, h), sm = be.allocate(ch), si = be.allocate(ch);
        Tensor dbw = be.allocate(ch), dbb = be.allocate(ch);
        be.batchNormForward(conv, bw, bb, rm, rv, true, 0.1f, 1e-5f, bn, sm, si);
        be.batchNormBackward(dimg, conv, bw, sm, si, true, dimg, dbw, dbb);
        for (Tensor t : new Tensor[]{conv, dimg, dkernel, rm, rv, bn, dbw, dbb}) outs.add(be.toHost(t));

        int pairs = 300, e = 64;
        Tensor a = tensor(be, randnF(rng, pairs * e), pairs, e), b = tensor(be, randnF(rng, pairs * e), pairs, e);
        Tensor an = be.allocate(pairs, e), norms = be.allocate(pairs), da = be.allocate(pairs, e), dbt = be.allocate(pairs, e);
        be.l2NormalizeForward(a, an, norms);
        var r = be.contrastiveLoss(an, b, 100, da, dbt, 1);
        double dist = be.squaredDistanceMean(an, b, da, -0.5f);
        be.l2NormalizeBackward(da, an, norms, da, true);
        outs.add(new float[]{(float) r.loss(), r.correct(), (float) dist});
        outs.add(be.toHost(da));
        outs.add(be.toHost(dbt));

        int vocab = 50;
        int[] ids = new int[pairs];
        for (int i = 0; i < pairs; i++) ids[i] = rng.nextInt(vocab);
        Tensor table = be.allocate(vocab, e);
        be.embeddingBackward(ids, da, table);
        be.copyBlocks(da, 0, e, table, 0, 0, pairs, e, true);
        Tensor p = tensor(be, randnF(rng, vocab * e), vocab, e), m = be.allocate(vocab, e), v = be.allocate(vocab, e);
        be.adamw(p, table, m, v, 1e-3f, 0.9f, 0.98f, 1e-8f, 0.1f, 1, 1);
        outs.add(be.toHost(table));
        outs.add(be.toHost(p));

        int total = 0;
        for (float[] o : outs) total += o.length;
        float[] all = new float[total];
        int at = 0;
        for (float[] o : outs) {
            System.arraycopy(o, 0, all, at, o.length);
            at += o.length;
        }
        return all;
    }

    private static float[] run(int threads) {
        try (CpuBackend be = new CpuBackend(threads, new JavaSgemm(threads))) {
            assertEquals(threads, be.threads());
            return workload(be);
        }
    }

    @Test
    void sameThreadCountGivesBitwiseIdenticalResults() {
        assertArrayEquals(run(3), run(3));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        assertArrayEquals(run(1), run(3));
    }
}
