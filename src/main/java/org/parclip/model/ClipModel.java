package org.parclip.model;

import org.parclip.cli.UserException;
import org.parclip.io.ClipArchitecture;
import org.parclip.io.HostTensor;
import org.parclip.io.StateDict;
import org.parclip.nn.Parameter;
import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A CLIP model: an image tower, the text tower and logit_scale, with every parameter under its OpenAI/open_clip
 * state-dict name. The model only composes layers; the {@link Backend} does the arithmetic.
 */
public final class ClipModel {
    /** Keys some checkpoints carry that describe the model rather than hold weights (OpenAI's loader drops them). */
    private static final Set<String> DESCRIPTIVE_KEYS = Set.of("input_resolution", "context_length", "vocab_size");

    private final ClipArchitecture arch;
    private final ParameterSet params;
    private final ImageEncoder visual;
    private final TextTransformer text;
    private final Parameter logitScale;

    private ClipModel(Backend be, ClipArchitecture arch) {
        this.arch = arch;
        this.params = new ParameterSet(be);
        // Registration order follows OpenAI's state dict: positional_embedding, text_projection, logit_scale, visual...
        this.text = new TextTransformer(params, arch.vocabSize(), arch.contextLength(), arch.textWidth(),
                arch.textLayers(), arch.textHeads(), arch.embedDim());
        this.logitScale = params.parameter("logit_scale");
        this.visual = arch.isVit()
                ? new VisionTransformer(params, arch.visionWidth(), arch.visionLayers(), arch.visionHeads(),
                        arch.patchSize(), arch.imageSize(), arch.embedDim())
                : new ModifiedResNet(params, arch.resnetLayers(), arch.resnetWidth(), arch.visionHeads(),
                        arch.imageSize(), arch.embedDim());
    }

    /** A model of the given architecture with OpenAI's initialisation, for training from scratch. */
    public static ClipModel initialised(Backend be, ClipArchitecture arch, long seed) {
        ClipModel m = new ClipModel(be, arch);
        ClipInit.apply(m, seed);
        return m;
    }

    /** A model whose architecture is inferred from the state dict and whose weights are loaded from it. */
    public static ClipModel fromStateDict(Backend be, StateDict sd) {
        ClipModel m = new ClipModel(be, ClipArchitecture.infer(sd));
        m.load(sd);
        return m;
    }

    /** Copies every tensor of {@code sd} into the model; all names must match and all shapes agree. */
    public void load(StateDict sd) {
        List<String> unexpected = new ArrayList<>();
        for (String name : sd.names()) {
            if (DESCRIPTIVE_KEYS.contains(name)) continue;
            Parameter p = params.get(name);
            if (p == null) {
                unexpected.add(name);
                continue;
            }
            HostTensor t = sd.get(name);
            if (t.numel() != p.value().numel() || !shapeCompatible(t.shape(), p.value().shape()))
                throw new UserException("checkpoint tensor " + name + " has shape " + Arrays.toString(t.shape())
                        + ", the model expects " + Arrays.toString(p.value().shape()));
            params.backend().copyFromHost(t.toFloats(), 0, p.value());
        }
        List<String> missing = new ArrayList<>();
        for (Parameter p : allTensors()) if (!sd.contains(p.name())) missing.add(p.name());
        if (!unexpected.isEmpty() || !missing.isEmpty())
            throw new UserException("checkpoint does not match the CLIP architecture: "
                    + (missing.isEmpty() ? "" : missing.size() + " missing (e.g. " + missing.getFirst() + ") ")
                    + (unexpected.isEmpty() ? "" : unexpected.size() + " unexpected (e.g. " + unexpected.getFirst() + ")"));
    }

    /** A scalar stored as shape [] or [1] loads either way; otherwise shapes must be equal. */
    private static boolean shapeCompatible(int[] file, int[] model) {
        return Arrays.equals(file, model) || (model.length == 0 && file.length == 1 && file[0] == 1);
    }

    /**
     * All parameters and buffers as host tensors under their state-dict names, in PyTorch's dtypes: float32, and
     * int64 for BatchNorm's num_batches_tracked (so load_state_dict restores the buffer with its own type).
     */
    public StateDict toStateDict() {
        StateDict sd = new StateDict("parclip");
        for (Parameter p : allTensors()) {
            float[] v = params.backend().toHost(p.value());
            sd.put(p.name(), p.fileType() == DType.I64 ? HostTensor.ofLongs(toLongs(v), p.value().shape())
                    : HostTensor.ofFloats(v, p.value().shape()));
        }
        return sd;
    }

    private static long[] toLongs(float[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (long) v[i];
        return out;
    }

    private List<Parameter> allTensors() {
        List<Parameter> all = new ArrayList<>(params.parameters());
        all.addAll(params.buffers());
        return all;
    }

    public ClipArchitecture architecture() {
        return arch;
    }

    public Backend backend() {
        return params.backend();
    }

    public ParameterSet parameterSet() {
        return params;
    }

    /** Parameters that receive gradients: all but logit_scale, which PAR treats as a constant. */
    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : params.parameters()) if (p != logitScale) out.add(p);
        return out;
    }

    public Collection<Parameter> parameters() {
        return params.parameters();
    }

    public ImageEncoder visual() {
        return visual;
    }

    public TextTransformer text() {
        return text;
    }

    Parameter logitScaleParameter() {
        return logitScale;
    }

    /** exp(logit_scale), the temperature the losses use as a constant. */
    public float logitScale() {
        return (float) Math.exp(params.backend().toHost(logitScale.value())[0]);
    }

    public int imageSize() {
        return visual.imageSize();
    }

    public int contextLength() {
        return text.contextLength();
    }

    /** Train mode (BatchNorm batch statistics) or eval mode (running statistics). */
    public void setTraining(boolean training) {
        visual.setTraining(training);
    }

    public Tensor encodeImage(Tensor pixels) {
        return visual.forward(pixels);
    }

    public void backwardImage(Tensor dFeatures) {
        visual.backward(dFeatures);
    }

    public Tensor encodeText(int[] tokens, int batch) {
        return text.forward(tokens, batch);
    }

    public void backwardText(Tensor dFeatures) {
        text.backward(dFeatures);
    }

    public void zeroGrad() {
        params.zeroGrad();
    }
}
