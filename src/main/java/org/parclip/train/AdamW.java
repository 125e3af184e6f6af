package org.parclip.train;

import org.parclip.io.HostTensor;
import org.parclip.io.StateDict;
import org.parclip.nn.Parameter;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * torch.optim.AdamW over the two parameter groups of the reference recipe: weight decay on matrices whose names
 * contain none of "bias", "ln", "bn", none on the rest (gains, biases, embeddings of rank 1).
 *
 * <p>A parameter with a row-sparse gradient ({@link Parameter#gradRows}), on a backend that gains by it
 * ({@link Backend#rowSparseUpdates}), is stepped densely only in its live rows, those any gradient has touched so
 * far; the others have zero gradient and moments, where AdamW's step is the weight decay alone, applied as one
 * multiply with the same rounding ({@link Backend#adamwDecay}). The result is bitwise the dense step's, for a
 * fraction of the memory traffic on a 49,408-row token embedding.
 */
public final class AdamW {
    private final Backend be;
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();
    private final boolean[] decays;
    /** Per parameter, the rows whose moments may be non-zero; used for row-sparse gradients only. */
    private final BitSet[] liveRows;
    private final double beta1, beta2, eps, weightDecay;
    private int step;

    public AdamW(Backend be, List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this.be = be;
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decays = new boolean[params.size()];
        this.liveRows = new BitSet[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            decays[i] = decays(p.name(), p.value().rank());
            m.add(be.allocate(p.value().shape()));
            v.add(be.allocate(p.value().shape()));
            liveRows[i] = new BitSet();
        }
    }

    /** The reference's grouping rule. */
    public static boolean decays(String name, int rank) {
        return rank >= 2 && !name.contains("bias") && !name.contains("ln") && !name.contains("bn");
    }

    /** Global L2 norm of the gradients times gradScale (what clipping and the logs use). */
    public double gradNorm(float gradScale) {
        double s = 0;
        for (Parameter p : params) s += be.sumOfSquares(p.grad(be));
        return Math.sqrt(s) * Math.abs(gradScale);
    }

    /** One update with gradients multiplied by gradScale (accumulation averaging and clipping fold into it). */
    public void step(double lr, float gradScale) {
        step++;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            float wd = decays[i] ? (float) weightDecay : 0f;
            BitSet touched = p.gradRows();
            if (touched == null || !be.rowSparseUpdates()) {
                be.adamw(p.value(), p.grad(be), m.get(i), v.get(i), (float) lr, (float) beta1, (float) beta2,
                        (float) eps, wd, gradScale, step);
                continue;
            }
            int rows = p.value().shape()[0], index = i;
            liveRows[i].or(touched);
            Parameter.forEachRun(liveRows[i], rows, true, (a, b) -> be.adamw(p.value().slice(a, b),
                    p.grad(be).slice(a, b), m.get(index).slice(a, b), v.get(index).slice(a, b), (float) lr,
                    (float) beta1, (float) beta2, (float) eps, wd, gradScale, step));
            if (wd != 0f) {
                float decay = Backend.adamwDecay((float) lr, wd);
                Parameter.forEachRun(liveRows[i], rows, false, (a, b) -> be.scale(p.value().slice(a, b), decay));
            }
        }
    }

    /** Rows (of dimension 0) where either moment has a non-zero element. */
    private static BitSet nonZeroRows(float[] a, float[] b, int[] shape) {
        BitSet live = new BitSet();
        int rows = shape.length == 0 ? 1 : shape[0], width = rows == 0 ? 0 : a.length / rows;
        for (int r = 0; r < rows; r++)
            for (int j = r * width; j < (r + 1) * width; j++)
                if (a[j] != 0f || b[j] != 0f) {
                    live.set(r);
                    break;
                }
        return live;
    }

    public int stepCount() {
        return step;
    }

    /** Moments under "exp_avg.NAME" / "exp_avg_sq.NAME", for checkpoints. */
    public StateDict state() {
        StateDict sd = new StateDict("parclip-adamw");
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            sd.put("exp_avg." + p.name(), HostTensor.ofFloats(be.toHost(m.get(i)), p.value().shape()));
            sd.put("exp_avg_sq." + p.name(), HostTensor.ofFloats(be.toHost(v.get(i)), p.value().shape()));
        }
        return sd;
    }

    /** Restores moments saved by {@link #state()} and the step count. */
    public void restore(StateDict sd, int stepCount) {
        for (int i = 0; i < params.size(); i++) {
            String name = params.get(i).name();
            HostTensor a = sd.get("exp_avg." + name), b = sd.get("exp_avg_sq." + name);
            if (a == null || b == null) throw new org.parclip.cli.UserException("optimizer state lacks " + name);
            float[] ma = a.toFloats(), va = b.toFloats();
            be.copyFromHost(ma, 0, m.get(i));
            be.copyFromHost(va, 0, v.get(i));
            liveRows[i] = nonZeroRows(ma, va, params.get(i).value().shape());
        }
        this.step = stepCount;
    }
}
