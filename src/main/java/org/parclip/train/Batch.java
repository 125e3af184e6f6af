package org.parclip.train;

/**
 * One batch for the trainer: normalised pixels [size, 3, s, s] (already augmented as the recipe says; both models
 * see these) and token rows [size, context]. CleanCLIP also needs a second, augmented view of each.
 */
public record Batch(float[] pixels, int[] tokens, int size, float[] augmentedPixels, int[] augmentedTokens) {
    public Batch(float[] pixels, int[] tokens, int size) {
        this(pixels, tokens, size, null, null);
    }
}
