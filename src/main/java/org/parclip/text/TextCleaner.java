package org.parclip.text;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The caption cleaning of OpenAI CLIP / open_clip: {@code whitespace_clean(basic_clean(text)).lower()}, where
 * {@code basic_clean} is {@code html.unescape(html.unescape(ftfy.fix_text(text))).strip()}.
 *
 * <p>{@link #fixText} reimplements ftfy 6.3's {@code fix_text} with its default configuration, fix by fix and in
 * ftfy's order, repeated to a fixed point, line by line (and in pieces of at most a million code points): HTML
 * entities ("auto": off from the first line containing '&lt;' on), mojibake ({@link MojibakeFixer}: all ten
 * single-byte encodings ftfy tries, restore_byte_a0, replace_lossy_sequences, decode_inconsistent_utf8,
 * fix_c1_controls), C1 controls, Latin ligatures, character width, curly quotes, line breaks, surrogates, terminal
 * escapes, control characters and NFC. Checked against ftfy on the test corpus and on 130,000 random and mojibake
 * captions. Known differences: Unicode data (categories, case mappings, NFC) is the JVM's rather than CPython's, so
 * characters assigned in only one of the two Unicode versions may differ; Python's {@code \w} in one badness rule is
 * taken as letters, numbers and '_'; ftfy's UTF-8 variant decoder reading "C0 \n" at the very end of a mojibake
 * line as U+0000 is not reproduced; and a numeric character reference of over 4,300 digits, on which Python raises
 * an error, becomes U+FFFD.
 */
public final class TextCleaner {
    /** ftfy's ANSI_RE; Python's {@code \d} is any decimal digit. */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[(?:\\p{Nd}|;)*[a-zA-Z]");
    /** ftfy's max_decode_length, in code points. */
    private static final int MAX_SEGMENT = 1_000_000;
    /** ftfy's WIDTH_MAP: U+3000 and the NFKC forms of U+FF01..U+FFEF, indexed from U+FF00. */
    private static final String[] WIDTH = buildWidthMap();

    private TextCleaner() {
    }

    /** The whole open_clip "lower" cleaning: what the tokenizer splits into words. */
    public static String clean(String text) {
        return PyStr.lower(PyStr.collapseWhitespace(basicClean(text)));
    }

    /** open_clip's {@code basic_clean}: ftfy, HTML unescaping twice, and Python's {@code strip()}. */
    public static String basicClean(String text) {
        String t = HtmlEntities.unescape(HtmlEntities.unescape(fixText(text)));
        int start = 0;
        int end = t.length();
        while (start < end && PyStr.isSpace(t.codePointAt(start))) start += Character.charCount(t.codePointAt(start));
        while (end > start && PyStr.isSpace(t.codePointBefore(end))) end -= Character.charCount(t.codePointBefore(end));
        return t.substring(start, end);
    }

    /** ftfy's {@code fix_text} with the default configuration (see the class comment for what differs). */
    public static String fixText(String text) {
        if (isPlain(text)) return text;
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int lineEnd = text.indexOf('\n', pos) + 1;
            if (lineEnd == 0) lineEnd = text.length();
            int end = text.codePointCount(pos, lineEnd) > MAX_SEGMENT ? text.offsetByCodePoints(pos, MAX_SEGMENT) : lineEnd;
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) unescapeHtml = false; // looks like real HTML from here on
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /**
     * Text that no ftfy fix changes: printable ASCII without '&amp;', plus tab, line feed and form feed. Most captions
     * are like this, and skip the fixes entirely.
     */
    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 ? c >= 0x7F || c == '&' : c != '\t' && c != '\n' && c != '\f') return false;
        }
        return true;
    }

    /** ftfy's {@code fix_and_explain} loop on one segment. */
    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String orig = text;
            if (unescapeHtml) text = HtmlEntities.ftfyUnescape(text);
            text = MojibakeFixer.fixEncoding(text);
            text = MojibakeFixer.fixC1Controls(text);
            text = fixCharacters(text);
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) return text;
        }
    }

    /**
     * ftfy's fix_latin_ligatures, fix_character_width, uncurl_quotes, fix_line_breaks and fix_surrogates, in that
     * order, in one pass: each maps characters independently of their neighbours (but for "\r\n"), and no later map
     * undoes an earlier one's output except uncurling the U+02BC that ligature 'ŉ' expands to, which is done here.
     */
    private static String fixCharacters(String text) {
        StringBuilder sb = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80 && c != '\r') {
                if (sb != null) sb.append(c);
                continue;
            }
            String rep;
            int consumed = 1;
            if (c == '\r') {
                rep = "\n";
                if (i + 1 < n && text.charAt(i + 1) == '\n') consumed = 2;
            } else if (c == '\u2028' || c == '\u2029' || c == '\u0085') {
                rep = "\n";
            } else if (c == '\u02BC' || (c >= '\u2018' && c <= '\u201B')) {
                rep = "'";
            } else if (c >= '\u201C' && c <= '\u201F') {
                rep = "\"";
            } else if (c == '\u3000') {
                rep = " ";
            } else if (c >= 0xFF00 && c <= 0xFFEF) {
                rep = WIDTH[c - 0xFF00];
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                rep = null;
                consumed = 2;
            } else if (Character.isSurrogate(c)) {
                rep = "\uFFFD";
            } else {
                rep = ligature(c);
            }
            if (rep == null) {
                if (sb != null) sb.append(text, i, i + consumed);
            } else {
                if (sb == null) sb = new StringBuilder(n + 8).append(text, 0, i);
                sb.append(rep);
            }
            i += consumed - 1;
        }
        return sb == null ? text : sb.toString();
    }

    /** ftfy's LIGATURES table ('ŉ' already uncurled: ftfy uncurls its U+02BC right after). */
    private static String ligature(char c) {
        return switch (c) {
            case '\u0132' -> "IJ";
            case '\u0133' -> "ij";
            case '\u0149' -> "'n";
            case '\u01F1' -> "DZ";
            case '\u01F2' -> "Dz";
            case '\u01F3' -> "dz";
            case '\u01C4' -> "D\u017D";
            case '\u01C5' -> "D\u017E";
            case '\u01C6' -> "d\u017E";
            case '\u01C7' -> "LJ";
            case '\u01C8' -> "Lj";
            case '\u01C9' -> "lj";
            case '\u01CA' -> "NJ";
            case '\u01CB' -> "Nj";
            case '\u01CC' -> "nj";
            case '\uFB00' -> "ff";
            case '\uFB01' -> "fi";
            case '\uFB02' -> "fl";
            case '\uFB03' -> "ffi";
            case '\uFB04' -> "ffl";
            case '\uFB05' -> "\u017Ft";
            case '\uFB06' -> "st";
            default -> null;
        };
    }

    /** ftfy's remove_control_chars: C0 controls but for \t \n \f \r, DEL, U+206A..U+206F, BOM and U+FFF9..U+FFFC. */
    private static String removeControlChars(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 ? c != '\t' && c != '\n' && c != '\f' && c != '\r'
                    : c == 0x7F || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
            if (control) {
                if (sb == null) sb = new StringBuilder(text.length()).append(text, 0, i);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static String[] buildWidthMap() {
        String[] map = new String[0xF0];
        for (int c = 0xFF01; c < 0xFFF0; c++) {
            String s = String.valueOf((char) c);
            String nfkc = Normalizer.normalize(s, Normalizer.Form.NFKC);
            if (!nfkc.equals(s)) map[c - 0xFF00] = nfkc;
        }
        return map;
    }
}
