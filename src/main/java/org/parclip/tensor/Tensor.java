package org.parclip.tensor;

import java.util.Arrays;

/**
 * A row-major, contiguous view over a backend {@link Storage}: a shape and an element offset. Views are cheap
 * objects; {@link #slice} and {@link #view} never copy. Which backend owns the storage is the backend's business:
 * every op takes tensors made by the same backend.
 */
public final class Tensor {
    private final Storage storage;
    private final long offset;
    private final int[] shape;
    private final long numel;

    public Tensor(Storage storage, long offset, int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (offset < 0 || offset + n > storage.capacity())
            throw new IllegalArgumentException("view " + Arrays.toString(shape) + " at offset " + offset
                    + " exceeds storage of " + storage.capacity() + " elements");
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.numel = n;
    }

    public Storage storage() {
        return storage;
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long numel() {
        return numel;
    }

    public DType dtype() {
        return storage.dtype();
    }

    /** Rows when the tensor is seen as a matrix whose columns are the last dimension. */
    public int rows() {
        return shape.length == 0 ? 1 : Math.toIntExact(numel / Math.max(1, shape[shape.length - 1]));
    }

    /** Columns when the tensor is seen as a matrix: the last dimension. */
    public int cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** The same elements under another shape (one dimension may be -1). */
    public Tensor view(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("more than one -1 in " + Arrays.toString(s));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0)
                throw new IllegalArgumentException("cannot view " + this + " as " + Arrays.toString(newShape));
            s[infer] = Math.toIntExact(numel / known);
            known *= s[infer];
        }
        if (known != numel) throw new IllegalArgumentException("cannot view " + this + " as " + Arrays.toString(newShape));
        return new Tensor(storage, offset, s);
    }

    /** Rows {@code [start, end)} of the first dimension. */
    public Tensor slice(int start, int end) {
        if (shape.length == 0 || start < 0 || end > shape[0] || start > end)
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") of " + this);
        long inner = shape[0] == 0 ? 0 : numel / shape[0];
        int[] s = shape.clone();
        s[0] = end - start;
        return new Tensor(storage, offset + start * inner, s);
    }

    /** Element {@code i} of the first dimension, with that dimension dropped. */
    public Tensor select(int i) {
        Tensor t = slice(i, i + 1);
        return t.view(Arrays.copyOfRange(shape, 1, shape.length));
    }

    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "(" + dtype() + ")";
    }
}
