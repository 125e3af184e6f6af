package org.parclip.train;

import org.parclip.data.CsvDataset;
import org.parclip.data.Loader;
import org.parclip.text.ClipTokenizer;

import java.util.Iterator;
import java.util.List;

/**
 * Image-caption batches from a CSV dataset: the {@link Loader} decodes and augments images on background threads
 * (order and augmentation fixed by seed, epoch and index), captions are tokenised here. Resuming mid-epoch skips
 * batches by drawing them, which costs their decoding but keeps the order exactly that of an uninterrupted run.
 */
public final class CaptionBatchSource implements BatchSource {
    private final Loader loader;
    private final CsvDataset data;
    private final ClipTokenizer tokenizer;
    private final int context;
    private Iterator<Loader.Batch> epoch;

    public CaptionBatchSource(Loader loader, CsvDataset data, ClipTokenizer tokenizer, int context) {
        this.loader = loader;
        this.data = data;
        this.tokenizer = tokenizer;
        this.context = context;
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
        int[] tokens = new int[b.size() * context];
        for (int i = 0; i < b.size(); i++)
            System.arraycopy(tokenizer.tokenize(captions.get(i), context), 0, tokens, i * context, context);
        return new Batch(b.pixels(), tokens, b.size());
    }

    @Override
    public void close() {
        loader.close();
    }
}
