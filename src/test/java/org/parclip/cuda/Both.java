package org.parclip.cuda;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The same tensors on the CPU backend (the reference) and the CUDA backend, for parity tests: {@link P} pairs a
 * CPU tensor with its GPU twin holding the same values.
 */
final class Both {
    final Backend cpu;
    final CudaBackend gpu;
    private final Random random = new Random(42);

    record P(Tensor c, Tensor g) {
        P slice(int start, int end) {
            return new P(c.slice(start, end), g.slice(start, end));
        }
    }

    Both(Backend cpu, CudaBackend gpu) {
        this.cpu = cpu;
        this.gpu = gpu;
    }

    float[] randomValues(long n, double scale) {
        float[] d = new float[Math.toIntExact(n)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (random.nextGaussian() * scale);
        return d;
    }

    P of(float[] data, int... shape) {
        return new P(cpu.fromHost(data, shape), gpu.fromHost(data, shape));
    }

    /** Normal values with standard deviation 1. */
    P rand(int... shape) {
        return rand(1.0, shape);
    }

    P rand(double scale, int... shape) {
        return of(randomValues(numel(shape), scale), shape);
    }

    /** Values in [lo, hi). */
    P uniform(double lo, double hi, int... shape) {
        float[] d = new float[Math.toIntExact(numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * random.nextDouble());
        return of(d, shape);
    }

    P zeros(int... shape) {
        return new P(cpu.allocate(shape), gpu.allocate(shape));
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    static long numel(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** fp32 parity: see {@link #assertClose}. */
    void check(String what, P p) {
        check(what, p, 1e-5);
    }

    void check(String what, P p, double rtol) {
        assertClose(what, cpu.toHost(p.c), gpu.toHost(p.g), rtol);
    }

    /**
     * Every element within {@code rtol} relative error, where values smaller than a tenth of the tensor's largest
     * magnitude are measured against that tenth: sums and products that cancel to nearly zero carry the rounding
     * of their large terms, which a purely element-relative test would call a failure.
     */
    static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double max = 0;
        for (float v : expected) max = Math.max(max, Math.abs(v));
        double floor = Math.max(max * 0.1, Float.MIN_NORMAL);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(actual[i]) != Float.isNaN(expected[i])) fail(what + ": NaN mismatch at " + i);
            double err = Math.abs((double) actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        if (worst > rtol)
            fail(what + ": relative error " + worst + " > " + rtol + " at " + at + " (expected " + expected[at]
                    + ", got " + actual[at] + ")");
    }

    static void assertClose(String what, double expected, double actual, double rtol) {
        double err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
        if (err > rtol) fail(what + ": expected " + expected + ", got " + actual + " (relative error " + err + ")");
    }
}
