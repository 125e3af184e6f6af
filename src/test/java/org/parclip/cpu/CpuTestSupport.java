package org.parclip.cpu;

import org.parclip.tensor.Tensor;

import java.util.Random;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the CPU op tests share: seeded random data, float/double conversions, central finite differences of float64
 * reference functions, and a scaled max-error assertion.
 */
final class CpuTestSupport {
    /** Thread count of the backends under test: 3 makes the static partitions uneven on purpose. */
    static final int THREADS = 3;

    private CpuTestSupport() {
    }

    static CpuBackend backend() {
        return new CpuBackend(THREADS, new JavaSgemm(THREADS));
    }

    static double[] randn(Random rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextGaussian();
        return a;
    }

    /** Gaussian values already rounded to float, so float and double computations start from the same inputs. */
    static double[] randnF(Random rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    static float[] f32(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    static double[] f64(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static Tensor tensor(CpuBackend be, double[] data, int... shape) {
        return be.fromHost(f32(data), shape);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** a + b element-wise: the expected value of an output that accumulates b into a. */
    static double[] plus(double[] a, double[] b) {
        double[] s = a.clone();
        for (int i = 0; i < s.length; i++) s[i] += b[i];
        return s;
    }

    /** Central differences of f at x with step h (x is restored). */
    static double[] numericGradient(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = f.applyAsDouble(x);
            x[i] = keep - h;
            double down = f.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** The gradient of sum(forward(x) * weights), the scalar whose dout is {@code weights}. */
    static double[] numericGradient(Function<double[], double[]> forward, double[] x,
                                    double[] weights) {
        return numericGradient(v -> dot(forward.apply(v), weights), x, 1e-6);
    }

    /** max |expected - actual| <= tol * max |expected| (or <= tol when expected is all zero). */
    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertClose(expected, f64(actual), tol, what);
    }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        if (scale == 0) scale = 1;
        double worst = -1;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            if (Double.isNaN(err)) err = Double.POSITIVE_INFINITY;
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        if (at < 0) return;
        assertTrue(worst / scale <= tol, what + ": relative error " + worst / scale + " > " + tol + " at " + at
                + " (expected " + expected[at] + ", got " + actual[at] + ")");
    }
}
