package org.parclip.data;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Pillow's bicubic resampling ({@code Image.resize(size, Image.BICUBIC)}, libImaging/Resample.c) reproduced to the
 * bit: a separable convolution with the a = -0.5 cubic kernel whose support widens by the downscale factor
 * (antialiasing), weights normalised in double, then rounded to 22-bit fixed point and accumulated in 32-bit
 * integers with Pillow's rounding and clipping. The horizontal pass runs first over only the rows the vertical pass
 * reads, producing an 8-bit intermediate, exactly as Pillow does, so results equal Pillow's byte for byte. The sums
 * run over whole rows with the Vector API (integer arithmetic, so the order of lanes cannot change a result).
 */
public final class Resize {
    /** Pillow's PRECISION_BITS = 32 - 8 - 2: room for 8-bit values and a kernel sum slightly over 1. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** As many bytes as INTS has lanes, widened to ints lane by lane. */
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(INTS.vectorBitSize() / 4));

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

    /**
     * The horizontal pass as a vertical one on the transposed image: the same integer sums in the same order, but
     * the inner loop runs along contiguous memory, where it vectorises.
     */
    private static RgbImage horizontalPass(RgbImage in, int firstRow, int rows, Coefficients k) {
        int inW = in.width(), outW = k.outSize;
        byte[] columns = transpose(in.pixels(), inW, firstRow, rows);    // inW rows of `rows` pixels
        byte[] filtered = new byte[3 * outW * rows];                     // outW rows of `rows` pixels
        convolveRows(columns, 3 * rows, 0, k, filtered);
        return new RgbImage(outW, rows, transpose(filtered, rows, 0, outW));
    }

    private static RgbImage verticalPass(RgbImage in, int rowOffset, Coefficients k) {
        byte[] out = new byte[3 * in.width() * k.outSize];
        convolveRows(in.pixels(), 3 * in.width(), rowOffset, k, out);
        return new RgbImage(in.width(), k.outSize, out);
    }

    /**
     * Output row yy = clip8(2^21 + sum over taps y of weight[y] * input row (bounds[yy] - rowOffset + y)), for rows
     * of {@code stride} bytes: Pillow's ImagingResampleVertical_8bpc, a whole row at a time.
     */
    private static void convolveRows(byte[] src, int stride, int rowOffset, Coefficients k, byte[] dst) {
        int[] acc = new int[stride];
        int vectorEnd = stride - stride % INTS.length();
        for (int yy = 0; yy < k.outSize; yy++) {
            int ymin = k.bounds[2 * yy] - rowOffset, n = k.bounds[2 * yy + 1], kb = yy * k.ksize;
            Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            for (int y = 0; y < n; y++) {
                int weight = k.weights[kb + y], p = (ymin + y) * stride, i = 0;
                for (; i < vectorEnd; i += INTS.length()) {
                    IntVector v = (IntVector) ByteVector.fromArray(BYTES, src, p + i).convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                    IntVector.fromArray(INTS, acc, i).add(v.mul(weight)).intoArray(acc, i);
                }
                for (; i < stride; i++) acc[i] += (src[p + i] & 0xff) * weight;
            }
            for (int i = 0, o = yy * stride; i < stride; i++) dst[o + i] = clip8(acc[i]);
        }
    }

    /** Rows [first, first + rows) of a width-pixel RGB image, transposed: pixel (x, y) goes to (y - first, x). */
    private static byte[] transpose(byte[] src, int width, int first, int rows) {
        byte[] dst = new byte[3 * width * rows];
        final int block = 16; // tiles that stay in cache on both sides
        for (int x0 = 0; x0 < width; x0 += block)
            for (int y0 = 0; y0 < rows; y0 += block) {
                int xEnd = Math.min(x0 + block, width), yEnd = Math.min(y0 + block, rows);
                for (int x = x0; x < xEnd; x++)
                    for (int y = y0, d = 3 * (x * rows + y0), s = 3 * ((first + y0) * width + x); y < yEnd; y++, d += 3, s += 3 * width) {
                        dst[d] = src[s];
                        dst[d + 1] = src[s + 1];
                        dst[d + 2] = src[s + 2];
                    }
            }
        return dst;
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
