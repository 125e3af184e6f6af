package org.parclip.attack;

import java.util.random.RandomGenerator;

/** A backdoor trigger (spec section 7), applied to an image already resized to S x S. */
public interface Attack {
    /** The reference code's name for it ("random", "badnet_rs", "blended", ...). */
    String name();

    /**
     * The triggered image: {@code chw} is [3, size, size] RGB in [0, 1] and is left unchanged; the result is a new
     * array clipped to [0, 1]. Random triggers draw from {@code rng} only.
     */
    float[] apply(float[] chw, int size, RandomGenerator rng);
}
