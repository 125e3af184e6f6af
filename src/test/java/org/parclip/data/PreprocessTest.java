package org.parclip.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Resize + CenterCrop + ToTensor + Normalize against torchvision 0.14 / Pillow 9.4 on the same decoded pixels. */
class PreprocessTest {
    static final String[] IMAGES = {"landscape.jpg", "portrait.png", "grey.png", "rgba.png", "palette.png", "la.png",
            "small.png", "wide.png", "rgb16.png", "cmyk.jpg", "ycck.jpg", "exif6.jpg"};

    @ParameterizedTest
    @ValueSource(strings = {"landscape.jpg", "portrait.png", "grey.png", "rgba.png", "palette.png", "la.png",
            "small.png", "wide.png", "rgb16.png", "cmyk.jpg", "ycck.jpg", "exif6.jpg"})
    void resizeAndCropEqualPillowByteForByte(String name) {
        RgbImage reference = Fixtures.referenceDecode(name);
        String stem = Fixtures.stem(name);
        RgbImage expected = Fixtures.image(stem + ".crop224.png");
        assertArrayEquals(expected.pixels(), Preprocess.clip(224).resizeAndCrop(reference).pixels(), name);
        if (Fixtures.exists(stem + ".crop336.png"))
            assertArrayEquals(Fixtures.image(stem + ".crop336.png").pixels(), Preprocess.clip(336).resizeAndCrop(reference).pixels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"landscape.jpg", "portrait.png", "grey.png", "rgba.png", "palette.png", "la.png",
            "small.png", "wide.png", "rgb16.png", "cmyk.jpg", "ycck.jpg", "exif6.jpg"})
    void normalisedTensorEqualsTorchvision(String name) {
        float[] expected = Fixtures.floats(Fixtures.stem(name) + ".norm40.f32");
        float[] actual = Preprocess.clip(40).apply(Fixtures.referenceDecode(name));
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-6, name + " at " + i);
    }

    @Test
    void sameSizeResizeIsIdentityAndShortSideFollowsTorchvision() {
        RgbImage img = Fixtures.image("portrait.png"); // 237 x 361
        assertSame(img, Resize.bicubic(img, 237, 361));
        RgbImage r = Resize.shortSide(img, 224);
        assertEquals(224, r.width());
        assertEquals(341, r.height()); // int(224 * 361 / 237) = int(341.198...)
        RgbImage wide = Resize.shortSide(Fixtures.image("wide.png"), 224); // 640 x 97
        assertEquals(1477, wide.width());
        assertEquals(224, wide.height());
    }
}
