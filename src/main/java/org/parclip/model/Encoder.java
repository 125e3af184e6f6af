package org.parclip.model;

import org.parclip.io.Progress;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** Encodes whole arrays of images or token rows in batches, returning host features (eval mode). */
public final class Encoder {
    private final ClipModel model;
    private final Backend be;
    private final int batchSize;
    private final boolean normalize;
    private Tensor pixelBatch;
    private Tensor normalized;
    private Tensor norms;

    public Encoder(ClipModel model, int batchSize, boolean normalize) {
        this.model = model;
        this.be = model.backend();
        this.batchSize = batchSize;
        this.normalize = normalize;
    }

    /** pixels: n images [3, s, s] back to back, normalised. Returns [n, embed] features row-major. */
    public float[] images(float[] pixels, int n, Progress progress) {
        model.setTraining(false);
        int s = model.imageSize(), per = 3 * s * s;
        if ((long) n * per != pixels.length)
            throw new IllegalArgumentException("expected " + n + " images of 3x" + s + "x" + s);
        float[] out = null;
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            pixelBatch = be.reuse(pixelBatch, b, 3, s, s);
            be.copyFromHost(pixels, start * per, pixelBatch);
            out = collect(model.encodeImage(pixelBatch), out, start, n);
            progress.advance(b);
        }
        progress.finish();
        return out == null ? new float[0] : out;
    }

    /** tokens: n rows of the model's context length. Returns [n, embed] features row-major. */
    public float[] texts(int[] tokens, int n, Progress progress) {
        model.setTraining(false);
        int ctx = model.contextLength();
        if ((long) n * ctx != tokens.length) throw new IllegalArgumentException("expected " + n + " rows of " + ctx + " tokens");
        float[] out = null;
        int[] rows = new int[0];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            if (rows.length != b * ctx) rows = new int[b * ctx];
            System.arraycopy(tokens, start * ctx, rows, 0, b * ctx);
            out = collect(model.encodeText(rows, b), out, start, n);
            progress.advance(b);
        }
        progress.finish();
        return out == null ? new float[0] : out;
    }

    private float[] collect(Tensor features, float[] out, int start, int n) {
        int b = features.dim(0), e = features.dim(1);
        Tensor f = features;
        if (normalize) {
            normalized = be.reuse(normalized, b, e);
            norms = be.reuse(norms, b);
            be.l2NormalizeForward(features, normalized, norms);
            f = normalized;
        }
        if (out == null) out = new float[n * e];
        System.arraycopy(be.toHost(f), 0, out, start * e, b * e);
        return out;
    }
}
