package org.parclip.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.Sgemms;
import org.parclip.io.Checkpoints;
import org.parclip.io.HostTensor;
import org.parclip.io.Npy;
import org.parclip.io.NpyArray;
import org.parclip.io.Npz;
import org.parclip.io.Safetensors;
import org.parclip.io.StateDict;
import org.parclip.nn.Parameter;
import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parclip.model.ClipModelFixtureTest.FIXTURES;
import static org.parclip.model.ClipModelFixtureTest.gradientError;
import static org.parclip.model.ClipModelFixtureTest.maxAbs;
import static org.parclip.model.ClipModelFixtureTest.relativeError;

/**
 * The ModifiedResNet tower beyond the shared fixture-rn (whose cases are in {@link ClipModelFixtureTest}):
 * resnet-small (tools/make_resnet_fixtures.py: identity shortcuts, several blocks per stage, train-mode running
 * statistics), num_batches_tracked through a checkpoint, and a Bottleneck against finite differences.
 */
class ResNetFixtureTest {
    private static final Path SMALL = FIXTURES.resolve("resnet-small");
    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2, Sgemms.best(2));
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** resnet-small's tower with its weights loaded; every parameter and buffer must be in the file. */
    private static ModifiedResNet loadSmall(ParameterSet ps) throws IOException {
        ModifiedResNet visual = new ModifiedResNet(ps, new int[]{2, 1, 2, 1}, 4, 2, 64, 32);
        StateDict sd = Checkpoints.read(SMALL.resolve("visual.pt"));
        Set<String> expected = new HashSet<>();
        for (Parameter p : ps.parameters()) expected.add(p.name());
        for (Parameter p : ps.buffers()) expected.add(p.name());
        assertEquals(expected, sd.names(), "state-dict names");
        for (String name : sd.names()) be.copyFromHost(sd.get(name).toFloats(), 0, ps.get(name).value());
        return visual;
    }

    @Test
    void trainStepMatchesAutogradAndUpdatesRunningStatistics() throws IOException {
        ParameterSet ps = new ParameterSet(be);
        ModifiedResNet visual = loadSmall(ps);
        NpyArray px = Npy.read(SMALL.resolve("pixels.npy"));
        Map<String, NpyArray> ref = Npz.read(SMALL.resolve("train.npz"));
        Tensor pixels = be.fromHost(px.toFloats(), px.shape());

        visual.setTraining(true);
        double featErr = relativeError(be.toHost(visual.forward(pixels)), ref.get("features").toFloats());
        assertTrue(featErr <= 1e-4, "train-mode features relative error " + featErr);
        NpyArray dFeatures = Npy.read(SMALL.resolve("dfeatures.npy"));
        visual.backward(be.fromHost(dFeatures.toFloats(), dFeatures.shape()));
        for (Parameter p : ps.parameters()) {
            double err = gradientError(p.name(), be.toHost(p.grad(be)), ref);
            assertTrue(err <= 1e-4, p.name() + " gradient relative error " + err);
        }
        for (Parameter b : ps.buffers()) {
            float[] expected = ref.get(b.name()).toFloats(), actual = be.toHost(b.value());
            if (b.name().endsWith("num_batches_tracked")) assertEquals(8f, actual[0], b.name() + " (7 + one step)");
            else assertTrue(relativeError(actual, expected) <= 1e-5, b.name() + " after one train-mode forward");
        }

        // Eval mode normalises with the statistics the train-mode forward just updated.
        visual.setTraining(false);
        double evalErr = relativeError(be.toHost(visual.forward(pixels)),
                Npy.read(SMALL.resolve("eval_features.npy")).toFloats());
        assertTrue(evalErr <= 1e-4, "eval-mode features relative error " + evalErr);
    }

    /** The counter counts train-mode forwards only, and checkpoints write it as int64, as torch stores it. */
    @Test
    void numBatchesTrackedIsCountedAndSavedAsInt64(@TempDir Path dir) throws IOException {
        Path rn = FIXTURES.resolve("fixture-rn");
        ClipModel m = ClipModel.fromStateDict(be, Checkpoints.read(rn.resolve("model.pt")));
        NpyArray px = Npy.read(rn.resolve("pixels.npy"));
        Tensor pixels = be.fromHost(px.toFloats(), px.shape());
        m.setTraining(false);
        m.encodeImage(pixels);
        m.setTraining(true);
        m.encodeImage(pixels);
        m.encodeImage(pixels);

        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, m.toStateDict(), DType.F16, Map.of());
        StateDict back = Checkpoints.read(file);
        List<String> counters = new ArrayList<>();
        for (String name : back.names()) {
            HostTensor t = back.get(name);
            if (name.endsWith(".num_batches_tracked")) {
                counters.add(name);
                assertEquals(DType.I64, t.dtype(), name);
                assertEquals(0, t.shape().length, name + " is a scalar");
                assertEquals(2L, t.toLongs()[0], name);
            } else {
                assertEquals(DType.F16, t.dtype(), name);
            }
        }
        assertEquals(3 + 4 * 3 + 4, counters.size(), "a counter per BatchNorm: 3 in the stem, 3 per block, 4 shortcuts");
        ClipModel.fromStateDict(be, back); // loads back, counters included
    }

    /**
     * One Bottleneck in train mode (batch statistics), with and without the strided shortcut: the backward pass
     * against central differences of loss = sum(output * r) for a sample of input and parameter entries.
     */
    @Test
    void bottleneckGradientsMatchFiniteDifferences() {
        for (int[] cfg : new int[][]{{8, 4, 2}, {16, 4, 1}}) {
            int in = cfg[0], planes = cfg[1], stride = cfg[2];
            SplittableRandom rng = new SplittableRandom(11);
            ParameterSet ps = new ParameterSet(be);
            Bottleneck block = new Bottleneck(ps, "b", in, planes, stride);
            for (Parameter p : ps.parameters()) {
                float[] v = new float[(int) p.value().numel()];
                boolean scale = p.value().rank() == 1 && p.name().endsWith("weight");
                double std = p.value().rank() == 4 ? 1 / Math.sqrt(p.value().numel() / p.value().dim(0)) : 0.2;
                for (int i = 0; i < v.length; i++) v[i] = (float) ((scale ? 1 : 0) + std * rng.nextGaussian());
                be.copyFromHost(v, 0, p.value());
            }
            float[] x = gaussian(rng, 2 * in * 6 * 6);
            Tensor input = be.fromHost(x, 2, in, 6, 6);
            int[] outShape = {2, planes * Bottleneck.EXPANSION, 6 / stride, 6 / stride};
            float[] r = gaussian(rng, outShape[0] * outShape[1] * outShape[2] * outShape[3]);

            block.forward(input, true);
            Tensor dx = be.allocate(2, in, 6, 6);
            block.backward(be.fromHost(r, outShape), dx, new GradientSlots(be));

            for (Parameter p : ps.parameters()) checkFiniteDifferences(block, input, r, p.value(), be.toHost(p.grad(be)), rng, p.name());
            checkFiniteDifferences(block, input, r, input, be.toHost(dx), rng, "input (stride " + stride + ")");
        }
    }

    /** Compares {@code analytic} (d loss / d target) with central differences at six random entries of target. */
    private static void checkFiniteDifferences(Bottleneck block, Tensor input, float[] r, Tensor target,
                                               float[] analytic, SplittableRandom rng, String what) {
        float[] v = be.toHost(target);
        double scale = Math.max(maxAbs(analytic), 1e-3);
        // Small enough that ReLU kinks are rarely crossed (the input of a kink moves by about eps), large enough that
        // float32 round-off in the loss stays well under the tolerance.
        final float eps = 3e-4f;
        for (int k = 0; k < 6; k++) {
            int i = rng.nextInt(v.length);
            float saved = v[i];
            v[i] = saved + eps;
            be.copyFromHost(v, 0, target);
            double plus = loss(block, input, r);
            v[i] = saved - eps;
            be.copyFromHost(v, 0, target);
            double minus = loss(block, input, r);
            v[i] = saved;
            be.copyFromHost(v, 0, target);
            double numeric = (plus - minus) / (2 * eps);
            assertTrue(Math.abs(numeric - analytic[i]) <= 1e-2 * scale,
                    what + "[" + i + "]: finite difference " + numeric + ", backward " + analytic[i]);
        }
    }

    private static double loss(Bottleneck block, Tensor input, float[] r) {
        float[] out = be.toHost(block.forward(input, true));
        double s = 0;
        for (int i = 0; i < out.length; i++) s += (double) out[i] * r[i];
        return s;
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }
}
