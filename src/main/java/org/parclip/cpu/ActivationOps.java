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
 * QuickGELU, ReLU and row softmax. Every loop reads element i before writing element i of the output, so the
 * in-place uses the contract allows are safe.
 */
final class ActivationOps {
    private static final float GELU_K = 1.702f;
    /** exp costs about ten multiply-adds, so transcendental loops split at a smaller size. */
    private static final int EXP_GRAIN = Parallel.MIN_WORK / 8;

    private final Parallel par;

    ActivationOps(Parallel par) {
        this.par = par;
    }

    void quickGeluForward(Tensor x, Tensor out) {
        ElementwiseOps.requireSameCount(x, out);
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        par.forRange(Math.toIntExact(x.numel()), EXP_GRAIN, (s, e) -> {
            for (int i = s; i < e; i += L) {
                VectorMask<Float> m = VectorMath.mask(i, e);
                FloatVector v = FloatVector.fromArray(S, xd, xo + i, m);
                v.div(VectorMath.exp(v.mul(-GELU_K)).add(1f)).intoArray(od, oo + i, m);
            }
        });
    }

    void quickGeluBackward(Tensor x, Tensor dout, Tensor dx) {
        ElementwiseOps.requireSameCount(x, dout);
        ElementwiseOps.requireSameCount(x, dx);
        float[] xd = array(x), gd = array(dout), dd = array(dx);
        int xo = offset(x), go = offset(dout), dxo = offset(dx);
        FloatVector one = FloatVector.broadcast(S, 1f);
        par.forRange(Math.toIntExact(x.numel()), EXP_GRAIN, (s, e) -> {
            for (int i = s; i < e; i += L) {
                VectorMask<Float> m = VectorMath.mask(i, e);
                FloatVector v = FloatVector.fromArray(S, xd, xo + i, m);
                FloatVector sig = one.div(VectorMath.exp(v.mul(-GELU_K)).add(1f));
                // d/dx x sig(kx) = sig + k x sig (1 - sig)
                FloatVector grad = v.mul(GELU_K).mul(sig).mul(one.sub(sig)).add(sig);
                grad.mul(FloatVector.fromArray(S, gd, go + i, m)).intoArray(dd, dxo + i, m);
            }
        });
    }

    void reluForward(Tensor x, Tensor out) {
        ElementwiseOps.requireSameCount(x, out);
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        par.forRange(Math.toIntExact(x.numel()), Parallel.MIN_WORK, (s, e) -> {
            for (int i = s; i < e; i += L) {
                VectorMask<Float> m = VectorMath.mask(i, e);
                FloatVector.fromArray(S, xd, xo + i, m).max(0f).intoArray(od, oo + i, m);
            }
        });
    }

    void reluBackward(Tensor out, Tensor dout, Tensor dx) {
        ElementwiseOps.requireSameCount(out, dout);
        ElementwiseOps.requireSameCount(out, dx);
        float[] od = array(out), gd = array(dout), dd = array(dx);
        int oo = offset(out), go = offset(dout), dxo = offset(dx);
        par.forRange(Math.toIntExact(out.numel()), Parallel.MIN_WORK, (s, e) -> {
            for (int i = s; i < e; i += L) {
                VectorMask<Float> m = VectorMath.mask(i, e);
                FloatVector g = FloatVector.fromArray(S, gd, go + i, m);
                g.blend(0f, FloatVector.fromArray(S, od, oo + i, m).compare(VectorOperators.LE, 0f))
                        .intoArray(dd, dxo + i, m);
            }
        });
    }

    void softmaxRows(Tensor x, Tensor out) {
        ElementwiseOps.requireSameCount(x, out);
        int cols = x.cols();
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        par.forRange(x.rows(), Parallel.grain(8L * cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmax(xd, xo + r * cols, od, oo + r * cols, cols);
        });
    }

    /**
     * out[0..n) = softmax(x[0..n)), max-shifted; out may be x. Returns the row's log-sum-exp, which the
     * cross-entropy needs and could not recover from a probability that underflowed.
     */
    static double softmax(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = VectorMath.mask(i, n);
            vmax = vmax.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xo + i, m), m);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        FloatVector vm = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = VectorMath.mask(i, n);
            FloatVector ex = VectorMath.exp(FloatVector.fromArray(S, x, xo + i, m).sub(vm));
            ex.intoArray(out, oo + i, m);
            acc = acc.add(ex, m);
        }
        double sum = VectorMath.sumLanes(acc);
        VectorMath.scale(out, oo, n, (float) (1.0 / sum));
        return max + Math.log(sum);
    }
}
