package org.parclip.cli;

import org.parclip.eval.ZeroShotEval;
import org.parclip.train.Trainer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Optional periodic zero-shot evaluation (CA and ASR) while training: `--eval-data` and friends. */
final class EvalDuringTraining {
    @Option(names = "--eval-data", description = "Labelled images (class folders or CSV image,label) to evaluate on.")
    Path evalData;

    @Option(names = "--eval-image-root", description = "Root of the evaluation CSV's relative paths.")
    Path evalImageRoot;

    @Option(names = "--classes", description = "Class names (JSON list or lines); default: folder names or ImageNet's.")
    Path classes;

    @Option(names = "--templates", description = "Zero-shot templates (JSON list with {}); default: ImageNet's 80.")
    Path templates;

    @Option(names = "--attack", description = "Also measure the ASR of this trigger.")
    String attack;

    @Option(names = "--target", defaultValue = "banana", description = "The attack's target class (default ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--eval-every", defaultValue = "0", description = "Steps between evaluations (0: only at the end).")
    int evalEvery;

    int evalEvery() {
        return evalData == null ? 0 : Math.max(evalEvery, 0);
    }

    /** The evaluator the trainer calls, or null without --eval-data. Images are decoded once, here. */
    Trainer.Evaluator evaluator(int imageSize) {
        if (evalData == null) return null;
        try {
            ZeroShotEval eval = EvalSets.build(evalData, evalImageRoot, classes, templates, attack, target, imageSize,
                    0, 2, 64);
            return (model, step) -> eval.evaluate(model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
