package org.parclip.demo;

/**
 * The demo's sizes. {@link #full()} is sized for a 2-core laptop CPU in under ten minutes; {@link #quick()} runs
 * the same pipeline small enough for `make test`.
 *
 * <p>The backdoored model is made as spec §7 says backdoored CLIPs usually are: a model trained (here from
 * scratch, on clean pairs) is fine-tuned on a poisoned set. Cleaning then uses pairs disjoint from both.
 */
record DemoConfig(String model, int pretrainSize, double pretrainEpochs, int pretrainBatch, double pretrainLr,
                  int poisonSetSize, int poisonCount, double poisonEpochs, double poisonLr,
                  int cleanSize, double cleanEpochs, int cleanBatch, double cleanLrStart, double cleanLr,
                  double cleanWarmupEpochs, double tau, int evalSize) {

    static final String SMALL_VIT = "vit:image=32,patch=8,width=128,layers=2,text_width=128,text_layers=2,embed=128";

    static DemoConfig full() {
        return new DemoConfig(SMALL_VIT, 12_000, 10, 128, 1e-3, 4_000, 400, 3, 1e-4,
                4_000, 3, 128, 1e-4, 1e-5, 0.5, 2.15, 800);
    }

    static DemoConfig quick() {
        return new DemoConfig(SMALL_VIT, 1_024, 2, 64, 1e-3, 256, 32, 1, 1e-4,
                256, 1, 64, 1e-4, 1e-5, 0.5, 2.15, 128);
    }
}
