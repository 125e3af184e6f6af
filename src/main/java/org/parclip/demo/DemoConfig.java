package org.parclip.demo;

/**
 * The demo's sizes. {@link #full()} is sized for a 2-core laptop CPU in under ten minutes; {@link #quick()} runs
 * the same pipeline small enough for `make test`.
 *
 * <p>The world makes "banana" rare ({@link org.parclip.data.synth.ShapeWorld#DEFAULT_TARGET_RARITY}), as in web
 * captions and in ImageNet's evaluation. The backdoor is planted the way it usually is: a clean model is pre-trained
 * from scratch, then fine-tuned on a set in which {@code poisonCount} of the {@code trainSize} pairs carry the
 * trigger and a "banana" caption. Both phases train with PAR's augmentation, as a model that has seen web-scale
 * variety is robust to it: a backdoored model fine-tuned without it loses 4-5 points of clean accuracy to any
 * cleaning that uses it (all three methods do), which no cleaning setting made up.
 *
 * <p>Each cleaning method runs once, for {@code cleanEpochs} over {@code cleanSize} disjoint clean pairs in batches
 * of {@code cleanBatch}, and is evaluated after every epoch: those checkpoints are its points on the trade-off
 * figure, and the last one is its result. The clean set is as large as the training set because recovering clean
 * accuracy after PAR's push needs data (seed 0, backdoored model at CA 82.4: PAR for four epochs with a cosine from
 * 1e-3 ended at CA 74.6 on 4,000 pairs and 83.8 on 12,000, ASR 9.6 and 6.1%). Batches of 512 from 1.5e-3 sit
 * between two schedules that each failed a seed at the reference's tau: batches of 256 from 1e-3 left seed 1 at ASR
 * 10.7%, batches of 512 from 2e-3 took seed 2 to 5.6 points under the backdoored model's accuracy.
 *
 * <p>PAR's threshold is {@link #TAU}, not the reference's 2.15, which was chosen for ViT-B/32's 512-d embeddings
 * of CC3M. Here d reaches tau within the first epoch either way, and at 2.15 (the two embeddings nearly orthogonal)
 * the small model spends 3-9 points of clean accuracy to get back (seeds 0-3: CA 79.4 / 83.5 / 78.4 / 75.1 from
 * backdoored models at 82.4 / 82.8 / 82.9 / 83.8); at 1.5 it ends at 81.5 / 83.3 / 82.6 / 80.8 with ASR 8.2 / 8.1 /
 * 5.6 / 8.2%. Seed 3: tau 1.0 / 1.25 / 1.75 left 82.9 / 10.6, 81.8 / 8.9, 78.9 / 7.6.
 */
record DemoConfig(String model, int trainSize, int trainBatch, double pretrainEpochs, double pretrainLr,
                  int poisonCount, double poisonEpochs, double poisonLr,
                  int cleanSize, int cleanEpochs, int cleanBatch, double cleanLr, int evalSize) {

    static final String SMALL_VIT = "vit:image=32,patch=8,width=128,layers=2,text_width=128,text_layers=2,embed=128";
    /** PAR's distance threshold for the demo's small model (the class comment says why it is not 2.15). */
    static final double TAU = 1.5;

    static DemoConfig full() {
        return new DemoConfig(SMALL_VIT, 12_000, 128, 24, 1e-3, 3_600, 12, 1e-3, 12_000, 3, 512, 1.5e-3, 800);
    }

    static DemoConfig quick() {
        return new DemoConfig(SMALL_VIT, 1_024, 64, 1, 1e-3, 205, 1, 1e-3, 512, 2, 64, 1e-3, 128);
    }
}
