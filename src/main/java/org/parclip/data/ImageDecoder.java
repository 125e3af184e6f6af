package org.parclip.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Decodes image files to 8-bit RGB the way the reference's {@code PIL.Image.open(f).convert("RGB")} does:
 * grey is replicated, alpha is dropped (not composited: PIL's RGBA to RGB conversion ignores alpha, so fully
 * transparent pixels keep their stored colour), palettes are looked up (transparency ignored), CMYK and YCCK
 * JPEGs use Pillow's {@code cmyk2rgb} and embedded ICC profiles are ignored, as Pillow ignores them.
 *
 * <p>Two deliberate differences from the reference:
 * <ul>
 * <li>EXIF orientation of JPEGs is applied (like {@code ImageOps.exif_transpose}); the reference pipeline does
 * not rotate, so a phone photo stored sideways is seen sideways there. Upright is what a user expects, and
 * ImageNet/CC3M/COCO files almost never carry a non-trivial orientation, so accuracy numbers are unaffected.</li>
 * <li>16-bit samples keep their high byte. Pillow does this for 16-bit RGB(A) PNGs but opens 16-bit grey PNGs in
 * mode "I" and clips them to 255 on conversion (a nearly white image); we treat grey like RGB.</li>
 * </ul>
 * JPEG pixels come from the JDK's libjpeg, not Pillow's libjpeg-turbo; they were measured bit-identical (same
 * integer IDCT, fancy upsampling and colour conversion; see ImageDecoderTest).
 *
 * <p>Converting to RGB at decode time is what PAR's reference does everywhere (Image.open(...).convert("RGB")).
 * open_clip's own training transform converts after resizing instead, where Pillow resizes RGBA images with
 * premultiplied alpha; only images with transparency can come out differently that way.
 */
public final class ImageDecoder {
    /** Pillow's DecompressionBombError limit (twice Image.MAX_IMAGE_PIXELS): larger files count as corrupt. */
    private static final long MAX_PIXELS = 2L * 89_478_485;

    private ImageDecoder() {
    }

    /** Reads and decodes {@code path}; a missing file raises {@link java.nio.file.NoSuchFileException}. */
    public static RgbImage read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        try {
            return decode(bytes);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Decodes an image file's bytes (any format ImageIO reads: JPEG, PNG, GIF, BMP, TIFF, WBMP). */
    public static RgbImage decode(byte[] bytes) throws IOException {
        RgbImage rgb;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException("not an image in a format ImageIO reads");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                rgb = read(reader);
            } catch (RuntimeException e) {
                // ImageIO plugins report some kinds of corrupt data as unchecked exceptions.
                throw new IOException("corrupt " + reader.getFormatName() + " image: " + e, e);
            } finally {
                reader.dispose();
            }
        }
        return orient(rgb, jpegExifOrientation(bytes));
    }

    private static RgbImage read(ImageReader reader) throws IOException {
        int w = reader.getWidth(0), h = reader.getHeight(0);
        if ((long) w * h > MAX_PIXELS) throw new IOException("image of " + w + "x" + h + " pixels is too large (decompression bomb?)");
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null || raw.getBufferedImageType() != BufferedImage.TYPE_3BYTE_BGR) return toRgb(reader.read(0));
        // The common case (YCbCr JPEG, 8-bit RGB PNG): decode straight into an R, G, B ordered array we keep,
        // which saves converting from the reader's default B, G, R layout.
        RgbImage rgb = new RgbImage(w, h);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setDestination(rgb.toBufferedImage());
        reader.read(0, param);
        return rgb;
    }

    private static RgbImage toRgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth(), h = image.getHeight();
        byte[] out = new byte[3 * w * h];
        if (cm instanceof IndexColorModel palette) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                    out[o] = (byte) palette.getRed(row[x]);
                    out[o + 1] = (byte) palette.getGreen(row[x]);
                    out[o + 2] = (byte) palette.getBlue(row[x]);
                }
            }
        } else if (cm instanceof ComponentColorModel) {
            // Raw samples, not cm.getRGB: that would colour-manage (ICC profiles, linear grey), which PIL never does.
            componentsToRgb(raster, cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK, cm.getComponentSize(0), out);
        } else {
            // Packed formats (BMP/TIFF with bit masks): their colour model knows the masks; sRGB is the norm there.
            int[] row = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < row.length; i++) {
                out[3 * i] = (byte) (row[i] >> 16);
                out[3 * i + 1] = (byte) (row[i] >> 8);
                out[3 * i + 2] = (byte) row[i];
            }
        }
        return new RgbImage(w, h, out);
    }

    private static void componentsToRgb(Raster raster, boolean cmyk, int bits, byte[] out) {
        int w = raster.getWidth(), h = raster.getHeight(), bands = raster.getNumBands();
        if (bits == 8 && !cmyk && bands != 2 && byteInterleavedToRgb(raster, out)) return;
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                int p = x * bands;
                if (cmyk) {
                    // Pillow's cmyk2rgb: channel = (255 - k) - (c * (255 - k)) / 255 with MULDIV255 rounding.
                    int nk = 255 - to8(row[p + 3], bits);
                    for (int c = 0; c < 3; c++) out[o + c] = (byte) Math.clamp(nk - muldiv255(to8(row[p + c], bits), nk), 0, 255);
                } else if (bands <= 2) {
                    byte grey = (byte) to8(row[p], bits);
                    out[o] = out[o + 1] = out[o + 2] = grey;
                } else {
                    for (int c = 0; c < 3; c++) out[o + c] = (byte) to8(row[p + c], bits);
                }
            }
        }
    }

    /** Fast path for the usual decoder output (JPEG/PNG 8-bit grey, RGB, RGBA): direct array access. */
    private static boolean byteInterleavedToRgb(Raster raster, byte[] out) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || buffer.getNumBanks() != 1) return false;
        int w = raster.getWidth(), h = raster.getHeight(), bands = raster.getNumBands();
        int stride = sm.getScanlineStride(), step = sm.getPixelStride();
        int[] offsets = sm.getBandOffsets();
        byte[] data = buffer.getData();
        int base = buffer.getOffset();
        int r = offsets[0], g = offsets[bands >= 3 ? 1 : 0], b = offsets[bands >= 3 ? 2 : 0];
        for (int y = 0, o = 0; y < h; y++) {
            for (int x = 0, p = base + y * stride; x < w; x++, p += step, o += 3) {
                out[o] = data[p + r];
                out[o + 1] = data[p + g];
                out[o + 2] = data[p + b];
            }
        }
        return true;
    }

    /** A sample of {@code bits} bits as 8 bits: high byte of wider samples (as Pillow's ";16B" modes), scaled up narrower ones. */
    private static int to8(int v, int bits) {
        return bits >= 8 ? v >> (bits - 8) : v * 255 / ((1 << bits) - 1);
    }

    private static int muldiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    /** The EXIF orientation (1..8) of a JPEG's APP1 segment, 1 when absent, malformed or not a JPEG. */
    static int jpegExifOrientation(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) return 1;
        int p = 2;
        while (p + 4 <= b.length && (b[p] & 0xff) == 0xFF) {
            int marker = b[p + 1] & 0xff;
            if (marker == 0xFF) {
                p++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) return 1; // image data starts: EXIF would have come before
            int len = u16(b, p + 2, false);
            int end = Math.min(b.length, p + 2 + len);
            if (marker == 0xE1 && end - (p + 4) >= 14
                    && new String(b, p + 4, 6, StandardCharsets.ISO_8859_1).equals("Exif\0\0"))
                return tiffOrientation(b, p + 10, end);
            p += 2 + len;
        }
        return 1;
    }

    private static int tiffOrientation(byte[] b, int tiff, int end) {
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) return 1;
        long ifd = tiff + (u32(b, tiff + 4, little) & 0xffffffffL);
        if (ifd + 2 > end) return 1;
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int e = (int) ifd + 2 + 12 * i;
            if (e + 12 > end) return 1;
            if (u16(b, e, little) == 0x0112 && u16(b, e + 2, little) == 3) { // Orientation, type SHORT
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int p, boolean little) {
        int a = b[p] & 0xff, c = b[p + 1] & 0xff;
        return little ? a | c << 8 : a << 8 | c;
    }

    private static int u32(byte[] b, int p, boolean little) {
        return little ? u16(b, p, true) | u16(b, p + 2, true) << 16 : u16(b, p, false) << 16 | u16(b, p + 2, false);
    }

    /** Applies an EXIF orientation as PIL's ImageOps.exif_transpose does (2 mirror, 3 rotate 180, 6 rotate 90 clockwise, ...). */
    static RgbImage orient(RgbImage in, int orientation) {
        if (orientation == 1) return in;
        int w = in.width(), h = in.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] src = in.pixels(), dst = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }          // FLIP_LEFT_RIGHT
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }  // ROTATE_180
                    case 4 -> { sx = x; sy = h - 1 - y; }          // FLIP_TOP_BOTTOM
                    case 5 -> { sx = y; sy = x; }                  // TRANSPOSE
                    case 6 -> { sx = y; sy = h - 1 - x; }          // ROTATE_270 (counter-clockwise)
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }  // TRANSVERSE
                    default -> { sx = w - 1 - y; sy = x; }         // 8: ROTATE_90
                }
                System.arraycopy(src, 3 * (sy * w + sx), dst, 3 * (y * ow + x), 3);
            }
        }
        return new RgbImage(ow, oh, dst);
    }
}
