package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.parclip.tensor.Tensor;

import java.util.Arrays;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;
import static org.parclip.cpu.VectorMath.L;
import static org.parclip.cpu.VectorMath.S;

/**
 * LayerNorm over the last dimension, as nn.LayerNorm computes it: biased variance, eps inside the square root.
 * The variance is taken around the mean in a second pass rather than as E[x^2] - mean^2, which cancels badly for
 * rows with a large mean (residual streams have them).
 */
final class LayerNormOps {
    /**
     * Rows per block of the weight/bias gradient: each block sums into its own partial, and the partials are added
     * in block order, so the sums do not depend on the thread count.
     */
    private static final int BLOCK = 128;

    private final Parallel par;
    private float[] partials = new float[0];

    LayerNormOps(Parallel par) {
        this.par = par;
    }

    void forward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out, Tensor mean, Tensor rstd) {
        int rows = x.rows();
        int c = x.cols();
        check(x, weight, mean, rstd);
        ElementwiseOps.requireSameCount(x, out);
        if (bias.numel() != c) throw new IllegalArgumentException("bias " + bias + " does not match " + x);
        float[] xd = array(x), wd = array(weight), bd = array(bias), od = array(out), md = array(mean), rd = array(rstd);
        int xo = offset(x), wo = offset(weight), bo = offset(bias), oo = offset(out), mo = offset(mean), ro = offset(rstd);
        par.forRange(rows, Parallel.grain(4L * c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xo + r * c;
                int orow = oo + r * c;
                float mu = VectorMath.sum(xd, xr, c) / c;
                FloatVector vmu = FloatVector.broadcast(S, mu);
                FloatVector acc = FloatVector.zero(S);
                int i = 0;
                int bound = S.loopBound(c);
                for (; i < bound; i += L) {
                    FloatVector dv = FloatVector.fromArray(S, xd, xr + i).sub(vmu);
                    acc = dv.fma(dv, acc);
                }
                float ss = acc.reduceLanes(VectorOperators.ADD);
                for (; i < c; i++) {
                    float dv = xd[xr + i] - mu;
                    ss += dv * dv;
                }
                float s = (float) (1.0 / Math.sqrt(ss / c + eps));
                FloatVector vs = FloatVector.broadcast(S, s);
                for (i = 0; i < bound; i += L) {
                    FloatVector.fromArray(S, xd, xr + i).sub(vmu).mul(vs)
                            .fma(FloatVector.fromArray(S, wd, wo + i), FloatVector.fromArray(S, bd, bo + i))
                            .intoArray(od, orow + i);
                }
                for (; i < c; i++) od[orow + i] = (xd[xr + i] - mu) * s * wd[wo + i] + bd[bo + i];
                md[mo + r] = mu;
                rd[ro + r] = s;
            }
        });
    }

    void backward(Tensor dout, Tensor x, Tensor weight, Tensor mean, Tensor rstd,
                  Tensor dx, boolean accumulateDx, Tensor dweight, Tensor dbias) {
        int rows = x.rows();
        int c = x.cols();
        check(x, weight, mean, rstd);
        ElementwiseOps.requireSameCount(x, dout);
        ElementwiseOps.requireSameCount(x, dx);
        int blocks = (rows + BLOCK - 1) / BLOCK;
        if (partials.length < (long) blocks * 2 * c) partials = new float[Math.toIntExact((long) blocks * 2 * c)];
        float[] part = partials;
        float[] gd = array(dout), xd = array(x), wd = array(weight), md = array(mean), rd = array(rstd), dd = array(dx);
        int go = offset(dout), xo = offset(x), wo = offset(weight), mo = offset(mean), ro = offset(rstd), dxo = offset(dx);
        int bound = S.loopBound(c);
        par.forRange(blocks, Parallel.grain(8L * BLOCK * c), (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int pw = blk * 2 * c; // this block's dweight partial, then its dbias partial
                Arrays.fill(part, pw, pw + 2 * c, 0f);
                for (int r = blk * BLOCK, rEnd = Math.min(rows, r + BLOCK); r < rEnd; r++) {
                    int xr = xo + r * c, gr = go + r * c, dr = dxo + r * c;
                    FloatVector vmu = FloatVector.broadcast(S, md[mo + r]);
                    float s = rd[ro + r];
                    FloatVector vs = FloatVector.broadcast(S, s);
                    // Means of dnorm = dout * w and of dnorm * norm, norm = (x - mean) * rstd.
                    FloatVector accA = FloatVector.zero(S), accB = FloatVector.zero(S);
                    int i = 0;
                    for (; i < bound; i += L) {
                        FloatVector dn = FloatVector.fromArray(S, gd, gr + i).mul(FloatVector.fromArray(S, wd, wo + i));
                        FloatVector nv = FloatVector.fromArray(S, xd, xr + i).sub(vmu).mul(vs);
                        accA = accA.add(dn);
                        accB = dn.fma(nv, accB);
                    }
                    float sumA = accA.reduceLanes(VectorOperators.ADD), sumB = accB.reduceLanes(VectorOperators.ADD);
                    for (; i < c; i++) {
                        float dn = gd[gr + i] * wd[wo + i];
                        sumA += dn;
                        sumB += dn * (xd[xr + i] - md[mo + r]) * s;
                    }
                    FloatVector vA = FloatVector.broadcast(S, sumA / c), vB = FloatVector.broadcast(S, sumB / c);
                    for (i = 0; i < bound; i += L) {
                        FloatVector g = FloatVector.fromArray(S, gd, gr + i);
                        FloatVector nv = FloatVector.fromArray(S, xd, xr + i).sub(vmu).mul(vs);
                        FloatVector dn = g.mul(FloatVector.fromArray(S, wd, wo + i));
                        FloatVector dxv = dn.sub(vA).sub(nv.mul(vB)).mul(vs);
                        if (accumulateDx) dxv = dxv.add(FloatVector.fromArray(S, dd, dr + i));
                        dxv.intoArray(dd, dr + i);
                        g.fma(nv, FloatVector.fromArray(S, part, pw + i)).intoArray(part, pw + i);
                        g.add(FloatVector.fromArray(S, part, pw + c + i)).intoArray(part, pw + c + i);
                    }
                    for (; i < c; i++) {
                        float g = gd[gr + i];
                        float nv = (xd[xr + i] - md[mo + r]) * s;
                        float dxv = (g * wd[wo + i] - sumA / c - nv * (sumB / c)) * s;
                        dd[dr + i] = accumulateDx ? dd[dr + i] + dxv : dxv;
                        part[pw + i] += g * nv;
                        part[pw + c + i] += g;
                    }
                }
            }
        });
        float[] dwd = array(dweight), dbd = array(dbias);
        int dwo = offset(dweight), dbo = offset(dbias);
        par.forRange(c, Parallel.grain(2L * blocks), (c0, c1) -> {
            for (int j = c0; j < c1; j++) {
                double sw = 0, sb = 0;
                for (int blk = 0; blk < blocks; blk++) {
                    sw += part[blk * 2 * c + j];
                    sb += part[blk * 2 * c + c + j];
                }
                dwd[dwo + j] += (float) sw;
                dbd[dbo + j] += (float) sb;
            }
        });
    }

    private static void check(Tensor x, Tensor weight, Tensor mean, Tensor rstd) {
        if (weight.numel() != x.cols()) throw new IllegalArgumentException("weight " + weight + " does not match " + x);
        if (mean.numel() != x.rows() || rstd.numel() != x.rows())
            throw new IllegalArgumentException("mean/rstd " + mean + ", " + rstd + " do not match the rows of " + x);
    }
}
