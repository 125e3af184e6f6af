package org.parclip.text;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reports tokenizer throughput on the 80,000 ImageNet prompts; timings vary too much on shared machines to assert. */
class TokenizerThroughputTest {
    @Test
    void reportsCaptionsPerSecond() throws Exception {
        List<String> templates = jsonStrings("/org/parclip/data/templates.json");
        List<String> classes = jsonStrings("/org/parclip/data/classes.json");
        List<String> prompts = new ArrayList<>(templates.size() * classes.size());
        for (String t : templates) for (String c : classes) prompts.add(t.replace("{}", c));
        ClipTokenizer tok = ClipTokenizer.get();
        tok.tokenize(prompts, 77); // warm-up: JIT and word cache, so both timings below see the same state

        long t0 = System.nanoTime();
        int[][] single = tok.tokenize(prompts, 77);
        double oneThread = prompts.size() / ((System.nanoTime() - t0) / 1e9);

        int threads = 2;
        long t1 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<int[][]>> parts = new ArrayList<>();
            int step = (prompts.size() + threads - 1) / threads;
            for (int from = 0; from < prompts.size(); from += step) {
                List<String> part = prompts.subList(from, Math.min(prompts.size(), from + step));
                parts.add(pool.submit(() -> tok.tokenize(part, 77)));
            }
            int rows = 0;
            for (Future<int[][]> f : parts) rows += f.get().length;
            assertEquals(prompts.size(), rows);
        }
        double twoThreads = prompts.size() / ((System.nanoTime() - t1) / 1e9);
        assertEquals(prompts.size(), single.length);
        System.out.printf("tokenizer throughput: %,d prompts, %,.0f captions/s on 1 thread, %,.0f captions/s on %d threads%n",
                prompts.size(), oneThread, twoThreads, threads);
    }

    /** The strings of a flat JSON array of plain strings (the class and template lists). */
    private static List<String> jsonStrings(String resource) throws IOException {
        try (InputStream in = TokenizerThroughputTest.class.getResourceAsStream(resource)) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
            while (m.find()) out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
            return out;
        }
    }
}
