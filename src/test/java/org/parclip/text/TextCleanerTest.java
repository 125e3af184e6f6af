package org.parclip.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected values are what ftfy 6.3.1 / CPython 3.11 return for the same input. */
class TextCleanerTest {
    @Test
    void fixesMojibake() {
        assertEquals("café", TextCleaner.fixText("cafÃ©"));
        assertEquals("✔ No problems", TextCleaner.fixText("âœ” No problems"));
        assertEquals("¯\\_(ツ)_/¯", TextCleaner.fixText("&macr;\\_(ã\u0083\u0084)_/&macr;"));
        assertEquals("à bientôt", TextCleaner.fixText("Ã\u00a0 bientÃ´t"));
        assertEquals("l'élève", TextCleaner.fixText("l'Ã©lÃ¨ve"));
        assertEquals("\"quoted\"", TextCleaner.fixText("â€œquotedâ€\u009d"));
        assertEquals("naïve café", TextCleaner.fixText("naïve café"));
        assertEquals("© 2020 — ½", TextCleaner.fixText("© 2020 — ½"));
        assertEquals("c1 €'", TextCleaner.fixText("c1 \u0080\u0092"));
    }

    @Test
    void fixesCharacters() {
        assertEquals("Broken text… it's flubberific!", TextCleaner.fixText("Broken text&hellip; it&#x2019;s ﬂubberiﬁc!"));
        assertEquals("LOUD NOISES", TextCleaner.fixText("ＬＯＵＤ\u3000ＮＯＩＳＥＳ"));
        assertEquals("ctrl", TextCleaner.fixText("ctrl\u0000\u0007\u007f\ufeff"));
        assertEquals("blue", TextCleaner.fixText("\u001b[36;44mblue\u001b[0m"));
        assertEquals("a\nb\nc\nd", TextCleaner.fixText("a\r\nb\rc\u2028d"));
        assertEquals("\u00e9", TextCleaner.fixText("e\u0301"));
        assertEquals("lone \ufffd", TextCleaner.fixText("lone \ud800"));
    }

    @Test
    void unescapesHtmlLikeFtfyAndPython() {
        assertEquals("Ñ SS &eacute", TextCleaner.fixText("&NTILDE; &SZLIG; &eacute"));
        assertEquals("<b>&amp;</b>", TextCleaner.fixText("<b>&amp;</b>")); // looks like HTML: left alone
        assertEquals("& <x> ¬it; € \ufffd A &ere; \ufffd \ufffd",
                HtmlEntities.unescape("&amp &lt;x&gt; &notit; &#x80; &#0; &#65 &ampere; &#xD800; &#1114112;"));
        assertEquals("<b>&</b>", TextCleaner.basicClean(" <b>&amp;amp;</b>\n"));
    }

    @Test
    void lowersLikePython() {
        assertEquals("οδος σας. σ ας' α.ς", PyStr.lower("ΟΔΟΣ ΣΑΣ. Σ ΑΣ' Α.Σ"));
        assertEquals("i\u0307stanbul", PyStr.lower("İSTANBUL"));
        assertEquals("ας\u0345", PyStr.lower("ΑΣ\u0345"));
    }

    @Test
    void collapsesPythonWhitespace() {
        assertEquals("a b c", PyStr.collapseWhitespace("\u00a0 a\t\tb\u2007\u202f\u0085c\u3000"));
        assertEquals("a\u200bb", PyStr.collapseWhitespace("a\u200bb")); // zero width space is not whitespace to Python
        assertEquals("two words", TextCleaner.clean("  Two\r\nWORDS  "));
    }
}
