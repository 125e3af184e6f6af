package org.parclip.train;

import org.parclip.cli.UserException;
import org.parclip.io.Json;
import org.parclip.io.Safetensors;
import org.parclip.io.StateDict;
import org.parclip.tensor.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Training checkpoints under {@code OUT/checkpoints/step-NNNNNNNN/} (model.safetensors, optimizer.safetensors,
 * state.json). A checkpoint is written into a hidden temporary directory, every file fsynced, then the directory
 * is renamed into place: a crash at any moment leaves either the previous checkpoints or the new one complete,
 * never a half-written one. Older step checkpoints are pruned; end-of-epoch ones are kept.
 */
final class CheckpointStore {
    private static final String PREFIX = "step-";
    private final Path dir;
    private final int keep;

    CheckpointStore(Path outputDir, int keep) {
        this.dir = outputDir.resolve("checkpoints");
        this.keep = keep;
    }

    record Loaded(Map<String, Object> state, StateDict model, StateDict optimizer, Path path) {}

    void save(long step, boolean epochEnd, Map<String, Object> state, StateDict model, StateDict optimizer) {
        try {
            Files.createDirectories(dir);
            String name = String.format("%s%08d", PREFIX, step);
            Path tmp = Files.createTempDirectory(dir, ".tmp-" + name);
            Safetensors.write(tmp.resolve("model.safetensors"), model, DType.F32, Map.of("content", "model"));
            Safetensors.write(tmp.resolve("optimizer.safetensors"), optimizer, DType.F32, Map.of("content", "adamw"));
            Files.writeString(tmp.resolve("state.json"), Json.write(state) + "\n", StandardCharsets.UTF_8);
            if (epochEnd) Files.writeString(tmp.resolve("EPOCH_END"), "");
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : files.toList()) fsync(f);
            }
            Path target = dir.resolve(name);
            if (Files.exists(target)) deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsync(dir);
            prune();
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint for step " + step + " in " + dir, e);
        }
    }

    /** The newest complete checkpoint, if any; leftovers of interrupted writes are removed. */
    Optional<Loaded> latest() {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try {
            for (Path p : list()) if (p.getFileName().toString().startsWith(".tmp-")) deleteTree(p);
            List<Path> complete = completeCheckpoints();
            if (complete.isEmpty()) return Optional.empty();
            Path p = complete.getLast();
            Map<String, Object> state = Json.parseObject(Files.readString(p.resolve("state.json")));
            return Optional.of(new Loaded(state, Safetensors.read(p.resolve("model.safetensors")),
                    Safetensors.read(p.resolve("optimizer.safetensors")), p));
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException("cannot resume from " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Deletes every checkpoint but the newest, end-of-epoch ones included: for a finished run whose checkpoints
     * only need to say "done" to a resume. The newest is kept, so resuming still finds the run complete.
     */
    void dropAllButLatest() {
        if (!Files.isDirectory(dir)) return;
        try {
            deleteAllBut(1, false);
        } catch (IOException e) {
            throw new UncheckedIOException("pruning checkpoints in " + dir, e);
        }
    }

    private List<Path> completeCheckpoints() throws IOException {
        return list().stream().filter(p -> p.getFileName().toString().startsWith(PREFIX))
                .filter(p -> Files.isRegularFile(p.resolve("state.json")))
                .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private void prune() throws IOException {
        deleteAllBut(keep, true);
    }

    /** Deletes all complete checkpoints but the newest {@code newest}, sparing end-of-epoch ones if asked. */
    private void deleteAllBut(int newest, boolean spareEpochEnds) throws IOException {
        List<Path> all = completeCheckpoints();
        for (int k = 0; k < all.size() - newest; k++) {
            Path p = all.get(k);
            if (!spareEpochEnds || !Files.exists(p.resolve("EPOCH_END"))) deleteTree(p);
        }
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, Files.isDirectory(p) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
