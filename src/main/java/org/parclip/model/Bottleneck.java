package org.parclip.model;

import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * OpenAI's anti-aliased Bottleneck: 1x1 conv, 3x3 conv, avgpool(stride) when stride > 1, 1x1 conv to 4x the planes,
 * BatchNorm after each conv and ReLU after the first two; the shortcut is the input, or avgpool(stride), 1x1 conv and
 * BatchNorm ({@code downsample.0}, {@code downsample.1}) when the stride or the width changes; ReLU after the sum.
 * Every conv has stride 1: the pools do the downsampling.
 */
final class Bottleneck {
    static final int EXPANSION = 4;

    private final Backend be;
    private final int stride;
    final ConvBn unit1;
    final ConvBn unit2;
    final ConvBn unit3;
    /** The shortcut's conv and BatchNorm, or null when the shortcut is the identity. */
    final ConvBn downsample;
    private Tensor input;
    private Tensor pooled;       // avgpool of unit2's output, unit3's input (stride > 1)
    private Tensor pooledInput;  // avgpool of the input, the shortcut conv's input (stride > 1)
    private Tensor out;

    Bottleneck(ParameterSet ps, String prefix, int inplanes, int planes, int stride) {
        this.be = ps.backend();
        this.stride = stride;
        unit1 = new ConvBn(ps, prefix + ".conv1", prefix + ".bn1", inplanes, planes, 1, 1, 0, true);
        unit2 = new ConvBn(ps, prefix + ".conv2", prefix + ".bn2", planes, planes, 3, 1, 1, true);
        // No ReLU in the unit: it comes after the residual sum.
        unit3 = new ConvBn(ps, prefix + ".conv3", prefix + ".bn3", planes, planes * EXPANSION, 1, 1, 0, false);
        downsample = stride > 1 || inplanes != planes * EXPANSION
                ? new ConvBn(ps, prefix + ".downsample.0", prefix + ".downsample.1", inplanes, planes * EXPANSION,
                1, 1, 0, false)
                : null;
    }

    /** x [n, inplanes, h, w] to [n, 4 planes, h / stride, w / stride]; x must stay unchanged until backward. */
    Tensor forward(Tensor x, boolean training) {
        input = x;
        Tensor h = unit2.forward(unit1.forward(x, training), training);
        if (stride > 1) {
            pooled = be.reuse(pooled, pooledShape(h, stride));
            be.avgPoolForward(h, stride, pooled);
            h = pooled;
        }
        out = unit3.forward(h, training);
        Tensor identity = x;
        if (downsample != null) {
            Tensor d = x;
            if (stride > 1) {
                pooledInput = be.reuse(pooledInput, pooledShape(x, stride));
                be.avgPoolForward(x, stride, pooledInput);
                d = pooledInput;
            }
            identity = downsample.forward(d, training);
        }
        be.axpy(1f, identity, out);
        be.reluForward(out, out);
        return out;
    }

    /**
     * dOut: d loss / d output, overwritten (it becomes the gradient of the residual sum). dx: overwritten with
     * d loss / d input. Temporaries come from the flow and conv slots of {@code g}.
     */
    void backward(Tensor dOut, Tensor dx, GradientSlots g) {
        be.reluBackward(out, dOut, dOut);
        int[] shape2 = unit2.outputShape();
        int slot = GradientSlots.FLOW_A;
        Tensor d = g.get(slot, stride > 1 ? pooledShape(shape2, stride) : shape2);
        unit3.backward(dOut, g.get(GradientSlots.CONV, out.shape()), d);
        if (stride > 1) {
            slot = GradientSlots.FLOW_B;
            Tensor up = g.get(slot, shape2);
            be.avgPoolBackward(d, stride, up);
            d = up;
        }
        Tensor d1 = g.get(GradientSlots.FLOW_A + GradientSlots.FLOW_B - slot, unit1.outputShape());
        unit2.backward(d, g.get(GradientSlots.CONV, shape2), d1);
        unit1.backward(d1, g.get(GradientSlots.CONV, d1.shape()), dx);
        if (downsample == null) {
            be.axpy(1f, dOut, dx);
            return;
        }
        int[] dsShape = stride > 1 ? pooledShape(input.shape(), stride) : input.shape();
        Tensor dShortcut = g.get(GradientSlots.FLOW_A, dsShape);
        downsample.backward(dOut, g.get(GradientSlots.CONV, out.shape()), dShortcut);
        if (stride > 1) {
            Tensor up = g.get(GradientSlots.FLOW_B, input.shape());
            be.avgPoolBackward(dShortcut, stride, up);
            dShortcut = up;
        }
        be.axpy(1f, dShortcut, dx);
    }

    int[] inputShape() {
        return input.shape();
    }

    int[] outputShape() {
        return out.shape();
    }

    static int[] pooledShape(Tensor x, int k) {
        return pooledShape(x.shape(), k);
    }

    /** NCHW after nn.AvgPool2d(k): floor division of the spatial sides. */
    static int[] pooledShape(int[] s, int k) {
        return new int[]{s[0], s[1], s[2] / k, s[3] / k};
    }
}
