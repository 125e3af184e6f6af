package org.parclip.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoaderTest {
    private static final int S = 32;
    private static final String[] SOURCES = {"portrait.png", "grey.png", "small.png", "landscape.jpg", "palette.png", "wide.png"};

    @TempDir
    Path dir;

    /** A CSV of n rows over the fixture images; rows listed in {@code missing} and {@code corrupt} point at bad files. */
    private CsvDataset dataset(int n, List<Integer> missing, List<Integer> corrupt) throws IOException {
        StringBuilder csv = new StringBuilder("image,caption\n");
        for (int i = 0; i < n; i++) {
            String file;
            if (missing.contains(i)) file = "missing-" + i + ".jpg";
            else if (corrupt.contains(i)) file = Fixtures.path(i % 2 == 0 ? "corrupt.jpg" : "notanimage.png").toString();
            else file = Fixtures.path(SOURCES[i % SOURCES.length]).toString();
            csv.append(file).append(",caption ").append(i).append('\n');
        }
        return CsvDataset.read(Files.writeString(dir.resolve("data.csv"), csv), null, CsvDataset.Columns.DEFAULT);
    }

    private static List<Loader.Batch> run(Loader loader, int epoch) {
        List<Loader.Batch> out = new ArrayList<>();
        loader.epoch(epoch).forEachRemaining(out::add);
        return out;
    }

    @Test
    void resultsDoNotDependOnThreadCountOrTiming() throws IOException {
        CsvDataset data = dataset(23, List.of(), List.of());
        SampleTransform augmented = Preprocess.clip(S).withAugment(Augment.par());
        List<Loader.Batch> one, three;
        try (Loader l = Loader.builder(data, augmented, S).batchSize(4).threads(1).shuffle(7).build()) {
            one = run(l, 1);
        }
        try (Loader l = Loader.builder(data, augmented, S).batchSize(4).threads(3).prefetch(3).shuffle(7).build()) {
            three = run(l, 1);
        }
        assertEquals(6, one.size());
        assertEquals(one.size(), three.size());
        for (int b = 0; b < one.size(); b++) {
            assertArrayEquals(one.get(b).indices(), three.get(b).indices());
            assertArrayEquals(one.get(b).pixels(), three.get(b).pixels());
        }
        assertEquals(3, one.get(5).size()); // 23 = 5 x 4 + 3, last batch kept by default
    }

    @Test
    void everySampleOncePerEpochInAnEpochDependentOrder() throws IOException {
        CsvDataset data = dataset(12, List.of(), List.of());
        try (Loader l = Loader.builder(data, Preprocess.clip(S), S).batchSize(5).threads(2).shuffle(3).dropLast(true).build()) {
            assertEquals(2, l.batchesPerEpoch());
            List<Loader.Batch> e0 = run(l, 0), e1 = run(l, 1), again = run(l, 0);
            assertEquals(2, e0.size());
            assertArrayEquals(e0.get(0).indices(), again.get(0).indices());
            assertNotEquals(List.of(e0.get(0).indices()[0], e0.get(0).indices()[1], e0.get(0).indices()[2]),
                    List.of(e1.get(0).indices()[0], e1.get(0).indices()[1], e1.get(0).indices()[2]));
            BitSet seen = new BitSet();
            for (Loader.Batch b : e0) for (int i : b.indices()) {
                assertFalse(seen.get(i));
                seen.set(i);
            }
            assertEquals(10, seen.cardinality()); // 12 samples, batches of 5, the last 2 dropped
            // the batch holds exactly what the transform makes of each image
            Loader.Batch b = e0.get(1);
            float[] expected = Preprocess.clip(S).apply(ImageDecoder.read(data.image(b.indices()[2])));
            float[] actual = java.util.Arrays.copyOfRange(b.pixels(), 2 * 3 * S * S, 3 * 3 * S * S);
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void missingAndCorruptImagesAreSkippedCountedAndReported() throws IOException {
        CsvDataset data = dataset(30, List.of(3), List.of(8, 13)); // 10%: the most that is tolerated
        AtomicInteger batches = new AtomicInteger();
        try (Loader l = Loader.builder(data, Preprocess.clip(S), S).batchSize(4).threads(2)
                .listener((epoch, done, total, images, rate) -> {
                    if (epoch == 0) assertEquals(batches.incrementAndGet(), done);
                    assertTrue(rate > 0);
                }).build()) {
            List<Loader.Batch> out = run(l, 0);
            int delivered = out.stream().mapToInt(Loader.Batch::size).sum();
            assertEquals(27, delivered);
            assertEquals(4, out.get(0).size());
            assertEquals(3, out.get(6).size()); // 27 = 6 x 4 + 3: batches are refilled from later samples
            assertEquals(7, batches.get());
            assertEquals(3, l.failures().count());
            String summary = l.failures().summary();
            assertTrue(summary.startsWith("skipped 3 of 30 images"), summary);
            assertTrue(summary.contains("missing-3.jpg (missing)"), summary);
            run(l, 1); // known failures are not counted twice
            assertEquals(3, l.failures().count());
        }
    }

    @Test
    void tooManyFailuresStopTheRun() throws IOException {
        CsvDataset data = dataset(10, List.of(1, 4), List.of(7)); // 30% > 10%
        try (Loader l = Loader.builder(data, Preprocess.clip(S), S).batchSize(2).threads(2).build()) {
            Iterator<Loader.Batch> it = l.epoch(0);
            UserException e = assertThrows(UserException.class, () -> it.forEachRemaining(b -> { }));
            assertTrue(e.getMessage().contains("more than 10%"), e.getMessage());
        }
        try (Loader l = Loader.builder(data, Preprocess.clip(S), S).batchSize(2).maxFailureShare(0.3).build()) {
            assertEquals(7, run(l, 0).stream().mapToInt(Loader.Batch::size).sum());
        }
    }

    @Test
    void closeStopsTheThreads() throws IOException, InterruptedException {
        CsvDataset data = dataset(40, List.of(), List.of());
        Loader l = Loader.builder(data, Preprocess.clip(S), S).batchSize(4).threads(2).build();
        Iterator<Loader.Batch> it = l.epoch(0);
        it.next(); // work is pending for the following batches
        l.close();
        assertThrows(IllegalStateException.class, () -> l.epoch(1));
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.getName().startsWith("parclip-loader-")) {
                t.join(5000);
                assertFalse(t.isAlive(), t.getName() + " still running");
            }
    }
}
