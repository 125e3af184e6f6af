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

    /** ftfy chardata.py UTF8_DETECTOR_RE: runs of characters that look like UTF-8 read as a single-byte encoding. */
    private static final Pattern UTF8_DETECTOR = Pattern.compile(Badness.fill(
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
        if (text.isEmpty() || isAscii(text) || !Badness.isBad(text)) return text;
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
            return Matcher.quoteReplacement(sub.length() < text.length() && Badness.isBad(sub) ? fixEncoding(sub) : sub);
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
