package org.parclip.model;

import org.parclip.nn.LayerNorm;
import org.parclip.nn.Parameter;
import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * The end of both transformer towers: pick one row per sequence (the class token, or the end-of-text token),
 * LayerNorm it and project it to the joint embedding ({@code visual.ln_post}/{@code visual.proj},
 * {@code ln_final}/{@code text_projection}). Only the picked rows are normalised, which equals PyTorch's
 * normalising every row and then picking.
 */
final class PooledProjection {
    private final Backend be;
    final LayerNorm ln;
    final Parameter proj;
    private int[] rows;
    private int streamRows;
    private Tensor pooled, features, dNormed, dPooled, dStream;

    PooledProjection(ParameterSet ps, String lnName, String projName, int width, int embed) {
        this.be = ps.backend();
        this.ln = new LayerNorm(ps, lnName, width);
        this.proj = ps.parameter(projName, width, embed);
    }

    /** x [streamRows, width]; returns features [rows.length, embed] in a buffer owned here. */
    Tensor forward(Tensor x, int[] rows) {
        this.rows = rows;
        this.streamRows = x.rows();
        pooled = be.reuse(pooled, rows.length, x.cols());
        be.gatherRows(x, rows, pooled);
        Tensor normed = ln.forward(pooled);
        features = be.reuse(features, rows.length, proj.value().dim(1));
        be.matmul(normed, false, proj.value(), false, features, 1f, 0f);
        return features;
    }

    /** Accumulates ln and proj gradients; returns d loss / d x [streamRows, width], zero outside the picked rows. */
    Tensor backward(Tensor dFeatures) {
        int width = proj.value().dim(0);
        be.matmul(ln.lastOutput(), true, dFeatures, false, proj.grad(be), 1f, 1f);
        dNormed = be.reuse(dNormed, rows.length, width);
        be.matmul(dFeatures, false, proj.value(), true, dNormed, 1f, 0f);
        dPooled = be.reuse(dPooled, rows.length, width);
        ln.backward(dNormed, dPooled, false);
        dStream = be.reuse(dStream, streamRows, width);
        be.fill(dStream, 0f);
        be.scatterAddRows(dPooled, rows, dStream);
        return dStream;
    }
}
