package org.parclip.data;

import java.util.random.RandomGenerator;

/** Turns one decoded image into the model's input, a [3, S, S] float tensor. */
@FunctionalInterface
public interface SampleTransform {
    /**
     * @param rng the sample's own generator (the {@link Loader} derives it from seed, epoch and index, so results do
     *            not depend on which thread runs the transform); deterministic transforms ignore it
     */
    float[] apply(RgbImage image, RandomGenerator rng);
}
