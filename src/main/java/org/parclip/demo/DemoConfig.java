package org.parclip.demo;

/**
 * The demo's sizes. {@link #full()} is sized for a 2-core laptop CPU in under ten minutes; {@link #quick()} runs
 * the same pipeline small enough for `make test`.
 *
 * <p>The backdoor is planted the way it usually is: a clean model is pre-trained from scratch (with PAR's
 * augmentation, standing in for the variety a web-scale model has seen), then fine-tuned on a set in which
 * {@code poisonCount} of the {@code trainSize} pairs carry the trigger and a "banana" caption (no augmentation: a
 * plain CLIP fine-tune). 3,600 poisoned pairs reached ASR 87% after 6 fine-tuning epochs on seed 0, and 91.9 / 89.4
 * / 92.1% after 10 on seeds 0 / 1 / 2; 12 epochs give 91.1 / 91.4 / 93.4% (4,200 poisoned pairs over 10 epochs left
 * seed 1 at 89.3%). Training from scratch on the poisoned set instead (the earlier demo) gave a backdoor that every
 * method removed only with its clean features: 10-20 points of clean accuracy lost at the mildest setting, and PAR
 * reached ASR 9% only 39 points under the backdoored model.
 *
 * <p>Each cleaning method runs once per strength in {@code cleanLrStarts}: the reference's schedule shape (a warm-up
 * falling from lr_start to lr = lr_start / 10, then a cosine), so the results trace each method's trade-off between
 * clean accuracy and attack success rate, as the paper's figure does. The middle strength is the headline setting.
 */
record DemoConfig(String model, int trainSize, int trainBatch, double pretrainEpochs, double pretrainLr,
                  int poisonCount, double poisonEpochs, double poisonLr,
                  int cleanSize, double cleanEpochs, int cleanBatch, double[] cleanLrStarts, double cleanWarmupEpochs,
                  double tau, int evalSize) {

    static final String SMALL_VIT = "vit:image=32,patch=8,width=128,layers=2,text_width=128,text_layers=2,embed=128";

    static DemoConfig full() {
        return new DemoConfig(SMALL_VIT, 12_000, 128, 24, 1e-3, 3_600, 12, 1e-3, 4_000, 2, 128,
                new double[]{1e-4, 3e-4, 1e-3}, 0.5, 2.15, 800);
    }

    static DemoConfig quick() {
        return new DemoConfig(SMALL_VIT, 1_024, 64, 1, 1e-3, 205, 1, 1e-3, 256, 1, 64, new double[]{1e-4, 1e-3}, 0.5,
                2.15, 128);
    }

    /** The setting reported as each method's result in results.json. */
    int headline() {
        return cleanLrStarts.length / 2;
    }
}
