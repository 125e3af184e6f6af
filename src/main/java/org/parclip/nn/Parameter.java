package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

/**
 * A trainable (or frozen) tensor under its OpenAI/open_clip state-dict name. The gradient is allocated on first
 * use and accumulated into by backward passes until {@link #zeroGrad}. The value is F32, what the model computes
 * with; {@link #fileType} is the dtype PyTorch gives the tensor, which checkpoints are written in (F32, or I64 for
 * BatchNorm's counter).
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final DType fileType;
    private Tensor grad;

    public Parameter(String name, Tensor value, DType fileType) {
        this.name = name;
        this.value = value;
        this.fileType = fileType;
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    /** The dtype of this tensor in PyTorch's state dict: F32, or I64 for integer counters. */
    public DType fileType() {
        return fileType;
    }

    /** The gradient tensor, allocated (zero) by {@code backend} the first time it is asked for. */
    public Tensor grad(Backend backend) {
        if (grad == null) grad = backend.allocate(value.shape());
        return grad;
    }

    /** The gradient if any backward pass has touched it, else null. */
    public Tensor gradOrNull() {
        return grad;
    }

    public void zeroGrad(Backend backend) {
        if (grad != null) backend.fill(grad, 0f);
    }
}
