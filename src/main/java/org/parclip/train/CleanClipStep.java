package org.parclip.train;

import org.parclip.model.ClipModel;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * CleanCLIP's step: the student encodes each batch together with its augmented views (one forward of 2n rows, so
 * one backward serves both), then {@link ParLoss#computeCleanClip}.
 */
final class CleanClipStep {
    private final ClipModel student;
    private final Backend be;
    private final ParLoss loss;
    private Tensor pixels;
    private int[] tokens = new int[0];

    CleanClipStep(ClipModel student) {
        this.student = student;
        this.be = student.backend();
        this.loss = new ParLoss(be);
    }

    LossParts forwardBackward(Batch b, float logitScale) {
        if (b.augmentedPixels() == null || b.augmentedTokens() == null)
            throw new IllegalStateException("CleanCLIP batches need augmented views");
        int n = b.size(), s = student.imageSize(), ctx = student.contextLength();
        pixels = be.reuse(pixels, 2 * n, 3, s, s);
        be.copyFromHost(b.pixels(), 0, pixels.slice(0, n));
        be.copyFromHost(b.augmentedPixels(), 0, pixels.slice(n, 2 * n));
        if (tokens.length != 2 * n * ctx) tokens = new int[2 * n * ctx];
        System.arraycopy(b.tokens(), 0, tokens, 0, n * ctx);
        System.arraycopy(b.augmentedTokens(), 0, tokens, n * ctx, n * ctx);
        student.setTraining(true);
        Tensor img = student.encodeImage(pixels);
        Tensor txt = student.encodeText(tokens, 2 * n);
        LossParts parts = loss.computeCleanClip(img, txt, logitScale);
        student.backwardImage(loss.imageGrad());
        student.backwardText(loss.textGrad());
        return parts;
    }
}
