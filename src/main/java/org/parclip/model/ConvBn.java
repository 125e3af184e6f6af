package org.parclip.model;

import org.parclip.nn.BatchNorm2d;
import org.parclip.nn.Conv2d;
import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** Convolution, BatchNorm, then a ReLU when asked: the unit ModifiedResNet's stem and blocks are made of. */
final class ConvBn {
    private final Backend be;
    private final boolean relu;
    final Conv2d conv;
    final BatchNorm2d bn;
    private Tensor out;

    ConvBn(ParameterSet ps, String convName, String bnName, int in, int out, int kernel, int stride, int padding,
           boolean relu) {
        this.be = ps.backend();
        this.relu = relu;
        this.conv = new Conv2d(ps, convName, in, out, kernel, stride, padding);
        this.bn = new BatchNorm2d(ps, bnName, out);
    }

    /**
     * Returns the BatchNorm's buffer (ReLU applied in place: the BatchNorm's backward needs its input, not its
     * output). Callers may change it in place only when this unit has no ReLU, whose backward reads it.
     */
    Tensor forward(Tensor x, boolean training) {
        out = bn.forward(conv.forward(x), training);
        if (relu) be.reluForward(out, out);
        return out;
    }

    /**
     * dOut: d loss / d output, overwritten in place with the pre-ReLU gradient when there is a ReLU. dConv: scratch
     * shaped like the output, for the convolution's gradient. dx: overwritten with d loss / d x, or null.
     */
    void backward(Tensor dOut, Tensor dConv, Tensor dx) {
        if (relu) be.reluBackward(out, dOut, dOut);
        bn.backward(dOut, dConv);
        conv.backward(dConv, dx);
    }

    /** The shape of the last forward's output. */
    int[] outputShape() {
        return out.shape();
    }
}
