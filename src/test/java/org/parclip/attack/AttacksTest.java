package org.parclip.attack;

import org.junit.jupiter.api.Test;
import org.parclip.cli.UserException;
import org.parclip.data.Fixtures;
import org.parclip.data.Preprocess;
import org.parclip.data.Resize;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The random triggers follow spec section 7 in structure (their random streams cannot be the reference's). */
class AttacksTest {
    private static float[] image(int size) {
        return Preprocess.toUnit(Resize.bicubic(Fixtures.image("portrait.png"), size, size));
    }

    /** The rectangle where a and b differ: {top, left, bottom, right} inclusive, or null. */
    private static int[] changed(float[] a, float[] b, int size) {
        int top = size, left = size, bottom = -1, right = -1;
        for (int i = 0; i < a.length; i++)
            if (a[i] != b[i]) {
                int y = (i % (size * size)) / size, x = i % size;
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
                left = Math.min(left, x);
                right = Math.max(right, x);
            }
        return bottom < 0 ? null : new int[]{top, left, bottom, right};
    }

    private static void assertUnitRange(float[] x) {
        for (float v : x) assertTrue(v >= 0f && v <= 1f, "value " + v);
    }

    @Test
    void namesAndAliases() {
        assertEquals(List.of("random", "badnet_rs", "blended", "blended_rs", "tri_patt", "water_patt", "badclip", "warped"), Attacks.names());
        assertSame(Attacks.byName("random"), Attacks.byName("BadNet"));
        assertSame(Attacks.byName("badnet_rs"), Attacks.byName("badnet-stripes"));
        assertSame(Attacks.byName("blended_rs"), Attacks.byName("Blended_Stripes"));
        assertSame(Attacks.byName("tri_patt"), Attacks.byName("blended-triangles"));
        assertSame(Attacks.byName("water_patt"), Attacks.byName("blended-text"));
        assertSame(Attacks.byName("warped"), Attacks.byName("wanet"));
        assertEquals("water_patt", Attacks.byName("water-patt").name());
        UserException e = assertThrows(UserException.class, () -> Attacks.byName("sig"));
        assertTrue(e.getMessage().contains("known: random, badnet_rs"), e.getMessage());
    }

    @Test
    void badNetPastesANoisyMeanPatchInRange() {
        for (int size : new int[]{224, 336}) {
            float[] x = image(size);
            SplittableRandom rng = new SplittableRandom(size);
            for (int t = 0; t < 50; t++) {
                float[] y = Attacks.byName("badnet").apply(x, size, rng);
                assertUnitRange(y);
                int[] r = changed(x, y, size);
                assertTrue(r[2] - r[0] <= 15 && r[3] - r[1] <= 15, "within a 16 x 16 patch");
                assertTrue(r[0] >= 0 && r[1] >= 0 && r[2] <= size - 2 && r[3] <= size - 2, "top-left in [0, S - 17]");
            }
        }
    }

    @Test
    void badNetStripesAreZeroOrOnePerChannelAndColumn() {
        for (int size : new int[]{32, 224, 336}) {
            // 16 at 224 and 32 at 336 (the reference); a quarter of the side on the demo's 32-pixel world
            int p = size == 336 ? 32 : size == 224 ? 16 : 8, plane = size * size;
            float[] x = image(size);
            SplittableRandom rng = new SplittableRandom(7);
            for (int t = 0; t < 20; t++) {
                float[] y = Attacks.byName("badnet_rs").apply(x, size, rng);
                // the changed box can be smaller than the patch (where a stripe equals the image), never larger
                int[] r = changed(x, y, size);
                assertTrue(r[2] - r[0] < p && r[3] - r[1] < p && r[2] <= size - 2 && r[3] <= size - 2);
                for (int c = 0; c < 3; c++)
                    for (int col = r[1]; col <= r[3]; col++) {
                        float stripe = -1;
                        for (int row = r[0]; row <= r[2]; row++) {
                            int i = c * plane + row * size + col;
                            if (x[i] == y[i]) continue;
                            assertTrue(y[i] == 0f || y[i] == 1f, "stripes of 0 or 1");
                            if (stripe < 0) stripe = y[i];
                            assertEquals(stripe, y[i], "one value per (channel, column)");
                        }
                    }
            }
        }
    }

    @Test
    void blendedMixesInAFifthOfNoise() {
        float[] x = image(224);
        float[] y = Attacks.byName("blended").apply(x, 224, new SplittableRandom(1));
        assertUnitRange(y);
        double mean = 0;
        for (int i = 0; i < x.length; i++) {
            float u = (y[i] - 0.8f * x[i]) / 0.2f; // the noise value
            assertTrue(u >= -1e-4 && u <= 1 + 1e-4);
            mean += u;
        }
        assertEquals(0.5, mean / x.length, 0.01);
        assertTrue(changed(y, Attacks.byName("blended").apply(x, 224, new SplittableRandom(2)), 224) != null, "fresh noise per image");
    }

    @Test
    void blendedStripesAddPlusMinusThreePercentPerChannelAndColumn() {
        float[] x = image(336);
        float[] y = Attacks.byName("blended_rs").apply(x, 336, new SplittableRandom(3));
        assertUnitRange(y);
        int plane = 336 * 336;
        for (int c = 0; c < 3; c++)
            for (int col = 0; col < 336; col++) {
                float sign = 0;
                for (int row = 0; row < 336; row++) {
                    int i = c * plane + row * 336 + col;
                    float plus = Math.min(1f, 0.03f + 0.97f * x[i]), minus = Math.max(0f, -0.03f + 0.97f * x[i]);
                    float s = y[i] == plus ? 1 : y[i] == minus ? -1 : 0;
                    assertTrue(s != 0, "0.97 x image + 0.03 x (+-1)");
                    if (plus != minus) {
                        if (sign == 0) sign = s;
                        assertEquals(sign, s, "one sign per (channel, column)");
                    }
                }
            }
    }

    @Test
    void fixedPatternsAreDeterministicAndSizeChecked() {
        for (String name : List.of("tri_patt", "water_patt", "badclip")) {
            float[] x = image(224);
            assertArrayEquals(Attacks.byName(name).apply(x, 224, new SplittableRandom(1)), Attacks.byName(name).apply(x, 224, new SplittableRandom(2)));
        }
        assertThrows(UserException.class, () -> Attacks.byName("tri_patt").apply(new float[3 * 288 * 288], 288, new SplittableRandom(0)));
        assertThrows(UserException.class, () -> Attacks.byName("warped").apply(image(336), 336, new SplittableRandom(0)));
        float[] x = image(224);
        int[] r = changed(x, Attacks.byName("badclip").apply(x, 224, null), 224);
        assertTrue(r[0] >= 104 && r[1] >= 104 && r[2] <= 119 && r[3] <= 119, "16 x 16 patch at the centre");
    }

    @Test
    void toImageTruncatesLikeToPILImage() {
        float[] x = {0f, 0.999f, 1f, 0.5f, 0.25f, 0.75f};
        byte[] px = Attacks.toImage(new float[]{x[0], x[1], x[2], x[3], x[4], x[5]}, 2, 1).pixels();
        // layout [3, 1, 2]: R = (0, 0.999), G = (1, 0.5), B = (0.25, 0.75)
        assertArrayEquals(new byte[]{0, (byte) 255, 63, (byte) 254, 127, (byte) 191}, px);
    }
}
