package org.parclip.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * ftfy 6.3's mojibake detector {@code badness.is_bad}: whether the text contains any of the character sequences of
 * ftfy's BADNESS_RE. The rules below are that expression's alternatives verbatim (VERBOSE whitespace removed), but
 * they are not run through java.util.regex: Java tests a character class of n single characters with a chain of n
 * predicates, which made this check cost tens of microseconds per caption. Every alternative is a fixed sequence of
 * character classes (one has an optional element, one is anchored at the start), so each class is compiled into a
 * bit set and the sequences are checked directly. Syntax understood: {@code [...]} with ranges and leading '^',
 * {@code \s} (Python's str.isspace), {@code \w} (letters, numbers, '_'), '.' (anything but '\n'), '?' after an
 * element, a leading '^', and literal characters.
 */
final class Badness {
    /** ftfy badness.py MOJIBAKE_CATEGORIES and chardata.py UTF8_CLUES. */
    static final Map<String, String> CATEGORIES = Map.ofEntries(
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

    /** ftfy badness.py BADNESS_RE, one alternative per line. */
    static final List<String> RULES = List.of(
            "[{c1}]",
            "[{bad}{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}][{bad}]",
            "[a-zA-Z][{lower_common}{upper_common}][{bad}]",
            "[{bad}][{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}]",
            "[{lower_accented}{lower_common}{box}{end_punctuation}{currency}{numeric}][{upper_accented}]",
            "[{box}{end_punctuation}{currency}{numeric}][{lower_accented}]",
            "[{lower_accented}{box}{end_punctuation}][{currency}]",
            "\\s[{upper_accented}][{currency}]",
            "[{upper_accented}{box}][{numeric}{law}]",
            "[{lower_accented}{upper_accented}{box}{currency}{end_punctuation}][{start_punctuation}][{numeric}]",
            "[{lower_accented}{upper_accented}{currency}{numeric}{box}{law}][{end_punctuation}][{start_punctuation}]",
            "[{currency}{numeric}{box}][{start_punctuation}]",
            "[a-z][{upper_accented}][{start_punctuation}{currency}]",
            "[{box}][{kaomoji}]",
            "[{lower_accented}{upper_accented}{currency}{numeric}{start_punctuation}{end_punctuation}{law}][{box}]",
            "[{box}][{end_punctuation}]",
            "[{lower_accented}{upper_accented}][{start_punctuation}{end_punctuation}]\\w",
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
            "[a-z]\\s?[\u00C3\u00C2][ ]",
            "^[\u00C3\u00C2][ ]",
            "[a-z.,?!{end_punctuation}]\u00C2[ {start_punctuation}{end_punctuation}]",
            "\u03B2\u20AC[\u2122\u00A0\u0386\u00AD\u00AE\u00B0]",
            "[\u0392\u0393\u039E\u039F][{c1}{bad}{start_punctuation}{end_punctuation}{currency}\u00B0][\u0392\u0393\u039E\u039F]",
            "\u0101\u20AC");

    /** A compiled alternative: its classes in order, and whether it must start at the beginning of the text. */
    private record Rule(CharClass[] classes, boolean anchored) {
    }

    /** A set of code points: a bit set over the BMP and a predicate for the rest. */
    private record CharClass(long[] bmp, IntPredicate astral) {
        boolean contains(int cp) {
            return cp < 0x10000 ? (bmp[cp >>> 6] & (1L << cp)) != 0 : astral.test(cp);
        }
    }

    private static final Rule[] COMPILED = compileAll();
    /** The classes that can start an unanchored rule, united: most positions of most texts fail this one test. */
    private static final CharClass ANY_START = unionOfStarts();

    private Badness() {
    }

    /** ftfy's {@code is_bad}. */
    static boolean isBad(String text) {
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            if (!ANY_START.contains(cps[i]) && i > 0) continue;
            for (Rule rule : COMPILED) {
                if (rule.anchored && i > 0) continue;
                CharClass[] cls = rule.classes;
                if (i + cls.length > cps.length) continue;
                int k = 0;
                while (k < cls.length && cls[k].contains(cps[i + k])) k++;
                if (k == cls.length) return true;
            }
        }
        return false;
    }

    /** Substitutes the categories named in braces, as ftfy's str.format does. */
    static String fill(String template) {
        String out = template;
        for (Map.Entry<String, String> e : CATEGORIES.entrySet()) out = out.replace("{" + e.getKey() + "}", e.getValue());
        if (out.matches("(?s).*\\{[a-z][a-z_0-9]*}.*")) throw new IllegalStateException("unfilled category in " + template);
        return out;
    }

    private static Rule[] compileAll() {
        Map<String, CharClass> cache = new HashMap<>();
        List<Rule> rules = new ArrayList<>();
        for (String rule : RULES) expand(fill(rule), cache, rules);
        return rules.toArray(Rule[]::new);
    }

    /** Parses one alternative; an optional element yields two rules, one with it and one without. */
    private static void expand(String rule, Map<String, CharClass> cache, List<Rule> out) {
        boolean anchored = rule.startsWith("^");
        List<List<CharClass>> variants = new ArrayList<>();
        variants.add(new ArrayList<>());
        int i = anchored ? 1 : 0;
        while (i < rule.length()) {
            int end;
            String spec;
            char c = rule.charAt(i);
            if (c == '[') {
                end = rule.indexOf(']', i + 2) + 1; // a class is never empty, so ']' right after '[' or '[^' is literal
                spec = rule.substring(i, end);
            } else if (c == '\\') {
                end = i + 2;
                spec = rule.substring(i, end);
            } else {
                end = i + 1;
                spec = c == '.' ? "." : "[" + c + "]";
            }
            CharClass cls = cache.computeIfAbsent(spec, Badness::compileClass);
            boolean optional = end < rule.length() && rule.charAt(end) == '?';
            List<List<CharClass>> next = new ArrayList<>();
            for (List<CharClass> v : variants) {
                if (optional) next.add(new ArrayList<>(v));
                List<CharClass> with = new ArrayList<>(v);
                with.add(cls);
                next.add(with);
            }
            variants = next;
            i = optional ? end + 1 : end;
        }
        for (List<CharClass> v : variants) out.add(new Rule(v.toArray(CharClass[]::new), anchored));
    }

    private static CharClass compileClass(String spec) {
        long[] bits = new long[1024];
        IntPredicate astral;
        switch (spec) {
            case "\\s" -> {
                for (int cp = 0; cp < 0x10000; cp++) if (PyStr.isSpace(cp)) set(bits, cp);
                astral = cp -> false;
            }
            case "\\w" -> {
                for (int cp = 0; cp < 0x10000; cp++) if (isWord(cp)) set(bits, cp);
                astral = Badness::isWord;
            }
            case "." -> {
                for (int cp = 0; cp < 0x10000; cp++) if (cp != '\n') set(bits, cp);
                astral = cp -> true;
            }
            default -> {
                boolean negated = spec.charAt(1) == '^';
                String body = spec.substring(negated ? 2 : 1, spec.length() - 1);
                for (int k = 0; k < body.length(); k++) {
                    char from = body.charAt(k);
                    char to = from;
                    if (k + 2 < body.length() && body.charAt(k + 1) == '-') {
                        to = body.charAt(k + 2);
                        k += 2;
                    }
                    for (int cp = from; cp <= to; cp++) set(bits, cp);
                }
                if (negated) for (int w = 0; w < bits.length; w++) bits[w] = ~bits[w];
                astral = cp -> negated;
            }
        }
        return new CharClass(bits, astral);
    }

    /** Python's {@code \w} (str.isalnum() or '_'), as far as the general categories tell. */
    private static boolean isWord(int cp) {
        return cp == '_' || Character.isLetter(cp) || switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    private static void set(long[] bits, int cp) {
        bits[cp >>> 6] |= 1L << cp;
    }

    private static CharClass unionOfStarts() {
        long[] bits = new long[1024];
        List<IntPredicate> astral = new ArrayList<>();
        for (Rule r : COMPILED) {
            if (r.anchored) continue;
            for (int w = 0; w < bits.length; w++) bits[w] |= r.classes[0].bmp[w];
            astral.add(r.classes[0].astral);
        }
        return new CharClass(bits, cp -> astral.stream().anyMatch(p -> p.test(cp)));
    }
}
