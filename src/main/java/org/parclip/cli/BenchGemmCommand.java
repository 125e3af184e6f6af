package org.parclip.cli;

import org.parclip.cpu.BlasSgemm;
import org.parclip.cpu.Sgemm;
import org.parclip.cpu.Sgemms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code par bench gemm}: times C = A B (row-major, no transposes, alpha 1, beta 0) and prints
 * {@code {"impl":..,"m":..,"n":..,"k":..,"threads":..,"gflops":..,"ms_median":..}} on stdout. GFLOP/s count
 * 2 m n k flops per call and use the median time.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Time single-precision GEMM C[m,n] = A[m,k] B[k,n]; prints one JSON line.")
public final class BenchGemmCommand implements Callable<Integer> {
    /** Warm-up lasts at least this long (and 3 calls), so the Java kernel runs C2-compiled when timing starts. */
    private static final long WARMUP_NANOS = 1_000_000_000L;

    @Option(names = "--m", description = "Rows of A and C (default ${DEFAULT-VALUE}).", defaultValue = "1024")
    int m;

    @Option(names = "--n", description = "Columns of B and C (default ${DEFAULT-VALUE}).", defaultValue = "1024")
    int n;

    @Option(names = "--k", description = "Columns of A, rows of B (default ${DEFAULT-VALUE}).", defaultValue = "1024")
    int k;

    @Option(names = "--backend", description = "Backend (default ${DEFAULT-VALUE}; only cpu has a GEMM to time here).",
            defaultValue = "cpu")
    String backend;

    @Option(names = "--impl", description = "GEMM implementation: blas or java (default: blas when a BLAS library loads).")
    String impl;

    @Option(names = "--threads", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = "--repeats", description = "Timed calls; the median is reported (default ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int repeats;

    @Override
    public Integer call() {
        if (!backend.equals("cpu")) throw new UserException("--backend " + backend + " is not supported (use cpu)");
        if (m < 1 || n < 1 || k < 1) throw new UserException("--m, --n and --k must be positive");
        if (repeats < 1) throw new UserException("--repeats must be positive");
        long elements = Math.max((long) m * k, Math.max((long) k * n, (long) m * n));
        if (elements > Integer.MAX_VALUE - 8) throw new UserException("matrices over 2^31 elements are not supported");
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1) throw new UserException("--threads must be positive");
        Sgemm gemm = impl == null ? Sgemms.best(t) : Sgemms.byName(impl, t);
        System.err.printf(Locale.ROOT, "bench gemm: %s%s, %d threads, m=%d n=%d k=%d, %d repeats%n", gemm.name(),
                gemm.name().equals("blas") ? " (" + BlasSgemm.library() + ")" : "", t, m, n, k, repeats);

        float[] a = random(m * k, 1), b = random(k * n, 2), c = new float[m * n];
        Runnable call = () -> gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        long warmupEnd = System.nanoTime() + WARMUP_NANOS;
        for (int i = 0; i < 3 || System.nanoTime() < warmupEnd; i++) call.run();
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        double median = repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
        double gflops = 2.0 * m * n * k / (median * 1e6);
        System.out.printf(Locale.ROOT,
                "{\"impl\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"gflops\":%.2f,\"ms_median\":%.3f}%n",
                gemm.name(), m, n, k, t, gflops, median);
        return 0;
    }

    private static float[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
