package org.parclip.tensor;

/**
 * Element types a tensor can be stored in. The CPU backend computes in F32; BF16/F16 are storage types for the GPU.
 * The integer, F64 and BOOL types exist so that checkpoint readers can represent every tensor a file holds
 * (e.g. BatchNorm's int64 num_batches_tracked); models consume the floating-point ones.
 */
public enum DType {
    F32(4), BF16(2), F16(2), I32(4), I64(8), F64(8), I16(2), I8(1), U8(1), BOOL(1);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public boolean isFloatingPoint() {
        return this == F32 || this == BF16 || this == F16 || this == F64;
    }
}
