package org.parclip.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    private final ClipTokenizer tok = ClipTokenizer.get();

    /** The 41 captions tokenized by the reference system itself. */
    @Test
    void matchesReferenceSystemExamples() {
        assertAllMatch(TokenizerFixtures.load("/fixtures/tokenizer_examples.jsonl"));
    }

    /** ImageNet prompts, many scripts, emoji, entities, mojibake, whitespace and random text, from tools/clip_tokenizer_reference.py. */
    @Test
    void matchesReferenceCorpus() {
        List<TokenizerFixtures.Example> corpus = TokenizerFixtures.load("/fixtures/tokenizer_corpus.jsonl");
        assertTrue(corpus.size() > 4000, "corpus size " + corpus.size());
        assertAllMatch(corpus);
    }

    private void assertAllMatch(List<TokenizerFixtures.Example> examples) {
        List<String> failures = new ArrayList<>();
        for (TokenizerFixtures.Example ex : examples) {
            int[] row = tok.tokenize(ex.text(), ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
            int[] expected = Arrays.copyOf(ex.ids(), ClipTokenizer.DEFAULT_CONTEXT_LENGTH); // fixtures omit the padding
            if (!Arrays.equals(expected, row)) {
                failures.add(escape(ex.text()) + "\n  expected " + Arrays.toString(ex.ids()) + "\n  actual   "
                        + Arrays.toString(Arrays.copyOf(row, ex.ids().length + 2)));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + examples.size() + " differ:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    @Test
    void framesCutsAndPads() {
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 8922, 269, 49407, 0, 0}, tok.tokenize("a photo of a banana.", 10));
        int[] cut = tok.tokenize("a photo of a banana.", 4);
        assertArrayEquals(new int[] {49406, 320, 1125, 49407}, cut);
        assertArrayEquals(new int[] {49407}, tok.tokenize("x", 1));
        assertArrayEquals(new int[] {49406, 49407}, tok.tokenize("", 2));
        int[][] batch = tok.tokenize(List.of("a", ""), 3);
        assertArrayEquals(new int[] {49406, 320, 49407}, batch[0]);
        assertArrayEquals(new int[] {49406, 49407, 0}, batch[1]);
    }

    @Test
    void decodesLikeOpenAi() {
        assertEquals("a photo of a banana . ", tok.decode(tok.tokenize("A photo of a banana.", 77)));
        assertEquals("café au lait 👍 ", tok.decode(tok.encode("Café au lait 👍")));
        // Bytes of a multi-byte character split across tokens come back together.
        assertEquals("ελληνικά ", tok.decode(tok.encode("Ελληνικά")));
        assertEquals("", tok.decode(new int[] {49406, 49407, 0, 0}));
    }

    @Test
    void specialTokenTextIsTheSpecialToken() {
        assertArrayEquals(new int[] {49406, 49407}, tok.encode("<start_of_text><END_OF_TEXT>"));
    }

    /** Python regex's IGNORECASE: 'ſ' matches 's', and U+0345 (case variant of iota) matches no alternative at all. */
    @Test
    void reproducesPythonRegexCaseFolding() {
        assertArrayEquals(new int[] {585, 6, 129, 379}, tok.encode("it'\u017f")); // 'it' + "'ſ" as one pre-token
        assertArrayEquals(new int[] {27, 129, 123, 16707, 62, 684, 62, 18169, 285}, tok.encode("<\u017ftart_of_text>"));
        assertArrayEquals(new int[] {343, 344}, tok.encode("x\u0345y"));
        assertArrayEquals(new int[] {43722}, tok.encode("\ud83d\udc4d\ud83c\udffd")); // emoji + skin tone: one symbol run
        assertArrayEquals(new int[] {15889, 478}, tok.encode("\ud835\udc00")); // astral letter
    }

    @Test
    void vocabularyLayout() {
        assertEquals("!", tok.tokenString(0));
        assertEquals("!</w>", tok.tokenString(256));
        assertEquals("<start_of_text>", tok.tokenString(49406));
        assertEquals("<end_of_text>", tok.tokenString(49407));
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) sb.append((char) cp);
            else sb.append(String.format("\\u{%X}", cp));
        });
        return sb.toString();
    }
}
