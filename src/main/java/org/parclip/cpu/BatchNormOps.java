package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.parclip.tensor.Tensor;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;
import static org.parclip.cpu.VectorMath.L;
import static org.parclip.cpu.VectorMath.S;

/**
 * BatchNorm2d as nn.BatchNorm2d: per channel over (n, h, w). Each channel's statistics are summed plane by plane
 * (one n at a time, contiguous h*w floats) into double, two-pass for the variance; channels run in parallel, so
 * sums never cross threads.
 */
final class BatchNormOps {
    private final Parallel par;

    BatchNormOps(Parallel par) {
        this.par = par;
    }

    void forward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                 boolean training, float momentum, float eps, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        Shape sh = Shape.of(x);
        ElementwiseOps.requireSameCount(x, out);
        for (Tensor t : new Tensor[]{weight, bias, runningMean, runningVar, saveMean, saveInvStd})
            if (t.numel() != sh.c) throw new IllegalArgumentException(t + " does not match the channels of " + x);
        float[] xd = array(x), wd = array(weight), bd = array(bias), rmd = array(runningMean), rvd = array(runningVar);
        float[] od = array(out), smd = array(saveMean), sid = array(saveInvStd);
        int xo = offset(x), wo = offset(weight), bo = offset(bias), rmo = offset(runningMean), rvo = offset(runningVar);
        int oo = offset(out), smo = offset(saveMean), sio = offset(saveInvStd);
        long count = (long) sh.n * sh.hw;
        par.forRange(sh.c, Parallel.grain(4 * count), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float mu;
                float invStd;
                if (training) {
                    double sum = 0;
                    for (int n = 0; n < sh.n; n++) sum += VectorMath.sum(xd, xo + sh.plane(n, ch), sh.hw);
                    double mean = sum / count;
                    double sq = 0;
                    for (int n = 0; n < sh.n; n++) sq += VectorMath.centredSquares(xd, xo + sh.plane(n, ch), sh.hw, (float) mean);
                    double var = sq / count;
                    mu = (float) mean;
                    invStd = (float) (1.0 / Math.sqrt(var + eps));
                    // PyTorch normalises with the biased variance but tracks the unbiased one.
                    double unbiased = count > 1 ? var * count / (count - 1) : var;
                    rmd[rmo + ch] = (float) ((1 - momentum) * rmd[rmo + ch] + momentum * mean);
                    rvd[rvo + ch] = (float) ((1 - momentum) * rvd[rvo + ch] + momentum * unbiased);
                } else {
                    mu = rmd[rmo + ch];
                    invStd = (float) (1.0 / Math.sqrt(rvd[rvo + ch] + (double) eps));
                }
                smd[smo + ch] = mu;
                sid[sio + ch] = invStd;
                float a = invStd * wd[wo + ch];
                float b = bd[bo + ch] - mu * a;
                for (int n = 0; n < sh.n; n++) affine(xd, xo + sh.plane(n, ch), a, b, od, oo + sh.plane(n, ch), sh.hw);
            }
        });
    }

    void backward(Tensor dout, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvStd, boolean training,
                  Tensor dx, Tensor dweight, Tensor dbias) {
        Shape sh = Shape.of(x);
        ElementwiseOps.requireSameCount(x, dout);
        if (dx != null) ElementwiseOps.requireSameCount(x, dx);
        float[] gd = array(dout), xd = array(x), wd = array(weight), smd = array(saveMean), sid = array(saveInvStd);
        float[] dwd = array(dweight), dbd = array(dbias);
        float[] dd = dx == null ? null : array(dx);
        int go = offset(dout), xo = offset(x), wo = offset(weight), smo = offset(saveMean), sio = offset(saveInvStd);
        int dwo = offset(dweight), dbo = offset(dbias), dxo = dx == null ? 0 : offset(dx);
        long count = (long) sh.n * sh.hw;
        par.forRange(sh.c, Parallel.grain(6 * count), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float mu = smd[smo + ch];
                float invStd = sid[sio + ch];
                double sumDy = 0, sumDyXc = 0;
                for (int n = 0; n < sh.n; n++) {
                    int p = sh.plane(n, ch);
                    sumDy += VectorMath.sum(gd, go + p, sh.hw);
                    sumDyXc += centredDot(gd, go + p, xd, xo + p, sh.hw, mu);
                }
                double sumDyXhat = sumDyXc * invStd;
                dwd[dwo + ch] += (float) sumDyXhat;
                dbd[dbo + ch] += (float) sumDy;
                if (dd == null) continue;
                float k = wd[wo + ch] * invStd;
                if (training) {
                    // dx = k * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mu) * invStd.
                    float slope = (float) (k * sumDyXhat * invStd / count);
                    float shift = (float) (k * sumDy / count);
                    for (int n = 0; n < sh.n; n++) {
                        int p = sh.plane(n, ch);
                        trainGrad(gd, go + p, xd, xo + p, mu, k, slope, shift, dd, dxo + p, sh.hw);
                    }
                } else {
                    for (int n = 0; n < sh.n; n++) {
                        int p = sh.plane(n, ch);
                        affine(gd, go + p, k, 0f, dd, dxo + p, sh.hw);
                    }
                }
            }
        });
    }

    /** NCHW dimensions, with h*w flattened: the plane of (n, c) starts at (n*C + c) * hw. */
    private record Shape(int n, int c, int hw) {
        static Shape of(Tensor x) {
            if (x.rank() != 4) throw new IllegalArgumentException("BatchNorm2d expects NCHW, got " + x);
            return new Shape(x.dim(0), x.dim(1), x.dim(2) * x.dim(3));
        }

        int plane(int ni, int ci) {
            return (ni * c + ci) * hw;
        }
    }

    /** Sum of g * (x - mu). */
    private static double centredDot(float[] g, int go, float[] x, int xo, int len, float mu) {
        FloatVector vmu = FloatVector.broadcast(S, mu);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < len; i += L) {
            VectorMask<Float> m = VectorMath.mask(i, len);
            acc = FloatVector.fromArray(S, x, xo + i, m).sub(vmu).fma(FloatVector.fromArray(S, g, go + i, m), acc);
        }
        return VectorMath.sumLanes(acc);
    }

    /** out = a * x + b. */
    private static void affine(float[] x, int xo, float a, float b, float[] out, int oo, int len) {
        FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < len; i += L) {
            VectorMask<Float> m = VectorMath.mask(i, len);
            FloatVector.fromArray(S, x, xo + i, m).fma(va, vb).intoArray(out, oo + i, m);
        }
    }

    /** dx = k * g - ((x - mu) * slope + shift). */
    private static void trainGrad(float[] g, int go, float[] x, int xo, float mu, float k, float slope, float shift,
                                  float[] dx, int dxo, int len) {
        FloatVector vmu = FloatVector.broadcast(S, mu), vk = FloatVector.broadcast(S, k);
        FloatVector vs = FloatVector.broadcast(S, slope), vsh = FloatVector.broadcast(S, shift);
        for (int i = 0; i < len; i += L) {
            VectorMask<Float> m = VectorMath.mask(i, len);
            FloatVector.fromArray(S, g, go + i, m).mul(vk)
                    .sub(FloatVector.fromArray(S, x, xo + i, m).sub(vmu).fma(vs, vsh)).intoArray(dx, dxo + i, m);
        }
    }
}
