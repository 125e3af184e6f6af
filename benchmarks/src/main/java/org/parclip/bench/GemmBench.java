package org.parclip.bench;

import org.parclip.cpu.Sgemm;
import org.parclip.cpu.Sgemms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * GEMM calls per second, system BLAS against the pure-Java GEMM. The blas score of the 1024 shape is also the
 * yardstick that {@link Compare} divides every other benchmark by, so results from different machines compare.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Many short iterations and two forks: Compare takes medians, which the shared build machines' bursts of load skew less.
@Warmup(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 8, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBench {
    @Param({"blas", "java"})
    public String impl;

    /**
     * "512" and "1024": square C = A B. "vit_mlp": the first MLP layer of ViT-B on 32 images of 50 tokens,
     * y[1600, 3072] = x[1600, 768] W^T with W [3072, 768], called as the model calls it (B transposed).
     */
    @Param({"512", "1024", "vit_mlp"})
    public String shape;

    @Param("2")
    public int threads;

    private Sgemm gemm;
    private int m, n, k;
    private boolean transB;
    private float[] a, b, c;

    @Setup
    public void setup() {
        switch (shape) {
            case "vit_mlp" -> { m = 32 * 50; n = 3072; k = 768; transB = true; }
            default -> { m = n = k = Integer.parseInt(shape); transB = false; }
        }
        gemm = Sgemms.byName(impl, threads);
        a = random(m * k, 1);
        b = random(k * n, 2);
        c = new float[m * n];
    }

    @Benchmark
    public float[] gemm() {
        gemm.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    static float[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
