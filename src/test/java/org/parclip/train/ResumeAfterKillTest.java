package org.parclip.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.TestData;
import org.parclip.cli.Main;
import org.parclip.io.HostTensor;
import org.parclip.io.Safetensors;
import org.parclip.io.StateDict;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 during `par clean`, then the same command again: it resumes from the last checkpoint and ends with
 * weights bitwise equal to an uninterrupted run's (issue 6). The killed run is a separate JVM.
 */
class ResumeAfterKillTest {
    @Test
    void killedRunResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        TestData.world(dir.resolve("world"), 256, 8, 3);
        Path poisoned = TestData.tinyCheckpoint(dir.resolve("poisoned.safetensors"), 5);
        List<String> args = List.of("clean", "--checkpoint", poisoned.toString(), "--train-data",
                dir.resolve("world/train.csv").toString(), "--method", "par", "--epochs", "4", "--warmup-epochs", "1",
                "--batch-size", "16", "--lr", "1e-3", "--lr-start", "1e-2", "--checkpoint-every", "3",
                "--threads", "2", "--backend", "cpu", "--workers", "2");

        assertEquals(0, Main.execute(with(args, "--output-dir", dir.resolve("straight").toString()).toArray(String[]::new)));

        Path killedOut = dir.resolve("killed");
        Process p = subprocess(with(args, "--output-dir", killedOut.toString()), dir.resolve("log.txt"));
        Path checkpoints = killedOut.resolve("checkpoints");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (countCheckpoints(checkpoints) < 2 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive(), "the run ended before it could be killed:\n" + Files.readString(dir.resolve("log.txt")));
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
        assertFalse(Files.exists(killedOut.resolve("cleaned.safetensors")), "the killed run must not have finished");

        assertEquals(0, Main.execute(with(args, "--output-dir", killedOut.toString()).toArray(String[]::new)));
        StateDict a = Safetensors.read(dir.resolve("straight/cleaned.safetensors"));
        StateDict b = Safetensors.read(killedOut.resolve("cleaned.safetensors"));
        assertEquals(a.names(), b.names());
        for (String name : a.names()) {
            HostTensor x = a.get(name), y = b.get(name);
            assertEquals(x, y, name + " differs between the uninterrupted and the resumed run");
        }
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    private static Process subprocess(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static long countCheckpoints(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(q -> q.getFileName().toString().startsWith("step-")).count();
        }
    }
}
