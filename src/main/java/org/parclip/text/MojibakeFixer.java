package org.parclip.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy 6.3's {@code fix_encoding}: detects mojibake with ftfy's "badness" heuristic and undoes it by re-encoding the
 * text in one of the single-byte encodings ftfy knows and decoding the bytes as UTF-8 (with ftfy's
 * "utf-8-variants": CESU-8 surrogate pairs and Java's C0 80 null). Ported step by step, including
 * {@code restore_byte_a0}, {@code replace_lossy_sequences}, {@code decode_inconsistent_utf8} and
 * {@code fix_c1_controls}. The regular expressions are ftfy's (badness.py, chardata.py, fixes.py), with Python's
 * {@code \s} and {@code \w} spelled out; the code pages are Python's, generated into {@code charmaps.txt} by
 * {@code tools/gen_text_tables.py}. Byte-level expressions run on ISO-8859-1 strings, one char per byte.
 */
final class MojibakeFixer {
    /** One of ftfy's CHARMAP_ENCODINGS: its 256-entry decoding table and the inverse. */
    private record Charmap(String name, char[] decode, short[] encode) {
        boolean sloppy() {
            return name.startsWith("sloppy-");
        }

        /** ftfy's possible_encoding: every character has a byte in this encoding. */
        boolean canEncode(String text) {
            for (int i = 0; i < text.length(); i++) if (encode[text.charAt(i)] < 0) return false;
            return true;
        }

        byte[] encodeAll(String text) {
            byte[] out = new byte[text.length()];
            for (int i = 0; i < out.length; i++) out[i] = (byte) encode[text.charAt(i)];
            return out;
        }
    }

    private static final List<Charmap> CHARMAPS = loadCharmaps();
    private static final Charmap SLOPPY_1252 = CHARMAPS.stream().filter(c -> c.name.equals("sloppy-windows-1252"))
            .findFirst().orElseThrow();

    /** Python's {@code \s} for str patterns (str.isspace). */
    private static final String PY_SPACE = "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
    /** Python's {@code \w} for str patterns (str.isalnum or '_'), as far as the general categories tell. */
    private static final String PY_WORD = "[\\p{L}\\p{N}_]";

    /** ftfy badness.py MOJIBAKE_CATEGORIES and chardata.py UTF8_CLUES. */
    private static final Map<String, String> CATEGORIES = Map.ofEntries(
            Map.entry("common", "\u00A0\u00AD\u00B7\u00B4\u2013\u2014\u2015\u2026\u2019"),
            Map.entry("c1", "\u0080-\u009F"),
            Map.entry("bad", "\u00A6\u00A4\u00A8\u00AC\u00AF\u00B8\u0192\u02C6\u02C7\u02D8\u02DB\u02DC\u2020\u2021\u2030\u2310\u25CA\uFFFD\u00AA\u00BA"),
            Map.entry("law", "\u00B6\u00A7"),
            Map.entry("currency", "\u00A2\u00A3\u00A5\u20A7\u20AC"),
            Map.entry("start_punctuation", "\u00A1\u00AB\u00BF\u00A9\u0384\u0385\u2018\u201A\u201C\u201E\u2022\u2039\uF8FF"),
            Map.entry("end_punctuation", "\u00AE\u00BB\u02DD\u201D\u203A\u2122"),
            Map.entry("numeric", "\u00B2\u00B3\u00B9\u00B1\u00BC\u00BD\u00BE\u00D7\u00B5\u00F7\u2044\u2202\u2206\u220F\u2211\u221A\u221E\u2229\u222B\u2248\u2260\u2261\u2264\u2265\u2116"),
            Map.entry("kaomoji", "\u00D2-\u00D6\u00D9-\u00DC\u00F2-\u00F6\u00F8-\u00FC\u0150\u014C\u016A\u0172\u00B0"),
            Map.entry("upper_accented", "\u00C0-\u00D1\u00D8\u00DC\u00DD\u0102\u0100\u0104\u0106\u010C\u010E\u0110\u0118\u011A\u0112\u0116\u011E\u0122\u0130\u012A\u0136\u0139\u013D\u0141\u013B\u0143\u0147\u0145\u0152\u0158\u015A\u015E\u0160\u0162\u0164\u016E\u0170\u0178\u0179\u017B\u017D\u0490"),
            Map.entry("lower_accented", "\u00DF\u00E0-\u00F1\u0103\u0105\u0101\u0107\u010D\u010F\u0111\u0119\u011B\u0113\u0117\u011F\u0123\u012F\u012B\u0137\u013A\u013E\u0142\u013C\u0153\u0155\u015B\u015F\u0161\u0165\u00FC\u017A\u017C\u017E\u0491\uFB01\uFB02"),
            Map.entry("upper_common", "\u00DE\u0391-\u03A9\u0386\u0388\u0389\u038A\u038C\u038E\u038F\u03AA\u03AB\u0401-\u042F"),
            Map.entry("lower_common", "\u03B1-\u03C9\u03AC\u03AD\u03AE\u03AF\u03B0\u0430-\u045F"),
            Map.entry("box", "\u2502\u250C\u2510\u2518\u251C\u2524\u252C\u253C\u2550-\u256C\u2580\u2584\u2588\u258C\u2590\u2591\u2592\u2593"),
            Map.entry("utf8_first_of_2", "\u0102\u00C2\u00C4\u0100\u00C5\u00C3\u00C6\u0106\u010C\u00C7\u010E\u0110\u00C9\u011A\u00CA\u00CB\u0116\u00C8\u0112\u0118\u00D0\u011E\u0122\u00CD\u00CE\u00CF\u0130\u00CC\u012A\u0136\u0139\u013B\u0141\u0143\u0147\u0145\u00D1\u00D3\u00D4\u00D6\u0150\u00D2\u014C\u00D8\u00D5\u0158\u015A\u0160\u015E\u0162\u00DE\u00DA\u00DB\u00DC\u0170\u00D9\u016A\u0172\u016E\u00DD\u0179\u017D\u017B\u00DF\u00D7\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399\u039A\u039B\u039C\u039D\u039E\u039F\u03A0\u03A1\u03A3\u03A4\u03A5\u03A6\u03A7\u03A8\u03A9\u03AA\u03AB\u03AC\u03AD\u03AE\u03AF\u0412\u0413\u0414\u0415\u0416\u0417\u0418\u0419\u041A\u041B\u041C\u041D\u041E\u041F\u0420\u0421\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042A\u042B\u042C\u042D\u042E\u042F"),
            Map.entry("utf8_first_of_3", "\u00E1\u0103\u00E2\u00E4\u00E0\u0101\u0105\u00E5\u00E3\u00E6\u0107\u010D\u00E7\u010F\u00E9\u011B\u00EA\u00EB\u0117\u00E8\u0113\u0119\u0119\u0123\u00ED\u00EE\u00EF\u00EC\u012B\u012F\u0137\u013A\u013C\u0155\u017A\u03B0\u03B1\u03B2\u03B3\u03B4\u03B5\u03B6\u03B7\u03B8\u03B9\u03BA\u03BB\u03BC\u03BD\u03BE\u03BF\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043A\u043B\u043C\u043D\u043E\u043F"),
            Map.entry("utf8_first_of_4", "\u0111\u00F0\u011F\u00F3\u0161\u03C0\u03C3\u0440\u0443"),
            Map.entry("utf8_continuation", "\u0080-\u00BF \u0104\u00C6\u013D\u0141\u00D8\u0156\u015A\u0160\u015E\u0164\u0178\u0179\u017D\u017B\u0152\u0105\u00E6\u0192\u013E\u0142\u00F8\u0157\u015B\u0161\u015F\u0165\u017A\u017E\u017C\u0153\u02C6\u02C7\u02D8\u02DB\u02DC\u02DD\u0384\u0385\u0386\u0388\u0389\u038A\u038C\u038E\u038F\u0401\u0402\u0403\u0404\u0405\u0406\u0407\u0408\u0409\u040A\u040B\u040C\u040E\u040F\u0451\u0452\u0453\u0454\u0455\u0456\u0457\u0458\u0459\u045A\u045B\u045C\u045E\u045F\u0490\u0491\u2013\u2014\u2015\u2018\u2019\u201A\u201C\u201D\u201E\u2020\u2021\u2022\u2026\u2030\u2039\u203A\u20AC\u2116\u2122"),
            Map.entry("utf8_continuation_strict", "\u0080-\u00BF\u0104\u00C6\u013D\u0141\u00D8\u0156\u015A\u0160\u015E\u0164\u0178\u0179\u017D\u017B\u0152\u0105\u00E6\u0192\u013E\u0142\u00F8\u0157\u015B\u0161\u015F\u0165\u017A\u017E\u017C\u0153\u02C6\u02C7\u02D8\u02DB\u02DC\u02DD\u0384\u0385\u0386\u0388\u0389\u038A\u038C\u038E\u038F\u0401\u0402\u0403\u0404\u0405\u0406\u0407\u0408\u0409\u040A\u040B\u040C\u040E\u040F\u0451\u0452\u0453\u0454\u0455\u0456\u0457\u0458\u0459\u045A\u045B\u045C\u045E\u045F\u0490\u0491\u2020\u2021\u2030\u2039\u203A\u20AC\u2116\u2122"));

    /** ftfy badness.py BADNESS_RE, one alternative per line, VERBOSE whitespace removed. */
    private static final Pattern BADNESS = Pattern.compile(fill(String.join("|",
            "[{c1}]",
            "[{bad}{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}][{bad}]",
            "[a-zA-Z][{lower_common}{upper_common}][{bad}]",
            "[{bad}][{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}]",
            "[{lower_accented}{lower_common}{box}{end_punctuation}{currency}{numeric}][{upper_accented}]",
            "[{box}{end_punctuation}{currency}{numeric}][{lower_accented}]",
            "[{lower_accented}{box}{end_punctuation}][{currency}]",
            PY_SPACE + "[{upper_accented}][{currency}]",
            "[{upper_accented}{box}][{numeric}{law}]",
            "[{lower_accented}{upper_accented}{box}{currency}{end_punctuation}][{start_punctuation}][{numeric}]",
            "[{lower_accented}{upper_accented}{currency}{numeric}{box}{law}][{end_punctuation}][{start_punctuation}]",
            "[{currency}{numeric}{box}][{start_punctuation}]",
            "[a-z][{upper_accented}][{start_punctuation}{currency}]",
            "[{box}][{kaomoji}]",
            "[{lower_accented}{upper_accented}{currency}{numeric}{start_punctuation}{end_punctuation}{law}][{box}]",
            "[{box}][{end_punctuation}]",
            "[{lower_accented}{upper_accented}][{start_punctuation}{end_punctuation}]" + PY_WORD,
            "[\u0152\u0153][^A-Za-z]",
            "[{upper_accented}]\u00B0",
            "[\u00C2\u00C3\u00CE\u00D0][\u20AC\u0153\u0160\u0161\u00A2\u00A3\u0178\u017E\u00A0\u00AD\u00AE\u00A9\u00B0\u00B7\u00BB{start_punctuation}{end_punctuation}\u2013\u2014\u00B4]",
            "\u00D7[\u00B2\u00B3]",
            "[\u00D8\u00D9][{common}{currency}{bad}{numeric}{start_punctuation}\u0178\u0160\u00AE\u00B0\u00B5\u00BB][\u00D8\u00D9][{common}{currency}{bad}{numeric}{start_punctuation}\u0178\u0160\u00AE\u00B0\u00B5\u00BB]",
            "\u00E0[\u00B2\u00B5\u00B9\u00BC\u00BD\u00BE]",
            "\u221A[\u00B1\u2202\u2020\u2260\u00AE\u2122\u00B4\u2264\u2265\u00A5\u00B5\u00F8]",
            "\u2248[\u00B0\u00A2]",
            "\u201A\u00C4[\u00EC\u00EE\u00EF\u00F2\u00F4\u00FA\u00F9\u00FB\u2020\u00B0\u00A2\u03C0]",
            "\u201A[\u00E2\u00F3][\u00E0\u00E4\u00B0\u00EA]",
            "\u0432\u0402",
            "[\u0412\u0413\u0420\u0421][{c1}{bad}{start_punctuation}{end_punctuation}{currency}\u00B0\u00B5][\u0412\u0413\u0420\u0421]",
            "\u0413\u045E\u0412\u0402\u0412.[A-Za-z ]",
            "\u00C3[\u00A0\u00A1]",
            "[a-z]" + PY_SPACE + "?[\u00C3\u00C2][ ]",
            "^[\u00C3\u00C2][ ]",
            "[a-z.,?!{end_punctuation}]\u00C2[ {start_punctuation}{end_punctuation}]",
            "\u03B2\u20AC[\u2122\u00A0\u0386\u00AD\u00AE\u00B0]",
            "[\u0392\u0393\u039E\u039F][{c1}{bad}{start_punctuation}{end_punctuation}{currency}\u00B0][\u0392\u0393\u039E\u039F]",
            "\u0101\u20AC")), Pattern.UNIX_LINES);

    /** ftfy chardata.py UTF8_DETECTOR_RE: runs of characters that look like UTF-8 read as a single-byte encoding. */
    private static final Pattern UTF8_DETECTOR = Pattern.compile(fill(
            "(?<![{utf8_continuation_strict}])([{utf8_first_of_2}][{utf8_continuation}]"
                    + "|[{utf8_first_of_3}][{utf8_continuation}]{2}|[{utf8_first_of_4}][{utf8_continuation}]{3})+"));

    private static final Pattern ALTERED_UTF8 = Pattern.compile(
            "[\\xc2\\xc3\\xc5\\xce\\xd0\\xd9][ ]|[\\xe2\\xe3][ ][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf]"
                    + "|[\\xe0-\\xe3][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf][ ]|[\\xf0][ ][\\x80-\\xbf][\\x80-\\xbf]"
                    + "|[\\xf0][\\x80-\\xbf][ ][\\x80-\\xbf]|[\\xf0][\\x80-\\xbf][\\x80-\\xbf][ ]");
    private static final Pattern A_GRAVE_WORD = Pattern.compile("\\xc3 (?! |quele|quela|quilo|s )");
    private static final Pattern LOSSY_UTF8 = Pattern.compile(
            "[\\xc2-\\xdf][\\x1a]|[\\xc2-\\xc3][?]|\\xed[\\xa0-\\xaf][\\x1a?]\\xed[\\xb0-\\xbf][\\x1a?\\x80-\\xbf]"
                    + "|\\xed[\\xa0-\\xaf][\\x1a?\\x80-\\xbf]\\xed[\\xb0-\\xbf][\\x1a?]|[\\xe0-\\xef][\\x1a?][\\x1a\\x80-\\xbf]"
                    + "|[\\xe0-\\xef][\\x1a\\x80-\\xbf][\\x1a?]|[\\xf0-\\xf4][\\x1a?][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf]"
                    + "|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a?][\\x1a\\x80-\\xbf]"
                    + "|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf][\\x1a?]|\\x1a");
    /** U+FFFD in UTF-8, as ISO-8859-1 chars. */
    private static final String UTF8_REPLACEMENT = "\u00EF\u00BF\u00BD";

    private MojibakeFixer() {
    }

    /** ftfy's {@code fix_encoding}: one-step fixes repeated until nothing changes. */
    static String fixEncoding(String text) {
        while (true) {
            String fixed = fixOneStep(text);
            if (fixed.equals(text)) return text;
            text = fixed;
        }
    }

    /** ftfy's {@code is_bad}: whether the text has a sequence that looks like mojibake. */
    static boolean isBad(String text) {
        return BADNESS.matcher(text).find();
    }

    /** ftfy's {@code fix_c1_controls}: C1 control characters read as Windows-1252, as web browsers do. */
    static String fixC1Controls(String text) {
        char[] out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (out == null) out = text.toCharArray();
                out[i] = SLOPPY_1252.decode[c];
            }
        }
        return out == null ? text : new String(out);
    }

    /** ftfy's {@code _fix_encoding_one_step_and_explain}. */
    private static String fixOneStep(String text) {
        if (text.isEmpty() || isAscii(text) || !isBad(text)) return text;
        List<Charmap> possible = new ArrayList<>(CHARMAPS.size());
        for (Charmap cm : CHARMAPS) {
            if (!cm.canEncode(text)) continue;
            possible.add(cm);
            String bytes = new String(cm.encodeAll(text), StandardCharsets.ISO_8859_1);
            if (!cm.name.equals("macroman") && ALTERED_UTF8.matcher(bytes).find()) bytes = restoreByteA0(bytes);
            if (cm.sloppy()) bytes = LOSSY_UTF8.matcher(bytes).replaceAll(UTF8_REPLACEMENT);
            String decoded = decodeUtf8Variants(bytes);
            if (decoded != null) return decoded;
        }
        if (UTF8_DETECTOR.matcher(text).find()) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) return fixed;
        }
        // ftfy checks for "windows-1252" among the possible encodings here, which never holds (only the sloppy one
        // is tried), so Latin-1 text always goes on to a strict Windows-1252 decode.
        if (possible.stream().anyMatch(c -> c.name.equals("latin-1"))) {
            String fixed = decodeStrictWindows1252(text);
            if (fixed != null && !fixed.equals(text)) return fixed;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) return fixC1Controls(text);
        }
        return text;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) >= 0x80) return false;
        return true;
    }

    /** ftfy's {@code fixes.restore_byte_a0}: puts back byte A0 where an ASCII space broke a UTF-8 sequence. */
    private static String restoreByteA0(String bytes) {
        bytes = A_GRAVE_WORD.matcher(bytes).replaceAll("\u00C3\u00A0 ");
        return ALTERED_UTF8.matcher(bytes).replaceAll(m -> Matcher.quoteReplacement(m.group().replace(' ', '\u00A0')));
    }

    /** ftfy's {@code fixes.decode_inconsistent_utf8}: fixes UTF-8 mojibake embedded in otherwise good text. */
    private static String decodeInconsistentUtf8(String text) {
        return UTF8_DETECTOR.matcher(text).replaceAll(m -> {
            String sub = m.group();
            return Matcher.quoteReplacement(sub.length() < text.length() && isBad(sub) ? fixEncoding(sub) : sub);
        });
    }

    /** Latin-1 text re-read as Python's strict "windows-1252"; null where a byte is unassigned there. */
    private static String decodeStrictWindows1252(String text) {
        char[] out = new char[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            char d = SLOPPY_1252.decode[c];
            // The sloppy table keeps exactly the bytes Windows-1252 leaves unassigned as C1 controls.
            if (c >= 0x80 && c <= 0x9F && d == c) return null;
            out[i] = d;
        }
        return new String(out);
    }

    /**
     * Python's strict UTF-8 decoding extended as ftfy's "utf-8-variants" codec: six-byte CESU-8 surrogate pairs
     * decode to the astral character and C0 80 to U+0000. Returns null where Python raises UnicodeDecodeError.
     */
    static String decodeUtf8Variants(String bytes) {
        int n = bytes.length();
        StringBuilder sb = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            int b0 = bytes.charAt(i);
            if (b0 < 0x80) {
                sb.append((char) b0);
                i++;
                continue;
            }
            if (b0 == 0xC0) {
                if (i + 1 < n && bytes.charAt(i + 1) == 0x80) {
                    sb.append('\0');
                    i += 2;
                    continue;
                }
                return null;
            }
            if (b0 == 0xED && i + 1 < n && bytes.charAt(i + 1) >= 0xA0) {
                if (i + 5 < n && bytes.charAt(i + 1) <= 0xAF && isCont(bytes.charAt(i + 2)) && bytes.charAt(i + 3) == 0xED
                        && bytes.charAt(i + 4) >= 0xB0 && bytes.charAt(i + 4) <= 0xBF && isCont(bytes.charAt(i + 5))) {
                    sb.appendCodePoint(((bytes.charAt(i + 1) & 0x0F) << 16) + ((bytes.charAt(i + 2) & 0x3F) << 10)
                            + ((bytes.charAt(i + 4) & 0x0F) << 6) + (bytes.charAt(i + 5) & 0x3F) + 0x10000);
                    i += 6;
                    continue;
                }
                return null;
            }
            int len;
            int cp;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                len = 2;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                len = 3;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) lo = 0xA0;
                else if (b0 == 0xED) hi = 0x9F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                len = 4;
                cp = b0 & 0x07;
                if (b0 == 0xF0) lo = 0x90;
                else if (b0 == 0xF4) hi = 0x8F;
            } else {
                return null;
            }
            if (i + len > n) return null;
            for (int k = 1; k < len; k++) {
                int b = bytes.charAt(i + k);
                if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return null;
                cp = (cp << 6) | (b & 0x3F);
            }
            sb.appendCodePoint(cp);
            i += len;
        }
        return sb.toString();
    }

    private static boolean isCont(int b) {
        return b >= 0x80 && b <= 0xBF;
    }

    private static String fill(String template) {
        String out = template;
        for (Map.Entry<String, String> e : CATEGORIES.entrySet()) out = out.replace("{" + e.getKey() + "}", e.getValue());
        if (out.matches("(?s).*\\{[a-z][a-z_0-9]*}.*")) throw new IllegalStateException("unfilled category in " + template);
        return out;
    }

    private static List<Charmap> loadCharmaps() {
        List<Charmap> list = new ArrayList<>();
        try (InputStream in = MojibakeFixer.class.getResourceAsStream("charmaps.txt")) {
            if (in == null) throw new IllegalStateException("resource charmaps.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                String[] hex = line.substring(tab + 1).split(" ");
                char[] decode = new char[256];
                short[] encode = new short[65536];
                Arrays.fill(encode, (short) -1);
                for (int b = 0; b < 256; b++) {
                    decode[b] = (char) Integer.parseInt(hex[b], 16);
                    encode[decode[b]] = (short) b;
                }
                list.add(new Charmap(line.substring(0, tab), decode, encode));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(list);
    }
}
