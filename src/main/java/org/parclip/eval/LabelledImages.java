package org.parclip.eval;

import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.ImageDataset;
import org.parclip.data.LabelledDataset;
import org.parclip.data.Loader;
import org.parclip.data.Preprocess;
import org.parclip.data.SampleTransform;

import java.util.Arrays;
import java.util.Iterator;

/**
 * A labelled image set decoded once into preprocessed arrays, clean and (optionally) triggered: spec §7 applies
 * the trigger to the image resized straight to S x S (224, or 336 for the 336-pixel models), then the usual
 * preprocessing follows. Unreadable images
 * are skipped in both (the loader reports them), so clean and triggered rows stay aligned.
 */
public record LabelledImages(float[] clean, float[] triggered, int[] labels, int failures) {

    public static LabelledImages load(LabelledDataset data, int imageSize, Attack attack, long seed, int workers) {
        Preprocess pre = Preprocess.clip(imageSize);
        Decoded c = decode(data, pre, imageSize, seed, workers);
        float[] trig = null;
        if (attack != null) {
            Decoded d = decode(data, Attacks.triggered(attack, pre), imageSize, seed, workers);
            if (!Arrays.equals(c.indices, d.indices)) throw new IllegalStateException("clean and triggered sets differ");
            trig = d.pixels;
        }
        return new LabelledImages(c.pixels, trig, data.labels(c.indices), c.failures);
    }

    private record Decoded(float[] pixels, int[] indices, int failures) {}

    private static Decoded decode(ImageDataset data, SampleTransform transform, int size, long seed, int workers) {
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
            return new Decoded(Arrays.copyOf(pixels, n * per), Arrays.copyOf(indices, n), loader.failures().count());
        }
    }
}
