package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;
import static org.parclip.cpu.VectorMath.L;
import static org.parclip.cpu.VectorMath.S;

/**
 * torch.optim.AdamW's single-tensor step (non-amsgrad), fused into one pass over the parameter. Step scalars are
 * computed in double and rounded once, as Python floats reach the float kernels in PyTorch.
 */
final class AdamW {
    private final Parallel par;

    AdamW(Parallel par) {
        this.par = par;
    }

    void step(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
              float weightDecay, float gradScale, int step) {
        if (step < 1) throw new IllegalArgumentException("AdamW step counts from 1, got " + step);
        ElementwiseOps.requireSameCount(param, grad);
        ElementwiseOps.requireSameCount(param, m);
        ElementwiseOps.requireSameCount(param, v);
        float decay = Backend.adamwDecay(lr, weightDecay);
        float b1 = beta1, c1 = (float) (1.0 - beta1), b2 = beta2, c2 = (float) (1.0 - beta2);
        float stepSize = (float) (lr / (1.0 - Math.pow(beta1, step)));
        float invBc2Sqrt = (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, step)));
        float[] pd = array(param), gd = array(grad), md = array(m), vd = array(v);
        int po = offset(param), go = offset(grad), mo = offset(m), vo = offset(v);
        par.forRange(Math.toIntExact(param.numel()), Parallel.MIN_WORK / 4, (s, e) -> {
            for (int i = s; i < e; i += L) {
                VectorMask<Float> k = VectorMath.mask(i, e);
                FloatVector g = FloatVector.fromArray(S, gd, go + i, k).mul(gradScale);
                FloatVector mv = FloatVector.fromArray(S, md, mo + i, k).mul(b1).add(g.mul(c1));
                FloatVector vv = FloatVector.fromArray(S, vd, vo + i, k).mul(b2).add(g.mul(g).mul(c2));
                FloatVector denom = vv.lanewise(VectorOperators.SQRT).mul(invBc2Sqrt).add(eps);
                FloatVector.fromArray(S, pd, po + i, k).mul(decay).sub(mv.div(denom).mul(stepSize)).intoArray(pd, po + i, k);
                mv.intoArray(md, mo + i, k);
                vv.intoArray(vd, vo + i, k);
            }
        });
    }
}
