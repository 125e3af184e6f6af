package org.parclip.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.Main;
import org.parclip.io.Json;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `par demo --quick` end to end: every phase runs, results.json has the shape, the figure is a PNG, each
 * finished phase keeps one checkpoint, and running the command again resumes every phase to the same results.
 */
class DemoQuickTest {
    @Test
    @SuppressWarnings("unchecked")
    void quickDemoWritesResultsFigureAndModels(@TempDir Path dir) throws Exception {
        assertEquals(0, Main.execute("demo", "--quick", "--output-dir", dir.toString(), "--backend", "cpu",
                "--threads", "2", "--seed", "1"));
        Map<String, Object> r = Json.parseObject(Files.readString(dir.resolve("results.json")));
        for (String method : List.of("clean_model", "poisoned", "par", "ft", "cleanclip")) {
            Map<String, Object> m = (Map<String, Object>) r.get(method);
            assertNotNull(m, method);
            for (String key : List.of("clean_accuracy", "attack_success_rate")) {
                double v = ((Number) m.get(key)).doubleValue();
                assertTrue(v >= 0 && v <= 100, method + " " + key + " = " + v + " is not a percentage");
            }
        }
        List<Map<String, Object>> curve = (List<Map<String, Object>>) r.get("curve");
        assertEquals(2 + 3 * DemoConfig.quick().cleanEpochs(), curve.size(), "one point per method and epoch");
        for (String name : List.of("pretrained", "poisoned", "par", "ft", "cleanclip")) {
            assertTrue(Files.isRegularFile(dir.resolve(name + ".safetensors")), name + ".safetensors kept");
            try (Stream<Path> checkpoints = Files.list(dir.resolve(name).resolve("checkpoints"))) {
                assertEquals(1, checkpoints.count(), name + ": only the last checkpoint of a finished phase is kept");
            }
        }
        BufferedImage png = ImageIO.read(dir.resolve("tradeoff.png").toFile());
        assertTrue(png.getWidth() >= 640 && png.getHeight() >= 480, "tradeoff.png is a real figure");

        assertEquals(0, Main.execute("demo", "--quick", "--output-dir", dir.toString(), "--backend", "cpu",
                "--threads", "2", "--seed", "1"));
        Map<String, Object> again = Json.parseObject(Files.readString(dir.resolve("results.json")));
        assertEquals(curve, again.get("curve"), "a second run resumes every finished phase to the same models");
    }
}
