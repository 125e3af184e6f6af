package org.parclip.tensor;

/** Element types a tensor can be stored in. The CPU backend computes in F32; BF16/F16 are storage types for the GPU. */
public enum DType {
    F32(4), BF16(2), F16(2), I32(4);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }
}
