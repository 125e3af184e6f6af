package org.parclip.cli;

import org.parclip.eval.ZeroShotClassifier;
import org.parclip.eval.ZeroShotEval;
import org.parclip.io.Npy;
import org.parclip.io.NpyArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Class text embeddings of a checkpoint, cached in the output folder: 1,000 classes x 80 templates is 80,000
 * captions to encode, the same for every evaluation of one checkpoint. The key hashes the checkpoint's path, size
 * and modification time with the class names and templates, so any change makes a new entry.
 */
final class ClassEmbeddingCache {
    private ClassEmbeddingCache() {
    }

    static ZeroShotClassifier load(Path outputDir, Path checkpoint, ZeroShotEval eval, Supplier<ZeroShotClassifier> build)
            throws IOException {
        Path file = outputDir.resolve("class_embeddings-" + key(checkpoint, eval) + ".npy");
        if (Files.isRegularFile(file)) {
            NpyArray a = Npy.read(file);
            if (a.shape().length == 2 && a.shape()[0] == eval.classCount()) {
                System.err.println("class embeddings from " + file);
                return new ZeroShotClassifier(a.toFloats(), eval.classCount());
            }
        }
        ZeroShotClassifier c = build.get();
        float[] w = c.weights();
        Npy.writeFloat32(file, w, c.classes(), w.length / c.classes());
        return c;
    }

    private static String key(Path checkpoint, ZeroShotEval eval) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Path abs = checkpoint.toAbsolutePath().normalize();
            md.update((abs + "\n" + Files.size(abs) + "\n" + Files.getLastModifiedTime(abs).toMillis() + "\n"
                    + eval.describePrompts()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
