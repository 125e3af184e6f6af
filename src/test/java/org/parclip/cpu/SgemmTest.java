package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.parclip.cli.UserException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Both GEMMs against a float64 reference: every transpose case, odd sizes, strides, offsets, alpha and beta. */
class SgemmTest {

    /** The implementations under test; "blas" cases skip (not fail) where no BLAS library is installed. */
    static Stream<String> impls() {
        return Stream.of("java:1", "java:2", "java:3", "blas:1", "blas:2");
    }

    private static Sgemm create(String spec) {
        String[] parts = spec.split(":");
        if (parts[0].equals("blas")) assumeTrue(BlasSgemm.available(), "no BLAS library on this machine");
        return Sgemms.byName(parts[0], Integer.parseInt(parts[1]));
    }

    /** Sizes around the micro-tile (8 x 32), k-block (256), m-block (128) and n-block (1024) edges. */
    private static final int[][] SIZES = {
            {1, 1, 1}, {7, 33, 5}, {33, 7, 257}, {8, 32, 256}, {9, 31, 1}, {1, 300, 600}, {300, 1, 70},
            {257, 129, 300}, {130, 520, 513}, {600, 40, 33}, {20, 1030, 40},
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        impls().forEach(impl -> {
            for (int[] s : SIZES)
                for (int t = 0; t < 4; t++) out.add(Arguments.of(impl, t >= 2, t % 2 == 1, s[0], s[1], s[2]));
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} m={3} n={4} k={5}")
    @MethodSource("cases")
    void matchesFloat64Reference(String impl, boolean transA, boolean transB, int m, int n, int k) {
        Sgemm gemm = create(impl);
        check(gemm, new Problem(transA, transB, m, n, k, 0, 0, 0, 0, 0, 0, 1f, 0f, 42));
        // Padded leading dimensions, offsets, and both alpha and beta at work.
        check(gemm, new Problem(transA, transB, m, n, k, 3, 5, 2, 7, 4, 1, -1.5f, 0.75f, 43));
        check(gemm, new Problem(transA, transB, m, n, k, 1, 0, 0, 0, 9, 3, 0.5f, 1f, 44));
    }

    @ParameterizedTest
    @MethodSource("impls")
    void betaZeroIgnoresNanAndZeroKOrAlphaOnlyScales(String impl) {
        Sgemm gemm = create(impl);
        float[] a = {1, 2, 3, 4, 5, 6}, b = {1, 0, 0, 1, 1, 1};
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[]{4, 5, 10, 11}, c);

        gemm.sgemm(false, false, 2, 2, 0, 1f, a, 0, 0, b, 0, 2, 2f, c, 0, 2);
        assertArrayEquals(new float[]{8, 10, 20, 22}, c);
        gemm.sgemm(true, true, 2, 2, 3, 0f, a, 0, 2, b, 0, 3, 0.5f, c, 0, 2);
        assertArrayEquals(new float[]{4, 5, 10, 11}, c);
        gemm.sgemm(false, false, 2, 2, 3, 0f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[4], c);
        // Empty C: nothing to do, whatever the other arguments.
        gemm.sgemm(false, false, 0, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
    }

    @ParameterizedTest
    @MethodSource("impls")
    void rejectsOutOfBoundsAndShortLeadingDimensions(String impl) {
        Sgemm gemm = create(impl);
        float[] a = new float[12], b = new float[12], c = new float[9];
        assertThrows(IllegalArgumentException.class,
                () -> gemm.sgemm(false, false, 3, 3, 4, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> gemm.sgemm(false, false, 3, 3, 4, 1f, a, 1, 4, b, 0, 3, 0f, c, 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> gemm.sgemm(false, false, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 1, 3));
        assertThrows(IllegalArgumentException.class,
                () -> gemm.sgemm(false, false, -1, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3));
    }

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        // Large enough to be split across threads, by rows and by columns.
        for (int[] s : new int[][]{{300, 200, 300}, {100, 700, 300}}) {
            Problem p = new Problem(false, true, s[0], s[1], s[2], 0, 0, 0, 0, 0, 0, 1f, 0f, 7);
            float[] one = p.run(new JavaSgemm(1));
            assertArrayEquals(one, p.run(new JavaSgemm(2)));
            assertArrayEquals(one, p.run(new JavaSgemm(3)));
            assertArrayEquals(one, p.run(new JavaSgemm(3)));
        }
    }

    /** OpenBLAS must find its thread timeout in the process environment when it loads (see BlasSgemm). */
    @Test
    @SuppressWarnings("restricted")
    void openBlasIsLoadedWithItsIdleThreadsSleepingAtOnce() throws Throwable {
        assumeTrue(BlasSgemm.available(), "no BLAS library on this machine");
        Linker linker = Linker.nativeLinker();
        MethodHandle getenv = linker.downcallHandle(linker.defaultLookup().find("getenv").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = (MemorySegment) getenv.invokeExact(arena.allocateFrom(BlasSgemm.THREAD_TIMEOUT));
            assertTrue(!value.equals(MemorySegment.NULL), BlasSgemm.THREAD_TIMEOUT + " is not set");
            String expected = System.getenv(BlasSgemm.THREAD_TIMEOUT) != null ? System.getenv(BlasSgemm.THREAD_TIMEOUT) : "4";
            assertEquals(expected, value.reinterpret(64).getString(0));
        }
    }

    @Test
    void byNameAndBest() {
        assertEquals("java", Sgemms.byName("java", 2).name());
        UserException e = assertThrows(UserException.class, () -> Sgemms.byName("cublas", 1));
        assertTrue(e.getMessage().contains("cublas"));
        if (BlasSgemm.available()) {
            assertEquals("blas", Sgemms.best(1).name());
            assertEquals("blas", Sgemms.byName("blas", 1).name());
        } else if (System.getenv(BlasSgemm.ENV) == null) {
            assertEquals("java", Sgemms.best(1).name());
            assertTrue(assertThrows(UserException.class, () -> Sgemms.byName("blas", 1)).getMessage().contains("tried"));
        }
        assertThrows(IllegalArgumentException.class, () -> new JavaSgemm(0));
    }

    /**
     * One GEMM call with random operands: op(A) [m, k], op(B) [k, n], each stored with {@code pad} extra elements
     * per row and starting at {@code off}.
     */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, int padA, int offA, int padB,
                           int offB, int padC, int offC, float alpha, float beta, long seed) {
        int rowsA() { return transA ? k : m; }
        int lda() { return (transA ? m : k) + padA; }
        int rowsB() { return transB ? n : k; }
        int ldb() { return (transB ? k : n) + padB; }
        int ldc() { return n + padC; }

        float[] a() { return random(offA + rowsA() * lda(), seed); }
        float[] b() { return random(offB + rowsB() * ldb(), seed + 1); }
        float[] c() { return random(offC + m * ldc(), seed + 2); }

        float[] run(Sgemm gemm) {
            float[] c = c();
            gemm.sgemm(transA, transB, m, n, k, alpha, a(), offA, lda(), b(), offB, ldb(), beta, c, offC, ldc());
            return c;
        }
    }

    private static float[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** Runs the problem and compares every element of C (and the untouched padding) with a float64 computation. */
    private static void check(Sgemm gemm, Problem p) {
        float[] a = p.a(), b = p.b(), c0 = p.c();
        float[] c = p.run(gemm);
        int lda = p.lda(), ldb = p.ldb(), ldc = p.ldc();
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                double sum = 0, abs = 0;
                for (int q = 0; q < p.k(); q++) {
                    double x = p.transA() ? a[p.offA() + q * lda + i] : a[p.offA() + i * lda + q];
                    double y = p.transB() ? b[p.offB() + j * ldb + q] : b[p.offB() + q * ldb + j];
                    sum += x * y;
                    abs += Math.abs(x * y);
                }
                int ci = p.offC() + i * ldc + j;
                double expected = p.alpha() * sum + (p.beta() == 0 ? 0 : p.beta() * (double) c0[ci]);
                double scale = Math.abs(p.alpha()) * abs + Math.abs(p.beta() * c0[ci]);
                double tol = 1e-6 * (p.k() + 2) * scale + 1e-30;
                if (Math.abs(c[ci] - expected) > tol)
                    throw new AssertionError(gemm.name() + " " + p + ": C[" + i + "," + j + "] = " + c[ci]
                            + ", expected " + expected);
                c0[ci] = c[ci];
            }
        }
        // Everything outside the m x n window (offset, row padding) must be as it was.
        assertTrue(Arrays.equals(c0, c), "elements outside C were written");
    }
}
