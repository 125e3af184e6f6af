package org.parclip.attack;

import org.parclip.cli.UserException;
import org.parclip.data.Preprocess;
import org.parclip.data.Resize;
import org.parclip.data.RgbImage;
import org.parclip.data.SampleTransform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The backdoor triggers of spec section 7, as the PAR reference's {@code apply_trigger} configures them for its
 * evaluation. Blends are computed in float32 in the reference's operation order ({@code a * noise + (1 - a) * image}),
 * so fixed-pattern triggers give the reference's pixels.
 */
public final class Attacks {
    private static final List<Attack> ALL = List.of(
            new BadNet(), new BadNetStripes(), new Blended(), new BlendedStripes(),
            new BlendedPattern("tri_patt", 0.15), new BlendedPattern("water_patt", 0.5), new BadClip(), new WaNet());
    private static final Map<String, Attack> BY_NAME = new LinkedHashMap<>();

    static {
        for (Attack a : ALL) BY_NAME.put(a.name(), a);
        alias("badnet", "random");
        alias("badnet-stripes", "badnet_rs");
        alias("blended-stripes", "blended_rs");
        alias("blended-triangles", "tri_patt");
        alias("triangles", "tri_patt");
        alias("blended-text", "water_patt");
        alias("text", "water_patt");
        alias("wanet", "warped");
    }

    private Attacks() {
    }

    private static void alias(String alias, String name) {
        BY_NAME.put(alias, BY_NAME.get(name));
    }

    /** The reference's names of all attacks: random, badnet_rs, blended, blended_rs, tri_patt, water_patt, badclip, warped. */
    public static List<String> names() {
        return ALL.stream().map(Attack::name).toList();
    }

    /**
     * The attack called {@code name}: a reference name or a readable alias (badnet, badnet-stripes, blended-stripes,
     * blended-triangles, blended-text, wanet), case-insensitive, '-' and '_' alike.
     */
    public static Attack byName(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Attack> e : BY_NAME.entrySet())
            if (e.getKey().replace('_', '-').equals(key.replace('_', '-'))) return e.getValue();
        throw new UserException("unknown attack '" + name + "'; known: " + String.join(", ", BY_NAME.keySet()));
    }

    /**
     * The side a trigger is applied at for a model with input size {@code modelImageSize}: 336 for the 336-pixel
     * models, otherwise 224 (the reference's default; the preprocessing then resizes to the model's size).
     */
    public static int triggerSize(int modelImageSize) {
        return modelImageSize == 336 ? 336 : 224;
    }

    /**
     * The evaluation input of a triggered image, as the reference's ImageLabelDataset makes it: the trigger at
     * {@link #triggerSize}, the 8-bit image ToPILImage gives, then {@code preprocess}; for an
     * {@link org.parclip.data.Loader}.
     */
    public static SampleTransform triggered(Attack attack, Preprocess preprocess) {
        int size = triggerSize(preprocess.imageSize());
        return (image, rng) -> preprocess.apply(trigger(image, attack, size, rng), rng);
    }

    /**
     * What the reference does to a decoded image: PIL-bicubic resize straight to size x size, ToTensor, the
     * trigger, then ToPILImage, whose {@code mul(255).byte()} truncates (0.999 x 255 becomes 254, not 255).
     */
    public static RgbImage trigger(RgbImage image, Attack attack, int size, RandomGenerator rng) {
        float[] x = attack.apply(Preprocess.toUnit(Resize.bicubic(image, size, size)), size, rng);
        return toImage(x, size, size);
    }

    /** ToPILImage for a [3, H, W] float tensor in [0, 1]: each value times 255, truncated. */
    public static RgbImage toImage(float[] chw, int width, int height) {
        int plane = width * height;
        byte[] px = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) px[3 * i + c] = (byte) (int) (chw[c * plane + i] * 255f);
        return new RgbImage(width, height, px);
    }

    private static float[] clip(float[] x) {
        for (int i = 0; i < x.length; i++) x[i] = Math.clamp(x[i], 0f, 1f);
        return x;
    }

    /** A +1 or -1 per (channel, column), the reference's random_choice: sign(2 U - 1). */
    private static float[] columnSigns(int columns, RandomGenerator rng) {
        float[] s = new float[3 * columns];
        for (int i = 0; i < s.length; i++) s[i] = rng.nextBoolean() ? 1f : -1f;
        return s;
    }

    /** Pastes a [3, p, p] patch into a copy of [3, size, size] x with its top-left at (top, left), then clips. */
    private static float[] paste(float[] x, int size, float[] patch, int p, int top, int left) {
        float[] out = x.clone();
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < p; y++)
                System.arraycopy(patch, (c * p + y) * p, out, c * size * size + (top + y) * size + left, p);
        return clip(out);
    }

    /** BadNet: a 16 x 16 patch of the image's channel means plus N(0, 1) noise at a random position. */
    private static final class BadNet implements Attack {
        private static final int PATCH = 16;

        @Override
        public String name() {
            return "random";
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            int plane = size * size;
            float[] patch = new float[3 * PATCH * PATCH];
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = c * plane; i < (c + 1) * plane; i++) sum += x[i];
                float mean = (float) (sum / plane);
                for (int i = 0; i < PATCH * PATCH; i++) patch[c * PATCH * PATCH + i] = mean + (float) rng.nextGaussian();
            }
            // random.randint(0, size - 1 - patch) in the reference: both ends included.
            int top = rng.nextInt(size - PATCH), left = rng.nextInt(size - PATCH);
            return paste(x, size, patch, PATCH, top, left);
        }
    }

    /** BadNet-Stripes: a patch whose every (channel, column) is +1 or -1, pasted and clipped to 1 or 0. */
    private static final class BadNetStripes implements Attack {
        @Override
        public String name() {
            return "badnet_rs";
        }

        /**
         * 16 x 16, and 32 x 32 for the 336-pixel models (the reference's setting for ViT-L-14-336). Below 224 pixels,
         * which only the demo's synthetic world uses, a quarter of the side (at least 4): a 16-pixel patch would
         * hide a quarter of a 32-pixel image, so that even a clean model would call many triggered images "banana".
         */
        static int patchSize(int size) {
            if (size < 224) return Math.max(4, size / 4);
            return size >= 336 ? 32 : 16;
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            int p = patchSize(size);
            float[] signs = columnSigns(p, rng);
            float[] patch = new float[3 * p * p];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < p; y++)
                    System.arraycopy(signs, c * p, patch, (c * p + y) * p, p);
            int top = rng.nextInt(size - p), left = rng.nextInt(size - p);
            return paste(x, size, patch, p, top, left);
        }
    }

    /** Blended: 0.8 x image + 0.2 x fresh U[0, 1) noise. */
    private static final class Blended implements Attack {
        @Override
        public String name() {
            return "blended";
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) out[i] = 0.2f * rng.nextFloat() + 0.8f * x[i];
            return clip(out);
        }
    }

    /** Blended-Stripes: 0.97 x image + 0.03 x full-size vertical stripes of +1 / -1 per (channel, column). */
    private static final class BlendedStripes implements Attack {
        private static final float A = 0.03f, ONE_MINUS_A = (float) (1 - 0.03);

        @Override
        public String name() {
            return "blended_rs";
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            float[] signs = columnSigns(size, rng);
            float[] out = new float[x.length];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < size; y++)
                    for (int col = 0, i = (c * size + y) * size; col < size; col++, i++)
                        out[i] = A * signs[c * size + col] + ONE_MINUS_A * x[i];
            return clip(out);
        }
    }

    /**
     * Blended-Triangles (a = 0.15, pattern everywhere non-zero) and Blended-Text (a = 0.5): where the fixed
     * pattern is non-zero, a x pattern + (1 - a) x image, element by element (the reference's torch.where on
     * pattern != 0, so the red text blends only the red channel).
     */
    private static final class BlendedPattern implements Attack {
        private final String name;
        private final float a, oneMinusA;

        BlendedPattern(String name, double a) {
            this.name = name;
            this.a = (float) a;
            this.oneMinusA = (float) (1 - a);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            float[] p = name.equals("tri_patt") ? TriggerPatterns.triangles(size) : TriggerPatterns.watermark(size);
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) out[i] = p[i] != 0 ? a * p[i] + oneMinusA * x[i] : x[i];
            return clip(out);
        }
    }

    /** BadCLIP: its fixed optimised 16 x 16 patch pasted at the centre (top-left int(size / 2) - 8). */
    private static final class BadClip implements Attack {
        @Override
        public String name() {
            return "badclip";
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            int start = size / 2 - 8;
            return paste(x, size, TriggerPatterns.badclipPatch(), 16, start, start);
        }
    }

    /**
     * WaNet: F.grid_sample(image, clamp(identity + noise_grid / S, -1, 1), bilinear, zeros, align_corners=True)
     * with the fixed 224 x 224 noise grid and s = 1. Float32 arithmetic follows PyTorch 1.13's x86 CPU kernels
     * (AVX2 build, where the compiler fuses multiply-adds): torch.linspace's vectorised fill and grid_sample's
     * weights and sums in their order. Outputs then equal that build's bit for bit; another build (no FMA, AVX-512,
     * a GPU) may differ in the last bit of a float, which can move a pixel by one grey level after truncation.
     */
    private static final class WaNet implements Attack {
        private static final int GRID = 224;

        @Override
        public String name() {
            return "warped";
        }

        @Override
        public float[] apply(float[] x, int size, RandomGenerator rng) {
            if (size != GRID)
                throw new UserException("warped (WaNet) has a fixed noise grid for image size 224 only, not " + size);
            float[] noise = TriggerPatterns.wanetGrid();
            float[] line = linspace(-1f, 1f, size);
            float scale = (size - 1) / 2f;
            int plane = size * size;
            float[] out = new float[x.length];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    int g = 2 * (i * size + j);
                    float gx = Math.clamp(line[j] + noise[g] / size, -1f, 1f);
                    float gy = Math.clamp(line[i] + noise[g + 1] / size, -1f, 1f);
                    float px = (gx + 1f) * scale, py = (gy + 1f) * scale;
                    float xw = (float) Math.floor(px), yn = (float) Math.floor(py);
                    float w = px - xw, e = 1f - w, n = py - yn, s = 1f - n;
                    float nw = s * e, ne = s * w, sw = n * e, se = n * w;
                    int ix = (int) xw, iy = (int) yn;
                    for (int c = 0; c < 3; c++) {
                        int base = c * plane;
                        float vnw = at(x, base, size, iy, ix), vne = at(x, base, size, iy, ix + 1);
                        float vsw = at(x, base, size, iy + 1, ix), vse = at(x, base, size, iy + 1, ix + 1);
                        out[base + i * size + j] = combine(vnw, nw, vne, ne, vsw, sw, vse, se);
                    }
                }
            }
            return clip(out);
        }

        /**
         * ((nw_v * nw + ne_v * ne) + sw_v * sw) + se_v * se as PyTorch's build computes it: the compiler fuses each
         * multiply-add, so every step after the first product rounds once (measured bit-exact on random images).
         */
        private static float combine(float vnw, float nw, float vne, float ne, float vsw, float sw, float vse, float se) {
            return Math.fma(vse, se, Math.fma(vsw, sw, Math.fma(vne, ne, vnw * nw)));
        }

        /** Zero padding: samples outside the image read as 0. */
        private static float at(float[] x, int base, int size, int y, int xx) {
            return y >= 0 && y < size && xx >= 0 && xx < size ? x[base + y * size + xx] : 0f;
        }

        /**
         * torch.linspace(start, end, steps) in float32 as its AVX2 kernel fills it: eight values at a time from a
         * base start + step * idx (first half) or end - step * (steps - idx - 1) (second half), the base computed
         * with one rounding (the compiler fuses it), then base + k * step. The kernel fills 16 values per loop and
         * the scalar rest differently; steps is 224 here, a multiple of 16, so only the vector path is needed.
         */
        static float[] linspace(float start, float end, int steps) {
            float step = (end - start) / (steps - 1);
            int half = steps / 2;
            float[] out = new float[steps];
            for (int i0 = 0; i0 < steps; i0 += 8) {
                float base = i0 < half ? Math.fma(step, (float) i0, start) : Math.fma(-step, (float) (steps - i0 - 1), end);
                for (int k = 0; k < 8 && i0 + k < steps; k++) out[i0 + k] = base + k * step;
            }
            return out;
        }
    }
}
