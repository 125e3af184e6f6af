package org.parclip.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * OpenAI CLIP's byte-level BPE tokenizer with open_clip's framing, reproducing {@code open_clip.tokenizer.SimpleTokenizer}
 * id for id: {@link TextCleaner#clean} cleaning, the pre-tokenisation pattern
 * {@code <start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+} (Python
 * {@code regex}, IGNORECASE), UTF-8 bytes mapped through {@code bytes_to_unicode}, and merges applied by rank.
 *
 * <p>The pattern is matched by a hand-written scanner rather than a regex: it is the hot loop, and Python
 * {@code regex}'s IGNORECASE has two effects Java's flags do not reproduce, which the scanner does: U+017F 'ſ' matches
 * 's' (in "'ſ" and "&lt;ſtart_of_text&gt;"), and U+0345 (combining ypogegrammeni, whose case variants are letters)
 * is matched by no alternative, so it is skipped like a space. Instances are immutable apart from a bounded,
 * concurrent cache of word encodings, and safe to share between threads.
 */
public final class ClipTokenizer {
    public static final int START_OF_TEXT = 49406;
    public static final int END_OF_TEXT = 49407;
    public static final int VOCAB_SIZE = 49408;
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    private static final String VOCAB_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";
    /** {@code merges = lines[1 : 49152 - 256 - 2 + 1]}. */
    private static final int NUM_MERGES = 49152 - 256 - 2;
    private static final String END_OF_WORD = "</w>";
    private static final String START_TOKEN = "<start_of_text>";
    private static final String END_TOKEN = "<end_of_text>";
    /** Word encodings kept; the cache is emptied when it grows past this, which bounds its memory to a few MB. */
    private static final int MAX_CACHE = 1 << 18;

    private static final byte SPACE = 0;
    private static final byte LETTER = 1;
    private static final byte NUMBER = 2;
    private static final byte OTHER = 3;
    /** Character classes of the BMP for the scanner (see {@link #classOf}). */
    private static final byte[] BMP_CLASS = buildBmpClasses();

    private final String[] vocab;
    /** bytes_to_unicode as ids: the id of byte b's symbol; the end-of-word form is that + 256. */
    private final int[] byteId = new int[256];
    /** Inverse of bytes_to_unicode: the byte a vocabulary character (all below U+0200) stands for. */
    private final byte[] byteOfChar = new byte[0x200];
    /** Open-addressing map from a symbol pair (left id << 16 | right id) to its merge rank. */
    private final int[] pairKeys;
    private final int[] pairRanks;
    private final int pairShift;
    /** The pair that merge rank r merges; its result is token 512 + r. */
    private final int[] mergeFirst = new int[NUM_MERGES];
    private final int[] mergeSecond = new int[NUM_MERGES];
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    private static final class Holder {
        static final ClipTokenizer INSTANCE = new ClipTokenizer(readVocabResource());
    }

    /** The tokenizer with CLIP's vocabulary, loaded once. */
    public static ClipTokenizer get() {
        return Holder.INSTANCE;
    }

    private ClipTokenizer(List<String> lines) {
        if (lines.size() < NUM_MERGES + 1) throw new IllegalStateException("BPE vocabulary has too few merges");
        char[] byteChar = bytesToUnicode();
        vocab = new String[VOCAB_SIZE];
        Map<String, Integer> encoder = new HashMap<>(VOCAB_SIZE * 2);
        for (int i = 0; i < 256; i++) {
            vocab[i] = String.valueOf(byteChar[i]);
            vocab[i + 256] = byteChar[i] + END_OF_WORD;
        }
        String[][] merges = new String[NUM_MERGES][];
        for (int r = 0; r < NUM_MERGES; r++) {
            merges[r] = lines.get(r + 1).trim().split("\\s+");
            if (merges[r].length != 2) throw new IllegalStateException("bad BPE merge line " + (r + 2));
            vocab[512 + r] = merges[r][0] + merges[r][1];
        }
        vocab[START_OF_TEXT] = START_TOKEN;
        vocab[END_OF_TEXT] = END_TOKEN;
        for (int id = 0; id < VOCAB_SIZE; id++) {
            if (encoder.put(vocab[id], id) != null) throw new IllegalStateException("duplicate BPE token " + vocab[id]);
        }
        int[] order = byteOrder();
        for (int i = 0; i < 256; i++) {
            byteId[order[i]] = i;
            byteOfChar[byteChar[i]] = (byte) order[i];
        }
        int capacity = Integer.highestOneBit(NUM_MERGES * 3);
        pairShift = 32 - Integer.numberOfTrailingZeros(capacity);
        pairKeys = new int[capacity];
        pairRanks = new int[capacity];
        Arrays.fill(pairKeys, -1);
        for (int r = 0; r < NUM_MERGES; r++) {
            Integer left = encoder.get(merges[r][0]);
            Integer right = encoder.get(merges[r][1]);
            if (left == null || right == null) throw new IllegalStateException("BPE merge of unknown symbols, line " + (r + 2));
            // Ids are below 2^16, so a pair packs into an int; no pair repeats, as no token does.
            int key = left << 16 | right;
            int slot = slot(key);
            while (pairKeys[slot] != -1) slot = (slot + 1) & (capacity - 1);
            pairKeys[slot] = key;
            pairRanks[slot] = r;
            mergeFirst[r] = left;
            mergeSecond[r] = right;
        }
    }

    /** open_clip's {@code encode}: the BPE ids of the cleaned text, without start and end tokens. */
    public int[] encode(String text) {
        String s = TextCleaner.clean(text);
        int[] out = new int[Math.max(8, s.length() / 2)];
        int size = 0;
        int n = s.length();
        int i = 0;
        while (i < n) {
            int end = preTokenEnd(s, i);
            if (end < 0) {
                i += Character.charCount(s.codePointAt(i));
                continue;
            }
            // The special tokens' own text is cached as themselves in OpenAI's code, so it becomes their id.
            int special = isExactly(s, i, end, START_TOKEN) ? START_OF_TEXT : isExactly(s, i, end, END_TOKEN) ? END_OF_TEXT : -1;
            int[] ids = special >= 0 ? null : wordIds(s.substring(i, end));
            int count = ids == null ? 1 : ids.length;
            if (size + count > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, size + count));
            if (ids == null) out[size] = special;
            else System.arraycopy(ids, 0, out, size, count);
            size += count;
            i = end;
        }
        return Arrays.copyOf(out, size);
    }

    /**
     * One open_clip row: {@code [START_OF_TEXT] + encode(text) + [END_OF_TEXT]}, cut to {@code contextLength} with
     * END_OF_TEXT as the last token when too long, zero-padded otherwise.
     */
    public int[] tokenize(String text, int contextLength) {
        if (contextLength < 1) throw new IllegalArgumentException("context length must be positive: " + contextLength);
        int[] ids = encode(text);
        int[] row = new int[contextLength];
        row[0] = START_OF_TEXT;
        System.arraycopy(ids, 0, row, 1, Math.min(ids.length, contextLength - 1));
        row[Math.min(ids.length + 1, contextLength - 1)] = END_OF_TEXT;
        return row;
    }

    /** open_clip's {@code tokenize} on a batch: one {@link #tokenize(String, int)} row per text. */
    public int[][] tokenize(List<String> texts, int contextLength) {
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = tokenize(texts.get(i), contextLength);
        return rows;
    }

    /** {@link #tokenize(List, int)} as one row-major [texts, contextLength] array, as models take it. */
    public int[] tokenizeFlat(List<String> texts, int contextLength) {
        int[][] rows = tokenize(texts, contextLength);
        int[] flat = new int[rows.length * contextLength];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, flat, i * contextLength, contextLength);
        return flat;
    }

    /**
     * OpenAI's {@code decode}: token strings joined, mapped back to bytes, read as UTF-8 (malformed bytes become
     * U+FFFD) and "&lt;/w&gt;" turned into a space, so the text ends with a space. START_OF_TEXT is dropped, and
     * END_OF_TEXT ends the text, which drops the padding after it.
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            if (id == END_OF_TEXT) break;
            if (id == START_OF_TEXT) continue;
            if (id < 0 || id >= VOCAB_SIZE) throw new IllegalArgumentException("token id out of range: " + id);
            String token = vocab[id];
            for (int k = 0; k < token.length(); k++) bytes.write(byteOfChar[token.charAt(k)]);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
    }

    /** The vocabulary string of a token id (byte-level characters, "&lt;/w&gt;" marking a word end). */
    public String tokenString(int id) {
        return vocab[id];
    }

    /** The ids of one pre-token, from the cache or by BPE. */
    private int[] wordIds(String word) {
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = bpe(word);
            if (cache.size() >= MAX_CACHE) cache.clear();
            cache.put(word, ids);
        }
        return ids;
    }

    /** OpenAI's {@code bpe}: repeatedly merge every occurrence of the lowest-ranked adjacent pair, left to right. */
    private int[] bpe(String word) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        int[] sym = new int[n];
        for (int i = 0; i < n; i++) sym[i] = byteId[utf8[i] & 0xFF];
        sym[n - 1] += 256;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int r = rank(sym[i], sym[i + 1]);
                if (r < best) best = r;
            }
            if (best == Integer.MAX_VALUE) break;
            int first = mergeFirst[best];
            int second = mergeSecond[best];
            int w = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && sym[i] == first && sym[i + 1] == second) {
                    sym[w++] = 512 + best;
                    i += 2;
                } else {
                    sym[w++] = sym[i++];
                }
            }
            n = w;
        }
        return Arrays.copyOf(sym, n);
    }

    private int rank(int left, int right) {
        int key = left << 16 | right;
        int mask = pairKeys.length - 1;
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            int k = pairKeys[slot];
            if (k == key) return pairRanks[slot];
            if (k == -1) return Integer.MAX_VALUE;
        }
    }

    private int slot(int key) {
        return (key * 0x9E3779B9) >>> pairShift;
    }

    /**
     * The end of the pre-token the pattern matches at {@code i}, trying its alternatives in order, or -1 where none
     * matches (whitespace, U+0345) and the scan moves on by one code point.
     */
    private static int preTokenEnd(String s, int i) {
        int cp = s.codePointAt(i);
        if (cp == '<') {
            if (matchesIgnoreCase(s, i, START_TOKEN)) return i + START_TOKEN.length();
            if (matchesIgnoreCase(s, i, END_TOKEN)) return i + END_TOKEN.length();
        } else if (cp == '\'') {
            int end = contractionEnd(s, i);
            if (end > 0) return end;
        }
        int next = i + Character.charCount(cp);
        return switch (classOf(cp)) {
            case LETTER -> runEnd(s, next, LETTER);
            case NUMBER -> next;
            case OTHER -> runEnd(s, next, OTHER);
            default -> -1;
        };
    }

    private static boolean isExactly(String s, int from, int to, String token) {
        return to - from == token.length() && s.startsWith(token, from);
    }

    /** Where a run of code points of class {@code cls} that continues at {@code from} ends. */
    private static int runEnd(String s, int from, byte cls) {
        int i = from;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (classOf(cp) != cls) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    /**
     * The end of {@code 's|'t|'re|'ve|'m|'ll|'d} at {@code at}, or -1. The text is lower case already, so of
     * IGNORECASE only 'ſ' matching 's' is left to handle.
     */
    private static int contractionEnd(String s, int at) {
        int n = s.length();
        if (at + 1 >= n) return -1;
        return switch (s.charAt(at + 1)) {
            case 's', '\u017F', 't', 'm', 'd' -> at + 2;
            case 'r', 'v' -> at + 2 < n && s.charAt(at + 2) == 'e' ? at + 3 : -1;
            case 'l' -> at + 2 < n && s.charAt(at + 2) == 'l' ? at + 3 : -1;
            default -> -1;
        };
    }

    /** Whether a special token's literal is at {@code at}, with 'ſ' matching 's' as in {@link #contractionEnd}. */
    private static boolean matchesIgnoreCase(String s, int at, String literal) {
        if (at + literal.length() > s.length()) return false;
        for (int k = 0; k < literal.length(); k++) {
            char a = s.charAt(at + k);
            char b = literal.charAt(k);
            if (a != b && !(b == 's' && a == '\u017F')) return false;
        }
        return true;
    }

    /**
     * The scanner's class of a code point: LETTER for \p{L}, NUMBER for \p{N}, SPACE for what no alternative
     * matches (Python regex's \s, i.e. White_Space, and U+0345), OTHER for the rest.
     */
    private static byte classOf(int cp) {
        return cp < 0x10000 ? BMP_CLASS[cp] : computeClass(cp);
    }

    private static byte computeClass(int cp) {
        if (cp == 0x345) return SPACE;
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> {
                return LETTER;
            }
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> {
                return NUMBER;
            }
            default -> {
                // Python regex's \s is Unicode White_Space: str.isspace() without the separators U+001C..U+001F.
                return PyStr.isSpace(cp) && !(cp >= 0x1C && cp <= 0x1F) ? SPACE : OTHER;
            }
        }
    }

    private static byte[] buildBmpClasses() {
        byte[] t = new byte[0x10000];
        for (int cp = 0; cp < t.length; cp++) t[cp] = computeClass(cp);
        return t;
    }

    /** OpenAI's bytes_to_unicode order: printable Latin-1 bytes first, then the rest. */
    private static int[] byteOrder() {
        int[] order = new int[256];
        int k = 0;
        for (int b = 0; b < 256; b++) if (isPrintableByte(b)) order[k++] = b;
        for (int b = 0; b < 256; b++) if (!isPrintableByte(b)) order[k++] = b;
        return order;
    }

    /** bytes_to_unicode's characters, in {@link #byteOrder()}: printable bytes stand for themselves, the rest for 256+n. */
    private static char[] bytesToUnicode() {
        int[] order = byteOrder();
        char[] chars = new char[256];
        int n = 0;
        for (int i = 0; i < 256; i++) chars[i] = isPrintableByte(order[i]) ? (char) order[i] : (char) (256 + n++);
        return chars;
    }

    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    private static List<String> readVocabResource() {
        try (InputStream raw = ClipTokenizer.class.getResourceAsStream(VOCAB_RESOURCE)) {
            if (raw == null) throw new IllegalStateException("resource " + VOCAB_RESOURCE + " is missing");
            String text = new String(new GZIPInputStream(raw).readAllBytes(), StandardCharsets.UTF_8);
            return List.of(text.split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
