package org.parclip.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTML character references, decoded exactly as CPython's {@code html.unescape} and as ftfy's
 * {@code fixes.unescape_html}; the CLIP cleaning applies the latter once (inside {@code ftfy.fix_text}) and the former
 * twice. The named-entity table is Python's {@code html.entities.html5}, generated into the resource
 * {@code html5_entities.txt} by {@code tools/gen_text_tables.py}.
 */
final class HtmlEntities {
    /** html.entities.html5: names with their ';' where they have one, plus the legacy names without it. */
    private static final Map<String, String> HTML5 = loadHtml5();
    /** ftfy's chardata.HTML_ENTITIES: "&name;" for every ';' entity, plus upper-cased forms of lower-case names. */
    private static final Map<String, String> FTFY = buildFtfyEntities();
    /** Python's html._invalid_charrefs (HTML5's numeric reference fix-ups), indexed by code point 0x00..0x9F. */
    private static final String[] INVALID_CHARREFS = buildInvalidCharrefs();
    private static final int MAX_NAME_CODE_POINTS = 32;
    private static final int FTFY_MAX_NAME = 24;

    private HtmlEntities() {
    }

    /** Python's {@code html.unescape}. */
    static String unescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        int copied = 0;
        int n = s.length();
        int i = amp;
        while (i >= 0 && i < n) {
            int end = unescapeAt(s, i, sb, copied);
            if (end < 0) {
                i = s.indexOf('&', i + 1);
            } else {
                copied = end;
                i = s.indexOf('&', end);
            }
        }
        return copied == 0 ? s : sb.append(s, copied, n).toString();
    }

    /**
     * Tries Python's {@code _charref} pattern at the '&' at {@code at}:
     * {@code &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)}. On a match appends the text since
     * {@code copied} and the replacement to {@code sb} and returns the end of the match, else returns -1.
     */
    private static int unescapeAt(String s, int at, StringBuilder sb, int copied) {
        int n = s.length();
        int p = at + 1;
        if (p < n && s.charAt(p) == '#') {
            boolean hex = p + 1 < n && (s.charAt(p + 1) == 'x' || s.charAt(p + 1) == 'X');
            int digitsStart = hex ? p + 2 : p + 1;
            int q = digitsStart;
            while (q < n && (hex ? Character.digit(s.charAt(q), 16) >= 0 && s.charAt(q) < 0x80 : isAsciiDigit(s.charAt(q)))) q++;
            if (q == digitsStart) return -1; // '#' cannot start a name either
            int end = q < n && s.charAt(q) == ';' ? q + 1 : q;
            sb.append(s, copied, at).append(numericReference(s, digitsStart, q, hex ? 16 : 10));
            return end;
        }
        int q = p;
        int count = 0;
        while (q < n && count < MAX_NAME_CODE_POINTS && !isNameStop(s.charAt(q))) {
            q += Character.charCount(s.codePointAt(q));
            count++;
        }
        if (count == 0) return -1;
        int end = q < n && s.charAt(q) == ';' ? q + 1 : q;
        String name = s.substring(p, end);
        sb.append(s, copied, at);
        String value = HTML5.get(name);
        if (value != null) {
            sb.append(value);
            return end;
        }
        // The longest prefix (of at least two characters) that is an entity, as HTML5 specifies; entity names
        // are ASCII, so cutting by chars rather than code points finds the same prefix.
        for (int x = name.length() - 1; x > 1; x--) {
            value = HTML5.get(name.substring(0, x));
            if (value != null) {
                sb.append(value).append(name, x, name.length());
                return end;
            }
        }
        sb.append('&').append(name);
        return end;
    }

    private static boolean isNameStop(char c) {
        return c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';';
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Python's numeric branch of {@code _replace_charref}; digits beyond the code point range saturate. */
    private static String numericReference(String s, int from, int to, int radix) {
        long num = 0;
        for (int i = from; i < to && num <= 0x10FFFF; i++) num = num * radix + Character.digit(s.charAt(i), radix);
        if (num < INVALID_CHARREFS.length && INVALID_CHARREFS[(int) num] != null) return INVALID_CHARREFS[(int) num];
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return "\uFFFD";
        int cp = (int) num;
        if (isInvalidCodePoint(cp)) return "";
        return Character.toString(cp);
    }

    /** Python's html._invalid_codepoints. */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    /**
     * ftfy's {@code fixes.unescape_html}: replaces matches of {@code &#?[0-9A-Za-z]{1,24};} that are known entities
     * (including upper-cased names such as {@code &NTILDE;}) or numeric references that decode completely.
     */
    static String ftfyUnescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) return s;
        StringBuilder sb = null;
        int copied = 0;
        int n = s.length();
        for (int i = amp; i >= 0; i = s.indexOf('&', i + 1)) {
            int p = i + 1;
            if (p < n && s.charAt(p) == '#') p++;
            int q = p;
            while (q < n && isAsciiAlnum(s.charAt(q))) q++;
            if (q == p || q - p > FTFY_MAX_NAME || q >= n || s.charAt(q) != ';') continue;
            String ref = s.substring(i, q + 1);
            String value = FTFY.get(ref);
            if (value == null && ref.startsWith("&#")) {
                String unescaped = unescape(ref);
                if (unescaped.indexOf(';') < 0) value = unescaped;
            }
            if (value == null) continue;
            if (sb == null) sb = new StringBuilder(n);
            sb.append(s, copied, i).append(value);
            copied = q + 1;
            i = q; // matches do not overlap
        }
        return sb == null ? s : sb.append(s, copied, n).toString();
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static Map<String, String> loadHtml5() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlEntities.class.getResourceAsStream("html5_entities.txt")) {
            if (in == null) throw new IllegalStateException("resource html5_entities.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder(2);
                for (String hex : line.substring(tab + 1).split(" ")) value.appendCodePoint(Integer.parseInt(hex, 16));
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }

    /** ftfy.chardata._build_html_entities, on top of the html5 table. */
    private static Map<String, String> buildFtfyEntities() {
        Map<String, String> map = new HashMap<>(4096);
        for (Map.Entry<String, String> e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) continue;
            map.put("&" + name, e.getValue());
            // Names are ASCII, so ROOT-locale case mapping is Python's; the value is upper-cased fully ("ß" -> "SS").
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (unescape(upper).equals(upper)) map.put(upper, e.getValue().toUpperCase(Locale.ROOT));
            }
        }
        return map;
    }

    private static String[] buildInvalidCharrefs() {
        String[] t = new String[0xA0];
        t[0x00] = "\uFFFD";
        t[0x0D] = "\r";
        // 0x80..0x9F as Windows-1252 would read them; the five bytes it leaves undefined stay C1 controls.
        String cp1252 = "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D"
                + "\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";
        for (int i = 0; i < 32; i++) t[0x80 + i] = String.valueOf(cp1252.charAt(i));
        return t;
    }
}
