package org.parclip.cli;

import org.parclip.train.LossKind;
import org.parclip.train.TrainConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code par train}: trains CLIP with the CLIP loss, from a checkpoint (fine-tuning, e.g. implanting a backdoor from
 * a poisoned set, as attackers do) or from scratch with --model. Resumes automatically from OUT's checkpoints.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train or fine-tune CLIP with the CLIP loss; writes OUT/model.safetensors.")
public final class TrainCommand implements Callable<Integer> {
    /** Fine-tuning defaults in the BadCLIP convention (spec §7) except the learning rate, set for from-scratch runs. */
    static final TrainOptions.Defaults CLIP_RECIPE = new TrainOptions.Defaults(5e-4, 0, 0, 10, 1, 128, 0.1, 0);

    static final class Start {
        @Option(names = "--checkpoint", description = "Start from this model.")
        Path checkpoint;
        @Option(names = "--model", description = "Train from scratch: ViT-B-32, ... or vit:key=value,...")
        String model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Start start;

    @Mixin
    TrainOptions train;

    @Mixin
    EvalDuringTraining evalOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = train.config(LossKind.CLIP, 0, CLIP_RECIPE, evalOptions.evalEvery());
        TrainingRun.run(cfg, start.checkpoint, start.model, train, train.samples, evalOptions, backendOptions,
                "model.safetensors");
        return 0;
    }
}
