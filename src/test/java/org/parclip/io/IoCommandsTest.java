package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.Main;
import org.parclip.tensor.DType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code par convert} and {@code par info} end to end. */
class IoCommandsTest {
    /** Runs the CLI, returning exit code and captured stdout. */
    private static Map.Entry<Integer, String> run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return Map.entry(Main.execute(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void convertsTorchScriptToHalfPrecisionSafetensors(@TempDir Path dir) throws Exception {
        Path in = Fixtures.ROOT.resolve("fixture-rn/model_jit.pt");
        Path out = dir.resolve("rn.safetensors");
        assertEquals(0, run("convert", "--input", in.toString(), "--output", out.toString(), "--dtype", "f16").getKey());
        StateDict src = Checkpoints.read(in), back = Checkpoints.read(out);
        assertEquals(src.names(), back.names());
        assertEquals(DType.F16, back.get("visual.conv1.weight").dtype());
        assertEquals(DType.I64, back.get("visual.bn1.num_batches_tracked").dtype(), "integer tensors keep their type");
        assertEquals(src.get("visual.bn1.num_batches_tracked"), back.get("visual.bn1.num_batches_tracked"));
        assertEquals("torchscript", back.metadata().get("source_format"));
    }

    @Test
    void convertsToAHuggingFaceDirectory(@TempDir Path dir) {
        Path out = dir.resolve("hf");
        assertEquals(0, run("convert", "-i", Fixtures.checkpoint("tiny_clip_jit_fp16.pt").toString(), "-o",
                out.toString(), "--format", "hf", "--dtype", "bf16").getKey());
        assertTrue(Files.exists(out.resolve("model.safetensors")) && Files.exists(out.resolve("config.json")));
    }

    @Test
    void infoReportsFormatArchitectureAndCounts() {
        var r = run("info", Fixtures.ROOT.resolve("fixture-vit/model.pt").toString(), "--json");
        assertEquals(0, r.getKey());
        @SuppressWarnings("unchecked")
        Map<String, Object> o = (Map<String, Object>) Json.parse(r.getValue());
        assertEquals("torch-zip", o.get("format"));
        assertEquals(62L, o.get("tensors"));
        @SuppressWarnings("unchecked")
        Map<String, Object> arch = (Map<String, Object>) o.get("architecture");
        assertEquals("custom", arch.get("name"));
        assertEquals(true, arch.get("vit"));
        var text = run("info", Fixtures.checkpoint("tiny_clip_hf.safetensors").toString());
        assertEquals(0, text.getKey());
        assertTrue(text.getValue().contains("format:       hf-safetensors"), text.getValue());
        assertTrue(text.getValue().contains("dtype F16"), text.getValue());
    }

    @Test
    void badInputIsExitCode2(@TempDir Path dir) {
        assertEquals(2, run("info", Fixtures.checkpoint("malicious.pt").toString()).getKey());
        assertEquals(2, run("info", dir.resolve("missing.pt").toString()).getKey());
        String mixed = Fixtures.checkpoint("mixed.pt").toString();
        assertEquals(0, run("info", mixed).getKey(), "info describes any state dict, CLIP or not");
        assertEquals(2, run("convert", "-i", mixed, "-o", dir.resolve("x.safetensors").toString()).getKey(),
                "convert needs a CLIP model");
    }
}
