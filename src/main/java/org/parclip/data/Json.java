package org.parclip.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader (RFC 8259) for the project's JSON inputs: class names, templates, COCO Karpathy
 * splits. Objects become {@code LinkedHashMap<String, Object>}, arrays {@code ArrayList<Object>}, numbers
 * {@code Long} when integral and in range, otherwise {@code Double}; true/false/null as Java's.
 */
public final class Json {
    private final String s;
    private int p;

    private Json(String s) {
        this.s = s;
    }

    /** Parses a whole document; malformed input raises IllegalArgumentException naming the offset. */
    public static Object parse(String text) {
        Json j = new Json(text);
        j.space();
        Object v = j.value();
        j.space();
        if (j.p != text.length()) throw j.error("trailing characters");
        return v;
    }

    /** {@code value} as a list of strings, or IllegalArgumentException saying what {@code what} should have been. */
    public static List<String> stringList(Object value, String what) {
        if (!(value instanceof List<?> list)) throw new IllegalArgumentException(what + " must be a JSON array of strings");
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String str)) throw new IllegalArgumentException(what + " must be a JSON array of strings");
            out.add(str);
        }
        return out;
    }

    private Object value() {
        if (p >= s.length()) throw error("unexpected end");
        char c = s.charAt(p);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        space();
        if (peek('}')) return m;
        while (true) {
            space();
            if (p >= s.length() || s.charAt(p) != '"') throw error("expected a string key");
            String key = string();
            space();
            expect(':');
            space();
            m.put(key, value());
            space();
            if (peek('}')) return m;
            expect(',');
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        p++;
        space();
        if (peek(']')) return a;
        while (true) {
            space();
            a.add(value());
            space();
            if (peek(']')) return a;
            expect(',');
        }
    }

    private String string() {
        p++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (p >= s.length()) throw error("unterminated string");
            char c = s.charAt(p++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (p >= s.length()) throw error("unterminated escape");
            char e = s.charAt(p++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (p + 4 > s.length()) throw error("short \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    p += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = p;
        if (s.charAt(p) == '-') p++;
        digits();
        boolean integral = true;
        if (p < s.length() && s.charAt(p) == '.') {
            p++;
            digits();
            integral = false;
        }
        if (p < s.length() && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
            p++;
            if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) p++;
            digits();
            integral = false;
        }
        String t = s.substring(start, p);
        if (integral) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException tooLong) {
                return Double.parseDouble(t);
            }
        }
        return Double.parseDouble(t);
    }

    private void digits() {
        int start = p;
        while (p < s.length() && s.charAt(p) >= '0' && s.charAt(p) <= '9') p++;
        if (p == start) throw error("expected a digit");
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, p)) throw error("unexpected token");
        p += word.length();
        return value;
    }

    private boolean peek(char c) {
        if (p < s.length() && s.charAt(p) == c) {
            p++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("expected '" + c + "'");
    }

    private void space() {
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            p++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed JSON at offset " + p + ": " + what);
    }
}
