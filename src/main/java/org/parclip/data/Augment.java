package org.parclip.data;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * PAR's training augmentation (spec section 2; the reference's AddGaussianNoise and its modified RandomErasing).
 * Both models see the augmented image. Randomness comes only from the generator passed in.
 */
public final class Augment {
    private final double noiseP, noiseStd, eraseP, eraseMinShare, eraseMaxShare;
    private final int eraseTries, eraseMargin;

    private Augment(double noiseP, double noiseStd, double eraseP, double eraseMinShare, double eraseMaxShare,
                    int eraseTries, int eraseMargin) {
        this.noiseP = noiseP;
        this.noiseStd = noiseStd;
        this.eraseP = eraseP;
        this.eraseMinShare = eraseMinShare;
        this.eraseMaxShare = eraseMaxShare;
        this.eraseTries = eraseTries;
        this.eraseMargin = eraseMargin;
    }

    /** The reference defaults: noise with p 0.5, sigma 0.2; erasing with p 0.5, 0.5%..1% of the area, 10 tries, margin 4. */
    public static Augment par() {
        return new Augment(0.5, 0.2, 0.5, 0.005, 0.01, 10, 4);
    }

    /**
     * On the [0,1] tensor, before normalisation, with probability p: x = clip(x + clip(N(0, sigma^2), 0, 1), 0, 1).
     * The noise is clipped to [0, 1] before it is added, so it only brightens: that is what the reference does.
     */
    public void noise(float[] unit, RandomGenerator rng) {
        if (rng.nextDouble() >= noiseP) return;
        float std = (float) noiseStd;
        for (int i = 0; i < unit.length; i++) {
            float n = Math.clamp((float) rng.nextGaussian() * std, 0f, 1f);
            unit[i] = Math.clamp(unit[i] + n, 0f, 1f);
        }
    }

    /**
     * On the normalised [3, H, W] tensor, with probability p: zero (= the mean colour) a square covering a uniform
     * 0.5%..1% share of the area, following torchvision's RandomErasing.get_params with ratio (1, 1): side
     * round(sqrt(area)) (half to even, as Python's round), up to {@code tries} draws, a draw accepted only when
     * h < H - 4 and w < W - 4 (the reference's change from torchvision's h < H), top-left uniform in [0, H - h].
     */
    public void erase(float[] chw, int height, int width, RandomGenerator rng) {
        if (rng.nextDouble() >= eraseP) return;
        double area = (double) height * width;
        for (int t = 0; t < eraseTries; t++) {
            double eraseArea = area * rng.nextDouble(eraseMinShare, eraseMaxShare);
            int h = (int) Math.rint(Math.sqrt(eraseArea)), w = h;
            if (!(h < height - eraseMargin && w < width - eraseMargin)) continue;
            int top = rng.nextInt(height - h + 1), left = rng.nextInt(width - w + 1);
            int plane = height * width;
            for (int c = 0; c < 3; c++)
                for (int y = top; y < top + h; y++) {
                    int start = c * plane + y * width + left;
                    Arrays.fill(chw, start, start + w, 0f);
                }
            return;
        }
    }
}
