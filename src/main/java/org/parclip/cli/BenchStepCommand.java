package org.parclip.cli;

import org.parclip.model.ClipModel;
import org.parclip.model.ModelSpecs;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;
import org.parclip.train.AdamW;
import org.parclip.train.LossKind;
import org.parclip.train.TrainStep;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code par bench step}: times full PAR steps (teacher and student forwards, loss, backward, AdamW) on random
 * inputs after warm-up, as benchmarks/torch_par_step.py does for PyTorch. Prints one JSON line.
 */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = "Time full PAR training steps on random inputs; prints {\"step_ms_median\", \"samples_per_second\"}.")
public final class BenchStepCommand implements Callable<Integer> {
    static final class ModelChoice {
        @Option(names = "--checkpoint", description = "Student checkpoint (any format par convert reads).")
        Path checkpoint;
        @Option(names = "--model", description = "Architecture name (ViT-B-32, ...) or vit:key=value,... (random init).")
        String model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice choice;

    @Option(names = "--teacher", description = "Teacher checkpoint (default: a copy of the student).")
    Path teacher;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        if (batch < 2) throw new UserException("--batch must be at least 2 (the loss contrasts within the batch)");
        if (steps < 1 || warmup < 0) throw new UserException("--steps must be positive and --warmup not negative");
        try (Backend be = backendOptions.open()) {
            ClipModel student = choice.checkpoint != null ? Inputs.loadModel(be, choice.checkpoint)
                    : ClipModel.initialised(be, ModelSpecs.resolve(choice.model), seed);
            ClipModel frozen = teacher != null ? Inputs.loadModel(be, teacher)
                    : ClipModel.initialised(be, student.architecture(), seed);
            if (teacher == null) frozen.load(student.toStateDict());

            int s = student.imageSize(), ctx = student.contextLength(), vocab = student.architecture().vocabSize();
            SplittableRandom rng = new SplittableRandom(seed);
            float[] px = new float[batch * 3 * s * s];
            for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextGaussian();
            Tensor pixels = be.fromHost(px, batch, 3, s, s);
            int[] tokens = randomCaptions(rng, batch, ctx, vocab);

            TrainStep step = new TrainStep(student, frozen, LossKind.PAR, 2.15);
            AdamW adamw = new AdamW(be, student.trainableParameters(), 0.9, 0.98, 1e-8, 1e-4);
            double[] ms = new double[steps];
            for (int i = 0; i < warmup + steps; i++) {
                long t0 = System.nanoTime();
                student.zeroGrad();
                step.forwardBackward(pixels, tokens);
                adamw.step(3e-6, 1f);
                be.toHost(student.trainableParameters().getFirst().value().slice(0, 1)); // waits for queued GPU work
                if (i >= warmup) ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
            System.out.printf(Locale.ROOT, "{\"backend\":\"%s\",\"batch\":%d,\"step_ms_median\":%.3f,\"samples_per_second\":%.2f}%n",
                    be.name(), batch, median, batch / (median / 1000));
        }
        return 0;
    }

    /** Captions of 5 to 20 tokens: start token, random ids, end token (the largest id), zero padding. */
    static int[] randomCaptions(SplittableRandom rng, int batch, int ctx, int vocab) {
        int[] t = new int[batch * ctx];
        for (int b = 0; b < batch; b++) {
            int n = Math.min(ctx, 5 + rng.nextInt(16));
            t[b * ctx] = vocab - 2;
            for (int i = 1; i < n - 1; i++) t[b * ctx + i] = 1 + rng.nextInt(vocab - 3);
            t[b * ctx + n - 1] = vocab - 1;
        }
        return t;
    }
}
