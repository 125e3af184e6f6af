package org.parclip.text;

/**
 * The few Python {@code str} operations the CLIP text cleaning relies on, with CPython's exact semantics rather than
 * Java's look-alikes: {@code str.isspace} (which, unlike {@link Character#isWhitespace}, includes U+00A0, U+2007,
 * U+202F and U+0085), {@code " ".join(s.split())} and {@code str.lower} (full case mapping plus the Final_Sigma rule,
 * independent of the JVM's default locale). All work on code points, as Python does.
 */
final class PyStr {
    private PyStr() {
    }

    /** CPython's {@code Py_UNICODE_ISSPACE}: bidi class WS, B or S, or general category Zs. */
    static boolean isSpace(int cp) {
        if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** {@code " ".join(s.split())}: whitespace runs become one space, leading and trailing whitespace goes. */
    static String collapseWhitespace(String s) {
        int n = s.length();
        StringBuilder sb = null;
        boolean pendingSpace = false;
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            int w = Character.charCount(cp);
            if (isSpace(cp)) {
                // Only a plain single space between two words can be kept as is.
                if (sb == null && (cp != ' ' || i == 0 || i + 1 >= n || isSpace(s.codePointAt(i + 1)))) {
                    sb = new StringBuilder(n).append(s, 0, i);
                }
                pendingSpace = true;
            } else {
                if (sb != null) {
                    if (pendingSpace && !sb.isEmpty()) sb.append(' ');
                    sb.appendCodePoint(cp);
                }
                pendingSpace = false;
            }
            i += w;
        }
        return sb == null ? s : sb.toString();
    }

    /** Python's {@code str.lower()}. */
    static String lower(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) { // fast scan: nothing to do for text that is already lower case ASCII
            char c = s.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) break;
            i++;
        }
        if (i == n) return s;
        StringBuilder sb = new StringBuilder(n).append(s, 0, i);
        while (i < n) {
            int cp = s.codePointAt(i);
            if (cp == 0x130) {
                sb.append("i\u0307"); // the only unconditional multi-character lower case mapping (SpecialCasing.txt)
            } else if (cp == 0x3A3) {
                sb.append(isFinalSigma(s, i) ? '\u03C2' : '\u03C3');
            } else {
                sb.appendCodePoint(Character.toLowerCase(cp));
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /**
     * CPython's {@code handle_capital_sigma}: capital sigma lower-cases to final sigma when preceded by a cased letter
     * and not followed by one, skipping case-ignorable characters both ways.
     */
    private static boolean isFinalSigma(String s, int at) {
        int j = at;
        int before = -1;
        while (j > 0) {
            int cp = s.codePointBefore(j);
            j -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                before = cp;
                break;
            }
        }
        if (before < 0 || !isCased(before)) return false;
        j = at + 1;
        while (j < s.length()) {
            int cp = s.codePointAt(j);
            if (!isCaseIgnorable(cp)) return !isCased(cp);
            j += Character.charCount(cp);
        }
        return true;
    }

    /** Unicode's Cased property (Lowercase, Uppercase or Lt); Java's isLowerCase/isUpperCase include Other_*case. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode's Case_Ignorable property: Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter, MidNumLet or Single_Quote. */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                 Character.MODIFIER_SYMBOL -> {
                return true;
            }
            default -> {
                return switch (cp) {
                    case 0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52,
                         0xFE55, 0xFF07, 0xFF0E, 0xFF1A -> true;
                    default -> false;
                };
            }
        }
    }
}
