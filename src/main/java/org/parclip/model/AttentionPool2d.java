package org.parclip.model;

import org.parclip.nn.Linear;
import org.parclip.nn.Parameter;
import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * OpenAI's attention pool (names under {@code prefix}): the feature map's positions become tokens, their mean is
 * prepended, a positional embedding is added, and one multi-head attention with separate q/k/v projections whose
 * query is the mean token is projected by c_proj. The backend's attention runs every token as a query and the first
 * row of each image is kept: the same output, and the extra queries cost little at a 7x7 map.
 */
final class AttentionPool2d {
    private final Backend be;
    private final int width;
    private final int heads;
    private final int positions;
    final Parameter positionalEmbedding;
    final Linear kProj;
    final Linear qProj;
    final Linear vProj;
    final Linear cProj;
    /** q, k, v in the order of the fused layout the backend's attention reads. */
    private final Linear[] qkvOrder;
    /** [positions] ones: the mean token is the feature map times this vector. */
    private final Tensor ones;

    private int batch;
    private int[] firstRows = new int[0];
    private Tensor spatial;
    private Tensor mean;
    private Tensor seq;
    private Tensor qkv;
    private Tensor context;
    private Tensor saved;
    private Tensor pooled;
    private Tensor dPooled;
    private Tensor dContext;
    private Tensor dQkv;
    private Tensor dPart;
    private Tensor dSeq;
    private Tensor dSpatial;
    private Tensor dMean;

    AttentionPool2d(ParameterSet ps, String prefix, int grid, int width, int heads, int outputDim) {
        if (width % heads != 0) throw new IllegalArgumentException("width " + width + " not divisible by " + heads + " heads");
        this.be = ps.backend();
        this.width = width;
        this.heads = heads;
        this.positions = grid * grid;
        // OpenAI's registration order (k before q), which its state dicts list.
        positionalEmbedding = ps.parameter(prefix + ".positional_embedding", positions + 1, width);
        kProj = Linear.named(ps, prefix + ".k_proj", width, width);
        qProj = Linear.named(ps, prefix + ".q_proj", width, width);
        vProj = Linear.named(ps, prefix + ".v_proj", width, width);
        cProj = Linear.named(ps, prefix + ".c_proj", width, outputDim);
        qkvOrder = new Linear[]{qProj, kProj, vProj};
        ones = be.allocate(positions);
        be.fill(ones, 1f);
    }

    /** x [n, width, grid, grid] to [n, outputDim]; x must stay unchanged until backward. */
    Tensor forward(Tensor x) {
        batch = x.dim(0);
        int s = positions + 1, rows = batch * s;
        spatial = be.reuse(spatial, batch, positions, width);
        be.transpose12(x.view(batch, width, positions), spatial);
        mean = be.reuse(mean, batch * width, 1);
        be.matmul(x.view(batch * width, positions), false, ones.view(positions, 1), false, mean, 1f / positions, 0f);
        seq = be.reuse(seq, rows, width);
        be.copyBlocks(mean, 0, width, seq, 0, s * width, batch, width, false);
        be.copyBlocks(spatial, 0, positions * width, seq, width, s * width, batch, positions * width, false);
        be.addRowVector(seq.view(batch, s * width), positionalEmbedding.value().view(s * width));

        qkv = be.reuse(qkv, rows, 3 * width);
        for (int i = 0; i < 3; i++)
            be.copyBlocks(qkvOrder[i].forward(seq), 0, width, qkv, (long) i * width, 3 * width, rows, width, false);
        context = be.reuse(context, rows, width);
        saved = be.reuse(saved, be.attentionSavedShape(batch, heads, s));
        be.attentionForward(qkv, context, saved, batch, s, heads, false);

        if (firstRows.length != batch) {
            firstRows = new int[batch];
            for (int b = 0; b < batch; b++) firstRows[b] = b * s;
        }
        pooled = be.reuse(pooled, batch, width);
        be.gatherRows(context, firstRows, pooled);
        return cProj.forward(pooled);
    }

    /** Accumulates parameter gradients; overwrites dx [n, width, grid, grid] with d loss / d x. */
    void backward(Tensor dOut, Tensor dx) {
        int s = positions + 1, rows = batch * s;
        dPooled = be.reuse(dPooled, batch, width);
        cProj.backward(dOut, dPooled, false);
        dContext = be.reuse(dContext, rows, width);
        be.fill(dContext, 0f);
        be.scatterAddRows(dPooled, firstRows, dContext);
        dQkv = be.reuse(dQkv, rows, 3 * width);
        be.attentionBackward(qkv, context, dContext, saved, dQkv, batch, s, heads, false);

        dPart = be.reuse(dPart, rows, width);
        dSeq = be.reuse(dSeq, rows, width);
        for (int i = 0; i < 3; i++) {
            be.copyBlocks(dQkv, (long) i * width, 3 * width, dPart, 0, width, rows, width, false);
            qkvOrder[i].backward(dPart, dSeq, i > 0);
        }
        be.sumRows(dSeq.view(batch, s * width), positionalEmbedding.grad(be).view(s * width), 1f, 1f);

        dSpatial = be.reuse(dSpatial, batch, positions, width);
        be.copyBlocks(dSeq, width, s * width, dSpatial, 0, positions * width, batch, positions * width, false);
        be.transpose12(dSpatial, dx.view(batch, width, positions));
        dMean = be.reuse(dMean, batch * width, 1);
        be.copyBlocks(dSeq, 0, s * width, dMean, 0, width, batch, width, false);
        // Each position receives 1/positions of its image's mean-token gradient.
        be.matmul(dMean, false, ones.view(1, positions), false, dx.view(batch * width, positions), 1f / positions, 1f);
    }
}
