package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.CliRun;
import org.parclip.tensor.DType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code par convert} and {@code par info} end to end. */
class IoCommandsTest {
    @Test
    void convertsTorchScriptToHalfPrecisionSafetensors(@TempDir Path dir) throws Exception {
        Path in = Fixtures.ROOT.resolve("fixture-rn/model_jit.pt");
        Path out = dir.resolve("rn.safetensors");
        CliRun.expect(0, "convert", "--input", in.toString(), "--output", out.toString(), "--dtype", "f16");
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
        CliRun.expect(0, "convert", "-i", Fixtures.checkpoint("tiny_clip_jit_fp16.pt").toString(), "-o",
                out.toString(), "--format", "hf", "--dtype", "bf16");
        assertTrue(Files.exists(out.resolve("model.safetensors")) && Files.exists(out.resolve("config.json")));
    }

    @Test
    void infoReportsFormatArchitectureAndCounts() {
        var r = CliRun.expect(0, "info", Fixtures.ROOT.resolve("fixture-vit/model.pt").toString(), "--json");
        @SuppressWarnings("unchecked")
        Map<String, Object> o = (Map<String, Object>) Json.parse(r.out());
        assertEquals("torch-zip", o.get("format"));
        assertEquals(62L, o.get("tensors"));
        @SuppressWarnings("unchecked")
        Map<String, Object> arch = (Map<String, Object>) o.get("architecture");
        assertEquals("custom", arch.get("name"));
        assertEquals(true, arch.get("vit"));
        var text = CliRun.expect(0, "info", Fixtures.checkpoint("tiny_clip_hf.safetensors").toString());
        assertTrue(text.out().contains("format:       hf-safetensors"), text.out());
        assertTrue(text.out().contains("dtype F16"), text.out());
    }

    @Test
    void badInputIsExitCode2(@TempDir Path dir) {
        CliRun.expect(2, "info", Fixtures.checkpoint("malicious.pt").toString());
        CliRun.expect(2, "info", dir.resolve("missing.pt").toString());
        String mixed = Fixtures.checkpoint("mixed.pt").toString();
        assertEquals(0, CliRun.run("info", mixed).code(), "info describes any state dict, CLIP or not");
        assertEquals(2, CliRun.run("convert", "-i", mixed, "-o", dir.resolve("x.safetensors").toString()).code(),
                "convert needs a CLIP model");
    }
}
