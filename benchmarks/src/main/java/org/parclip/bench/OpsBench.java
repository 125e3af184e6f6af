package org.parclip.bench;

import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.Sgemms;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * CPU backend ops at ViT-B/32 training shapes: a batch of 32 images, 50 tokens of width 768, 12 heads. Written
 * against {@link Backend}, so only the setup names the CPU implementation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Many short iterations and two forks: Compare takes medians, which the shared build machines' bursts of load skew less.
@Warmup(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 8, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class OpsBench {
    private static final int BATCH = 32, SEQ = 50, WIDTH = 768, HEADS = 12, ROWS = BATCH * SEQ;

    @Param("2")
    public int threads;

    private Backend backend;
    private Tensor x, weight, bias, normed, mean, rstd;
    private Tensor scores, probs;
    private Tensor qkv, attended, saved;

    @Setup
    public void setup() {
        backend = new CpuBackend(threads, Sgemms.best(threads));
        x = random(1, ROWS, WIDTH);
        weight = random(2, WIDTH);
        bias = random(3, WIDTH);
        normed = backend.allocate(ROWS, WIDTH);
        mean = backend.allocate(ROWS);
        rstd = backend.allocate(ROWS);
        scores = random(4, BATCH * HEADS * SEQ, SEQ);
        probs = backend.allocate(BATCH * HEADS * SEQ, SEQ);
        qkv = random(5, ROWS, 3 * WIDTH);
        attended = backend.allocate(ROWS, WIDTH);
        saved = backend.allocate(backend.attentionSavedShape(BATCH, HEADS, SEQ));
    }

    @TearDown
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public Tensor layerNormForward() {
        backend.layerNormForward(x, weight, bias, 1e-5f, normed, mean, rstd);
        return normed;
    }

    @Benchmark
    public Tensor softmaxRows() {
        backend.softmaxRows(scores, probs);
        return probs;
    }

    @Benchmark
    public Tensor attentionForward() {
        backend.attentionForward(qkv, attended, saved, BATCH, SEQ, HEADS, false);
        return attended;
    }

    private Tensor random(long seed, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return backend.fromHost(GemmBench.random(n, seed), shape);
    }
}
