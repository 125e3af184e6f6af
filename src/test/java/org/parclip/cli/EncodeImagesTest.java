package org.parclip.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.io.Npy;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `par encode --images` end to end against PyTorch: the reference's tiny ViT on image files preprocessed by PIL +
 * torchvision (tools/make_encode_fixtures.py). Issue 7 asks for 1e-3 relative from PNG and 2e-2 from JPEG.
 */
class EncodeImagesTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/encode-images");

    @ParameterizedTest
    @CsvSource({"png, 1e-3", "jpg, 2e-2"})
    void imageFilesEncodeLikePyTorch(String kind, double tolerance, @TempDir Path out) throws Exception {
        assertEquals(0, Main.execute("encode", "--checkpoint", "src/test/resources/fixtures/fixture-vit/model.pt",
                "--images", DIR.resolve(kind).toString(), "--output-dir", out.toString(), "--backend", "cpu"));
        float[] actual = Npy.read(out.resolve("image_features.npy")).toFloats();
        float[] expected = Npy.read(DIR.resolve(kind + "_features.npy")).toFloats();
        assertEquals(expected.length, actual.length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxDiff / maxRef <= tolerance, kind + ": relative error " + maxDiff / maxRef);
    }
}
