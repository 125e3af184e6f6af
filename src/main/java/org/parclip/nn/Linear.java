package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** y = x W^T + b over rows of x [n, in]; W [out, in] as nn.Linear stores it. */
public final class Linear {
    private final Backend be;
    public final Parameter weight;
    public final Parameter bias;
    private Tensor input;
    private Tensor output;

    /** A linear layer whose parameters are {@code weightName} and {@code biasName} (null for no bias). */
    public Linear(ParameterSet ps, String weightName, String biasName, int in, int out) {
        this.be = ps.backend();
        this.weight = ps.parameter(weightName, out, in);
        this.bias = biasName == null ? null : ps.parameter(biasName, out);
    }

    /** Module-style naming: {@code prefix.weight}, {@code prefix.bias}. */
    public static Linear named(ParameterSet ps, String prefix, int in, int out) {
        return new Linear(ps, prefix + ".weight", prefix + ".bias", in, out);
    }

    public int outFeatures() {
        return weight.value().dim(0);
    }

    /** Returns a buffer owned by this layer, valid until the next forward. x must stay unchanged until backward. */
    public Tensor forward(Tensor x) {
        input = x;
        output = be.reuse(output, x.rows(), outFeatures());
        be.matmul(x, false, weight.value(), true, output, 1f, 0f);
        if (bias != null) be.addRowVector(output, bias.value());
        return output;
    }

    /** The output of the last forward (still valid if nothing reused it since). */
    public Tensor lastOutput() {
        return output;
    }

    /** Accumulates weight and bias gradients; writes (or adds, with {@code accumulate}) dx when dx is not null. */
    public void backward(Tensor dy, Tensor dx, boolean accumulate) {
        be.matmul(dy, true, input, false, weight.grad(be), 1f, 1f);
        if (bias != null) be.sumRows(dy, bias.grad(be), 1f, 1f);
        if (dx != null) be.matmul(dy, false, weight.value(), false, dx, 1f, accumulate ? 1f : 0f);
    }
}
