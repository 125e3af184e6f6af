package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
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
            int i = s;
            for (int bound = s + S.loopBound(e - s); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, xd, xo + i);
                v.div(v.mul(-GELU_K).lanewise(VectorOperators.EXP).add(1f)).intoArray(od, oo + i);
            }
            for (; i < e; i++) {
                float v = xd[xo + i];
                od[oo + i] = v / (1f + (float) Math.exp(-GELU_K * v));
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
            int i = s;
            // d/dx x*sig(kx) = sig + k x sig (1 - sig)
            for (int bound = s + S.loopBound(e - s); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, xd, xo + i);
                FloatVector sig = one.div(v.mul(-GELU_K).lanewise(VectorOperators.EXP).add(1f));
                FloatVector grad = v.mul(GELU_K).mul(sig).mul(one.sub(sig)).add(sig);
                grad.mul(FloatVector.fromArray(S, gd, go + i)).intoArray(dd, dxo + i);
            }
            for (; i < e; i++) {
                float v = xd[xo + i];
                float sig = 1f / (1f + (float) Math.exp(-GELU_K * v));
                dd[dxo + i] = gd[go + i] * (sig + GELU_K * v * sig * (1f - sig));
            }
        });
    }

    void reluForward(Tensor x, Tensor out) {
        ElementwiseOps.requireSameCount(x, out);
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        par.forRange(Math.toIntExact(x.numel()), Parallel.MIN_WORK, (s, e) -> {
            int i = s;
            for (int bound = s + S.loopBound(e - s); i < bound; i += L) {
                FloatVector.fromArray(S, xd, xo + i).max(0f).intoArray(od, oo + i);
            }
            for (; i < e; i++) od[oo + i] = Math.max(xd[xo + i], 0f);
        });
    }

    void reluBackward(Tensor out, Tensor dout, Tensor dx) {
        ElementwiseOps.requireSameCount(out, dout);
        ElementwiseOps.requireSameCount(out, dx);
        float[] od = array(out), gd = array(dout), dd = array(dx);
        int oo = offset(out), go = offset(dout), dxo = offset(dx);
        par.forRange(Math.toIntExact(out.numel()), Parallel.MIN_WORK, (s, e) -> {
            int i = s;
            for (int bound = s + S.loopBound(e - s); i < bound; i += L) {
                FloatVector g = FloatVector.fromArray(S, gd, go + i);
                g.blend(0f, FloatVector.fromArray(S, od, oo + i).compare(VectorOperators.LE, 0f)).intoArray(dd, dxo + i);
            }
            for (; i < e; i++) dd[dxo + i] = od[oo + i] > 0f ? gd[go + i] : 0f;
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
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        int bound = S.loopBound(n);
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += L) vmax = vmax.max(FloatVector.fromArray(S, x, xo + i));
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) max = Math.max(max, x[xo + i]);
        FloatVector vm = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        for (i = 0; i < bound; i += L) {
            FloatVector ex = FloatVector.fromArray(S, x, xo + i).sub(vm).lanewise(VectorOperators.EXP);
            ex.intoArray(out, oo + i);
            acc = acc.add(ex);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float ex = (float) Math.exp(x[xo + i] - max);
            out[oo + i] = ex;
            sum += ex;
        }
        VectorMath.scale(out, oo, n, (float) (1.0 / sum));
        return max + Math.log(sum);
    }
}
