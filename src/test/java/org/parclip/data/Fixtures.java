package org.parclip.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The golden files written by tools/make_image_fixtures.py (see its docstring for what each one is). */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path path(String name) {
        URL url = Fixtures.class.getResource("/fixtures/images/" + name);
        if (url == null) throw new IllegalArgumentException("no fixture " + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean exists(String name) {
        return Fixtures.class.getResource("/fixtures/images/" + name) != null;
    }

    public static RgbImage image(String name) {
        try {
            return ImageDecoder.read(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What PIL decoded for input {@code name}: its .rgb.png, or the RGB/grey PNG itself. */
    public static RgbImage referenceDecode(String name) {
        String stem = stem(name);
        return image(exists(stem + ".rgb.png") ? stem + ".rgb.png" : name);
    }

    public static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    public static float[] floats(String name) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path(name))).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest and mean absolute difference of two same-sized images, over all channel values. */
    public static double[] diff(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height())
            throw new AssertionError(a.width() + "x" + a.height() + " vs " + b.width() + "x" + b.height());
        byte[] x = a.pixels(), y = b.pixels();
        long sum = 0;
        int max = 0;
        for (int i = 0; i < x.length; i++) {
            int d = Math.abs((x[i] & 0xff) - (y[i] & 0xff));
            sum += d;
            max = Math.max(max, d);
        }
        return new double[]{max, (double) sum / x.length};
    }
}
