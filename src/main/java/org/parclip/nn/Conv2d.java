package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** nn.Conv2d without bias (all of CLIP's convolutions): square kernel, NCHW, weight {@code prefix.weight}. */
public final class Conv2d {
    private final Backend be;
    private final int stride;
    private final int padding;
    public final Parameter weight;
    private Tensor input;
    private Tensor output;

    public Conv2d(ParameterSet ps, String prefix, int in, int out, int kernel, int stride, int padding) {
        this.be = ps.backend();
        this.stride = stride;
        this.padding = padding;
        this.weight = ps.parameter(prefix + ".weight", out, in, kernel, kernel);
    }

    /** Returns a buffer owned by this layer, valid until the next forward. x must stay unchanged until backward. */
    public Tensor forward(Tensor x) {
        input = x;
        int k = weight.value().dim(2);
        int ho = (x.dim(2) + 2 * padding - k) / stride + 1, wo = (x.dim(3) + 2 * padding - k) / stride + 1;
        output = be.reuse(output, x.dim(0), weight.value().dim(0), ho, wo);
        be.conv2dForward(x, weight.value(), stride, padding, output);
        return output;
    }

    /** Accumulates the weight gradient; overwrites dx (shaped like the input) unless it is null. */
    public void backward(Tensor dy, Tensor dx) {
        be.conv2dBackward(input, weight.value(), stride, padding, dy, dx, weight.grad(be));
    }
}
