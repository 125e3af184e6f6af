package org.parclip.model;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * Gradient buffers shared by the stages of one tower. Backward runs one stage at a time and a stage's gradient
 * temporaries are dead once it returns, so a few numbered slots, each grown to the largest stage's need, serve them
 * all: per-layer gradient buffers would double a ResNet's training memory. Callers give live tensors distinct slots.
 */
final class GradientSlots {
    private final Backend be;
    private final Tensor[] slots;

    GradientSlots(Backend be, int count) {
        this.be = be;
        this.slots = new Tensor[count];
    }

    /** Slot {@code i} as a tensor of the given shape; contents unspecified. */
    Tensor get(int i, int... shape) {
        return slots[i] = be.reuse(slots[i], shape);
    }
}
