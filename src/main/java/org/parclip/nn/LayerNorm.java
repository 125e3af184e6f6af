package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** LayerNorm over the last dimension, eps 1e-5, statistics in fp32 (CLIP's LayerNorm subclass). */
public final class LayerNorm {
    static final float EPS = 1e-5f;
    private final Backend be;
    public final Parameter weight;
    public final Parameter bias;
    private Tensor input;
    private Tensor output;
    private Tensor mean;
    private Tensor rstd;

    public LayerNorm(ParameterSet ps, String prefix, int width) {
        this.be = ps.backend();
        this.weight = ps.parameter(prefix + ".weight", width);
        this.bias = ps.parameter(prefix + ".bias", width);
        be.fill(weight.value(), 1f);
    }

    public Tensor forward(Tensor x) {
        input = x;
        output = be.reuse(output, x.rows(), x.cols());
        mean = be.reuse(mean, x.rows());
        rstd = be.reuse(rstd, x.rows());
        be.layerNormForward(x, weight.value(), bias.value(), EPS, output, mean, rstd);
        return output;
    }

    /** The output of the last forward. */
    public Tensor lastOutput() {
        return output;
    }

    public void backward(Tensor dy, Tensor dx, boolean accumulate) {
        be.layerNormBackward(dy, input, weight.value(), mean, rstd, dx, accumulate, weight.grad(be), bias.grad(be));
    }
}
