package org.parclip.model;

import org.parclip.tensor.Tensor;

/** An image tower (ViT or ModifiedResNet): normalised pixels [n, 3, s, s] to features [n, embed]. */
public interface ImageEncoder {
    /** Returns a buffer owned by the encoder, valid until its next forward. */
    Tensor forward(Tensor pixels);

    /** Accumulates parameter gradients for the last forward given d loss / d features. */
    void backward(Tensor dFeatures);

    int imageSize();

    /** Train mode matters only where a layer behaves differently (BatchNorm); ViTs ignore it. */
    default void setTraining(boolean training) {
    }
}
