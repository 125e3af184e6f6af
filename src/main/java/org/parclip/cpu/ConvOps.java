package org.parclip.cpu;

import org.parclip.tensor.Tensor;

import java.util.Arrays;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;

/**
 * Convolution as im2col + Sgemm, plus the layout ops around it (patchify, average pooling, batched transpose).
 *
 * <p>The column matrix of a group of images is [cin*kh*kw, images*ho*wo]. Late ResNet stages have 7x7 maps, and a
 * GEMM with 49 columns runs far below peak, so several images share one GEMM until it has about
 * {@link #TARGET_COLUMNS} columns; a lone image writes its output straight into the tensor, and a 1x1 stride-1
 * unpadded convolution of a lone image uses the input itself as its column matrix.
 */
final class ConvOps {
    private static final int TARGET_COLUMNS = 512;

    private final Parallel par;
    private final Sgemm gemm;
    private float[] colScratch = new float[0];
    private float[] outScratch = new float[0];
    private float[] dcolScratch = new float[0];

    ConvOps(Parallel par, Sgemm gemm) {
        this.par = par;
        this.gemm = gemm;
    }

    void patchify(Tensor x, int patch, Tensor out) {
        requireRank(x, 4);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int gh = h / patch, gw = w / patch;
        int rowLen = c * patch * patch;
        if (out.numel() != (long) n * gh * gw * rowLen)
            throw new IllegalArgumentException("out " + out + " is not [" + n * gh * gw + ", " + rowLen + "]");
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        par.forRange(n * gh, Parallel.grain((long) gw * rowLen), (s, e) -> {
            for (int band = s; band < e; band++) { // one image row of patches
                int ni = band / gh, py = band % gh;
                for (int px = 0; px < gw; px++) {
                    int dst = oo + (band * gw + px) * rowLen;
                    for (int ci = 0; ci < c; ci++)
                        for (int ky = 0; ky < patch; ky++)
                            System.arraycopy(xd, xo + ((ni * c + ci) * h + py * patch + ky) * w + px * patch,
                                    od, dst + (ci * patch + ky) * patch, patch);
                }
            }
        });
    }

    void conv2dForward(Tensor x, Tensor weight, int stride, int padding, Tensor out) {
        Conv cv = Conv.of(x, weight, stride, padding, out);
        float[] xd = array(x), wd = array(weight), od = array(out);
        int xo = offset(x), wo = offset(weight), oo = offset(out);
        for (int g0 = 0; g0 < cv.n; g0 += cv.group) {
            int gs = Math.min(cv.group, cv.n - g0);
            int cols = gs * cv.p;
            Columns b = columns(cv, xd, xo, g0, gs);
            if (gs == 1) {
                gemm.sgemm(false, false, cv.cout, cols, cv.k, 1f, wd, wo, cv.k, b.data, b.offset, cols,
                        0f, od, oo + g0 * cv.cout * cv.p, cols);
            } else {
                float[] tmp = outScratch = ElementwiseOps.grow(outScratch, cv.cout * cols);
                gemm.sgemm(false, false, cv.cout, cols, cv.k, 1f, wd, wo, cv.k, b.data, b.offset, cols, 0f, tmp, 0, cols);
                regroup(cv, tmp, od, oo, g0, gs, true);
            }
        }
    }

    void conv2dBackward(Tensor x, Tensor weight, int stride, int padding, Tensor dout, Tensor dx, Tensor dweight) {
        Conv cv = Conv.of(x, weight, stride, padding, dout);
        if (dx != null) ElementwiseOps.requireSameCount(x, dx);
        ElementwiseOps.requireSameCount(weight, dweight);
        float[] xd = array(x), wd = array(weight), gd = array(dout), dwd = array(dweight);
        int xo = offset(x), wo = offset(weight), go = offset(dout), dwo = offset(dweight);
        float[] dd = dx == null ? null : array(dx);
        int dxo = dx == null ? 0 : offset(dx);
        for (int g0 = 0; g0 < cv.n; g0 += cv.group) {
            int gs = Math.min(cv.group, cv.n - g0);
            int cols = gs * cv.p;
            Columns b = columns(cv, xd, xo, g0, gs);
            float[] dOut = gd;
            int dOutOff = go + g0 * cv.cout * cv.p;
            if (gs > 1) {
                dOut = outScratch = ElementwiseOps.grow(outScratch, cv.cout * cols);
                dOutOff = 0;
                regroup(cv, dOut, gd, go, g0, gs, false);
            }
            // dW += dOut [cout, cols] * col^T; in block order, so dW's sum is the same whatever the threads.
            gemm.sgemm(false, true, cv.cout, cv.k, cols, 1f, dOut, dOutOff, cols, b.data, b.offset, cols,
                    1f, dwd, dwo, cv.k);
            if (dd == null) continue;
            if (gs == 1 && cv.pointwise()) { // the input is its own column matrix: dx = W^T dOut directly
                gemm.sgemm(true, false, cv.k, cols, cv.cout, 1f, wd, wo, cv.k, dOut, dOutOff, cols,
                        0f, dd, dxo + (b.offset - xo), cols);
            } else {
                float[] dcol = dcolScratch = ElementwiseOps.grow(dcolScratch, cv.k * cols);
                gemm.sgemm(true, false, cv.k, cols, cv.cout, 1f, wd, wo, cv.k, dOut, dOutOff, cols, 0f, dcol, 0, cols);
                col2im(cv, dcol, dd, dxo, g0, gs);
            }
        }
    }

    void avgPoolForward(Tensor x, int k, Tensor out) {
        requireRank(x, 4);
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3), ho = h / k, wo = w / k;
        if (out.numel() != (long) planes * ho * wo) throw new IllegalArgumentException("out " + out + " does not match " + x);
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        float inv = 1f / (k * k);
        par.forRange(planes, Parallel.grain((long) h * w), (s, e) -> {
            for (int pl = s; pl < e; pl++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        float sum = 0;
                        for (int ky = 0; ky < k; ky++) {
                            int row = xo + (pl * h + oy * k + ky) * w + ox * k;
                            for (int kx = 0; kx < k; kx++) sum += xd[row + kx];
                        }
                        od[oo + (pl * ho + oy) * wo + ox] = sum * inv;
                    }
                }
            }
        });
    }

    void avgPoolBackward(Tensor dout, int k, Tensor dx) {
        requireRank(dx, 4);
        int planes = dx.dim(0) * dx.dim(1), h = dx.dim(2), w = dx.dim(3), ho = h / k, wo = w / k;
        if (dout.numel() != (long) planes * ho * wo)
            throw new IllegalArgumentException("dout " + dout + " does not match " + dx);
        float[] gd = array(dout), dd = array(dx);
        int go = offset(dout), dxo = offset(dx);
        float inv = 1f / (k * k);
        par.forRange(planes, Parallel.grain((long) h * w), (s, e) -> {
            for (int pl = s; pl < e; pl++) {
                // Rows and columns beyond ho*k, wo*k (odd sizes) fall outside every window: their gradient is 0.
                Arrays.fill(dd, dxo + pl * h * w, dxo + (pl + 1) * h * w, 0f);
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        float g = gd[go + (pl * ho + oy) * wo + ox] * inv;
                        for (int ky = 0; ky < k; ky++) {
                            int row = dxo + (pl * h + oy * k + ky) * w + ox * k;
                            Arrays.fill(dd, row, row + k, g);
                        }
                    }
                }
            }
        });
    }

    void transpose12(Tensor x, Tensor out) {
        requireRank(x, 3);
        int n = x.dim(0), a = x.dim(1), b = x.dim(2);
        ElementwiseOps.requireSameCount(x, out);
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        final int band = 32; // rows of x per task, so a lone image still splits across threads
        int bands = (a + band - 1) / band;
        par.forRange(n * bands, Parallel.grain((long) band * b), (s, e) -> {
            for (int t = s; t < e; t++) {
                int ni = t / bands, i0 = (t % bands) * band, i1 = Math.min(a, i0 + band);
                int base = ni * a * b;
                VectorMath.transpose(xd, xo + base + i0 * b, b, od, oo + base + i0, a, i1 - i0, b);
            }
        });
    }

    /** A column matrix: an array and where it starts; row stride is the group's column count. */
    private record Columns(float[] data, int offset) {
    }

    /** The column matrix of images [g0, g0 + gs): the input itself when it already has that layout. */
    private Columns columns(Conv cv, float[] xd, int xo, int g0, int gs) {
        if (gs == 1 && cv.pointwise()) return new Columns(xd, xo + g0 * cv.cin * cv.h * cv.w);
        float[] col = colScratch = ElementwiseOps.grow(colScratch, cv.k * gs * cv.p);
        im2col(cv, xd, xo, g0, gs, col);
        return new Columns(col, 0);
    }

    /** col[(ci*kh + ky)*kw + kx][gi*P + oy*wo + ox] = x[g0+gi, ci, oy*s - pad + ky, ox*s - pad + kx], 0 outside. */
    private void im2col(Conv cv, float[] xd, int xo, int g0, int gs, float[] col) {
        int cols = gs * cv.p;
        par.forRange(cv.k, Parallel.grain(cols), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int ci = row / (cv.kh * cv.kw), ky = row / cv.kw % cv.kh, kx = row % cv.kw;
                for (int gi = 0; gi < gs; gi++) {
                    int plane = xo + ((g0 + gi) * cv.cin + ci) * cv.h * cv.w;
                    int dst = row * cols + gi * cv.p;
                    for (int oy = 0; oy < cv.ho; oy++) {
                        int iy = oy * cv.stride - cv.pad + ky;
                        int d = dst + oy * cv.wo;
                        if (iy < 0 || iy >= cv.h) {
                            Arrays.fill(col, d, d + cv.wo, 0f);
                            continue;
                        }
                        int src = plane + iy * cv.w;
                        for (int ox = 0; ox < cv.wo; ox++) {
                            int ix = ox * cv.stride - cv.pad + kx;
                            col[d + ox] = ix >= 0 && ix < cv.w ? xd[src + ix] : 0f;
                        }
                    }
                }
            }
        });
    }

    /**
     * dx[g0+gi] = sum over kernel taps of dcol scattered back: the adjoint of {@link #im2col}. Split over input
     * channels, whose rows of dcol touch only their own plane, so every element sums its taps in one fixed order.
     */
    private void col2im(Conv cv, float[] dcol, float[] dd, int dxo, int g0, int gs) {
        int cols = gs * cv.p;
        int taps = cv.kh * cv.kw;
        par.forRange(cv.cin, Parallel.grain((long) taps * cols), (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                for (int gi = 0; gi < gs; gi++) {
                    int plane = dxo + ((g0 + gi) * cv.cin + ci) * cv.h * cv.w;
                    Arrays.fill(dd, plane, plane + cv.h * cv.w, 0f);
                    for (int tap = 0; tap < taps; tap++) {
                        int ky = tap / cv.kw, kx = tap % cv.kw;
                        int src = (ci * taps + tap) * cols + gi * cv.p;
                        for (int oy = 0; oy < cv.ho; oy++) {
                            int iy = oy * cv.stride - cv.pad + ky;
                            if (iy < 0 || iy >= cv.h) continue;
                            int s = src + oy * cv.wo, dst = plane + iy * cv.w;
                            for (int ox = 0; ox < cv.wo; ox++) {
                                int ix = ox * cv.stride - cv.pad + kx;
                                if (ix >= 0 && ix < cv.w) dd[dst + ix] += dcol[s + ox];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Moves a group between the GEMM layout [cout, gs*P] (in {@code grouped}) and NCHW (in {@code nchw}); toNchw
     * selects the direction.
     */
    private void regroup(Conv cv, float[] grouped, float[] nchw, int nchwOffset, int g0, int gs, boolean toNchw) {
        int cols = gs * cv.p;
        par.forRange(cv.cout, Parallel.grain(cols), (c0, c1) -> {
            for (int co = c0; co < c1; co++) {
                for (int gi = 0; gi < gs; gi++) {
                    int g = co * cols + gi * cv.p;
                    int t = nchwOffset + ((g0 + gi) * cv.cout + co) * cv.p;
                    if (toNchw) System.arraycopy(grouped, g, nchw, t, cv.p);
                    else System.arraycopy(nchw, t, grouped, g, cv.p);
                }
            }
        });
    }

    /** Convolution geometry, checked once: k = cin*kh*kw, p = ho*wo, and the images per GEMM. */
    private record Conv(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int pad,
                        int ho, int wo, int k, int p, int group) {
        static Conv of(Tensor x, Tensor weight, int stride, int pad, Tensor out) {
            requireRank(x, 4);
            requireRank(weight, 4);
            int n = x.dim(0), cin = x.dim(1), h = x.dim(2), w = x.dim(3);
            int cout = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
            if (weight.dim(1) != cin) throw new IllegalArgumentException("weight " + weight + " does not match " + x);
            if (stride < 1 || pad < 0) throw new IllegalArgumentException("stride " + stride + ", padding " + pad);
            int ho = (h + 2 * pad - kh) / stride + 1, wo = (w + 2 * pad - kw) / stride + 1;
            if (!out.hasShape(n, cout, ho, wo))
                throw new IllegalArgumentException("output " + out + " is not [" + n + ", " + cout + ", " + ho + ", " + wo + "]");
            int p = ho * wo;
            int group = Math.max(1, Math.min(n, (TARGET_COLUMNS + p - 1) / p));
            return new Conv(n, cin, h, w, cout, kh, kw, stride, pad, ho, wo, cin * kh * kw, p, group);
        }

        boolean pointwise() {
            return kh == 1 && kw == 1 && stride == 1 && pad == 0;
        }
    }

    private static void requireRank(Tensor t, int rank) {
        if (t.rank() != rank) throw new IllegalArgumentException("expected rank " + rank + ", got " + t);
    }
}
