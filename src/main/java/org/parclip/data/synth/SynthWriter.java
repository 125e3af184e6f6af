package org.parclip.data.synth;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.parclip.io.AtomicFiles;
import org.parclip.io.Json;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import java.util.function.LongFunction;

/**
 * Writes a {@link ShapeWorld} to disk in the layout the rest of parclip reads:
 * <pre>
 * DIR/images/train/000000.png ...   DIR/train.csv      image,caption   (CC3M layout, paths relative to DIR)
 * DIR/images/eval/000000.png ...    DIR/eval.csv       image,label     (label = class name)
 * DIR/classes.json                  JSON list of class names
 * DIR/templates.json                JSON list of zero-shot templates with "{}"
 * </pre>
 * Train sample {@code i} is world index {@code i}; eval sample {@code j} is {@code EVAL_OFFSET + j}.
 *
 * <p>The CSVs are the commit point: stale ones are deleted first and new ones are written to a temporary file and
 * renamed once every image they name exists, so a crashed run never leaves a CSV naming missing or stale images.
 */
public final class SynthWriter {
    private static final int CHUNK = 64;

    private final ShapeWorld world;
    private final int threads;
    private final PrintStream progress;

    /** @param progress where progress lines go (stderr in the CLI); null for silence */
    public SynthWriter(ShapeWorld world, int threads, PrintStream progress) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.world = world;
        this.threads = threads;
        this.progress = progress;
    }

    public void write(Path dir, int trainSize, int evalSize) throws IOException {
        if (trainSize < 0 || evalSize < 0) throw new IllegalArgumentException("sizes must be >= 0");
        Files.createDirectories(dir);
        Path trainCsv = dir.resolve("train.csv"), evalCsv = dir.resolve("eval.csv");
        Files.deleteIfExists(trainCsv);
        Files.deleteIfExists(evalCsv);

        String[] captions = writeImages(dir, "train", trainSize, i -> i, world::caption);
        String[] labels = writeImages(dir, "eval", evalSize, j -> ShapeWorld.EVAL_OFFSET + j,
                k -> ShapeWorld.classNames().get(world.classOf(k)));

        writeJson(dir.resolve("classes.json"), ShapeWorld.classNames());
        writeJson(dir.resolve("templates.json"), ShapeWorld.zeroShotTemplates());
        writeCsv(evalCsv, "label", "eval", labels);
        writeCsv(trainCsv, "caption", "train", captions);
    }

    /** Relative path of image {@code i} of a split, as the CSV names it (always '/'-separated). */
    public static String imagePath(String split, int i) {
        return "images/" + split + "/" + String.format("%06d", i) + ".png";
    }

    /** Renders and PNG-encodes ({@link Png}) {@code n} images on {@code threads} workers; returns each one's CSV text column. */
    private String[] writeImages(Path dir, String split, int n, IntToLongFunction index, LongFunction<String> text)
            throws IOException {
        String[] column = new String[n];
        if (n == 0) return column;
        Files.createDirectories(dir.resolve("images").resolve(split));
        AtomicInteger next = new AtomicInteger(), done = new AtomicInteger(), reported = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synth-png");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                futures.add(pool.submit(() -> {
                    Png png = new Png();
                    int size = world.imageSize();
                    try {
                        for (int from; (from = next.getAndAdd(CHUNK)) < n; ) {
                            for (int i = from; i < Math.min(n, from + CHUNK); i++) {
                                long k = index.applyAsLong(i);
                                BufferedImage img = world.renderImage(k);
                                int[] rgb = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
                                Files.write(dir.resolve(imagePath(split, i)), png.encode(rgb, size, size));
                                column[i] = text.apply(k);
                            }
                            report(split, done.addAndGet(Math.min(CHUNK, n - from)), n, reported, start);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return column;
    }

    /** One line per 10% (and at the end), with the rate so far. */
    private void report(String split, int done, int n, AtomicInteger reported, long start) {
        if (progress == null) return;
        int tenth = (int) (10L * done / n);
        int prev = reported.get();
        if (tenth > prev && reported.compareAndSet(prev, tenth)) {
            double s = (System.nanoTime() - start) / 1e9;
            progress.printf("synth: %s %d/%d images (%.0f images/s)%n", split, done, n, done / Math.max(s, 1e-9));
        }
    }

    private static void writeCsv(Path target, String column, String split, String[] values) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader("image", column).setRecordSeparator("\n").build();
        StringBuilder text = new StringBuilder();
        try (CSVPrinter csv = new CSVPrinter(text, format)) {
            for (int i = 0; i < values.length; i++) csv.printRecord(imagePath(split, i), values[i]);
        }
        AtomicFiles.writeString(target, text.toString());
    }

    private static void writeJson(Path target, List<String> strings) throws IOException {
        AtomicFiles.writeString(target, Json.write(strings) + "\n");
    }
}
