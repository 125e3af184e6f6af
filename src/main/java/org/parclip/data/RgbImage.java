package org.parclip.data;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B (the layout of a PIL "RGB" image), so the
 * resampling code can follow Pillow's loops one to one.
 */
public record RgbImage(int width, int height, byte[] pixels) {
    public RgbImage {
        if (width <= 0 || height <= 0 || pixels.length != 3 * width * height)
            throw new IllegalArgumentException("RGB image " + width + "x" + height + " needs " + 3L * width * height
                    + " bytes, has " + pixels.length);
    }

    public RgbImage(int width, int height) {
        this(width, height, new byte[3 * width * height]);
    }

    /** Channel c (0 = R) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[3 * (y * width + x) + c] & 0xff;
    }

    /** The rectangle [left, left + w) x [top, top + h), as PIL's Image.crop does it for boxes inside the image. */
    public RgbImage crop(int left, int top, int w, int h) {
        if (left < 0 || top < 0 || left + w > width || top + h > height)
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + left + "+" + top + " outside "
                    + width + "x" + height);
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++)
            System.arraycopy(pixels, 3 * ((top + y) * width + left), out, 3 * y * w, 3 * w);
        return new RgbImage(w, h, out);
    }

    /** This image as a BufferedImage over the same pixel array (R, G, B interleaved), for ImageIO. */
    public BufferedImage toBufferedImage() {
        var raster = Raster.createInterleavedRaster(new DataBufferByte(pixels, pixels.length), width, height,
                3 * width, 3, new int[]{0, 1, 2}, null);
        var rgb = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(rgb, raster, false, null);
    }

    /** Writes this image as an 8-bit RGB PNG (lossless, so a trigger survives exactly). */
    public void writePng(Path path) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            if (!ImageIO.write(toBufferedImage(), "png", out)) throw new IOException("no PNG writer in this Java runtime");
        }
    }
}
