package org.parclip.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentTest {
    private static final int S = 224;

    private static float[] unitImage() {
        float[] x = new float[3 * S * S];
        for (int i = 0; i < x.length; i++) x[i] = (i % 251) / 250f;
        return x;
    }

    @Test
    void noiseOnlyBrightensStaysInRangeAndFiresAboutHalfTheTime() {
        Augment aug = Augment.par();
        SplittableRandom rng = new SplittableRandom(1);
        int fired = 0;
        for (int t = 0; t < 400; t++) {
            float[] x = unitImage(), y = x.clone();
            aug.noise(y, rng);
            boolean changed = false;
            double added = 0;
            for (int i = 0; i < x.length; i++) {
                assertTrue(y[i] >= x[i] && y[i] <= 1f);
                if (y[i] != x[i]) changed = true;
                added += y[i] - x[i];
            }
            if (changed) {
                fired++;
                // E[clip(N(0, 0.2^2), 0, 1)] = 0.2 / sqrt(2 pi) = 0.0798; clipping at 1 takes a little off.
                double mean = added / x.length;
                assertTrue(mean > 0.06 && mean < 0.08, "mean brightening " + mean);
            }
        }
        assertTrue(fired > 160 && fired < 240, "noise applied " + fired + " of 400 times");
    }

    @Test
    void erasingZeroesOneSquareOfHalfToOnePercentOfTheArea() {
        Augment aug = Augment.par();
        SplittableRandom rng = new SplittableRandom(2);
        int fired = 0;
        for (int t = 0; t < 400; t++) {
            float[] x = new float[3 * S * S];
            java.util.Arrays.fill(x, 0.5f);
            aug.erase(x, S, S, rng);
            int minX = S, minY = S, maxX = -1, maxY = -1, zeros = 0;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < S; y++)
                    for (int xx = 0; xx < S; xx++)
                        if (x[c * S * S + y * S + xx] == 0f) {
                            zeros++;
                            minX = Math.min(minX, xx);
                            maxX = Math.max(maxX, xx);
                            minY = Math.min(minY, y);
                            maxY = Math.max(maxY, y);
                        }
            if (zeros == 0) continue;
            fired++;
            int h = maxY - minY + 1, w = maxX - minX + 1;
            assertEquals(h, w, "square");
            assertEquals(3 * h * w, zeros, "filled rectangle in every channel");
            // side round(sqrt(224^2 * share)) for share in [0.005, 0.01): 16 .. 22
            assertTrue(h >= 16 && h <= 22, "side " + h);
        }
        assertTrue(fired > 160 && fired < 240, "erasing applied " + fired + " of 400 times");
    }

    @Test
    void sameSeedSameResult() {
        Preprocess pre = Preprocess.clip(64).withAugment(Augment.par());
        RgbImage img = Fixtures.image("portrait.png");
        for (long seed = 0; seed < 8; seed++)
            assertArrayEquals(pre.apply(img, new SplittableRandom(seed)), pre.apply(img, new SplittableRandom(seed)));
        // without augmentation the generator is not consulted
        assertArrayEquals(Preprocess.clip(64).apply(img), Preprocess.clip(64).apply(img, new SplittableRandom(3)));
    }
}
