package org.parclip.cli;

import org.parclip.data.ImageDecoder;
import org.parclip.data.Preprocess;
import org.parclip.io.Checkpoints;
import org.parclip.io.Npy;
import org.parclip.io.NpyArray;
import org.parclip.model.ClipModel;
import org.parclip.tensor.Backend;
import org.parclip.text.ClipTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Reading and checking the inputs commands share: checkpoints, pixel and token arrays, image folders, captions. */
final class Inputs {
    private Inputs() {
    }

    record Pixels(float[] values, int count) {}

    record Tokens(int[] ids, int count) {}

    static void requireFile(Path p, String flag) {
        if (p == null || !Files.isRegularFile(p)) throw new UserException(flag + ": no such file: " + p);
    }

    static ClipModel loadModel(Backend be, Path checkpoint) throws IOException {
        requireFile(checkpoint, "checkpoint");
        return ClipModel.fromStateDict(be, Checkpoints.read(checkpoint));
    }

    /** float32 [N, 3, s, s] pixels; the resolution must be the model's. */
    static Pixels readPixels(Path file, int imageSize) throws IOException {
        requireFile(file, "--pixels");
        NpyArray a = Npy.read(file);
        int[] s = a.shape();
        if (s.length != 4 || s[1] != 3 || s[2] != imageSize || s[3] != imageSize)
            throw new UserException(file + ": expected pixels of shape [N, 3, " + imageSize + ", " + imageSize
                    + "], got " + Arrays.toString(s));
        return new Pixels(a.toFloats(), s[0]);
    }

    /** int32/int64 [N, context] token ids, each in [0, vocab) (the embedding checks the range). */
    static Tokens readTokens(Path file, int context) throws IOException {
        requireFile(file, "--tokens");
        NpyArray a = Npy.read(file);
        int[] s = a.shape();
        if (s.length != 2 || s[1] != context)
            throw new UserException(file + ": expected tokens of shape [N, " + context + "], got " + Arrays.toString(s));
        if (!a.dtype().contains("i")) throw new UserException(file + ": tokens must be int32 or int64, got " + a.dtype());
        return new Tokens(a.toInts(), s[0]);
    }

    /** Image files of a folder in name order, each decoded and CLIP-preprocessed (spec §6). */
    static Pixels readImages(Path dir, int imageSize) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) throw new UserException("--images: no such folder: " + dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(Inputs::isImage).sorted().toList();
        }
        if (files.isEmpty()) throw new UserException("--images: no .jpg/.jpeg/.png files in " + dir);
        Preprocess pre = Preprocess.clip(imageSize);
        int per = 3 * imageSize * imageSize;
        float[] all = new float[files.size() * per];
        for (int i = 0; i < files.size(); i++) {
            float[] px;
            try {
                px = pre.apply(ImageDecoder.read(files.get(i)));
            } catch (IOException | RuntimeException e) {
                throw new UserException("cannot read image " + files.get(i) + ": " + e.getMessage());
            }
            System.arraycopy(px, 0, all, i * per, per);
        }
        return new Pixels(all, files.size());
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    /** One caption per line (UTF-8), tokenised with CLIP's BPE into rows of the model's context. */
    static Tokens tokenizeFile(Path file, int context) throws IOException {
        requireFile(file, "--texts");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return new Tokens(ClipTokenizer.get().tokenizeFlat(lines, context), lines.size());
    }
}
