package org.parclip.tensor;

/** A backend's block of memory. Tensors are shaped, offset views over one storage. */
public interface Storage {
    /** Number of elements the storage holds. */
    long capacity();

    DType dtype();
}
