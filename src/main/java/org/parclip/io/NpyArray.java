package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.lang.foreign.MemorySegment;

/**
 * An array read from a NumPy .npy file (C order, little-endian).
 *
 * @param dtype the NumPy type string as the file gives it, e.g. {@code "<f4"} or {@code "|u1"}
 */
public record NpyArray(String dtype, int[] shape, MemorySegment data) {
    public NpyArray {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The array as a tensor (a view of the same bytes). */
    public HostTensor tensor() {
        return new HostTensor(Npy.dtypeOf(dtype), shape, data);
    }

    /** The values as float32 (f8 and large i8 values are rounded). */
    public float[] toFloats() {
        return tensor().toFloats();
    }

    /** The values of an integer or boolean array; an i8 value outside the int range is an error. */
    public int[] toInts() {
        DType dt = Npy.dtypeOf(dtype);
        if (dt.isFloatingPoint()) throw new UserException("a " + dtype + " array cannot be read as integers");
        long[] v = tensor().toLongs();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != (int) v[i]) throw new UserException("value " + v[i] + " does not fit in an int");
            out[i] = (int) v[i];
        }
        return out;
    }
}
