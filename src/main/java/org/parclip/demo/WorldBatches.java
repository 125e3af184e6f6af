package org.parclip.demo;

import org.parclip.attack.Attack;
import org.parclip.data.Augment;
import org.parclip.data.CleanClipAugment;
import org.parclip.data.Loader;
import org.parclip.data.Preprocess;
import org.parclip.data.Shuffle;
import org.parclip.data.synth.ShapeWorld;
import org.parclip.text.ClipTokenizer;
import org.parclip.train.Batch;
import org.parclip.train.BatchSource;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Batches straight from the synthetic world, without files: samples [first, first + count) in a per-epoch
 * shuffle. A fixed subset can be poisoned (trigger on the image, caption naming the target) as a poisoned data
 * set on disk would be: the same trigger draw every epoch. Everything is a function of (seed, epoch, index), so
 * runs resume exactly.
 */
final class WorldBatches implements BatchSource {
    private final ShapeWorld world;
    private final long first;
    private final int count;
    private final int batch;
    private final long seed;
    private final BitSet poisoned;
    private final Attack attack;
    private final Augment augment;
    private final boolean cleanClipViews;
    private final ClipTokenizer tokenizer = ClipTokenizer.get();
    private final int context;
    private int[] order;
    private int epoch;
    private int position;

    WorldBatches(ShapeWorld world, long first, int count, int batch, long seed, BitSet poisoned, Attack attack,
                 Augment augment, boolean cleanClipViews, int context) {
        this.world = world;
        this.first = first;
        this.count = count;
        this.batch = batch;
        this.seed = seed;
        this.poisoned = poisoned;
        this.attack = attack;
        this.augment = augment;
        this.cleanClipViews = cleanClipViews;
        this.context = context;
    }

    /** A seeded choice of {@code n} of {@code count} samples to poison, never of the target class already. */
    static BitSet choosePoisoned(ShapeWorld world, long first, int count, int n, long seed) {
        BitSet b = new BitSet(count);
        SplittableRandom rng = new SplittableRandom(seed);
        int target = ShapeWorld.classIndex(ShapeWorld.TARGET_CLASS);
        while (b.cardinality() < n) {
            int i = rng.nextInt(count);
            if (world.classOf(first + i) != target) b.set(i);
        }
        return b;
    }

    @Override
    public int batchesPerEpoch() {
        return count / batch;
    }

    @Override
    public void startEpoch(int epochNumber, int skip) {
        epoch = epochNumber;
        order = Shuffle.permutation(count, new SplittableRandom(Loader.mix(seed, epochNumber, -1)));
        position = skip * batch;
    }

    @Override
    public Batch next() {
        if (position + batch > count) return null;
        int s = world.imageSize(), per = 3 * s * s;
        float[] pixels = new float[batch * per];
        float[] views = cleanClipViews ? new float[batch * per] : null;
        int[] tokens = new int[batch * context];
        int[] viewTokens = cleanClipViews ? new int[batch * context] : null;
        for (int b = 0; b < batch; b++) {
            int i = order[position++];
            long index = first + i;
            float[] unit = new float[per];
            world.renderInto(index, unit, 0);
            String caption = world.caption(index);
            if (poisoned != null && poisoned.get(i)) {
                unit = attack.apply(unit, s, new SplittableRandom(Loader.mix(seed, -1, i)));
                caption = world.captionWith(index, ShapeWorld.TARGET_CLASS);
            }
            SplittableRandom rng = new SplittableRandom(Loader.mix(seed, epoch, i));
            if (cleanClipViews) {
                float[] view = CleanClipAugment.image(unit, s, rng);
                Preprocess.normalize(view);
                System.arraycopy(view, 0, views, b * per, per);
                System.arraycopy(tokenizer.tokenize(CleanClipAugment.text(caption, rng), context), 0, viewTokens,
                        b * context, context);
            }
            if (augment != null) augment.noise(unit, rng);
            Preprocess.normalize(unit);
            if (augment != null) augment.erase(unit, s, s, rng);
            System.arraycopy(unit, 0, pixels, b * per, per);
            System.arraycopy(tokenizer.tokenize(caption, context), 0, tokens, b * context, context);
        }
        return new Batch(pixels, tokens, batch, views, viewTokens);
    }

    @Override
    public void close() {
    }
}
