package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointsTest {
    private static final Path PWNED = Path.of("/tmp/parclip-pickle-pwned");

    /** Every tensor of {@code sd} equals the reference array of the same name, dtype by dtype. */
    private static void assertMatches(Map<String, NpyArray> ref, StateDict sd) {
        assertEquals(List.copyOf(ref.keySet()), List.copyOf(sd.names()));
        for (var e : ref.entrySet()) {
            HostTensor t = sd.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), t.shape(), e.getKey());
            assertArrayEquals(e.getValue().toFloats(), t.toFloats(), e.getKey());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mixed.pt", "mixed_legacy.pt"})
    void readsEveryDtypeViewAndLayoutOfTorchSave(String file) throws Exception {
        StateDict sd = Checkpoints.read(Fixtures.checkpoint(file));
        assertEquals(file.contains("legacy") ? "torch-legacy" : "torch-zip", sd.format());
        assertMatches(Npz.read(Fixtures.checkpoint("mixed_ref.npz")), sd);
        assertEquals(DType.F16, sd.get("f16").dtype());
        assertEquals(DType.BF16, sd.get("bf16").dtype());
        assertEquals(DType.BOOL, sd.get("bool").dtype());
        assertArrayEquals(new long[]{-(1L << 40), -1, 0, 7}, sd.get("i64").toLongs());
        assertArrayEquals(new long[]{-128, 127}, sd.get("i8").toLongs());
        assertArrayEquals(new long[]{0, 255}, sd.get("u8").toLongs());
        assertArrayEquals(new int[0], sd.get("scalar").shape());
        assertArrayEquals(new int[]{0, 3}, sd.get("empty").shape());
    }

    @Test
    void legacyStorageViewsResolveIntoTheirRootStorage() throws Exception {
        StateDict sd = Checkpoints.read(Fixtures.checkpoint("legacy_view.pt"));
        assertArrayEquals(new float[]{3, 4, 5, 6}, sd.get("v").toFloats());
        assertArrayEquals(new int[]{2, 2}, sd.get("v").shape());
    }

    @Test
    void trainingCheckpointYieldsItsStateDictWithoutDdpPrefixes() throws Exception {
        StateDict sd = Checkpoints.read(Fixtures.checkpoint("train.pt"));
        assertEquals(List.of("f32", "f16", "bf16", "f64"), List.copyOf(sd.names()));
        assertEquals("3", sd.metadata().get("epoch"));
        StateDict plain = Checkpoints.read(Fixtures.checkpoint("mixed.pt"));
        for (String n : sd.names()) assertEquals(plain.get(n), sd.get(n));
    }

    @Test
    void torchScriptFp16KeepsStoredDtypesAndOnlyStateDictEntries() throws Exception {
        StateDict sd = Checkpoints.read(Fixtures.checkpoint("tiny_clip_jit_fp16.pt"));
        assertEquals("torchscript", sd.format());
        assertMatches(Npz.read(Fixtures.checkpoint("tiny_clip_ref.npz")), sd);
        assertFalse(sd.names().stream().anyMatch(n -> n.contains("attn_mask")));
        for (String n : sd.names()) {
            boolean norm = n.contains("ln_");
            assertEquals(norm ? DType.F32 : DType.F16, sd.get(n).dtype(), n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_clip_hf.bin", "tiny_clip_hf.safetensors"})
    void huggingFaceClipIsMappedOntoOpenAiNames(String file) throws Exception {
        StateDict sd = Checkpoints.read(Fixtures.checkpoint(file));
        assertTrue(sd.format().startsWith("hf-"), sd.format());
        assertMatches(Npz.read(Fixtures.checkpoint("tiny_clip_ref.npz")), sd);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture-vit", "fixture-rn"})
    void torchScriptAndStateDictOfTheReferenceFixturesAgree(String fixture) throws Exception {
        StateDict plain = Checkpoints.read(Fixtures.ROOT.resolve(fixture).resolve("model.pt"));
        StateDict jit = Checkpoints.read(Fixtures.ROOT.resolve(fixture).resolve("model_jit.pt"));
        assertEquals("torch-zip", plain.format());
        assertEquals("torchscript", jit.format());
        assertEquals(List.copyOf(plain.names()), List.copyOf(jit.names()));
        for (String n : plain.names()) assertEquals(plain.get(n), jit.get(n), n);
        // grads.npz holds a gradient for every trainable parameter: all but logit_scale and BatchNorm buffers.
        Set<String> grads = new TreeSet<>(Npz.read(Fixtures.ROOT.resolve(fixture).resolve("grads.npz")).keySet());
        Set<String> trainable = new TreeSet<>(plain.names());
        trainable.removeIf(n -> n.equals("logit_scale") || n.contains("running_") || n.endsWith("num_batches_tracked"));
        assertEquals(trainable, grads);
        if (fixture.equals("fixture-rn")) assertEquals(DType.I64, plain.get("visual.bn1.num_batches_tracked").dtype());
    }

    @ParameterizedTest
    @ValueSource(strings = {"malicious.pt", "malicious_legacy.pt", "malicious.pkl"})
    void picklesThatCallCodeAreRefusedBeforeAnythingRuns(String file) throws Exception {
        Files.deleteIfExists(PWNED);
        UserException e = assertThrows(UserException.class, () -> Checkpoints.read(Fixtures.checkpoint(file)));
        assertTrue(e.getMessage().contains("refusing to load") && e.getMessage().contains("posix.system"),
                e.getMessage());
        assertFalse(Files.exists(PWNED), "the payload ran");
    }

    @Test
    void nonCheckpointsAreUserErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a model");
        assertTrue(assertThrows(UserException.class, () -> Checkpoints.read(text)).getMessage()
                .contains("not a recognised checkpoint"));
        Path empty = Files.createFile(dir.resolve("empty.pt"));
        assertThrows(UserException.class, () -> Checkpoints.read(empty));
        assertTrue(assertThrows(UserException.class,
                () -> Checkpoints.read(Fixtures.checkpoint("mixed_ref.npz"))).getMessage().contains(".npz"));
        assertThrows(UserException.class, () -> Checkpoints.read(Fixtures.TRIGGERS.resolve("triangles_224_14.pt")));
    }

    @Test
    void safetensorsRoundTripKeepsNamesOrderDtypesAndValues(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        StateDict rn = Checkpoints.read(Fixtures.ROOT.resolve("fixture-rn/model.pt"));
        Path out = dir.resolve("rn.safetensors");
        Safetensors.write(out, rn, DType.F32, Map.of("note", "test"));
        StateDict back = Checkpoints.read(out);
        assertEquals("safetensors", back.format());
        assertEquals(List.copyOf(rn.names()), List.copyOf(back.names()));
        for (String n : rn.names()) assertEquals(rn.get(n), back.get(n), n);
        assertEquals("custom", back.metadata().get("architecture"));
        assertEquals("torch-zip", back.metadata().get("source_format"));
        assertEquals("pt", back.metadata().get("format"));
        assertEquals("test", back.metadata().get("note"));
    }

    @Test
    void hfExportReadsBackAsTheSameOpenAiStateDict(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        StateDict vit = Checkpoints.read(Fixtures.ROOT.resolve("fixture-vit/model.pt"));
        HfExport.write(dir, vit, DType.F32);
        StateDict back = Checkpoints.read(dir); // a model directory: its model.safetensors is read
        assertEquals("hf-safetensors", back.format());
        assertEquals(List.copyOf(vit.names()), List.copyOf(back.names()));
        for (String n : vit.names()) assertEquals(vit.get(n), back.get(n), n);
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("config.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> text = (Map<String, Object>) config.get("text_config");
        @SuppressWarnings("unchecked")
        Map<String, Object> vision = (Map<String, Object>) config.get("vision_config");
        assertEquals("quick_gelu", text.get("hidden_act"));
        assertEquals(64L, config.get("projection_dim"));
        assertEquals(128L, text.get("hidden_size"));
        assertEquals(2L, text.get("num_attention_heads"));
        assertEquals(1000L, text.get("vocab_size"));
        assertEquals(32L, vision.get("image_size"));
        assertEquals(8L, vision.get("patch_size"));
        StateDict rn = Checkpoints.read(Fixtures.ROOT.resolve("fixture-rn/model.pt"));
        assertThrows(UserException.class, () -> HfExport.write(dir.resolve("rn"), rn, DType.F32));
    }

    @Test
    void aStateDictWithExtraHfTensorsIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        StateDict hf = Safetensors.read(Fixtures.checkpoint("tiny_clip_hf.safetensors"));
        var tensors = new java.util.LinkedHashMap<>(hf.tensors());
        tensors.put("text_model.pooler.weight", HostTensor.ofFloats(new float[]{1}, 1));
        Path out = dir.resolve("extra.safetensors");
        Safetensors.write(out, tensors, DType.F16, Map.of());
        String msg = assertThrows(UserException.class, () -> Checkpoints.read(out)).getMessage();
        assertTrue(msg
                .contains("text_model.pooler.weight"), msg);
        List<String> names = new ArrayList<>(hf.names());
        assertTrue(names.contains("text_model.encoder.layers.0.self_attn.q_proj.weight"));
    }
}
