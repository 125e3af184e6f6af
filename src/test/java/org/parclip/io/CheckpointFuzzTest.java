package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutations of real files (bit flips, truncations, random byte runs, length fields set huge, insertions and
 * deletions) must each end in a UserException or a valid result, never another exception, an out-of-memory error
 * or a hang; random bytes must be refused.
 */
class CheckpointFuzzTest {
    private static final int MUTATIONS_PER_FILE = 700;
    private static final long[] HUGE = {0xffffffffL, 0x7fffffffL, 0x80000000L, Long.MAX_VALUE, -1L, 1L << 40};

    private record Outcome(int accepted, int refused) {
    }

    /** Runs {@code reader} on each mutation; anything but success or UserException is collected as a failure. */
    private static Outcome fuzz(String name, byte[] original, long seed, Consumer<MemorySegment> reader,
                                List<String> failures) {
        Random r = new Random(seed);
        int accepted = 0, refused = 0;
        for (int i = 0; i < MUTATIONS_PER_FILE; i++) {
            byte[] b = original.clone();
            String how = mutate(r, i % 6, b);
            if (how.startsWith("truncate") || how.startsWith("insert") || how.startsWith("delete"))
                b = resize(r, how, original);
            try {
                reader.accept(MemorySegment.ofArray(b));
                accepted++;
            } catch (UserException e) {
                refused++;
            } catch (Throwable t) {
                failures.add(name + " mutation " + i + " (" + how + ", seed " + seed + "): " + t);
            }
        }
        return new Outcome(accepted, refused);
    }

    private static String mutate(Random r, int kind, byte[] b) {
        int at = r.nextInt(b.length);
        switch (kind) {
            case 0 -> {
                int flips = 1 + r.nextInt(8);
                for (int k = 0; k < flips; k++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                return "flip " + flips + " bits";
            }
            case 1 -> {
                int n = Math.min(b.length - at, 1 + r.nextInt(64));
                for (int k = 0; k < n; k++) b[at + k] = (byte) r.nextInt(256);
                return "random run of " + n + " at " + at;
            }
            case 2 -> {
                long v = HUGE[r.nextInt(HUGE.length)];
                int width = r.nextBoolean() ? 4 : 8;
                for (int k = 0; k < width && at + k < b.length; k++) b[at + k] = (byte) (v >>> (8 * k));
                return "length field " + Long.toHexString(v) + " at " + at;
            }
            case 3 -> {
                return "truncate";
            }
            case 4 -> {
                return "insert";
            }
            default -> {
                return "delete";
            }
        }
    }

    private static byte[] resize(Random r, String how, byte[] original) {
        int at = r.nextInt(original.length);
        if (how.equals("truncate")) return Arrays.copyOf(original, at);
        int n = 1 + r.nextInt(16);
        byte[] out;
        if (how.equals("insert")) {
            out = new byte[original.length + n];
            System.arraycopy(original, 0, out, 0, at);
            for (int k = 0; k < n; k++) out[at + k] = (byte) r.nextInt(256);
            System.arraycopy(original, at, out, at + n, original.length - at);
        } else {
            n = Math.min(n, original.length - at);
            out = new byte[original.length - n];
            System.arraycopy(original, 0, out, 0, at);
            System.arraycopy(original, at + n, out, at, original.length - at - n);
        }
        return out;
    }

    /** Reads a checkpoint and touches every tensor's bytes, so that an accepted file is a usable one. */
    private static void readCheckpoint(MemorySegment seg) {
        StateDict sd = Checkpoints.read(seg, "fuzzed");
        for (HostTensor t : sd.tensors().values()) t.toFloats();
    }

    private static void readNpz(MemorySegment seg) {
        for (NpyArray a : Npz.parse(seg, "fuzzed.npz").values()) a.toFloats();
    }

    @Test
    void mutatedFilesEndInAUserErrorOrAValidResult(@TempDir Path dir) throws Exception {
        StateDict mixed = Checkpoints.read(Fixtures.checkpoint("mixed.pt"));
        Path st = dir.resolve("mixed.safetensors");
        Safetensors.write(st, mixed, DType.BF16, Map.of());
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : List.of("mixed.pt", "mixed_legacy.pt", "train.pt", "tiny_clip_jit_fp16.pt", "malicious.pt"))
            files.put(f, Files.readAllBytes(Fixtures.checkpoint(f)));
        files.put("mixed.safetensors", Files.readAllBytes(st));
        byte[] npz = Files.readAllBytes(Fixtures.checkpoint("mixed_ref.npz"));
        List<String> failures = new ArrayList<>();
        int[] totals = new int[2];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            long seed = 1;
            for (var e : files.entrySet()) {
                Outcome o = fuzz(e.getKey(), e.getValue(), seed++, CheckpointFuzzTest::readCheckpoint, failures);
                totals[0] += o.accepted;
                totals[1] += o.refused;
            }
            Outcome o = fuzz("mixed_ref.npz", npz, seed, CheckpointFuzzTest::readNpz, failures);
            totals[0] += o.accepted;
            totals[1] += o.refused;
        });
        System.out.printf("fuzz: %d mutations, %d accepted, %d refused, %d failures%n",
                totals[0] + totals[1] + failures.size(), totals[0], totals[1], failures.size());
        assertTrue(failures.isEmpty(), String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        assertEquals((files.size() + 1) * MUTATIONS_PER_FILE, totals[0] + totals[1]);
    }

    @Test
    void randomBytesAreRefused() {
        Random r = new Random(42);
        byte[][] prefixes = {{}, {'P', 'K', 3, 4}, {(byte) 0x80, 2}, {(byte) 0x80, 2, (byte) 0x8a, 10},
                ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).putLong(40).put((byte) '{').array()};
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            for (int i = 0; i < 1000; i++) {
                byte[] p = prefixes[i % prefixes.length];
                byte[] b = new byte[p.length + r.nextInt(4096)];
                r.nextBytes(b);
                System.arraycopy(p, 0, b, 0, p.length);
                MemorySegment seg = MemorySegment.ofArray(b);
                try {
                    Checkpoints.read(seg, "random");
                    throw new AssertionError("random bytes were accepted (case " + i + ")");
                } catch (UserException expected) {
                    // refused, as it must be
                }
            }
        });
    }
}
