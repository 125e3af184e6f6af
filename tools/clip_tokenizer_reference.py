#!/usr/bin/env python3
"""Reference CLIP tokenizer, and the generator of the tokenizer test corpus.

The tokenizer is OpenAI CLIP's simple_tokenizer.py as open_clip ships it (special tokens <start_of_text> and
<end_of_text>, matched by the split pattern too; "lower" cleaning; rows cut to the context with <end_of_text> last),
reproduced line for line so that the Java port (org.parclip.text.ClipTokenizer) can be checked against it.

Needs ftfy and regex (e.g. python3 -m pip install ftfy regex; Debian has python3-regex but no ftfy). The corpus in
src/test/resources/fixtures/tokenizer_corpus.jsonl was made with Python 3.11, ftfy 6.3.1, regex 2026.9.29:

    python3 tools/clip_tokenizer_reference.py            # from the repository root; rewrites the corpus
    python3 tools/clip_tokenizer_reference.py --check-open-clip   # also compares with open_clip, if installed

Each corpus line is {"text": ..., "ids": [...]} with ids = [49406] + encode(text) + [49407] cut to 77 as open_clip
does, and no padding. The corpus is deterministic (seeded).
"""
import argparse
import gzip
import html
import json
import os
import random
import sys
from functools import lru_cache

import ftfy
import regex as re

VOCAB = os.path.join("src", "main", "resources", "org", "parclip", "text", "bpe_simple_vocab_16e6.txt.gz")
DATA = os.path.join("src", "main", "resources", "org", "parclip", "data")
OUT = os.path.join("src", "test", "resources", "fixtures", "tokenizer_corpus.jsonl")
CONTEXT_LENGTH = 77


@lru_cache()
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    cs = [chr(n) for n in cs]
    return dict(zip(bs, cs))


def get_pairs(word):
    pairs = set()
    prev_char = word[0]
    for char in word[1:]:
        pairs.add((prev_char, char))
        prev_char = char
    return pairs


def basic_clean(text):
    text = ftfy.fix_text(text)
    text = html.unescape(html.unescape(text))
    return text.strip()


def whitespace_clean(text):
    text = " ".join(text.split())
    text = text.strip()
    return text


class SimpleTokenizer(object):
    def __init__(self, bpe_path=VOCAB):
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        merges = gzip.open(bpe_path).read().decode("utf-8").split('\n')
        merges = merges[1:49152 - 256 - 2 + 1]
        merges = [tuple(merge.split()) for merge in merges]
        vocab = list(bytes_to_unicode().values())
        vocab = vocab + [v + '</w>' for v in vocab]
        for merge in merges:
            vocab.append(''.join(merge))
        special_tokens = ['<start_of_text>', '<end_of_text>']
        vocab.extend(special_tokens)
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {t: t for t in special_tokens}
        special = "|".join(special_tokens)
        self.pat = re.compile(special + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", re.IGNORECASE)
        self.sot_token_id = self.encoder['<start_of_text>']
        self.eot_token_id = self.encoder['<end_of_text>']

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + '</w>',)
        pairs = get_pairs(word)

        if not pairs:
            return token + '</w>'

        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float('inf')))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except ValueError:
                    new_word.extend(word[i:])
                    break

                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            new_word = tuple(new_word)
            word = new_word
            if len(word) == 1:
                break
            else:
                pairs = get_pairs(word)
        word = ' '.join(word)
        self.cache[token] = word
        return word

    def encode(self, text):
        bpe_tokens = []
        text = whitespace_clean(basic_clean(text)).lower()
        for token in re.findall(self.pat, text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            bpe_tokens.extend(self.encoder[bpe_token] for bpe_token in self.bpe(token).split(' '))
        return bpe_tokens

    def decode(self, tokens):
        text = ''.join([self.decoder[token] for token in tokens])
        text = bytearray([self.byte_decoder[c] for c in text]).decode('utf-8', errors="replace").replace('</w>', ' ')
        return text

    def row(self, text, context_length=CONTEXT_LENGTH):
        """open_clip's tokenize() for one text, without the zero padding."""
        tokens = [self.sot_token_id] + self.encode(text) + [self.eot_token_id]
        if len(tokens) > context_length:
            tokens = tokens[:context_length]
            tokens[-1] = self.eot_token_id
        return tokens


# --------------------------------------------------------------------------------------------------------------
# The corpus

HANDWRITTEN = [
    # contractions, including upper case and the long s that IGNORECASE folds to 's'
    "I'm sure you'll say they've gone, we'd stay, it's fine, isn't it? You're right.",
    "DON'T STOP, WE'RE HERE, SHE'LL GO, I'VE SEEN, HE'D SAY, I'M OK",
    "rock 'n' roll, '90s kids, the dogs' bowls, 'quoted'", "o'clock ''s '''t 's 't",
    "the cat\u2019s toy and \u2018single\u2019 \u201cdouble\u201d \u201equotes\u201f \u02bcmodifier", "'\u017f \u017fun",
    # numbers
    "1234567890", "3.14159 2,718 1e10 -42 +7 50% 1/2 \u00bd \u00b2 \u2163 \u0663\u0664 \u0967\u0968 \u4e00\u4e8c\u4e09",
    "the year 2024, room 101, 007, 24/7, 9:30am",
    # accents and combining marks
    "Cr\u00e8me br\u00fbl\u00e9e, pi\u00f1ata, fa\u00e7ade, \u00e5ngstr\u00f6m, \u0142\u00f3d\u017a, \u0159e\u0161e\u0148\u00ed",
    "cafe\u0301 decomposed vs caf\u00e9 composed", "e\u0301\u0302\u0303 stacked marks a\u0308o\u0308u\u0308",
    "\u1100\u1161\u11a8 conjoining hangul jamo", "\u0915\u094d\u0937 devanagari conjunct",
    # scripts
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac: \u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u039f\u03a3 \u03a3\u03a3 \u0391\u03a3' \u039c\u0391\u03a3. \u03a3",
    "\u0391\u03a3\u0345 \u03b1\u0345 x\u0345y \u1fb3", "\u041c\u043e\u0441\u043a\u0432\u0430 \u2014 \u0441\u0442\u043e\u043b\u0438\u0446\u0430 \u0420\u043e\u0441\u0441\u0438\u0438",
    "\u6771\u4eac\u30bf\u30ef\u30fc\u3068\u5bcc\u58eb\u5c71", "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\uff01",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8\uc785\ub2c8\ub2e4", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0645\u0639 \u062a\u0634\u0643\u064a\u0644: \u0645\u064e\u0631\u0652\u062d\u064e\u0628\u064b\u0627",
    "\u05e2\u05d1\u05e8\u05d9\u05ea \u05e2\u05dd \u05e0\u05d9\u05e7\u05d5\u05d3: \u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22", "\u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8",
    "\u0130stanbul \u0130I\u0131i D\u0130YARBAKIR", "Stra\u00dfe STRASSE \u1e9e", "\u01c5 \u01c8 \u01cb titlecase digraphs",
    "\U0001d400\U0001d401 math bold \U0001d7ce\U0001d7cf", "\U00010400\U00010428 deseret", "\U00020000\U0002a6d6 cjk ext b",
    # emoji
    "\U0001f600\U0001f60d\U0001f44d\U0001f3fd\U0001f1fa\U0001f1f8 \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f3f3\ufe0f\u200d\U0001f308 \U0001f9d1\U0001f3ff\u200d\U0001f4bb \u2764\ufe0f \u263a \u00a9 \u00ae \u2122",
    "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f flag of wales", "keycap 1\ufe0f\u20e3 #\ufe0f\u20e3",
    # html
    "fish &amp; chips &lt;b&gt;bold&lt;/b&gt; &quot;q&quot; &#39;a&#39; &#x27;b&#x27; &nbsp;x&nbsp;",
    "&amp &lt &gt &copy &eacute; &EACUTE; &NTILDE; &SZLIG; &Eacute &notit; &notin; &ampere; &hellip;",
    "&amp;amp; &amp;lt; &amp;amp;amp; double and triple escaped", "&#0; &#13; &#128; &#129; &#150; &#x80; &#xD800; &#x110000; &#1114111; &#65534; &#11;",
    "&#65 &#x41 &#x; &#; &#xZ; & ; &&amp;& &unknown; &aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;",
    "<p>real html &amp; stays</p>", "no < here &amp; but here", "a<b &amp; c", "x &amp;\n<y> &amp; z",
    # urls, hashtags, mentions, code
    "https://www.example.com/path/to/page?query=1&lang=en#frag", "user@example.com #ThrowbackThursday @someone_123",
    "C:\\Users\\name\\file.txt", "def f(x): return x**2 // 3 -> {a: [1, 2]}", "~!@#$%^&*()_+`-=[]\\{}|;':\",./<>?",
    # special token text
    "<start_of_text> hello <end_of_text>", "<START_OF_TEXT> <\u017ftart_of_text> x<start_of_text>", "<end_of_text><end_of_text>",
    # whitespace
    "tabs\tand\nnewlines\r\nand\rreturns", "  leading and trailing  ", "\u00a0nbsp\u00a0\u2003em\u2003space\u3000ideographic\u202f",
    "zero\u200bwidth\u200cjoiner\u200dmarks\u2060", "line\u2028sep\u2029para\x85nel", "\x0bvt\x0cff\x1cfs\x1dgs\x1ers\x1fus",
    "\n", "\t\t", "\r\n", " \u3000 ",
    # ligatures, full width, control characters, surrogates, terminal escapes
    "\ufb01nance \ufb02ower e\ufb00ort o\ufb03ce \ufb04uent \ufb05 \ufb06 \u0132sselmeer \u0149 \u01c4 \u01c6 \u01c9",
    "\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33\uff01 \uff11\uff12\uff13 \uff76\uff80\uff76\uff85 \uffe5\uffe0",
    "ctrl\x00\x01\x07\x08chars\x7f \u206a\u206f \ufeffbom \ufff9\ufffa\ufffb\ufffc", "\x1b[36;44mblue\x1b[0m plain \x1b[1m",
    "lone \ud800 surrogate", "c1 \x80\x85\x91\x92\x9f controls",
    # mojibake (UTF-8 read as another code page) and text ftfy must leave alone
    "caf\u00c3\u00a9", "Ã©tÃ© Ã  la plage", "â€œquotedâ€\x9d and it\u00e2\u20ac\u2122s", "âœ” No problems",
    "&macr;\\_(ã\x83\x84)_/&macr;", "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Ã\xa0 bientôt",
    "The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.", "Ð\xa0Ð¾ÑÑÐ¸Ñ", "×©×œ×•×", "ØµØ¨Ø§Ø­ Ø§Ù„Ø®ÙŠØ±",
    "último año, ¿qué tal? ¡Olé!", "naïve façade Ångström", "Ã¼ber", "l'Ã©lÃ¨ve", "â€\x9d", "Ã", "Â£100",
    "voilÃ  le travail", "\u00c3 bord", "âââ", "Ãƒâ€", "ÄŒeskÃ¡", "æ—¥æœ¬", "ðŸ˜€ emoji",
    "\u201a\u00c4\u00f4 macroman", "\u2248\u00b0 x", "\u00e2\u20ac\u201d dash", "\u00c2\u00a0nbsp", "x \u00c3 y",
    # long captions
    " ".join(["word"] * 100), "a" * 300, "supercalifragilisticexpialidocious " * 10,
    "a photo of " + ", ".join(str(i) for i in range(60)),
    # misc punctuation
    "!!!???...", "\u2014\u2013-\u2012\u2010", "\u00bf\u00a1", "\u2026\u00b7\u2022", "\u3001\u3002\u300c\u300d", "\u00ab\u00bb\u2039\u203a",
    "", " ", "a", "A", "'", "''", "&", "#", "\U0001f600",
]

# Pools for random captions: characters assigned since Unicode 6 or earlier, so that Python's and Java's
# Unicode tables agree on them.
POOLS = [
    (30, [chr(c) for c in range(0x20, 0x7f)]),
    (8, [chr(c) for c in range(0xa0, 0x180)]),
    (4, [chr(c) for c in range(0x370, 0x3d0) if c not in (0x378, 0x379, 0x380, 0x381, 0x382, 0x383, 0x38b, 0x38d, 0x3a2)]),
    (4, [chr(c) for c in range(0x400, 0x460)]),
    (3, [chr(c) for c in range(0x300, 0x34f)]),
    (3, [chr(c) for c in range(0x4e00, 0x4f00)] + [chr(c) for c in range(0x3041, 0x3097)]),
    (2, [chr(c) for c in range(0x5d0, 0x5eb)] + [chr(c) for c in range(0x621, 0x64b)]),
    (3, ["\U0001f600", "\U0001f44d", "\U0001f3fd", "\u200d", "\ufe0f", "\U0001f468", "\U0001f34c", "\u2764", "\U0001f1fa"]),
    (3, ["&amp;", "&lt;", "&gt;", "&#39;", "&#x2019;", "&quot;", "&nbsp;", "&eacute;", "&amp", "&EACUTE;", "&#128;"]),
    (4, [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028"]),
    (2, ["\u2018", "\u2019", "\u201c", "\u201d", "'", "'s", "'ll", "'re", "\u00c3\u00a9", "\u00e2\u20ac\u2122", "\ufb01", "\uff21"]),
    (1, ["\x00", "\x07", "\x1b[1m", "\x7f", "\x85", "\x92", "\ufeff", "\u0345", "\u017f", "\u0130", "\u03a3"]),
    (2, [chr(c) for c in range(0x2000, 0x2070)] + [chr(c) for c in range(0x2190, 0x2200)]),
]


def random_caption(rng):
    weights = [w for w, _ in POOLS]
    n = rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 55])
    return "".join(rng.choice(rng.choices(POOLS, weights)[0][1]) for _ in range(n))


def mojibake(rng, words):
    text = " ".join(rng.sample(words, 3))
    enc = rng.choice(["latin-1", "windows-1252", "windows-1251", "windows-1250", "macroman", "cp437"])
    return text.encode("utf-8").decode(enc, errors="replace")


def corpus(rng):
    with open(os.path.join(DATA, "templates.json"), encoding="utf-8") as f:
        templates = json.load(f)
    with open(os.path.join(DATA, "classes.json"), encoding="utf-8") as f:
        classes = json.load(f)
    texts = []
    for c in classes:  # every class name, in one prompt
        texts.append("a photo of a " + c + ".")
    for t in templates:  # every template, with a sample of classes
        for c in rng.sample(classes, 12):
            texts.append(t.format(c))
    texts += HANDWRITTEN
    words = ["café", "naïve", "Straße", "Ελληνικά", "Привет", "日本語", "Ångström", "“quoted”", "it’s", "€100",
             "señor", "Zürich", "Łódź", "résumé", "👍", "—", "…", "ça", "Ο ΟΔΟΣ", "Kraków", "Čeština"]
    texts += [mojibake(rng, words) for _ in range(150)]
    texts += [random_caption(rng) for _ in range(2500)]
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check-open-clip", action="store_true", help="also compare every row with open_clip's tokenizer")
    ap.add_argument("--output", default=OUT)
    args = ap.parse_args()
    tok = SimpleTokenizer()
    texts = corpus(random.Random(20240611))
    other = None
    if args.check_open_clip:
        import importlib.util
        spec = importlib.util.find_spec("open_clip")
        path = os.path.join(os.path.dirname(spec.origin), "tokenizer.py")
        mod_spec = importlib.util.spec_from_file_location("open_clip_tokenizer", path)
        module = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(module)
        other = module.SimpleTokenizer(bpe_path=VOCAB)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        for text in texts:
            ids = tok.row(text)
            if other is not None:
                theirs = other(text)[0].tolist()
                theirs = theirs[:len(ids)]
                assert theirs == ids, (text, ids, theirs)
            f.write(json.dumps({"text": text, "ids": ids}) + "\n")
    print(f"{len(texts)} captions -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
