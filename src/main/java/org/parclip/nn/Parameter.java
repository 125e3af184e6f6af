package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

import java.util.BitSet;

/**
 * A trainable (or frozen) tensor under its OpenAI/open_clip state-dict name. The gradient is allocated on first
 * use and accumulated into by backward passes until {@link #zeroGrad}. The value is F32, what the model computes
 * with; {@link #fileType} is the dtype PyTorch gives the tensor, which checkpoints are written in (F32, or I64 for
 * BatchNorm's counter).
 *
 * <p>An embedding table's gradient is row-sparse: a batch touches a few hundred of its 49,408 rows. Its backward
 * pass names those rows ({@link #markGradRows}), so zeroing the gradient and the optimiser's step can skip the rest
 * where the backend gains by it ({@link Backend#rowSparseUpdates}): on the CPU, streaming the whole table through both
 * every step took about 8% of the demo's training time.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final DType fileType;
    private Tensor grad;
    /** Rows (of dimension 0) written since the last zeroGrad when the gradient is row-sparse; null when dense. */
    private BitSet gradRows;

    /** A run [start, end) of consecutive rows. */
    @FunctionalInterface
    public interface RowRun {
        void accept(int start, int end);
    }

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

    /**
     * Declares the gradient row-sparse and these rows as written by the backward pass just run: every other row
     * must have been left at zero since the last {@link #zeroGrad}.
     */
    public void markGradRows(int[] rows) {
        if (gradRows == null) gradRows = new BitSet(value.shape()[0]);
        for (int r : rows) gradRows.set(r);
    }

    /** Rows that may be non-zero in a row-sparse gradient (do not modify), or null when the gradient is dense. */
    public BitSet gradRows() {
        return gradRows;
    }

    public void zeroGrad(Backend backend) {
        if (grad == null) return;
        if (gradRows != null && backend.rowSparseUpdates())
            forEachRun(gradRows, value.shape()[0], true, (a, b) -> backend.fill(grad.slice(a, b), 0f));
        else
            backend.fill(grad, 0f);
        if (gradRows != null) gradRows.clear();
    }

    /** Calls {@code run} for each maximal run of rows in [0, rows) that are set (or clear) in {@code bits}. */
    public static void forEachRun(BitSet bits, int rows, boolean set, RowRun run) {
        int a = set ? bits.nextSetBit(0) : bits.nextClearBit(0);
        while (a >= 0 && a < rows) {
            int b = set ? bits.nextClearBit(a) : bits.nextSetBit(a);
            if (b < 0 || b > rows) b = rows;
            run.accept(a, b);
            a = set ? bits.nextSetBit(b) : bits.nextClearBit(b);
        }
    }
}
