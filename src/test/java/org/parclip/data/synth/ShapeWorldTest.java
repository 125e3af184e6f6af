package org.parclip.data.synth;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeWorldTest {
    private final ShapeWorld world = new ShapeWorld(42);

    @Test
    void sameSeedAndIndexGiveIdenticalSamples() {
        ShapeWorld again = new ShapeWorld(42);
        for (long i : new long[]{0, 1, 7, 12345, ShapeWorld.EVAL_OFFSET + 3}) {
            Sample a = world.sample(i), b = again.sample(i);
            assertArrayEquals(a.rgb01(), b.rgb01(), "pixels of sample " + i);
            assertEquals(a.caption(), b.caption());
            assertEquals(a.classIndex(), b.classIndex());
        }
    }

    @Test
    void differentSeedsAndIndicesDiffer() {
        ShapeWorld other = new ShapeWorld(43);
        int sameCaption = 0;
        for (long i = 0; i < 50; i++) {
            assertFalse(Arrays.equals(world.sample(i).rgb01(), other.sample(i).rgb01()), "seeds 42/43 index " + i);
            assertFalse(Arrays.equals(world.sample(i).rgb01(), world.sample(i + 1).rgb01()), "index " + i);
            if (world.caption(i).equals(other.caption(i))) sameCaption++;
        }
        assertTrue(sameCaption < 10, "captions barely depend on the seed: " + sameCaption + "/50 equal");
    }

    @Test
    void renderingIsIndependentOfOrderAndThread() {
        float[][] serial = new float[64][];
        for (int i = 0; i < 64; i++) serial[i] = world.sample(63 - i).rgb01();
        float[][] parallel = new float[64][];
        IntStream.range(0, 64).parallel().forEach(i -> parallel[i] = new ShapeWorld(42).sample(63 - i).rgb01());
        for (int i = 0; i < 64; i++) assertArrayEquals(serial[i], parallel[i]);
    }

    @Test
    void pixelsAreEightBitLevelsInUnitRangeAndMatchTheImage() {
        Sample s = world.sample(5);
        int n = 32 * 32;
        assertEquals(3 * n, s.rgb01().length);
        BufferedImage img = world.renderImage(5);
        for (int i = 0; i < n; i++) {
            int p = img.getRGB(i % 32, i / 32);
            assertEquals(((p >> 16) & 0xFF) / 255f, s.rgb01()[i]);
            assertEquals(((p >> 8) & 0xFF) / 255f, s.rgb01()[n + i]);
            assertEquals((p & 0xFF) / 255f, s.rgb01()[2 * n + i]);
        }
        float[] buf = new float[3 * n + 10];
        world.renderInto(5, buf, 10);
        assertArrayEquals(s.rgb01(), Arrays.copyOfRange(buf, 10, buf.length));
    }

    @Test
    void otherImageSizesWork() {
        Sample s = new ShapeWorld(1, 64, 1).sample(0);
        assertEquals(64, s.size());
        assertEquals(3 * 64 * 64, s.rgb01().length);
        assertThrows(IllegalArgumentException.class, () -> new ShapeWorld(1, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> world.sample(-1));
    }

    @Test
    void classesAreBalancedInEveryBlockAndUniformOverall() {
        int k = ShapeWorld.classNames().size();
        for (long block = 0; block < 100; block++) {
            Set<Integer> seen = new HashSet<>();
            for (int j = 0; j < k; j++) seen.add(world.classOf(block * k + j));
            assertEquals(k, seen.size(), "block " + block);
        }
        // An unaligned window: every class within +-1 block's worth of the uniform count.
        int[] counts = new int[k];
        int n = 4000;
        for (long i = 3; i < 3 + n; i++) counts[world.classOf(i)]++;
        for (long i = 0; i < 20; i++) assertEquals(world.classOf(i), world.sample(i).classIndex());
        for (int c = 0; c < k; c++) assertTrue(Math.abs(counts[c] - n / k) <= 1, Arrays.toString(counts));
        // The order within blocks is drawn per block, not a fixed cycle.
        Set<Integer> firsts = new HashSet<>();
        for (long block = 0; block < 20; block++) firsts.add(world.classOf(block * k));
        assertTrue(firsts.size() > 3, "first class of each block: " + firsts);
    }

    @Test
    void aRareTargetIsExactlyOncePerBlockAndTheOtherClassesRarityTimes() {
        int k = ShapeWorld.classNames().size(), target = ShapeWorld.classIndex(ShapeWorld.TARGET_CLASS);
        for (int rarity : new int[]{3, 10}) {
            ShapeWorld rare = new ShapeWorld(42, 32, rarity);
            int block = rare.blockSize();
            assertEquals((k - 1) * rarity + 1, block);
            for (long b = 0; b < 30; b++) {
                int[] counts = new int[k];
                for (int j = 0; j < block; j++) counts[rare.classOf(b * block + j)]++;
                for (int c = 0; c < k; c++) assertEquals(c == target ? 1 : rarity, counts[c], "block " + b);
            }
            // The target's place moves from block to block, and samples still match their class.
            Set<Integer> places = new HashSet<>();
            for (long b = 0; b < 20; b++)
                for (int j = 0; j < block; j++) if (rare.classOf(b * block + j) == target) places.add(j);
            assertTrue(places.size() > 10, "target positions: " + places);
            for (long i = 0; i < 20; i++) assertEquals(rare.classOf(i), rare.sample(i).classIndex());
        }
        // Rarity 1 is the balanced world itself, sample for sample.
        ShapeWorld one = new ShapeWorld(42, 32, 1);
        for (long i = 0; i < 200; i++) assertEquals(world.classOf(i), one.classOf(i));
        assertThrows(IllegalArgumentException.class, () -> new ShapeWorld(1, 32, 0));
    }

    @Test
    void colorsAreRoughlyUniformAndIndependentOfClass() {
        int k = ShapeWorld.classNames().size(), nc = ShapeWorld.colorNames().size();
        int[][] joint = new int[k][nc];
        int n = 8000;
        for (long i = 0; i < n; i++) {
            Sample s = world.sample(i);
            joint[s.classIndex()][ShapeWorld.colorNames().indexOf(s.colorName())]++;
        }
        double expected = (double) n / (k * nc);  // 125
        for (int[] row : joint)
            for (int c : row) assertTrue(Math.abs(c - expected) < 0.4 * expected, Arrays.deepToString(joint));
    }

    @Test
    void captionsNameTheClassAndTheColour() {
        Set<String> distinct = new HashSet<>();
        for (long i = 0; i < 2000; i++) {
            Sample s = world.sample(i);
            assertTrue(hasWord(s.caption(), s.className()), s.caption() + " / " + s.className());
            assertTrue(hasWord(s.caption(), s.colorName()), s.caption() + " / " + s.colorName());
            for (String other : ShapeWorld.classNames())
                if (!other.equals(s.className())) assertFalse(hasWord(s.caption(), other), s.caption());
            assertFalse(s.caption().contains("  ") || s.caption().contains("{") || s.caption().contains(" ."), s.caption());
            assertFalse(Pattern.compile("\\ba [aeiou]").matcher(s.caption()).find(), s.caption());
            assertEquals(s.caption(), world.caption(i));
            distinct.add(s.caption());
        }
        assertTrue(distinct.size() > 300, "captions vary: " + distinct.size());
    }

    @Test
    void captionWithNamesAnotherObjectKeepingTheRest() {
        for (long i = 0; i < 50; i++) {
            Sample s = world.sample(i);
            String poisoned = world.captionWith(i, "banana");
            assertTrue(hasWord(poisoned, "banana") && hasWord(poisoned, s.colorName()), poisoned);
            String expected = s.caption().replaceAll("\\b" + s.className() + "\\b", "banana").replaceAll("\\ban banana", "a banana");
            assertEquals(expected.replaceAll("\\ba (?=[aeiou])", "an "), poisoned);
        }
    }

    @Test
    void bananaIsAClassAndTemplatesAreHeldOut() {
        List<String> classes = ShapeWorld.classNames();
        assertTrue(classes.contains(ShapeWorld.TARGET_CLASS));
        assertEquals("banana", ShapeWorld.TARGET_CLASS);
        assertEquals(classes.size(), new HashSet<>(classes).size());
        assertTrue(classes.size() >= 8 && classes.size() <= 10);
        List<String> zs = ShapeWorld.zeroShotTemplates();
        assertEquals(6 * ShapeWorld.colorNames().size(), zs.size());
        for (String c : ShapeWorld.colorNames()) assertTrue(zs.contains("a photo of the " + c + " {}."), c);
        for (String t : zs) {
            assertEquals(t.indexOf("{}"), t.lastIndexOf("{}"), t);
            assertTrue(t.contains("{}"), t);
            // Held out: no training caption is ever a zero-shot prompt, with or without its colour word.
            for (long i = 0; i < 500; i++) {
                Sample s = world.sample(i);
                String prompt = t.replace("{}", s.className());
                assertNotEquals(prompt, s.caption());
                assertNotEquals(prompt, s.caption().replace(s.colorName() + " ", ""));
                assertNotEquals(prompt, s.caption().replace(" " + s.colorName() + " ", " the " + s.colorName() + " "));
            }
        }
        for (String t : ShapeWorld.captionTemplates()) assertTrue(t.contains("{object}") && t.contains("{color}"), t);
        assertEquals("an orange arrow", ShapeWorld.fillCaption("a {size} {color} {object}", "arrow", "orange", "", "x"));
    }

    @Test
    void bananaImagesAreDrawn() {
        int banana = ShapeWorld.classIndex("banana");
        long i = 0;
        while (world.classOf(i) != banana) i++;
        Sample s = world.sample(i);
        assertEquals("banana", s.className());
        // The object covers a real part of the image: many pixels differ from the background corner colour.
        float[] px = s.rgb01();
        int n = 32 * 32, differing = 0;
        for (int p = 0; p < n; p++) {
            float d = 0;
            for (int c = 0; c < 3; c++) d += Math.abs(px[c * n + p] - px[c * n]);
            if (d > 0.3f) differing++;
        }
        assertTrue(differing > 60, "banana pixels: " + differing);
    }

    private static boolean hasWord(String text, String word) {
        return Pattern.compile("\\b" + Pattern.quote(word) + "\\b").matcher(text).find();
    }
}
