package org.parclip.io;

import org.parclip.tensor.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

import static org.parclip.io.LittleEndian.DOUBLE;
import static org.parclip.io.LittleEndian.FLOAT;
import static org.parclip.io.LittleEndian.INT;
import static org.parclip.io.LittleEndian.LONG;
import static org.parclip.io.LittleEndian.SHORT;

/**
 * A tensor as a file holds it: dtype, shape and little-endian bytes, often a slice of a memory-mapped file.
 * Model loading widens it to float32 with {@link #toFloats()}.
 */
public record HostTensor(DType dtype, int[] shape, MemorySegment data) {

    public HostTensor {
        shape = shape.clone();
        long n = numel(shape);
        if (data.byteSize() != n * dtype.bytes)
            throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " " + dtype + " needs "
                    + n * dtype.bytes + " bytes, has " + data.byteSize());
    }

    public static HostTensor ofFloats(float[] values, int... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
        for (int i = 0; i < values.length; i++) seg.setAtIndex(FLOAT, i, values[i]);
        return new HostTensor(DType.F32, shape, seg);
    }

    public static HostTensor ofLongs(long[] values, int... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 8]);
        for (int i = 0; i < values.length; i++) seg.setAtIndex(LONG, i, values[i]);
        return new HostTensor(DType.I64, shape, seg);
    }

    /** The element count of a shape; negative dimensions or a count beyond {@code Long.MAX_VALUE} are refused. */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return data.byteSize() / dtype.bytes;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The values widened to float32: exact for F16, BF16 and small integers; F64 and large I64 are rounded. */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, FLOAT, 0, out, 0, n);
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getAtIndex(SHORT, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = bf16ToFloat(data.getAtIndex(SHORT, i)); }
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) data.getAtIndex(DOUBLE, i); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(LONG, i); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(INT, i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(SHORT, i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i) & 0xff; }
        }
        return out;
    }

    /** The values of an integer or boolean tensor as longs (exact). */
    public long[] toLongs() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> MemorySegment.copy(data, LONG, 0, out, 0, n);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(INT, i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(SHORT, i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i) & 0xff; }
            default -> throw new IllegalStateException("toLongs on a " + dtype + " tensor");
        }
        return out;
    }

    /**
     * This tensor in another floating-point dtype, rounding to nearest-even when narrowing (F16 and BF16 as PyTorch
     * rounds them). Integer tensors only convert to themselves. Returns {@code this} when the dtype already matches.
     */
    public HostTensor to(DType target) {
        if (target == dtype) return this;
        if (!dtype.isFloatingPoint() || !target.isFloatingPoint())
            throw new IllegalArgumentException("cannot convert " + dtype + " to " + target);
        long n = numel();
        MemorySegment out = allocate(n * target.bytes);
        for (long i = 0; i < n; i++) {
            double v = switch (dtype) {
                case F32 -> data.getAtIndex(FLOAT, i);
                case F16 -> Float.float16ToFloat(data.getAtIndex(SHORT, i));
                case BF16 -> bf16ToFloat(data.getAtIndex(SHORT, i));
                default -> data.getAtIndex(DOUBLE, i);
            };
            switch (target) {
                case F32 -> out.setAtIndex(FLOAT, i, (float) v);
                case F16 -> out.setAtIndex(SHORT, i, Float.floatToFloat16((float) v));
                case BF16 -> out.setAtIndex(SHORT, i, floatToBf16((float) v));
                default -> out.setAtIndex(DOUBLE, i, v);
            }
        }
        return new HostTensor(target, shape, out);
    }

    /** The transpose of a 2-d tensor, copied into row-major order. */
    public HostTensor transpose2d() {
        if (shape.length != 2) throw new IllegalArgumentException("transpose2d of a " + shape.length + "-d tensor");
        int r = shape[0], c = shape[1], e = dtype.bytes;
        MemorySegment out = allocate(numel() * e);
        for (long i = 0; i < r; i++)
            for (long j = 0; j < c; j++)
                MemorySegment.copy(data, (i * c + j) * e, out, (j * r + i) * e, e);
        return new HostTensor(dtype, new int[]{c, r}, out);
    }

    /** Rows {@code [from, to)} along the first dimension: a view of the same bytes, not a copy. */
    public HostTensor rows(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to)
            throw new IllegalArgumentException("rows " + from + ".." + to + " of " + Arrays.toString(shape));
        long rowBytes = numel() / Math.max(shape[0], 1) * dtype.bytes;
        int[] s = shape.clone();
        s[0] = to - from;
        return new HostTensor(dtype, s, data.asSlice(from * rowBytes, (to - from) * rowBytes));
    }

    /** Tensors of one dtype and equal trailing dimensions stacked along the first dimension (copied). */
    public static HostTensor concat0(List<HostTensor> parts) {
        HostTensor first = parts.getFirst();
        int[] s = first.shape.clone();
        s[0] = 0;
        long bytes = 0;
        for (HostTensor p : parts) {
            if (p.dtype != first.dtype || p.shape.length != s.length
                    || !Arrays.equals(p.shape, 1, s.length, first.shape, 1, s.length))
                throw new IllegalArgumentException("cannot concatenate " + p + " with " + first);
            s[0] = Math.addExact(s[0], p.shape[0]);
            bytes += p.data.byteSize();
        }
        MemorySegment out = allocate(bytes);
        long at = 0;
        for (HostTensor p : parts) {
            MemorySegment.copy(p.data, 0, out, at, p.data.byteSize());
            at += p.data.byteSize();
        }
        return new HostTensor(first.dtype, s, out);
    }

    /** Memory for a new tensor's bytes, freed by the garbage collector once no tensor refers to it. */
    static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(Math.max(bytes, 1), 8).asSlice(0, bytes);
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** float32 to bfloat16, round to nearest even; NaNs stay (quiet) NaNs. */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        bits += 0x7fff + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
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
