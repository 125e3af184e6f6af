package org.parclip.cli;

import org.parclip.model.ClipModel;
import org.parclip.model.ModelSpecs;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code par bench forward}: times eval-mode encoding of a batch of random images and captions with a randomly
 * initialised model, as benchmarks/torch_forward.py does for PyTorch. Prints one JSON line.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Time image + text encoding (eval mode) of random inputs; prints one JSON line.")
public final class BenchForwardCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "ViT-B-32", description = "Architecture (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "16")
    int batch;

    @Option(names = "--repeats", defaultValue = "5")
    int repeats;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() {
        if (batch < 1 || repeats < 1) throw new UserException("--batch and --repeats must be positive");
        try (Backend be = backendOptions.open()) {
            ClipModel m = ClipModel.initialised(be, ModelSpecs.resolve(model), seed);
            m.setTraining(false);
            int s = m.imageSize();
            SplittableRandom rng = new SplittableRandom(seed);
            float[] px = new float[batch * 3 * s * s];
            for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextGaussian();
            Tensor pixels = be.fromHost(px, batch, 3, s, s);
            int[] tokens = BenchStepCommand.randomCaptions(rng, batch, m.contextLength(), m.architecture().vocabSize());
            double[] image = new double[repeats], text = new double[repeats];
            for (int i = -1; i < repeats; i++) { // one untimed warm-up round
                long t0 = System.nanoTime();
                be.toHost(m.encodeImage(pixels).slice(0, 1));
                long t1 = System.nanoTime();
                be.toHost(m.encodeText(tokens, batch).slice(0, 1));
                long t2 = System.nanoTime();
                if (i >= 0) {
                    image[i] = (t1 - t0) / 1e6;
                    text[i] = (t2 - t1) / 1e6;
                }
            }
            System.out.printf(Locale.ROOT, "{\"model\":\"%s\",\"backend\":\"%s\",\"batch\":%d,\"image_ms_median\":%.2f,\"text_ms_median\":%.2f}%n",
                    model, be.name(), batch, median(image), median(text));
        }
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
