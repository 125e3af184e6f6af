package org.parclip.data;

import java.util.random.RandomGenerator;

/** Seeded random orders of sample indices (epoch shuffles, subsets, poisoned rows). */
public final class Shuffle {
    private Shuffle() {
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates), a function of the generator's state only. */
    public static int[] permutation(int n, RandomGenerator rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
