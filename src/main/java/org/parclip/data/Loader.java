package org.parclip.data;

import org.parclip.cli.UserException;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes and transforms images on background threads and delivers them in batches of [B, 3, S, S] floats.
 * The order is fixed by the seed and epoch alone: samples are submitted and collected in order, and each sample's
 * random augmentation uses its own generator derived from (seed, epoch, index), so thread timing never changes a
 * result. At most {@code prefetch} samples are decoded ahead of the consumer. Images that cannot be read are
 * skipped (the batch is filled from the following samples) and counted in {@link #failures()}.
 */
public final class Loader implements AutoCloseable {
    /** A batch: the dataset indices of its samples and their tensors, sample i at [i * 3 * S * S, (i + 1) * 3 * S * S). */
    public record Batch(int epoch, int number, int[] indices, float[] pixels) {
        public int size() {
            return indices.length;
        }
    }

    /** Told after every batch, e.g. to draw a progress bar with the decode throughput. */
    @FunctionalInterface
    public interface Listener {
        void batch(int epoch, int batchesDone, int batchesPerEpoch, long imagesDone, double imagesPerSecond);
    }

    private final ImageDataset dataset;
    private final SampleTransform transform;
    private final int sampleLength, batchSize, prefetch;
    private final boolean shuffle, dropLast;
    private final long seed;
    private final Failures failures;
    private final Listener listener;
    private final ExecutorService pool;
    private EpochIterator current;

    private Loader(Builder b) {
        this.dataset = b.dataset;
        this.transform = b.transform;
        this.sampleLength = 3 * b.imageSize * b.imageSize;
        this.batchSize = b.batchSize;
        this.prefetch = b.prefetch > 0 ? b.prefetch : b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.failures = new Failures(dataset.size(), b.maxFailureShare);
        this.listener = b.listener;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "parclip-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A loader over {@code dataset} whose samples {@code transform} turns into [3, imageSize, imageSize] tensors. */
    public static Builder builder(ImageDataset dataset, SampleTransform transform, int imageSize) {
        return new Builder(dataset, transform, imageSize);
    }

    public static final class Builder {
        private final ImageDataset dataset;
        private final SampleTransform transform;
        private final int imageSize;
        private int batchSize = 64, threads = Math.max(1, Runtime.getRuntime().availableProcessors()), prefetch;
        private boolean shuffle, dropLast;
        private long seed;
        private double maxFailureShare = Failures.DEFAULT_MAX_SHARE;
        private Listener listener = (e, d, t, i, r) -> { };

        private Builder(ImageDataset dataset, SampleTransform transform, int imageSize) {
            this.dataset = dataset;
            this.transform = transform;
            this.imageSize = imageSize;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("batch size " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        public Builder threads(int threads) {
            if (threads <= 0) throw new IllegalArgumentException("threads " + threads);
            this.threads = threads;
            return this;
        }

        /** Samples decoded ahead of the consumer; default one batch, so the next batch is ready after a step. */
        public Builder prefetch(int samples) {
            if (samples <= 0) throw new IllegalArgumentException("prefetch " + samples);
            this.prefetch = samples;
            return this;
        }

        /** Reshuffle every epoch with a permutation derived from {@code seed} and the epoch number. */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /** The seed of per-sample randomness (augmentation) when not shuffling; shuffle(seed) sets it too. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Drop a last, incomplete batch (training); by default it is delivered (evaluation). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        public Builder maxFailureShare(double share) {
            this.maxFailureShare = share;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = listener;
            return this;
        }

        public Loader build() {
            return new Loader(this);
        }
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Images skipped so far and the limit on them. */
    public Failures failures() {
        return failures;
    }

    /**
     * The batches of epoch {@code epoch} (0-based). Starting an epoch abandons the one before. The iterator rethrows
     * a {@link UserException} when too many images fail, and the transform's own exceptions as they are.
     */
    public synchronized Iterator<Batch> epoch(int epoch) {
        if (pool.isShutdown()) throw new IllegalStateException("loader closed");
        if (current != null) current.cancel();
        current = new EpochIterator(epoch, order(epoch));
        return current;
    }

    private int[] order(int epoch) {
        int n = dataset.size();
        if (shuffle) return Shuffle.permutation(n, new SplittableRandom(mix(seed, epoch, -1)));
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return order;
    }

    /**
     * A well-mixed seed for (seed, epoch, index): SplitMix64's finaliser over the combination, so nearby seeds and
     * indices give unrelated streams (seeding SplittableRandom with seeds a multiple of its gamma apart would not).
     */
    public static long mix(long seed, int epoch, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (1 + ((long) epoch << 32 ^ (index & 0xffffffffL)));
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private float[] load(int epoch, int index) {
        if (failures.hasFailed(index)) return null;
        RgbImage image;
        try {
            image = ImageDecoder.read(dataset.image(index));
        } catch (IOException e) {
            failures.record(index, dataset.image(index), e);
            return null;
        }
        float[] x = transform.apply(image, new SplittableRandom(mix(seed, epoch, index)));
        if (x.length != sampleLength)
            throw new IllegalStateException("transform made " + x.length + " values, expected " + sampleLength);
        return x;
    }

    private record Pending(int index, Future<float[]> result) {
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();
        private final long start = System.nanoTime();
        private int submitted, batches;
        private long images;
        private Batch next;
        private boolean finished;

        EpochIterator(int epoch, int[] order) {
            this.epoch = epoch;
            this.order = order;
            fill();
        }

        private void fill() {
            while (pending.size() < prefetch && submitted < order.length) {
                int index = order[submitted++];
                pending.add(new Pending(index, pool.submit(() -> load(epoch, index))));
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null && !finished) next = assemble();
            return next != null;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Batch b = next;
            next = null;
            return b;
        }

        private Batch assemble() {
            float[] pixels = new float[batchSize * sampleLength];
            int[] indices = new int[batchSize];
            int k = 0;
            while (k < batchSize && !pending.isEmpty()) {
                Pending p = pending.poll();
                float[] x = await(p.result);
                fill();
                if (x == null) continue;
                System.arraycopy(x, 0, pixels, k * sampleLength, sampleLength);
                indices[k++] = p.index;
            }
            if (k == 0 || (dropLast && k < batchSize)) {
                finished = true;
                return null;
            }
            if (k < batchSize) {
                pixels = Arrays.copyOf(pixels, k * sampleLength);
                indices = Arrays.copyOf(indices, k);
            }
            images += k;
            batches++;
            listener.batch(epoch, batches, batchesPerEpoch(), images, images / ((System.nanoTime() - start) / 1e9));
            return new Batch(epoch, batches - 1, indices, pixels);
        }

        private float[] await(Future<float[]> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new IllegalStateException("interrupted while loading images", e);
            } catch (ExecutionException e) {
                cancel();
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }

        void cancel() {
            finished = true;
            next = null;
            for (Pending p : pending) p.result.cancel(true);
            pending.clear();
        }
    }

    /** Stops the decoding threads; pending work is abandoned. */
    @Override
    public synchronized void close() {
        if (current != null) current.cancel();
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS))
                throw new IllegalStateException("image loader threads did not stop within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
