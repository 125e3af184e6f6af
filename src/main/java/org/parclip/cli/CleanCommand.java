package org.parclip.cli;

import org.parclip.train.LossKind;
import org.parclip.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code par clean}: removes a backdoor by fine-tuning on clean pairs with PAR (default), plain fine-tuning (ft)
 * or CleanCLIP, with the reference's flags and defaults. Resumes automatically from OUT's checkpoints.
 */
@Command(name = "clean", mixinStandardHelpOptions = true,
        description = "Clean a poisoned CLIP with PAR, FT or CleanCLIP; writes OUT/cleaned.safetensors.")
public final class CleanCommand implements Callable<Integer> {
    static final TrainOptions.Defaults PAR_RECIPE = new TrainOptions.Defaults(3e-6, 3e-5, 1e-9, 2, 0.5, 128, 1e-4, 8);

    @Option(names = "--checkpoint", required = true, description = "The poisoned model (any format par convert reads).")
    Path checkpoint;

    @Option(names = "--method", defaultValue = "par", description = "par, ft or cleanclip (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"--loss-thresh", "--tau"}, defaultValue = "2.15", description = "PAR's tau (default ${DEFAULT-VALUE}).")
    double tau;

    @Mixin
    TrainOptions train;

    @Mixin
    EvalDuringTraining evalOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        LossKind kind = LossKind.parse(method);
        if (tau < 0) throw new UserException("--loss-thresh must not be negative");
        Integer samples = train.samples != null ? train.samples : 250_000;
        TrainConfig cfg = train.config(kind, tau, PAR_RECIPE, evalOptions.evalEvery());
        TrainingRun.run(cfg, checkpoint, null, train, samples, evalOptions, backendOptions, "cleaned.safetensors");
        return 0;
    }
}
