package org.parclip.io;

import org.parclip.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as a file holds it: dtype, shape and little-endian bytes, often a slice of a memory-mapped file.
 * Model loading widens it to float32 with {@link #toFloats()}.
 */
public record HostTensor(DType dtype, int[] shape, MemorySegment data) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public HostTensor {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) n *= d;
        if (data.byteSize() != n * dtype.bytes)
            throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " " + dtype + " needs "
                    + n * dtype.bytes + " bytes, has " + data.byteSize());
    }

    public static HostTensor ofFloats(float[] values, int... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
        for (int i = 0; i < values.length; i++) seg.setAtIndex(F32, i, values[i]);
        return new HostTensor(DType.F32, shape, seg);
    }

    public long numel() {
        return data.byteSize() / dtype.bytes;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The values widened exactly to float32 (fp16 and bf16 are subsets of fp32). */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, n);
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getAtIndex(U16, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.getAtIndex(U16, i) & 0xffff) << 16); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(I32, i); }
        }
        return out;
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape) + "(" + dtype + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h && h.dtype == dtype && Arrays.equals(h.shape, shape)
                && data.mismatch(h.data) == -1;
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }
}
