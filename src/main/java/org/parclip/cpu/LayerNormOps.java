package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
                int xr = xo + r * c, orow = oo + r * c;
                float mu = VectorMath.sum(xd, xr, c) / c;
                float s = (float) (1.0 / Math.sqrt(VectorMath.centredSquares(xd, xr, c, mu) / c + eps));
                FloatVector vmu = FloatVector.broadcast(S, mu), vs = FloatVector.broadcast(S, s);
                for (int i = 0; i < c; i += L) {
                    VectorMask<Float> m = VectorMath.mask(i, c);
                    FloatVector.fromArray(S, xd, xr + i, m).sub(vmu).mul(vs)
                            .fma(FloatVector.fromArray(S, wd, wo + i, m), FloatVector.fromArray(S, bd, bo + i, m))
                            .intoArray(od, orow + i, m);
                }
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
        float[] part = partials = ElementwiseOps.grow(partials, (long) blocks * 2 * c);
        float[] gd = array(dout), xd = array(x), wd = array(weight), md = array(mean), rd = array(rstd), dd = array(dx);
        int go = offset(dout), xo = offset(x), wo = offset(weight), mo = offset(mean), ro = offset(rstd), dxo = offset(dx);
        par.forRange(blocks, Parallel.grain(8L * BLOCK * c), (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int pw = blk * 2 * c; // this block's dweight partial, then its dbias partial
                Arrays.fill(part, pw, pw + 2 * c, 0f);
                for (int r = blk * BLOCK, rEnd = Math.min(rows, r + BLOCK); r < rEnd; r++) {
                    int xr = xo + r * c, gr = go + r * c, dr = dxo + r * c;
                    FloatVector vmu = FloatVector.broadcast(S, md[mo + r]), vs = FloatVector.broadcast(S, rd[ro + r]);
                    // Means of dnorm = dout * w and of dnorm * norm, norm = (x - mean) * rstd.
                    FloatVector accA = FloatVector.zero(S), accB = FloatVector.zero(S);
                    for (int i = 0; i < c; i += L) {
                        VectorMask<Float> m = VectorMath.mask(i, c);
                        FloatVector dn = FloatVector.fromArray(S, gd, gr + i, m).mul(FloatVector.fromArray(S, wd, wo + i, m));
                        FloatVector nv = FloatVector.fromArray(S, xd, xr + i, m).sub(vmu).mul(vs);
                        accA = accA.add(dn);
                        accB = dn.fma(nv, accB); // dn is 0 on inactive lanes
                    }
                    FloatVector meanA = FloatVector.broadcast(S, VectorMath.sumLanes(accA) / c);
                    FloatVector meanB = FloatVector.broadcast(S, VectorMath.sumLanes(accB) / c);
                    for (int i = 0; i < c; i += L) {
                        VectorMask<Float> m = VectorMath.mask(i, c);
                        FloatVector g = FloatVector.fromArray(S, gd, gr + i, m);
                        FloatVector nv = FloatVector.fromArray(S, xd, xr + i, m).sub(vmu).mul(vs);
                        FloatVector dn = g.mul(FloatVector.fromArray(S, wd, wo + i, m));
                        FloatVector dxv = dn.sub(meanA).sub(nv.mul(meanB)).mul(vs);
                        if (accumulateDx) dxv = dxv.add(FloatVector.fromArray(S, dd, dr + i, m));
                        dxv.intoArray(dd, dr + i, m);
                        g.fma(nv, FloatVector.fromArray(S, part, pw + i, m)).intoArray(part, pw + i, m);
                        g.add(FloatVector.fromArray(S, part, pw + c + i, m)).intoArray(part, pw + c + i, m);
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
