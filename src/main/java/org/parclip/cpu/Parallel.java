package org.parclip.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A parallel-for over a fixed set of daemon threads with static partitioning: chunk c of a loop over n items is
 * always [c*n/chunks, (c+1)*n/chunks), and the chunk count depends only on n, the grain and the thread count. So a
 * body that keeps its reductions within a chunk (or within fixed blocks) gives bitwise identical results run after
 * run, which work stealing would not guarantee. The calling thread runs chunk 0 itself; a loop started while
 * another is running (from a body, or from a second caller thread) runs its chunks inline, in order, with the same
 * partitioning, so its results do not change either.
 */
final class Parallel implements AutoCloseable {

    /** A loop body over items [start, end). */
    @FunctionalInterface
    interface Range {
        void run(int start, int end);
    }

    /** Spins before parking: dispatches come in bursts (one per op), so a short spin saves most wake-ups. */
    private static final int SPINS = 1 << 12;

    /** Work (about one element or one multiply-add each) below which handing a chunk to a thread costs more than it saves. */
    static final int MIN_WORK = 1 << 15;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;
    private volatile boolean closed;

    Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs body over [0, n) in at most {@code threads} chunks of at least {@code grain} items each. */
    void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = (int) Math.min(threads, (n + (long) Math.max(1, grain) - 1) / Math.max(1, grain));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        if (closed || !busy.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) body.run(lo(n, chunks, c), lo(n, chunks, c + 1));
            return;
        }
        try {
            Job j = new Job(body, n, chunks, Thread.currentThread());
            job = j;
            for (int w = 0; w < chunks - 1; w++) LockSupport.unpark(workers[w]);
            j.runChunk(0);
            for (int spin = 0; j.pending.get() > 0; spin++) {
                if (spin < SPINS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            Throwable t = j.failure.get();
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        } finally {
            busy.set(false);
        }
    }

    /** Items per chunk for a loop whose items each cost {@code itemWork}. */
    static int grain(long itemWork) {
        return (int) Math.max(1, MIN_WORK / Math.max(1, itemWork));
    }

    private static int lo(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** One dispatch, published through a single volatile field so a worker sees its fields consistently. */
    private static final class Job {
        final Range body;
        final int n;
        final int chunks;
        final Thread caller;
        /** Chunks still running on workers; the caller's own chunk is not counted. */
        final AtomicInteger pending;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(Range body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.pending = new AtomicInteger(chunks - 1);
        }

        void runChunk(int c) {
            try {
                body.run(lo(n, chunks, c), lo(n, chunks, c + 1));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    private final class Worker extends Thread {
        private final int index;

        Worker(int index) {
            super("parclip-cpu-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            int spin = 0;
            while (!closed) {
                Job j = job;
                if (j == seen) {
                    if (spin++ < SPINS) Thread.onSpinWait();
                    else LockSupport.park(Parallel.this);
                    continue;
                }
                seen = j;
                spin = 0;
                if (index < j.chunks) {
                    j.runChunk(index);
                    if (j.pending.decrementAndGet() == 0) LockSupport.unpark(j.caller);
                }
            }
        }
    }
}
