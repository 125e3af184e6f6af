package org.parclip.text;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadnessTest {
    /** ftfy's BADNESS_RE itself, run by java.util.regex with Python's \s and \w spelled out: the oracle. */
    private static final Pattern ORACLE = Pattern.compile(Badness.fill(String.join("|", Badness.RULES))
            .replace("\\s", "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")
            .replace("\\w", "[\\p{L}\\p{N}_]"), Pattern.UNIX_LINES);

    @Test
    void agreesWithTheRegex() {
        StringBuilder pool = new StringBuilder("abcXYZ .,?!\n\t_1");
        for (String chars : Badness.CATEGORIES.values()) pool.append(chars.replace("-", ""));
        pool.append("\u00c3\u00c2\u0152\u0153\u00d8\u00d9\u221a\u2248\u201a\u0432\u0402\u0413\u045e\u0412\u03b2\u0101\ud83d\ude00");
        int[] cps = pool.codePoints().toArray();
        Random rng = new Random(7);
        int bad = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder s = new StringBuilder();
            for (int k = rng.nextInt(1, 6); k > 0; k--) s.appendCodePoint(cps[rng.nextInt(cps.length)]);
            String text = s.toString();
            boolean expected = ORACLE.matcher(text).find();
            assertEquals(expected, Badness.isBad(text), () -> ClipTokenizerTest.escape(text));
            if (expected) bad++;
        }
        assertTrue(bad > 10_000 && bad < 190_000, "both outcomes exercised: " + bad);
    }

    @Test
    void examples() {
        assertTrue(Badness.isBad("caf\u00c3\u00a9"));
        assertTrue(Badness.isBad("\u00c3 bord")); // anchored rule
        assertFalse(Badness.isBad("caf\u00e9 na\u00efve \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac"));
        assertFalse(Badness.isBad(""));
    }
}
