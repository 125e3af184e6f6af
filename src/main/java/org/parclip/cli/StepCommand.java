package org.parclip.cli;

import org.parclip.io.HostTensor;
import org.parclip.io.Safetensors;
import org.parclip.io.StateDict;
import org.parclip.model.ClipModel;
import org.parclip.nn.Parameter;
import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;
import org.parclip.train.LossKind;
import org.parclip.train.LossParts;
import org.parclip.train.TrainStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code par step}: one loss evaluation and backward pass without augmentation, for checking against PyTorch.
 * Prints the loss parts as one JSON line and writes d total_loss / d parameter under the state-dict names.
 */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = "One forward/backward of the PAR, CLIP or CleanCLIP loss; prints loss parts, writes gradients.")
public final class StepCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "The student.")
    Path checkpoint;

    @Option(names = "--teacher", description = "The frozen teacher (default: the student's checkpoint).")
    Path teacher;

    @Option(names = "--pixels", required = true, description = "float32 [N,3,R,R] .npy, normalised.")
    Path pixels;

    @Option(names = "--tokens", required = true, description = "int32/int64 [N,context] .npy.")
    Path tokens;

    @Option(names = "--loss", defaultValue = "par", description = "par, clip or cleanclip. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = {"--tau", "--loss-thresh"}, defaultValue = "2.15", description = "PAR distance threshold.")
    double tau;

    @Option(names = "--output", required = true, description = "Gradients as safetensors.")
    Path output;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        LossKind kind = LossKind.parse(loss);
        if (kind == LossKind.CLEANCLIP)
            throw new UserException("--loss cleanclip needs augmented views, which `par step` does not make; use par, clip");
        try (Backend be = backendOptions.open()) {
            ClipModel student = Inputs.loadModel(be, checkpoint);
            ClipModel frozen = kind == LossKind.PAR ? Inputs.loadModel(be, teacher != null ? teacher : checkpoint) : null;
            Inputs.Pixels px = Inputs.readPixels(pixels, student.imageSize());
            Inputs.Tokens tk = Inputs.readTokens(tokens, student.contextLength());
            if (px.count() != tk.count())
                throw new UserException(px.count() + " images but " + tk.count() + " token rows");
            Tensor x = be.fromHost(px.values(), px.count(), 3, student.imageSize(), student.imageSize());
            student.zeroGrad();
            LossParts parts = new TrainStep(student, frozen, kind, tau).forwardBackward(x, tk.ids());

            StateDict grads = new StateDict("parclip-gradients");
            for (Parameter p : student.trainableParameters())
                grads.put(p.name(), HostTensor.ofFloats(be.toHost(p.grad(be)), p.value().shape()));
            Safetensors.write(output, grads, DType.F32, Map.of("content", "gradients of total_loss", "loss", kind.name().toLowerCase(Locale.ROOT)));
            System.out.println(String.format(Locale.ROOT,
                    "{\"clip_loss\": %s, \"image_distance\": %s, \"text_distance\": %s, \"total_loss\": %s}",
                    json(parts.clipLoss()), json(parts.imageDistance()), json(parts.textDistance()), json(parts.totalLoss())));
        }
        return 0;
    }

    /** JSON has no NaN: distances that were not computed (CLIP loss) are null. */
    private static String json(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
