package org.parclip.train;

import org.parclip.data.CleanClipAugment;
import org.parclip.data.CsvDataset;
import org.parclip.data.Loader;
import org.parclip.data.Preprocess;
import org.parclip.text.ClipTokenizer;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Image-caption batches from a CSV dataset: the {@link Loader} decodes and augments images on background threads
 * (order and augmentation fixed by seed, epoch and index), captions are tokenised here. Resuming mid-epoch skips
 * batches by drawing them, which costs their decoding but keeps the order exactly that of an uninterrupted run.
 * For CleanCLIP each sample also gets a second view (an AutoAugment-style copy of the loaded image and an EDA-style
 * caption), drawn from its own seeded stream.
 */
public final class CaptionBatchSource implements BatchSource {
    private final Loader loader;
    private final CsvDataset data;
    private final ClipTokenizer tokenizer;
    private final int context;
    private final Long viewSeed;
    private Iterator<Loader.Batch> epoch;

    /** {@code viewSeed} null: no second views; else CleanCLIP's views drawn from streams of this seed. */
    public CaptionBatchSource(Loader loader, CsvDataset data, ClipTokenizer tokenizer, int context, Long viewSeed) {
        this.loader = loader;
        this.data = data;
        this.tokenizer = tokenizer;
        this.context = context;
        this.viewSeed = viewSeed;
    }

    @Override
    public int batchesPerEpoch() {
        return loader.batchesPerEpoch();
    }

    @Override
    public void startEpoch(int epochNumber, int skip) {
        epoch = loader.epoch(epochNumber);
        for (int i = 0; i < skip && epoch.hasNext(); i++) epoch.next();
    }

    @Override
    public Batch next() {
        if (epoch == null || !epoch.hasNext()) return null;
        Loader.Batch b = epoch.next();
        List<String> captions = data.captions(b.indices());
        int n = b.size(), per = b.pixels().length / Math.max(1, n), side = (int) Math.round(Math.sqrt(per / 3.0));
        int[] tokens = new int[n * context];
        float[] viewPixels = viewSeed != null ? new float[n * per] : null;
        int[] viewTokens = viewSeed != null ? new int[n * context] : null;
        for (int i = 0; i < n; i++) {
            System.arraycopy(tokenizer.tokenize(captions.get(i), context), 0, tokens, i * context, context);
            if (viewSeed == null) continue;
            SplittableRandom rng = new SplittableRandom(Loader.mix(viewSeed, b.epoch(), b.indices()[i]));
            float[] unit = Arrays.copyOfRange(b.pixels(), i * per, (i + 1) * per);
            Preprocess.denormalize(unit);
            float[] view = CleanClipAugment.image(unit, side, rng);
            Preprocess.normalize(view);
            System.arraycopy(view, 0, viewPixels, i * per, per);
            System.arraycopy(tokenizer.tokenize(CleanClipAugment.text(captions.get(i), rng), context), 0, viewTokens,
                    i * context, context);
        }
        return new Batch(b.pixels(), tokens, n, viewPixels, viewTokens);
    }

    @Override
    public void close() {
        loader.close();
    }
}
