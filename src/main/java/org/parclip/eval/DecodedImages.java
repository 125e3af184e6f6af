package org.parclip.eval;

import org.parclip.data.ImageDataset;
import org.parclip.data.Loader;
import org.parclip.data.SampleTransform;

import java.util.Arrays;
import java.util.Iterator;

/**
 * A whole image set decoded in dataset order into one array of model inputs, on the loader's background threads.
 * Images that cannot be read are skipped (the loader counts them); {@code indices} says which rows survived.
 */
record DecodedImages(float[] pixels, int[] indices, int failures) {

    static DecodedImages decode(ImageDataset data, SampleTransform transform, int size, long seed, int workers) {
        int per = 3 * size * size;
        try (Loader loader = Loader.builder(data, transform, size).batchSize(256).threads(workers).seed(seed)
                .dropLast(false).build()) {
            float[] pixels = new float[data.size() * per];
            int[] indices = new int[data.size()];
            int n = 0;
            for (Iterator<Loader.Batch> it = loader.epoch(0); it.hasNext(); ) {
                Loader.Batch b = it.next();
                System.arraycopy(b.pixels(), 0, pixels, n * per, b.size() * per);
                System.arraycopy(b.indices(), 0, indices, n, b.size());
                n += b.size();
            }
            return new DecodedImages(Arrays.copyOf(pixels, n * per), Arrays.copyOf(indices, n), loader.failures().count());
        }
    }

    int count() {
        return indices.length;
    }
}
