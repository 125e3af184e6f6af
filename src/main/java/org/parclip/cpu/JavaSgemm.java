package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pure-Java GEMM on the Vector API: the fallback when no system BLAS is found.
 *
 * <h2>Blocking scheme</h2>
 * The GotoBLAS/BLIS structure, in row-major form: C's columns are the vector dimension, so a micro-tile of C is
 * {@link #MR} rows by {@link #NR} = 2 vectors of columns, held in 2 * MR vector registers and updated by one FMA per
 * register per step of k (a broadcast element of A times a vector of B).
 * <pre>
 * for jc in n, step NC                        B block  [KC x NC] packed (256 x 1024 floats = 1 MiB)
 *   for pc in k, step KC
 *     pack op(B)[pc.., jc..] into NR-wide column panels, zero-padded
 *     for ic in m, step MC
 *       pack op(A)[ic.., pc..] into MR-high row panels, zero-padded
 *       for ir in mc, step MR                 A micro-panel [MR x KC] (8 KiB) stays in L1 ...
 *         for jr in nc, step NR               ... while the B micro-panels [KC x NR] stream from L2
 *           micro-kernel: MR x NR tile += A micro-panel * B micro-panel
 * </pre>
 * The A micro-panel, not the B one, is the L1-resident operand because a B micro-panel of KC x 32 floats would fill
 * the whole 32 KiB L1 by itself. The B micro-panels are read in order, so prefetching streams them from L2/L3 well
 * enough that a B block the size of the L2 (NC = 1024) ran 5-10% faster than a half-size one (Zen 4, 1 MiB L2,
 * 1024^3 and ViT shapes); KC between 192 and 512 made little difference. Packing makes every operand contiguous,
 * so the four transpose cases differ only in how the packing routines read, and zero padding lets partial tiles run
 * the same kernel.
 *
 * <h2>Threads and determinism</h2>
 * C is cut into at most {@code threads} contiguous row (or column) ranges, rounded to whole micro-tiles; each thread
 * runs the sequential algorithm above on its range with its own packing buffers. k is never split, and every element
 * of C sees the same sequence of operations whatever the partition, so results do not depend on the thread count.
 */
public final class JavaSgemm implements Sgemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int V = SPECIES.length();
    /** Rows of a micro-tile: 2 * MR accumulators + 2 B vectors + 1 broadcast fit the 32 AVX-512 registers. */
    static final int MR = 8;
    /** Columns of a micro-tile: two vectors. */
    static final int NR = 2 * V;
    static final int KC = 256;
    /** Rows of A packed at a time; only bounds the A buffer (the A block streams, see the class comment). */
    static final int MC = 128;
    static final int NC = 1024;
    /** Below this many multiply-adds (about 10 microseconds of work) handing work to threads costs more than it saves. */
    private static final long PARALLEL_MIN_MACS = 1L << 19;

    private final int threads;
    /** threads - 1 workers; the calling thread takes the last share. Null when single-threaded. */
    private final ThreadPoolExecutor pool;
    private final ThreadLocal<Workspace> workspace = ThreadLocal.withInitial(Workspace::new);

    public JavaSgemm(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.threads = threads;
        if (threads == 1) {
            pool = null;
        } else {
            AtomicInteger count = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads - 1, threads - 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "parclip-sgemm-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            // Idle instances give their threads back; a new call restarts them.
            pool.allowCoreThreadTimeOut(true);
        }
    }

    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        if (Sgemms.prologue(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc))
            return;
        int parts = pool == null || (long) m * n * k < PARALLEL_MIN_MACS ? 1 : threads;
        // Split the longer side of C, in whole micro-tiles so that no tile straddles two threads.
        boolean byRows = m >= n;
        int unit = byRows ? MR : NR;
        int len = byRows ? m : n;
        int chunk = Math.ceilDiv(Math.ceilDiv(len, parts), unit) * unit;
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int start = 0; start < len; start += chunk) {
            int size = Math.min(chunk, len - start);
            int mi = byRows ? size : m, ni = byRows ? n : size;
            int i0 = byRows ? start : 0, j0 = byRows ? 0 : start;
            int aOff = aOffset + (transA ? i0 : i0 * lda);
            int bOff = bOffset + (transB ? j0 * ldb : j0);
            int cOff = cOffset + i0 * ldc + j0;
            Runnable part = () -> sequential(transA, transB, mi, ni, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc);
            if (start + chunk >= len) part.run();
            else futures.add(pool.submit(part));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for GEMM threads", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Per-thread packing buffers and the micro-tile scratch; sized once for the largest blocks. */
    private static final class Workspace {
        final float[] aPack = new float[MC * KC];
        final float[] bPack = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    /** The blocked algorithm of the class comment on one thread; arguments are already checked. */
    private void sequential(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                            float beta, float[] c, int cOffset, int ldc) {
        Workspace ws = workspace.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOffset, ldb, pc, jc, kc, nc, ws.bPack);
                // beta applies once, when the first k block lands in C; later blocks accumulate.
                float blockBeta = pc == 0 ? beta : 1f;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOffset, lda, ic, pc, mc, kc, ws.aPack);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        for (int jr = 0; jr < nc; jr += NR) {
                            kernel(kc, ws.aPack, ir * kc, ws.bPack, jr * kc, ws.tile);
                            store(ws.tile, rows, Math.min(NR, nc - jr), alpha, blockBeta,
                                    c, cOffset + (ic + ir) * ldc + jc + jr, ldc);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] as consecutive MR x kc micro-panels, each stored k-major
     * ({@code dst[panel * MR * kc + p * MR + r]}), rows past mc zero.
     */
    private static void packA(boolean transA, float[] a, int aOffset, int lda, int i0, int p0, int mc, int kc,
                              float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * kc;
            int rows = Math.min(MR, mc - ir);
            if (transA) {
                // op(A)(i, p) = a[p * lda + i]: each k step reads MR consecutive elements.
                for (int p = 0; p < kc; p++) {
                    int src = aOffset + (p0 + p) * lda + i0 + ir;
                    int d = base + p * MR;
                    System.arraycopy(a, src, dst, d, rows);
                    for (int r = rows; r < MR; r++) dst[d + r] = 0f;
                }
            } else {
                // op(A)(i, p) = a[i * lda + p]: read each row contiguously, write with stride MR.
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        int src = aOffset + (i0 + ir + r) * lda + p0;
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] as consecutive kc x NR micro-panels, each stored k-major
     * ({@code dst[panel * NR * kc + p * NR + j]}), columns past nc zero.
     */
    private static void packB(boolean transB, float[] b, int bOffset, int ldb, int p0, int j0, int kc, int nc,
                              float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            int cols = Math.min(NR, nc - jr);
            if (transB) {
                // op(B)(p, j) = b[j * ldb + p]: read each column of op(B) contiguously, write with stride NR.
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        int src = bOffset + (j0 + jr + j) * ldb + p0;
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                    }
                }
            } else {
                // op(B)(p, j) = b[p * ldb + j]: each k step copies NR consecutive elements.
                for (int p = 0; p < kc; p++) {
                    int d = base + p * NR;
                    System.arraycopy(b, bOffset + (p0 + p) * ldb + j0 + jr, dst, d, cols);
                    for (int j = cols; j < NR; j++) dst[d + j] = 0f;
                }
            }
        }
    }

    /**
     * tile[MR x NR] = A micro-panel * B micro-panel over kc steps. The 16 accumulators are named locals so that C2
     * keeps them in registers; each step is 2 vector loads of B, 8 broadcasts of A and 16 FMAs.
     */
    private static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, V);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + V);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + V);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + V);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + V);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + V);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + V);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + V);
    }

    /**
     * C[rows x cols] = alpha * tile + beta * C (beta == 0 ignores C's old contents, as BLAS does). Partial tiles use
     * masked loads and stores, so edge elements get exactly the arithmetic of interior ones.
     */
    private static void store(float[] tile, int rows, int cols, float alpha, float beta, float[] c, int ci, int ldc) {
        FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
        for (int v = 0; v < cols; v += V) {
            VectorMask<Float> mask = SPECIES.indexInRange(v, cols);
            for (int r = 0; r < rows; r++) {
                FloatVector acc = FloatVector.fromArray(SPECIES, tile, r * NR + v);
                int at = ci + r * ldc + v;
                FloatVector out;
                if (beta == 0f) {
                    out = acc.mul(alphas);
                } else {
                    FloatVector old = FloatVector.fromArray(SPECIES, c, at, mask);
                    out = acc.fma(alphas, beta == 1f ? old : old.mul(beta));
                }
                out.intoArray(c, at, mask);
            }
        }
    }
}
