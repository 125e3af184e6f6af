package org.parclip.model;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * Gradient buffers shared by the stages of one tower. Backward runs one stage at a time and a stage's gradient
 * temporaries are dead once it returns, so a few numbered slots, each grown to the largest stage's need, serve them
 * all: per-layer gradient buffers would double a ResNet's training memory. Callers give live tensors distinct slots.
 */
final class GradientSlots {
    /** Slots 0 and 1 carry the gradient from one stage to the one before it, alternately. */
    static final int CARRY = 0;
    /** Two slots for the gradient flowing inside a stage, alternately, so that no op reads and writes one buffer. */
    static final int FLOW_A = 2;
    static final int FLOW_B = 3;
    /** The gradient of a convolution's output (the BatchNorm's input gradient) inside a stage. */
    static final int CONV = 4;
    private static final int COUNT = 5;

    private final Backend be;
    private final Tensor[] slots = new Tensor[COUNT];

    GradientSlots(Backend be) {
        this.be = be;
    }

    /** Slot {@code i} as a tensor of the given shape; contents unspecified. */
    Tensor get(int i, int... shape) {
        return slots[i] = be.reuse(slots[i], shape);
    }
}
