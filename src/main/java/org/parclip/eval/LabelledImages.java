package org.parclip.eval;

import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.LabelledDataset;
import org.parclip.data.Preprocess;

import java.util.Arrays;

/**
 * A labelled image set decoded once into preprocessed arrays, clean and (optionally) triggered: spec §7 applies
 * the trigger to the image resized straight to S x S (224, or 336 for the 336-pixel models), then the usual
 * preprocessing follows. Unreadable images are skipped in both (the loader reports them), so clean and triggered
 * rows stay aligned.
 */
public record LabelledImages(float[] clean, float[] triggered, int[] labels, int failures) {

    public static LabelledImages load(LabelledDataset data, int imageSize, Attack attack, long seed, int workers) {
        Preprocess pre = Preprocess.clip(imageSize);
        DecodedImages c = DecodedImages.decode(data, pre, imageSize, seed, workers);
        float[] trig = null;
        if (attack != null) {
            DecodedImages d = DecodedImages.decode(data, Attacks.triggered(attack, pre), imageSize, seed, workers);
            if (!Arrays.equals(c.indices(), d.indices())) throw new IllegalStateException("clean and triggered sets differ");
            trig = d.pixels();
        }
        return new LabelledImages(c.pixels(), trig, data.labels(c.indices()), c.failures());
    }
}
