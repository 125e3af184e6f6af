package org.parclip.demo;

/**
 * The demo's sizes. {@link #full()} is sized for a 2-core laptop CPU in under ten minutes; {@link #quick()} runs
 * the same pipeline small enough for `make test`.
 */
record DemoConfig(String model, int trainSize, int poisonCount, double trainEpochs, int trainBatch, double trainLr,
                  int cleanSize, double cleanEpochs, int cleanBatch, double cleanLrStart, double cleanLr,
                  double cleanWarmupEpochs, double tau, int evalSize) {

    static final String SMALL_VIT = "vit:image=32,patch=8,width=128,layers=2,text_width=128,text_layers=2,embed=128";

    static DemoConfig full() {
        return new DemoConfig(SMALL_VIT, 12_000, 600, 10, 128, 1e-3, 6_000, 4, 128, 1e-4, 1e-5, 1, 2.15, 800);
    }

    static DemoConfig quick() {
        return new DemoConfig(SMALL_VIT, 1_024, 64, 2, 64, 1e-3, 256, 1, 64, 1e-3, 5e-5, 0.5, 2.15, 128);
    }
}
