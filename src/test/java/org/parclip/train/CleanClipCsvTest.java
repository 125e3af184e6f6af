package org.parclip.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.TestData;
import org.parclip.cli.Main;
import org.parclip.io.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `par clean --method cleanclip` from a CSV: second views are made, and the in-modal terms add to the CLIP loss. */
class CleanClipCsvTest {
    @Test
    void cleanClipRunsFromCsvAndAddsInModalTerms(@TempDir Path dir) throws Exception {
        TestData.world(dir.resolve("w"), 64, 8, 4);
        Path ckpt = TestData.tinyCheckpoint(dir.resolve("m.safetensors"), 1);
        assertEquals(0, Main.execute("clean", "--checkpoint", ckpt.toString(), "--method", "cleanclip", "--train-data",
                dir.resolve("w/train.csv").toString(), "--output-dir", dir.resolve("out").toString(), "--epochs", "1",
                "--batch-size", "16", "--log-every", "1", "--backend", "cpu", "--threads", "2"));
        assertTrue(Files.isRegularFile(dir.resolve("out/cleaned.safetensors")));
        List<String> lines = Files.readAllLines(dir.resolve("out/metrics.jsonl"));
        assertEquals(4, lines.size(), "64 pairs in batches of 16: four steps, one line each");
        for (String line : lines) {
            Map<String, Object> m = Json.parseObject(line);
            double total = ((Number) m.get("total_loss")).doubleValue(), clip = ((Number) m.get("clip_loss")).doubleValue();
            // InfoNCE of 16 pairs is positive, so L = CLIP + 0.5 (image term + text term) exceeds CLIP alone.
            assertTrue(total > clip + 0.1, "CleanCLIP's in-modal terms missing: total " + total + ", clip " + clip);
        }
    }
}
