package org.parclip.cpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pool's partitioning, nesting and failure behaviour. */
class CpuBackendParallelTest {

    private static List<String> chunks(Parallel par, int n, int grain) {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        par.forRange(n, grain, (s, e) -> {
            seen.add(s + ".." + e);
            for (int i = s; i < e; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "item " + i + " runs exactly once");
        List<String> sorted = new ArrayList<>(seen);
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void staticPartitionsCoverEachItemOnceAndRespectTheGrain() {
        try (Parallel par = new Parallel(3)) {
            assertEquals(List.of("0..3", "3..6", "6..10"), chunks(par, 10, 1));
            assertEquals(List.of("0..5", "5..10"), chunks(par, 10, 5), "two chunks of at least 5");
            assertEquals(List.of("0..10"), chunks(par, 10, 100), "too little work for a hand-off");
            assertEquals(List.of(), chunks(par, 0, 1));
            for (int rep = 0; rep < 200; rep++) assertEquals(3, chunks(par, 1000, 1).size(), "the pool survives reuse");
        }
    }

    @Test
    void workRunsOnPoolThreads() {
        try (Parallel par = new Parallel(2)) {
            List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
            par.forRange(2, 1, (s, e) -> threads.add(Thread.currentThread()));
            assertEquals(2, threads.size());
            assertNotEquals(threads.get(0), threads.get(1));
            assertEquals(1, threads.stream().filter(t -> t.getName().startsWith("parclip-cpu-") && t.isDaemon()).count());
        }
    }

    @Test
    void nestedLoopsRunInlineWithTheSamePartitions() {
        try (Parallel par = new Parallel(3)) {
            List<String> inner = Collections.synchronizedList(new ArrayList<>());
            par.forRange(3, 1, (s, e) -> par.forRange(9, 1, (a, b) -> inner.add(s + ":" + a + ".." + b)));
            Collections.sort(inner);
            assertEquals(List.of("0:0..3", "0:3..6", "0:6..9", "1:0..3", "1:3..6", "1:6..9", "2:0..3", "2:3..6",
                    "2:6..9"), inner);
        }
    }

    @Test
    void aFailingChunkFailsTheLoopAndThePoolRecovers() {
        try (Parallel par = new Parallel(3)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> par.forRange(3, 1, (s, e) -> {
                if (s == 2) throw boom; // on a worker, not the caller
            }));
            assertSame(boom, thrown);
            assertEquals(3, chunks(par, 30, 1).size());
        }
    }

    @Test
    void rejectsNoThreads() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }
}
