package org.parclip.train;

import org.parclip.io.HostTensor;
import org.parclip.io.StateDict;
import org.parclip.nn.Parameter;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.AdamW over the two parameter groups of the reference recipe: weight decay on matrices whose names
 * contain none of "bias", "ln", "bn", none on the rest (gains, biases, embeddings of rank 1).
 */
public final class AdamW {
    private final Backend be;
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();
    private final boolean[] decays;
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
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            decays[i] = decays(p.name(), p.value().rank());
            m.add(be.allocate(p.value().shape()));
            v.add(be.allocate(p.value().shape()));
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
            be.adamw(p.value(), p.grad(be), m.get(i), v.get(i), (float) lr, (float) beta1, (float) beta2, (float) eps,
                    decays[i] ? (float) weightDecay : 0f, gradScale, step);
        }
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
            be.copyFromHost(a.toFloats(), 0, m.get(i));
            be.copyFromHost(b.toFloats(), 0, v.get(i));
        }
        this.step = stepCount;
    }
}
