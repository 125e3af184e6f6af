package org.parclip.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The second views CleanCLIP contrasts against (spec §1): an AutoAugment-style image view (two randomly chosen
 * photometric or geometric operations with random magnitudes, as torchvision's AutoAugment applies two per
 * sub-policy) and an EDA-style text view (random swap and random deletion of words). EDA's synonym replacement
 * needs WordNet, which parclip does not ship; swap and deletion are the data-free half of EDA.
 */
public final class CleanClipAugment {
    private CleanClipAugment() {
    }

    /** An augmented copy of a [3, s, s] image in [0, 1]. */
    public static float[] image(float[] unit, int size, RandomGenerator rng) {
        float[] x = unit.clone();
        for (int k = 0; k < 2; k++) {
            double m = rng.nextDouble();
            switch (rng.nextInt(7)) {
                case 0 -> scale(x, (float) (0.6 + 0.8 * m));                // brightness
                case 1 -> contrast(x, (float) (0.6 + 0.8 * m));
                case 2 -> saturation(x, size, (float) (0.2 + 1.6 * m));
                case 3 -> x = translate(x, size, (int) Math.round((m - 0.5) * size * 0.3), rng.nextBoolean());
                case 4 -> posterize(x, 3 + rng.nextInt(4));
                case 5 -> solarize(x, (float) (0.5 + 0.5 * m));
                default -> x = flip(x, size);
            }
        }
        for (int i = 0; i < x.length; i++) x[i] = Math.clamp(x[i], 0f, 1f);
        return x;
    }

    /** EDA's random swap (one pair) and random deletion (p = 0.1, keeping at least one word). */
    public static String text(String caption, RandomGenerator rng) {
        List<String> words = new ArrayList<>(Arrays.asList(caption.trim().split("\\s+")));
        if (words.size() >= 2) {
            int i = rng.nextInt(words.size()), j = rng.nextInt(words.size());
            String t = words.get(i);
            words.set(i, words.get(j));
            words.set(j, t);
        }
        List<String> kept = new ArrayList<>();
        for (String w : words) if (rng.nextDouble() >= 0.1) kept.add(w);
        if (kept.isEmpty()) kept.add(words.get(rng.nextInt(words.size())));
        return String.join(" ", kept);
    }

    private static void scale(float[] x, float f) {
        for (int i = 0; i < x.length; i++) x[i] *= f;
    }

    private static void contrast(float[] x, float f) {
        double mean = 0;
        for (float v : x) mean += v;
        float m = (float) (mean / x.length);
        for (int i = 0; i < x.length; i++) x[i] = m + (x[i] - m) * f;
    }

    private static void saturation(float[] x, int size, float f) {
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            float grey = 0.299f * x[i] + 0.587f * x[plane + i] + 0.114f * x[2 * plane + i];
            for (int c = 0; c < 3; c++) x[c * plane + i] = grey + (x[c * plane + i] - grey) * f;
        }
    }

    /** Shifts by d pixels horizontally or vertically, filling with black as torchvision's affine does. */
    private static float[] translate(float[] x, int size, int d, boolean horizontal) {
        float[] out = new float[x.length];
        int plane = size * size;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int col = 0; col < size; col++) {
                    int sy = horizontal ? y : y - d, sx = horizontal ? col - d : col;
                    if (sy >= 0 && sy < size && sx >= 0 && sx < size)
                        out[c * plane + y * size + col] = x[c * plane + sy * size + sx];
                }
        return out;
    }

    private static void posterize(float[] x, int bits) {
        int levels = 1 << bits;
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.floor(x[i] * (levels - 1e-6)) / (levels - 1);
    }

    private static void solarize(float[] x, float threshold) {
        for (int i = 0; i < x.length; i++) if (x[i] >= threshold) x[i] = 1f - x[i];
    }

    private static float[] flip(float[] x, int size) {
        float[] out = new float[x.length];
        for (int r = 0; r < x.length / size; r++)
            for (int col = 0; col < size; col++) out[r * size + col] = x[r * size + size - 1 - col];
        return out;
    }
}
