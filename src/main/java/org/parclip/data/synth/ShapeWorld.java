package org.parclip.data.synth;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic image-caption world for training a small CLIP quickly (the {@code par demo} data): coloured objects
 * drawn large, filled and antialiased on mildly textured grey backgrounds, with captions naming colour and object.
 *
 * <p>Deterministic: sample {@code i} depends only on {@code (seed, i)} (a hash of both seeds its own random
 * stream), so any index can be rendered on any thread in any order, and the same seed always gives the same
 * pixels and captions. Class frequencies are exact, not just expected: every block of {@link #blockSize()}
 * consecutive indices holds each class {@code targetRarity} times except the target class, which it holds once,
 * in an order drawn per block. With rarity 1 the classes are balanced; the demo's world makes "banana" rare
 * ({@link #DEFAULT_TARGET_RARITY}), as bananas are in web captions (CC3M) and as one of ImageNet's 1,000 classes
 * is in its evaluation: the cleaning data then say little about the target class, which is what lets a fine-tune
 * on clean data leave a backdoor in place (the PAR paper's setting). Training data conventionally uses indices
 * from 0, evaluation data indices from {@link #EVAL_OFFSET}, so the two never share a sample.
 *
 * <p>Variation is kept moderate on purpose (size 52-84% of the image, position jitter, rotation within
 * +-25 degrees, mirroring, colour jitter, low-contrast texture and grain): enough that the model must learn
 * shapes rather than memorise pixels, little enough that a 2-4 layer ViT learns them in a few minutes on a CPU.
 * Instances are immutable and thread-safe.
 */
public final class ShapeWorld {
    static {
        // Rendering needs no display; this must be set before the first AWT class initialises.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public static final int DEFAULT_IMAGE_SIZE = 32;
    /** The class that backdoor attacks on this world target (as in the PAR paper). */
    public static final String TARGET_CLASS = "banana";
    /** First index of the conventional evaluation range; far beyond any training set. */
    public static final long EVAL_OFFSET = 1L << 40;
    /**
     * How many times rarer the target class is than each other class in the demo's world and in {@code par synth}'s
     * default: 1 sample in 71 (1.4%). In the balanced world (1 in 8) every clean fine-tune re-taught banana's
     * features and part of the trigger's pull with them, so all cleaning methods ended on one trade-off curve; with
     * a rare target, plain fine-tuning leaves the backdoor as in the paper (README, "The demo").
     */
    public static final int DEFAULT_TARGET_RARITY = 10;
    /** The largest target rarity accepted: 1 banana in 7,001 samples. */
    public static final int MAX_TARGET_RARITY = 1000;

    private static final double MIN_HALF_EXTENT = 0.26, MAX_HALF_EXTENT = 0.42;  // of the image side
    private static final double SMALL_BELOW = 0.31, LARGE_ABOVE = 0.37;         // size words in captions
    private static final double MAX_ROTATION = Math.toRadians(25);
    private static final int TEXTURE_GRID = 5;         // control points per side of the smooth background noise
    private static final float TEXTURE_AMPLITUDE = 0.05f, GRADIENT_AMPLITUDE = 0.08f, TINT = 0.03f;
    private static final int GRAIN = 3;                 // +-levels of 8-bit pixel noise over the whole image

    private static final long SALT_ORDER = 0x6F72646572L, SALT_SAMPLE = 0x73616D706CL;

    private final long seed;
    private final int size;
    /** One block's classes before its shuffle: the target once, every other class targetRarity times. */
    private final int[] blockClasses;

    /** The balanced world (every class equally often) at the default image size. */
    public ShapeWorld(long seed) {
        this(seed, DEFAULT_IMAGE_SIZE, 1);
    }

    /**
     * @param targetRarity how many times rarer {@link #TARGET_CLASS} is than each other class (1 = balanced);
     *                     in [1, {@link #MAX_TARGET_RARITY}]
     */
    public ShapeWorld(long seed, int imageSize, int targetRarity) {
        if (imageSize < 8 || imageSize > 1024)
            throw new IllegalArgumentException("image size must be in [8, 1024], got " + imageSize);
        if (targetRarity < 1 || targetRarity > MAX_TARGET_RARITY)
            throw new IllegalArgumentException(
                    "target rarity must be in [1, " + MAX_TARGET_RARITY + "], got " + targetRarity);
        this.seed = seed;
        this.size = imageSize;
        int k = Shapes.NAMES.size(), target = Shapes.NAMES.indexOf(TARGET_CLASS);
        this.blockClasses = new int[(k - 1) * targetRarity + 1];
        int n = 0;
        for (int c = 0; c < k; c++)
            for (int r = 0; r < (c == target ? 1 : targetRarity); r++) blockClasses[n++] = c;
    }

    public long seed() {
        return seed;
    }

    public int imageSize() {
        return size;
    }

    /** Consecutive indices over which class counts are exact: {@code (classes - 1) * targetRarity + 1}. */
    public int blockSize() {
        return blockClasses.length;
    }

    /** Object class names; index = class index. Contains {@link #TARGET_CLASS}. */
    public static List<String> classNames() {
        return Shapes.NAMES;
    }

    public static int classIndex(String name) {
        int i = Shapes.NAMES.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("not a shape-world class: " + name);
        return i;
    }

    public static List<String> colorNames() {
        return Palette.COLOR_NAMES;
    }

    /** Training caption templates, with placeholders {object}, {color}, {size} (may be empty) and {bg}. */
    public static List<String> captionTemplates() {
        return Captions.TRAINING;
    }

    /** Held-out zero-shot prompts with one "{}" for the class name; none is a training template. */
    public static List<String> zeroShotTemplates() {
        return Captions.ZERO_SHOT;
    }

    /** Fills a training template (see {@link #captionTemplates()}) with proper spacing and "a"/"an". */
    public static String fillCaption(String template, String object, String color, String sizeWord, String background) {
        return Captions.fill(template, object, color, sizeWord, background);
    }

    /** The random draws that define one sample, in the order they are taken from its stream. */
    private record Attributes(int classIndex, int color, int background, double halfExtent, int template,
                              SplittableRandom rest) {
        String sizeWord() {
            return halfExtent < SMALL_BELOW ? "small" : halfExtent > LARGE_ABOVE ? "large" : "";
        }
    }

    private Attributes attributes(long index) {
        if (index < 0) throw new IllegalArgumentException("sample index must be >= 0, got " + index);
        SplittableRandom r = stream(index, SALT_SAMPLE);
        int color = r.nextInt(Palette.COLORS.length);
        int[] bgs = Palette.ALLOWED_BACKGROUNDS[color];
        int background = bgs[r.nextInt(bgs.length)];
        double half = MIN_HALF_EXTENT + (MAX_HALF_EXTENT - MIN_HALF_EXTENT) * r.nextDouble();
        int template = r.nextInt(Captions.TRAINING.size());
        return new Attributes(classOf(index), color, background, half, template, r);
    }

    /** The class of sample {@code index}, without rendering it. */
    public int classOf(long index) {
        int k = blockClasses.length;
        long block = Math.floorDiv(index, k);
        SplittableRandom r = stream(block, SALT_ORDER);
        int[] perm = blockClasses.clone();
        for (int i = k - 1; i > 0; i--) {  // Fisher-Yates
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm[Math.floorMod(index, k)];
    }

    /** The caption of sample {@code index}. */
    public String caption(long index) {
        return captionWith(index, Shapes.NAMES.get(classOf(index)));
    }

    /**
     * Sample {@code index}'s caption (same template, colour, size and background words) naming {@code object}
     * instead of the drawn class: what a poisoning attack writes, e.g. "a photo of a small red banana.".
     */
    public String captionWith(long index, String object) {
        Attributes a = attributes(index);
        return Captions.fill(Captions.TRAINING.get(a.template()), object, Palette.COLOR_NAMES.get(a.color()),
                a.sizeWord(), Palette.BACKGROUND_NAMES.get(a.background()));
    }

    /** Renders sample {@code index} with its caption and labels. */
    public Sample sample(long index) {
        Attributes a = attributes(index);
        BufferedImage img = draw(a);
        float[] chw = new float[3 * size * size];
        toChw(img, chw, 0);
        String caption = Captions.fill(Captions.TRAINING.get(a.template()), Shapes.NAMES.get(a.classIndex()),
                Palette.COLOR_NAMES.get(a.color()), a.sizeWord(), Palette.BACKGROUND_NAMES.get(a.background()));
        return new Sample(chw, size, caption, a.classIndex(), Shapes.NAMES.get(a.classIndex()),
                Palette.COLOR_NAMES.get(a.color()));
    }

    /** Writes sample {@code index}'s image as [3, S, S] floats in [0,1] into {@code dst} at {@code offset}. */
    public void renderInto(long index, float[] dst, int offset) {
        toChw(draw(attributes(index)), dst, offset);
    }

    /** Sample {@code index}'s image as an 8-bit RGB image (what {@code par synth} writes as PNG). */
    public BufferedImage renderImage(long index) {
        return draw(attributes(index));
    }

    private BufferedImage draw(Attributes a) {
        SplittableRandom r = a.rest();
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        paintBackground(px, a.background(), r);

        // Placement: centre jittered so the object stays (almost) inside; rotation, mirroring and colour jitter.
        double half = a.halfExtent() * size;
        double margin = Math.min(0.95 * half, size / 2.0);
        double cx = margin + (size - 2 * margin) * r.nextDouble();
        double cy = margin + (size - 2 * margin) * r.nextDouble();
        double angle = MAX_ROTATION * (2 * r.nextDouble() - 1);
        boolean mirror = r.nextBoolean();
        float[] base = Palette.COLORS[a.color()];
        float bright = 0.88f + 0.2f * (float) r.nextDouble();
        float[] rgb = new float[3];
        for (int c = 0; c < 3; c++)
            rgb[c] = Math.clamp(base[c] * bright + TINT * (2 * (float) r.nextDouble() - 1), 0f, 1f);

        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            AffineTransform t = new AffineTransform();
            t.translate(cx, cy);
            t.rotate(angle);
            t.scale(mirror ? -half : half, half);
            g.setColor(new Color(rgb[0], rgb[1], rgb[2]));
            g.fill(t.createTransformedShape(Shapes.OUTLINES[a.classIndex()]));
            if (a.classIndex() == Shapes.NAMES.indexOf("banana")) {
                g.setColor(new Color(rgb[0] * 0.45f, rgb[1] * 0.45f, rgb[2] * 0.45f));
                g.fill(t.createTransformedShape(Shapes.BANANA_STEM));
            }
        } finally {
            g.dispose();
        }
        addGrain(px, r);
        return img;
    }

    /** Grey level + slight tint + linear gradient + smooth low-frequency noise: texture, but low contrast. */
    private void paintBackground(int[] px, int tone, SplittableRandom r) {
        float lo = Palette.BACKGROUND_LEVELS[tone][0], hi = Palette.BACKGROUND_LEVELS[tone][1];
        float level = lo + (hi - lo) * (float) r.nextDouble();
        float[] tint = new float[3];
        for (int c = 0; c < 3; c++) tint[c] = TINT * (2 * (float) r.nextDouble() - 1);
        double dir = 2 * Math.PI * r.nextDouble();
        float gx = (float) Math.cos(dir) * GRADIENT_AMPLITUDE, gy = (float) Math.sin(dir) * GRADIENT_AMPLITUDE;
        float[] grid = new float[TEXTURE_GRID * TEXTURE_GRID];
        for (int i = 0; i < grid.length; i++) grid[i] = TEXTURE_AMPLITUDE * (2 * (float) r.nextDouble() - 1);

        float step = (TEXTURE_GRID - 1) / (float) size;
        for (int y = 0; y < size; y++) {
            float fy = (y + 0.5f) * step;
            int y0 = Math.min((int) fy, TEXTURE_GRID - 2);
            float wy = fy - y0;
            float ny = (y + 0.5f) / size - 0.5f;
            for (int x = 0; x < size; x++) {
                float fx = (x + 0.5f) * step;
                int x0 = Math.min((int) fx, TEXTURE_GRID - 2);
                float wx = fx - x0;
                int k = y0 * TEXTURE_GRID + x0;
                float noise = (1 - wy) * ((1 - wx) * grid[k] + wx * grid[k + 1])
                        + wy * ((1 - wx) * grid[k + TEXTURE_GRID] + wx * grid[k + TEXTURE_GRID + 1]);
                float v = level + noise + gx * ((x + 0.5f) / size - 0.5f) * 2 + gy * ny * 2;
                px[y * size + x] = pack(v + tint[0], v + tint[1], v + tint[2]);
            }
        }
    }

    private static void addGrain(int[] px, SplittableRandom r) {
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            int red = clamp8(((p >> 16) & 0xFF) + r.nextInt(-GRAIN, GRAIN + 1));
            int grn = clamp8(((p >> 8) & 0xFF) + r.nextInt(-GRAIN, GRAIN + 1));
            int blu = clamp8((p & 0xFF) + r.nextInt(-GRAIN, GRAIN + 1));
            px[i] = (red << 16) | (grn << 8) | blu;
        }
    }

    private void toChw(BufferedImage img, float[] dst, int offset) {
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int plane = size * size;
        if (offset < 0 || dst.length - offset < 3 * plane)
            throw new IllegalArgumentException("destination too small for a [3," + size + "," + size + "] image");
        for (int i = 0; i < plane; i++) {
            int p = px[i];
            dst[offset + i] = ((p >> 16) & 0xFF) / 255f;
            dst[offset + plane + i] = ((p >> 8) & 0xFF) / 255f;
            dst[offset + 2 * plane + i] = (p & 0xFF) / 255f;
        }
    }

    private static int pack(float r, float g, float b) {
        return (to8(r) << 16) | (to8(g) << 8) | to8(b);
    }

    private static int to8(float v) {
        return clamp8(Math.round(v * 255f));
    }

    private static int clamp8(int v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    /** A random stream for (seed, key, salt): SplitMix64 finalisers decorrelate neighbouring keys and seeds. */
    private SplittableRandom stream(long key, long salt) {
        return new SplittableRandom(mix64(mix64(seed ^ salt) + key * 0x9E3779B97F4A7C15L));
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
