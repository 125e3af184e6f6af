package org.parclip.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.Sgemms;
import org.parclip.io.Checkpoints;
import org.parclip.io.Npy;
import org.parclip.io.NpyArray;
import org.parclip.io.Npz;
import org.parclip.nn.Parameter;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;
import org.parclip.train.LossKind;
import org.parclip.train.LossParts;
import org.parclip.train.TrainStep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model against the reference system's PyTorch outputs: fixture-vit and fixture-rn (a ModifiedResNet; made by the
 * reference code itself) and model-small (tools/make_model_fixtures.py: other widths, head counts, patch size, an
 * fp16 TorchScript archive).
 */
class ClipModelFixtureTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2, Sgemms.best(2));
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** max |a - b| / max |b|: relative to the reference's scale, so tiny entries do not dominate. */
    static double relativeError(float[] actual, float[] expected) {
        return maxAbsDiff(actual, expected) / Math.max(maxAbs(expected), 1e-30);
    }

    static ClipModel load(Path file) throws IOException {
        return ClipModel.fromStateDict(be, Checkpoints.read(file));
    }

    @ParameterizedTest
    @CsvSource({"fixture-vit, model.pt, ''", "fixture-vit, model_jit.pt, ''", "fixture-rn, model.pt, ''",
            "fixture-rn, model_jit.pt, ''", "model-small, model.pt, ''", "model-small, model_half_jit.pt, _half"})
    void featuresMatchPyTorch(String fixture, String checkpoint, String suffix) throws IOException {
        Path dir = FIXTURES.resolve(fixture);
        ClipModel m = load(dir.resolve(checkpoint));
        NpyArray px = Npy.read(dir.resolve("pixels.npy"));
        NpyArray tk = Npy.read(dir.resolve("tokens.npy"));
        Encoder enc = new Encoder(m, 4, false);
        float[] img = enc.images(px.toFloats(), px.shape()[0], org.parclip.io.Progress.silent());
        float[] txt = enc.texts(tk.toInts(), tk.shape()[0], org.parclip.io.Progress.silent());
        double imgErr = relativeError(img, Npy.read(dir.resolve("image_features" + suffix + ".npy")).toFloats());
        double txtErr = relativeError(txt, Npy.read(dir.resolve("text_features" + suffix + ".npy")).toFloats());
        assertTrue(imgErr <= 1e-4, "image features relative error " + imgErr);
        assertTrue(txtErr <= 1e-4, "text features relative error " + txtErr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture-vit", "fixture-rn", "model-small"})
    void parStepMatchesAutograd(String fixture) throws IOException {
        checkStep(FIXTURES.resolve(fixture), "par.json", "grads.npz", null);
    }

    /** A tau between the two distances: the text term drops out, only the text tower's gradients change. */
    @org.junit.jupiter.api.Test
    void parStepWithOneTermOverTau() throws IOException {
        Path dir = FIXTURES.resolve("model-small");
        checkStep(dir, "par_tau.json", "grads_tau.npz", "visual.");
    }

    private void checkStep(Path dir, String partsFile, String gradsFile, String skipPrefix) throws IOException {
        Map<String, Double> expected = readJsonNumbers(dir.resolve(partsFile));
        ClipModel student = load(dir.resolve("model.pt"));
        ClipModel teacher = load(dir.resolve("teacher.pt"));
        NpyArray px = Npy.read(dir.resolve("pixels.npy"));
        int[] tokens = Npy.read(dir.resolve("tokens.npy")).toInts();
        Tensor pixels = be.fromHost(px.toFloats(), px.shape());
        student.zeroGrad();
        LossParts parts = new TrainStep(student, teacher, LossKind.PAR, expected.get("tau"))
                .forwardBackward(pixels, tokens);
        assertClose(expected.get("clip_loss"), parts.clipLoss(), 1e-5, "clip_loss");
        assertClose(expected.get("image_distance"), parts.imageDistance(), 1e-5, "image_distance");
        assertClose(expected.get("text_distance"), parts.textDistance(), 1e-5, "text_distance");
        assertClose(expected.get("total_loss"), parts.totalLoss(), 1e-5, "total_loss");

        Map<String, NpyArray> grads = Npz.read(dir.resolve(gradsFile));
        Set<String> seen = new HashSet<>();
        for (Parameter p : student.trainableParameters()) {
            if (skipPrefix != null && p.name().startsWith(skipPrefix)) continue;
            NpyArray g = grads.get(p.name());
            assertTrue(g != null, "reference has no gradient for " + p.name());
            double err = gradientError(p.name(), be.toHost(p.grad(be)), grads);
            assertTrue(err <= 1e-4, p.name() + " gradient relative error " + err);
            seen.add(p.name());
        }
        assertEquals(grads.keySet(), seen, "every reference gradient is checked");
    }

    /** {@link #relativeError} of a gradient against {@code reference}'s, or the scaled error for round-off ones. */
    static double gradientError(String name, float[] actual, Map<String, NpyArray> reference) {
        float[] expected = reference.get(name).toFloats();
        String scaleOf = ROUND_OFF_GRADIENTS.get(name);
        return scaleOf == null ? relativeError(actual, expected)
                : maxAbsDiff(actual, expected) / maxAbs(reference.get(scaleOf).toFloats());
    }

    /**
     * Gradients that are zero in exact arithmetic, so both sides hold only round-off, each with the gradient whose
     * scale it is measured against. The attention pool's key bias adds q·b_k to all of a query's scores alike, and
     * softmax ignores such shifts (the ViT's key bias is part of in_proj_bias, whose q and v parts set its scale).
     */
    private static final Map<String, String> ROUND_OFF_GRADIENTS =
            Map.of("visual.attnpool.k_proj.bias", "visual.attnpool.k_proj.weight");

    static double maxAbsDiff(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "length");
        double m = 0;
        for (int i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]));
        return m;
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** Loss values are compared relative to their size, with an absolute floor for values near zero. */
    private static void assertClose(double expected, double actual, double rel, String what) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-3),
                what + ": expected " + expected + ", got " + actual);
    }

    /** The fixtures' JSON objects hold only numbers: read them without a JSON library. */
    static Map<String, Double> readJsonNumbers(Path file) throws IOException {
        Map<String, Double> out = new java.util.HashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\"\\s*:\\s*([-+0-9.eE]+)").matcher(Files.readString(file));
        while (m.find()) out.put(m.group(1), Double.parseDouble(m.group(2)));
        return out;
    }
}
