package org.parclip.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code void** kernelParams} of cuLaunchKernel, built in place: one 8-byte native slot per argument and a
 * fixed array of pointers to the slots. cuLaunchKernel copies the values when it is called, so one instance is
 * reused for every launch and a launch allocates nothing. Arguments must be added in the kernel's parameter order
 * with the kernel's C types: {@link #ptr} and {@link #i64} for pointers and long long, {@link #i32} for int,
 * {@link #f32} for float. Not thread-safe (one per backend).
 */
final class KernelArgs {
    private static final int MAX = 24;
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;

    KernelArgs(Arena arena) {
        values = arena.allocate(8L * MAX, 8);
        pointers = arena.allocate(ADDRESS, MAX);
        for (int i = 0; i < MAX; i++) pointers.setAtIndex(ADDRESS, i, values.asSlice(8L * i, 8));
    }

    KernelArgs reset() {
        count = 0;
        return this;
    }

    /** A device pointer (0 for a null pointer). */
    KernelArgs ptr(long devicePtr) {
        return i64(devicePtr);
    }

    KernelArgs i64(long v) {
        values.set(JAVA_LONG, slot(), v);
        return this;
    }

    KernelArgs i32(int v) {
        values.set(JAVA_INT, slot(), v);
        return this;
    }

    KernelArgs i32(boolean v) {
        return i32(v ? 1 : 0);
    }

    KernelArgs f32(float v) {
        values.set(JAVA_FLOAT, slot(), v);
        return this;
    }

    MemorySegment pointers() {
        return pointers;
    }

    private long slot() {
        if (count == MAX) throw new IllegalStateException("more than " + MAX + " kernel arguments");
        return 8L * count++;
    }
}
