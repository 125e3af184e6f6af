package org.parclip.attack;

import org.parclip.cli.UserException;
import org.parclip.data.ImageDecoder;
import org.parclip.data.Preprocess;
import org.parclip.data.RgbImage;
import org.parclip.io.HostTensor;
import org.parclip.io.TorchFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fixed trigger patterns shipped in the jar (org/parclip/attack/), loaded once. The .pt files are the
 * reference's torch.save'd tensors, read with {@link TorchFiles}; they are not all stored in the same layout
 * ([3, S, S] or [S, S, 3]), so the layout is told from the shape.
 */
final class TriggerPatterns {
    private static final Map<String, float[]> CACHE = new ConcurrentHashMap<>();

    private TriggerPatterns() {
    }

    /** Blended-Triangles: 14-pixel right triangles of 0.4 and 0.8, [3, S, S], S = 224 or 336. */
    static float[] triangles(int size) {
        return chw("triangles_" + supported(size, "tri_patt") + "_14.pt", size);
    }

    /** Blended-Text: the red word "Watermarked" on black, [3, S, S], S = 224 or 336. */
    static float[] watermark(int size) {
        return chw("watermarked_red_tens_" + supported(size, "water_patt") + ".pt", size);
    }

    /** WaNet's noise grid, [224, 224, 2] (x then y offset per output pixel), values in about [-2, 2]. */
    static float[] wanetGrid() {
        return CACHE.computeIfAbsent("wanet_noise_grid_224.pt", name -> {
            Stored t = readTensor(name);
            if (!Arrays.equals(t.shape, new int[]{1, 224, 224, 2}))
                throw new IllegalStateException(name + " has shape " + Arrays.toString(t.shape));
            return t.values;
        });
    }

    /** BadCLIP's optimised 16 x 16 patch, [3, 16, 16] in [0, 1], decoded from its JPEG as ToTensor would. */
    static float[] badclipPatch() {
        return CACHE.computeIfAbsent("badCLIP.jpg", name -> {
            try (InputStream in = resource(name)) {
                RgbImage patch = ImageDecoder.decode(in.readAllBytes());
                if (patch.width() != 16 || patch.height() != 16)
                    throw new IllegalStateException(name + " is " + patch.width() + "x" + patch.height());
                return Preprocess.toUnit(patch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static int supported(int size, String attack) {
        if (size != 224 && size != 336)
            throw new UserException(attack + " has fixed patterns for image sizes 224 and 336 only, not " + size);
        return size;
    }

    private static float[] chw(String name, int size) {
        return CACHE.computeIfAbsent(name, n -> {
            Stored t = readTensor(n);
            int[] s = t.shape;
            float[] v = t.values;
            if (Arrays.equals(s, new int[]{3, size, size})) return v;
            if (!Arrays.equals(s, new int[]{size, size, 3}))
                throw new IllegalStateException(n + " has shape " + Arrays.toString(s));
            float[] out = new float[v.length];
            int plane = size * size;
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++) out[c * plane + i] = v[3 * i + c];
            return out;
        });
    }

    private record Stored(int[] shape, float[] values) {
    }

    /** TorchFiles reads from a file (it maps it), so the resource is copied out of the jar first. */
    private static Stored readTensor(String name) {
        try (InputStream in = resource(name)) {
            Path tmp = Files.createTempFile("parclip-", "-" + name);
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                HostTensor t = TorchFiles.readTensor(tmp);
                // The tensor may be a view of the mapped file: copy the values out before the file goes.
                return new Stored(t.shape(), t.toFloats());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = TriggerPatterns.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("resource org/parclip/attack/" + name + " missing from the build");
        return in;
    }
}
