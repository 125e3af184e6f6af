package org.parclip.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageDecoderTest {
    /** Lossless formats decode exactly as PIL's convert("RGB"): grey replicated, alpha dropped, palette looked up, 16-bit high byte. */
    @ParameterizedTest
    @ValueSource(strings = {"grey.png", "rgba.png", "palette.png", "la.png", "rgb16.png"})
    void losslessFormatsMatchPil(String name) throws IOException {
        RgbImage expected = Fixtures.exists(Fixtures.stem(name) + ".rgb.png")
                ? Fixtures.image(Fixtures.stem(name) + ".rgb.png") : greyToRgb(ImageIO.read(Fixtures.path(name).toFile()));
        assertArrayEquals(expected.pixels(), ImageDecoder.read(Fixtures.path(name)).pixels(), name);
    }

    private static RgbImage greyToRgb(BufferedImage grey) {
        RgbImage out = new RgbImage(grey.getWidth(), grey.getHeight());
        Raster r = grey.getRaster();
        for (int y = 0; y < grey.getHeight(); y++)
            for (int x = 0; x < grey.getWidth(); x++)
                for (int c = 0; c < 3; c++) out.pixels()[3 * (y * grey.getWidth() + x) + c] = (byte) r.getSample(x, y, 0);
        return out;
    }

    @Test
    void sixteenBitGreyKeepsTheHighByte() throws IOException {
        Raster raw = ImageIO.read(Fixtures.path("grey16.png").toFile()).getRaster();
        RgbImage img = ImageDecoder.read(Fixtures.path("grey16.png"));
        assertEquals(16, raw.getSampleModel().getSampleSize(0));
        for (int y = 0; y < img.height(); y++)
            for (int x = 0; x < img.width(); x++)
                for (int c = 0; c < 3; c++) assertEquals(raw.getSample(x, y, 0) >> 8, img.get(x, y, c));
    }

    /**
     * JPEGs: the JDK's libjpeg against Pillow 9.4's libjpeg-turbo, on the decoded pixels and after the CLIP resize +
     * crop. Both use the same integer IDCT, fancy upsampling and colour conversion, and were measured bit-identical
     * (also on 18 noisy 500x375 files at quality 60/75/95, 4:4:4/4:2:2/4:2:0, baseline and progressive).
     * CMYK and YCCK go through Pillow's cmyk2rgb; exif6.jpg must come out rotated like ImageOps.exif_transpose.
     */
    @ParameterizedTest
    @ValueSource(strings = {"landscape.jpg", "cmyk.jpg", "ycck.jpg", "exif6.jpg"})
    void jpegDecodeIsCloseToPil(String name) throws IOException {
        RgbImage ours = ImageDecoder.read(Fixtures.path(name));
        double[] decoded = Fixtures.diff(Fixtures.referenceDecode(name), ours);
        double[] cropped = Fixtures.diff(Fixtures.image(Fixtures.stem(name) + ".crop224.png"), Preprocess.clip(224).resizeAndCrop(ours));
        System.out.printf("JPEG %s vs PIL: decoded max %d mean %.4f; after resize+crop max %d mean %.4f%n",
                name, (int) decoded[0], decoded[1], (int) cropped[0], cropped[1]);
        assertEquals(0, decoded[0], name + " differs from PIL's decode");
        assertEquals(0, cropped[0], name + " differs from PIL + torchvision after resize and crop");
    }

    @Test
    void exifOrientationSixRotatesClockwise() throws IOException {
        RgbImage img = ImageDecoder.read(Fixtures.path("exif6.jpg"));
        assertEquals(120, img.width());  // stored 160 x 120
        assertEquals(160, img.height());
        assertEquals(6, ImageDecoder.jpegExifOrientation(java.nio.file.Files.readAllBytes(Fixtures.path("exif6.jpg"))));
        assertEquals(1, ImageDecoder.jpegExifOrientation(java.nio.file.Files.readAllBytes(Fixtures.path("landscape.jpg"))));
    }

    /** All eight orientations on a 3 x 2 image whose red value is 10 * x + y: where does the stored pixel (x, y) land? */
    @Test
    void orientationsMatchPilTransposes() {
        RgbImage in = new RgbImage(3, 2);
        for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) in.pixels()[3 * (y * 3 + x)] = (byte) (10 * x + y);
        assertArrayEquals(new int[]{0, 10, 20, 1, 11, 21}, red(ImageDecoder.orient(in, 1)));
        assertArrayEquals(new int[]{20, 10, 0, 21, 11, 1}, red(ImageDecoder.orient(in, 2)));   // mirror
        assertArrayEquals(new int[]{21, 11, 1, 20, 10, 0}, red(ImageDecoder.orient(in, 3)));   // 180
        assertArrayEquals(new int[]{1, 11, 21, 0, 10, 20}, red(ImageDecoder.orient(in, 4)));   // flip
        assertArrayEquals(new int[]{0, 1, 10, 11, 20, 21}, red(ImageDecoder.orient(in, 5)));   // transpose
        assertArrayEquals(new int[]{1, 0, 11, 10, 21, 20}, red(ImageDecoder.orient(in, 6)));   // 90 clockwise
        assertArrayEquals(new int[]{21, 20, 11, 10, 1, 0}, red(ImageDecoder.orient(in, 7)));   // transverse
        assertArrayEquals(new int[]{20, 21, 10, 11, 0, 1}, red(ImageDecoder.orient(in, 8)));   // 90 counter-clockwise
    }

    private static int[] red(RgbImage img) {
        int[] r = new int[img.width() * img.height()];
        for (int i = 0; i < r.length; i++) r[i] = img.pixels()[3 * i] & 0xff;
        return r;
    }

    @Test
    void corruptAndMissingFilesAreIOExceptions() {
        assertThrows(IOException.class, () -> ImageDecoder.read(Fixtures.path("corrupt.jpg")));
        assertThrows(IOException.class, () -> ImageDecoder.read(Fixtures.path("notanimage.png")));
        assertThrows(NoSuchFileException.class, () -> ImageDecoder.read(Path.of("/nonexistent/x.jpg")));
        assertThrows(IOException.class, () -> ImageDecoder.decode(new byte[0]));
    }

    @Test
    void malformedExifIsIgnored() {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0, 20, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0, 0, 0};
        assertEquals(1, ImageDecoder.jpegExifOrientation(jpeg));
    }
}
