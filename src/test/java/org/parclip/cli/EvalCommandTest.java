package org.parclip.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.TestData;
import org.parclip.io.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `par eval` on a small synthetic set: CA, ASR with its counts, retrieval recall, and the class-embedding cache. */
class EvalCommandTest {
    @Test
    void evaluatesAndCachesClassEmbeddings(@TempDir Path dir) throws Exception {
        TestData.world(dir.resolve("w"), 24, 40, 2);
        Path ckpt = TestData.tinyCheckpoint(dir.resolve("m.safetensors"), 1);
        String[] args = {"eval", "--checkpoint", ckpt.toString(), "--data", dir.resolve("w/eval.csv").toString(),
                "--classes", dir.resolve("w/classes.json").toString(), "--templates",
                dir.resolve("w/templates.json").toString(), "--attack", "badnet_rs", "--retrieval",
                dir.resolve("w/train.csv").toString(), "--output-dir", dir.resolve("out").toString(), "--backend", "cpu"};
        assertEquals(0, Main.execute(args));
        Map<String, Object> r = Json.parseObject(Files.readString(dir.resolve("out/results.json")));
        for (String k : List.of("clean_accuracy", "top5_accuracy", "attack_success_rate", "image_to_text_recall@1",
                "text_to_image_recall@10", "text_attack_success_rate")) {
            double v = ((Number) r.get(k)).doubleValue();
            assertTrue(v >= 0 && v <= 100, k + " = " + v);
        }
        assertTrue(((Number) r.get("top5_accuracy")).doubleValue() >= ((Number) r.get("clean_accuracy")).doubleValue());
        int counted = ((Number) r.get("asr_images")).intValue(), excluded = ((Number) r.get("asr_excluded_target_class")).intValue();
        assertEquals(40, counted + excluded, "every image is either counted or a target-class image");
        assertEquals(24, ((Number) r.get("retrieval_images")).intValue());
        // Ten candidates are at least as good as one.
        assertTrue(((Number) r.get("image_to_text_recall@10")).doubleValue() >= ((Number) r.get("image_to_text_recall@1")).doubleValue());

        long cached;
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            cached = s.filter(p -> p.getFileName().toString().startsWith("class_embeddings-")).count();
        }
        assertEquals(1, cached, "class embeddings cached once");
        assertEquals(0, Main.execute(args));
        assertEquals(r, Json.parseObject(Files.readString(dir.resolve("out/results.json"))), "cached run gives the same results");
    }
}
