package org.parclip.data;

import java.util.Arrays;

/**
 * Pillow's bicubic resampling ({@code Image.resize(size, Image.BICUBIC)}, libImaging/Resample.c) reproduced to the
 * bit: a separable convolution with the a = -0.5 cubic kernel whose support widens by the downscale factor
 * (antialiasing), weights normalised in double, then rounded to 22-bit fixed point and accumulated in 32-bit
 * integers with Pillow's rounding and clipping. The horizontal pass runs first over only the rows the vertical pass
 * reads, producing an 8-bit intermediate, exactly as Pillow does, so results equal Pillow's byte for byte.
 */
public final class Resize {
    /** Pillow's PRECISION_BITS = 32 - 8 - 2: room for 8-bit values and a kernel sum slightly over 1. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    private Resize() {
    }

    /** {@code PIL.Image.resize((width, height), BICUBIC)}; the same size returns the image itself (Pillow copies). */
    public static RgbImage bicubic(RgbImage in, int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("resize to " + width + "x" + height);
        if (width == in.width() && height == in.height()) return in;
        Coefficients horizontal = Coefficients.of(in.width(), width);
        Coefficients vertical = Coefficients.of(in.height(), height);
        RgbImage source = in;
        int rowOffset = 0;
        if (width != in.width()) {
            // Only rows [first, last) feed the vertical pass.
            int first = vertical.bounds[0];
            int last = vertical.bounds[2 * height - 2] + vertical.bounds[2 * height - 1];
            source = horizontalPass(in, first, last - first, horizontal);
            rowOffset = first;
        }
        return height != in.height() ? verticalPass(source, rowOffset, vertical) : source;
    }

    /**
     * torchvision's {@code Resize(size)} for an int size: the short side becomes {@code size}, the long side
     * {@code int(size * long / short)} (truncated), then Pillow bicubic.
     */
    public static RgbImage shortSide(RgbImage in, int size) {
        int w = in.width(), h = in.height();
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        int newLong = (int) ((double) size * longSide / shortSide);
        return w <= h ? bicubic(in, size, newLong) : bicubic(in, newLong, size);
    }

    private static RgbImage horizontalPass(RgbImage in, int firstRow, int rows, Coefficients k) {
        int inW = in.width(), outW = k.outSize, ksize = k.ksize;
        byte[] src = in.pixels();
        byte[] dst = new byte[3 * outW * rows];
        for (int y = 0; y < rows; y++) {
            int rowBase = 3 * (y + firstRow) * inW;
            for (int xx = 0, o = 3 * y * outW; xx < outW; xx++, o += 3) {
                int xmin = k.bounds[2 * xx], n = k.bounds[2 * xx + 1], kb = xx * ksize;
                int s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                for (int x = 0, p = rowBase + 3 * xmin; x < n; x++, p += 3) {
                    int w = k.weights[kb + x];
                    s0 += (src[p] & 0xff) * w;
                    s1 += (src[p + 1] & 0xff) * w;
                    s2 += (src[p + 2] & 0xff) * w;
                }
                dst[o] = clip8(s0);
                dst[o + 1] = clip8(s1);
                dst[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(outW, rows, dst);
    }

    private static RgbImage verticalPass(RgbImage in, int rowOffset, Coefficients k) {
        int w = in.width(), outH = k.outSize, ksize = k.ksize, stride = 3 * w;
        byte[] src = in.pixels();
        byte[] dst = new byte[3 * w * outH];
        int[] acc = new int[stride];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = k.bounds[2 * yy] - rowOffset, n = k.bounds[2 * yy + 1], kb = yy * ksize;
            Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            // Row by row instead of Pillow's pixel by pixel: the same integer sums, added in the same order.
            for (int y = 0; y < n; y++) {
                int weight = k.weights[kb + y], p = (ymin + y) * stride;
                for (int i = 0; i < stride; i++) acc[i] += (src[p + i] & 0xff) * weight;
            }
            for (int i = 0, o = yy * stride; i < stride; i++) dst[o + i] = clip8(acc[i]);
        }
        return new RgbImage(w, outH, dst);
    }

    private static byte clip8(int v) {
        return (byte) Math.clamp(v >> PRECISION_BITS, 0, 255);
    }

    private static double bicubicFilter(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the box [0, inSize). */
    private record Coefficients(int outSize, int ksize, int[] bounds, int[] weights) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = BICUBIC_SUPPORT * filterscale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[2 * outSize];
            int[] weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ww = 0.0, ss = 1.0 / filterscale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = bicubicFilter((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                bounds[2 * xx] = xmin;
                bounds[2 * xx + 1] = xmax;
            }
            return new Coefficients(outSize, ksize, bounds, weights);
        }
    }
}
