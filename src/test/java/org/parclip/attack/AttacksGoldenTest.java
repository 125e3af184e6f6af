package org.parclip.attack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.data.Fixtures;
import org.parclip.data.Preprocess;
import org.parclip.data.RgbImage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixed-pattern triggers against tools/make_image_fixtures.py, which runs the reference's apply_trigger in
 * PyTorch 1.13 on the same decoded images (PIL resize, ToTensor, blend, ToPILImage).
 */
class AttacksGoldenTest {
    @ParameterizedTest
    @CsvSource({
            "portrait.png, tri_patt, 224", "portrait.png, water_patt, 224", "portrait.png, warped, 224", "portrait.png, badclip, 224",
            "grey.png, tri_patt, 224", "grey.png, water_patt, 224", "grey.png, warped, 224",
            "small.png, tri_patt, 336", "small.png, water_patt, 336", "small.png, badclip, 336"})
    void matchesTheReference(String input, String attack, int size) {
        RgbImage expected = Fixtures.image(Fixtures.stem(input) + "." + attack + "." + size + ".png");
        RgbImage actual = Attacks.trigger(Fixtures.referenceDecode(input), Attacks.byName(attack), size, new SplittableRandom(0));
        double[] d = Fixtures.diff(expected, actual);
        long same = 0;
        for (int i = 0; i < expected.pixels().length; i++) if (expected.pixels()[i] == actual.pixels()[i]) same++;
        System.out.printf("%s %s %d: max diff %d, mean %.5f, %.4f%% of values equal%n", input, attack, size,
                (int) d[0], d[1], 100.0 * same / expected.pixels().length);
        assertTrue(d[0] <= 1, attack + " differs from the reference by " + (int) d[0] + " grey levels");
    }

    @Test
    void evaluationInputIsTheReferencesTriggeredImagePreprocessed() {
        float[] x = Attacks.triggered(Attacks.byName("tri_patt"), Preprocess.clip(224))
                .apply(Fixtures.referenceDecode("portrait.png"), new SplittableRandom(0));
        assertArrayEquals(Preprocess.clip(224).apply(Fixtures.image("portrait.tri_patt.224.png")), x);
        assertEquals(224, Attacks.triggerSize(288));
        assertEquals(336, Attacks.triggerSize(336));
    }
}
