package org.parclip.cli;

import org.parclip.train.LossKind;
import org.parclip.train.TrainConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Options `par clean` and `par train` share, with the reference code's flag names. Defaults are PAR's cleaning
 * recipe (spec §2); `par train` overrides the ones that differ through picocli default providers.
 */
public final class TrainOptions {
    @Option(names = "--train-data", required = true, description = "CSV with columns image,caption.")
    Path trainData;

    @Option(names = "--image-root", description = "Folder the CSV's relative image paths start from (default: the CSV's folder).")
    Path imageRoot;

    @Option(names = "--output-dir", required = true, description = "Checkpoints, metrics.jsonl and the final model.")
    Path outputDir;

    @Option(names = "--lr", description = "Peak learning rate after warm-up.")
    Double lr;

    @Option(names = "--lr-start", description = "Learning rate at step 0 (the warm-up is linear from it to --lr).")
    Double lrStart;

    @Option(names = "--lr-end", description = "Learning rate at the end of the cosine.")
    Double lrEnd;

    @Option(names = "--epochs")
    Double epochs;

    @Option(names = "--warmup-epochs")
    Double warmupEpochs;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Option(names = "--samples", description = "Use this many samples of the CSV (its first rows after a seeded shuffle).")
    Integer samples;

    @Option(names = "--wd", description = "Weight decay on matrices (not on biases, norms, gains).")
    Double wd;

    @Option(names = "--betas", split = ",", description = "AdamW betas, e.g. 0.9,0.98.")
    double[] betas;

    @Option(names = "--eps")
    Double eps;

    @Option(names = "--update-freq", description = "Batches accumulated per optimiser step.")
    Integer updateFreq;

    @Option(names = "--clip-grad-norm", description = "Clip the global gradient norm to this (0: off).")
    Double clipGradNorm;

    @Option(names = "--seed")
    Long seed;

    @Option(names = "--workers", defaultValue = "2", description = "Image decoding threads (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--log-every", defaultValue = "10", description = "Steps between metric lines (default ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints, besides every epoch (default ${DEFAULT-VALUE}; 0: epochs only).")
    int checkpointEvery;

    /** Defaults that differ between commands. */
    record Defaults(double lr, double lrStart, double lrEnd, double epochs, double warmupEpochs, int batchSize,
                    double wd, long seed) {}

    TrainConfig config(LossKind loss, double tau, Defaults d, int evalEvery) {
        if (betas != null && betas.length != 2) throw new UserException("--betas takes two values, e.g. 0.9,0.98");
        try {
            return new TrainConfig(loss, tau, or(lr, d.lr()), or(lrStart, d.lrStart()), or(lrEnd, d.lrEnd()),
                    or(epochs, d.epochs()), or(warmupEpochs, d.warmupEpochs()),
                    batchSize != null ? batchSize : d.batchSize(), or(wd, d.wd()),
                    betas != null ? betas[0] : 0.9, betas != null ? betas[1] : 0.98, or(eps, 1e-8),
                    updateFreq != null ? updateFreq : 1, seed != null ? seed : d.seed(),
                    or(clipGradNorm, 0.0), logEvery, checkpointEvery, evalEvery);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    private static double or(Double v, double d) {
        return v != null ? v : d;
    }

    Path imageRoot() {
        return imageRoot != null ? imageRoot : trainData.toAbsolutePath().getParent();
    }
}
