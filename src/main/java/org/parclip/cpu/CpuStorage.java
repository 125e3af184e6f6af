package org.parclip.cpu;

import org.parclip.tensor.DType;
import org.parclip.tensor.Storage;
import org.parclip.tensor.Tensor;

/** Heap storage of the CPU backend: one float array, so ops and the Sgemm work on it without copies. */
public final class CpuStorage implements Storage {
    final float[] data;

    CpuStorage(int n) {
        this.data = new float[n];
    }

    CpuStorage(float[] data) {
        this.data = data;
    }

    @Override
    public long capacity() {
        return data.length;
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    /** The array behind a tensor of the CPU backend; a tensor of another backend is a caller bug. */
    static float[] array(Tensor t) {
        if (!(t.storage() instanceof CpuStorage s))
            throw new IllegalArgumentException(t + " does not belong to the CPU backend");
        return s.data;
    }

    /** The tensor's first element in {@link #array}; int because Java arrays are int-indexed. */
    static int offset(Tensor t) {
        return (int) t.offset();
    }
}
