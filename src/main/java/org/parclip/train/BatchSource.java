package org.parclip.train;

/**
 * Where the trainer's batches come from. Order and augmentation must be a function of (seed, epoch, position)
 * only, so that a resumed run sees exactly the batches an uninterrupted one would.
 */
public interface BatchSource extends AutoCloseable {
    /** Full batches per epoch (a last partial batch is dropped, as the reference's loader does). */
    int batchesPerEpoch();

    /** Starts epoch {@code epoch}, skipping its first {@code skip} batches (resume). */
    void startEpoch(int epoch, int skip);

    /** The next batch of the current epoch, or null when it is over. */
    Batch next();

    @Override
    void close();
}
