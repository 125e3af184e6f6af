package org.parclip.cpu;

import org.parclip.tensor.Tensor;

import java.util.Arrays;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;
import static org.parclip.cpu.Parallel.MIN_WORK;
import static org.parclip.cpu.Parallel.grain;

/** Fills, copies, axpy-style updates and the row/element reductions. */
final class ElementwiseOps {
    /**
     * Fixed block of sumOfSquares: partial sums are per block, not per thread, so the result does not depend on
     * the thread count. 4096 floats over 16 lanes keeps each float partial to 256 terms.
     */
    private static final int SUM_BLOCK = 4096;
    /** Rows summed in float before folding into the double accumulators of sumRows. */
    private static final int SUM_ROWS_BLOCK = 64;

    private final Parallel par;

    ElementwiseOps(Parallel par) {
        this.par = par;
    }

    void fill(Tensor t, float value) {
        float[] d = array(t);
        int o = offset(t);
        par.forRange(Math.toIntExact(t.numel()), MIN_WORK, (s, e) -> Arrays.fill(d, o + s, o + e, value));
    }

    void copy(Tensor src, Tensor dst) {
        requireSameCount(src, dst);
        System.arraycopy(array(src), offset(src), array(dst), offset(dst), Math.toIntExact(src.numel()));
    }

    void copyBlocks(Tensor src, long srcOffset, int srcStride, Tensor dst, long dstOffset, int dstStride,
                    int count, int length, boolean accumulate) {
        if (count <= 0 || length <= 0) return;
        checkBlocks(src, srcOffset, srcStride, count, length);
        checkBlocks(dst, dstOffset, dstStride, count, length);
        float[] s = array(src);
        float[] d = array(dst);
        int so = Math.toIntExact(offset(src) + srcOffset);
        int dOff = Math.toIntExact(offset(dst) + dstOffset);
        Parallel.Range blocks = (b0, b1) -> {
            for (int i = b0; i < b1; i++) {
                if (accumulate) VectorMath.axpy(1f, s, so + i * srcStride, d, dOff + i * dstStride, length);
                else System.arraycopy(s, so + i * srcStride, d, dOff + i * dstStride, length);
            }
        };
        if (count == 1 || Math.abs((long) dstStride) >= length) {
            par.forRange(count, grain(length), blocks);
        } else if (accumulate && dstStride == 0) {
            // All blocks summed into one: split the columns instead, each summing every block in order.
            par.forRange(length, grain(count), (j0, j1) -> {
                for (int i = 0; i < count; i++) VectorMath.axpy(1f, s, so + i * srcStride + j0, d, dOff + j0, j1 - j0);
            });
        } else {
            blocks.run(0, count); // partly overlapping blocks: the sequential order decides, so keep it
        }
    }

    void axpy(float alpha, Tensor x, Tensor y) {
        requireSameCount(x, y);
        float[] xd = array(x);
        float[] yd = array(y);
        int xo = offset(x);
        int yo = offset(y);
        par.forRange(Math.toIntExact(x.numel()), MIN_WORK, (s, e) -> VectorMath.axpy(alpha, xd, xo + s, yd, yo + s, e - s));
    }

    void scale(Tensor x, float s) {
        float[] d = array(x);
        int o = offset(x);
        par.forRange(Math.toIntExact(x.numel()), MIN_WORK, (a, b) -> VectorMath.scale(d, o + a, b - a, s));
    }

    void addRowVector(Tensor x, Tensor bias) {
        int cols = x.cols();
        if (bias.numel() != cols) throw new IllegalArgumentException("bias " + bias + " does not match " + x);
        float[] xd = array(x);
        float[] bd = array(bias);
        int xo = offset(x);
        int bo = offset(bias);
        par.forRange(x.rows(), grain(cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) VectorMath.axpy(1f, bd, bo, xd, xo + r * cols, cols);
        });
    }

    void sumRows(Tensor x, Tensor out, float alpha, float beta) {
        int rows = x.rows();
        int cols = x.cols();
        if (out.numel() != cols) throw new IllegalArgumentException("out " + out + " does not match " + x);
        float[] xd = array(x);
        float[] od = array(out);
        int xo = offset(x);
        int oo = offset(out);
        // Split over columns so every column's sum runs over the rows in the same order whatever the threads.
        par.forRange(cols, grain(rows), (c0, c1) -> {
            int w = c1 - c0;
            double[] acc = new double[w];
            float[] block = new float[w];
            for (int r0 = 0; r0 < rows; r0 += SUM_ROWS_BLOCK) {
                Arrays.fill(block, 0f);
                for (int r = r0, r1 = Math.min(rows, r0 + SUM_ROWS_BLOCK); r < r1; r++)
                    VectorMath.axpy(1f, xd, xo + r * cols + c0, block, 0, w);
                for (int j = 0; j < w; j++) acc[j] += block[j];
            }
            for (int j = 0; j < w; j++) {
                int k = oo + c0 + j;
                od[k] = (float) ((beta == 0 ? 0 : beta * (double) od[k]) + alpha * acc[j]);
            }
        });
    }

    double sumOfSquares(Tensor x) {
        float[] d = array(x);
        int o = offset(x);
        int n = Math.toIntExact(x.numel());
        double[] partial = new double[(n + SUM_BLOCK - 1) / SUM_BLOCK];
        par.forRange(partial.length, grain(SUM_BLOCK), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int s = o + b * SUM_BLOCK;
                partial[b] = VectorMath.dot(d, s, d, s, Math.min(SUM_BLOCK, n - b * SUM_BLOCK));
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    /** A scratch buffer of at least n floats: {@code buffer} itself when it is large enough. */
    static float[] grow(float[] buffer, long n) {
        return buffer.length >= n ? buffer : new float[Math.toIntExact(n)];
    }

    static void requireSameCount(Tensor a, Tensor b) {
        if (a.numel() != b.numel()) throw new IllegalArgumentException(a + " and " + b + " differ in element count");
    }

    private static void checkBlocks(Tensor t, long start, int stride, int count, int length) {
        long first = start + Math.min(0L, (long) stride * (count - 1));
        long last = start + Math.max(0L, (long) stride * (count - 1)) + length;
        if (first < 0 || last > t.numel())
            throw new IllegalArgumentException("blocks [" + first + ", " + last + ") outside " + t);
    }
}
