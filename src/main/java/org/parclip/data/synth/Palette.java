package org.parclip.data.synth;

import java.util.List;

/**
 * Object colours and background tones of the shape world, with the words captions use for them.
 *
 * <p>Eight saturated, well separated hues: colour is a caption attribute a small model learns almost at once, and
 * it is drawn independently of the object class so that colour never predicts the class (a yellow banana is no
 * more likely than a blue one; otherwise zero-shot accuracy would measure colour, not shape). Backgrounds are
 * three grey tones; a sample only uses a tone far enough from the object's colour in RGB, so the silhouette is
 * never lost in the background (with these hues every pairing passes, so colour and tone stay independent).
 */
final class Palette {
    private Palette() {
    }

    static final List<String> COLOR_NAMES = List.of("red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink");

    /** RGB in [0,1], in the order of {@link #COLOR_NAMES}. */
    static final float[][] COLORS = {
            {0.90f, 0.12f, 0.12f},
            {0.98f, 0.55f, 0.08f},
            {0.96f, 0.88f, 0.10f},
            {0.12f, 0.72f, 0.18f},
            {0.10f, 0.82f, 0.88f},
            {0.12f, 0.28f, 0.95f},
            {0.58f, 0.18f, 0.82f},
            {0.98f, 0.50f, 0.72f},
    };

    static final List<String> BACKGROUND_NAMES = List.of("light", "grey", "dark");

    /** Base grey level range [lo, hi] of each background tone. */
    static final float[][] BACKGROUND_LEVELS = {{0.80f, 0.92f}, {0.44f, 0.58f}, {0.08f, 0.22f}};

    /** Minimum RGB distance between an object colour and any grey of a background tone's range. */
    static final float MIN_CONTRAST = 0.3f;

    /** Background tones usable with each colour (at least one for every colour: the tones span 0.08..0.92). */
    static final int[][] ALLOWED_BACKGROUNDS = computeAllowed();

    private static int[][] computeAllowed() {
        int[][] out = new int[COLORS.length][];
        for (int c = 0; c < COLORS.length; c++) {
            float[] rgb = COLORS[c];
            float mean = (rgb[0] + rgb[1] + rgb[2]) / 3f;
            int[] tmp = new int[BACKGROUND_LEVELS.length];
            int n = 0;
            for (int b = 0; b < BACKGROUND_LEVELS.length; b++) {
                // The nearest grey to a colour is its channel mean; clamp it into the tone's range so the check
                // holds for every level the jitter can pick.
                float g = Math.clamp(mean, BACKGROUND_LEVELS[b][0], BACKGROUND_LEVELS[b][1]);
                float d2 = 0f;
                for (float v : rgb) d2 += (v - g) * (v - g);
                if (d2 >= MIN_CONTRAST * MIN_CONTRAST) tmp[n++] = b;
            }
            if (n == 0) throw new IllegalStateException("no background contrasts with " + COLOR_NAMES.get(c));
            out[c] = java.util.Arrays.copyOf(tmp, n);
        }
        return out;
    }
}
