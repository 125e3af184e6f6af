#!/usr/bin/env python3
"""Generates the data tables that org.parclip.text.TextCleaner needs, from Python's standard library only.

Run from the repository root with any CPython 3.9+:  python3 tools/gen_text_tables.py

Writes into src/main/resources/org/parclip/text/:
  html5_entities.txt  html.entities.html5 (what html.unescape uses): "name<TAB>hex code points", one per line.
                      Names keep their trailing ';' when they have one; the legacy names without it are listed
                      separately, exactly as in the Python dict.
  charmaps.txt        decoding tables of the single-byte encodings that ftfy 6.x tries when it fixes mojibake
                      (chardata.CHARMAP_ENCODINGS, in ftfy's order): "name<TAB>256 hex code points". The "sloppy-"
                      ones are ftfy's bad_codecs.sloppy construction: the Windows code page, with its unassigned
                      bytes decoded as Latin-1 and byte 0x1A standing for U+FFFD.
"""
import html.entities
import os

OUT = os.path.join("src", "main", "resources", "org", "parclip", "text")

# ftfy/chardata.py CHARMAP_ENCODINGS (ftfy 6.3.1), in the order ftfy tries them.
CHARMAP_ENCODINGS = ["latin-1", "sloppy-windows-1252", "sloppy-windows-1251", "sloppy-windows-1250",
                     "sloppy-windows-1253", "sloppy-windows-1254", "sloppy-windows-1257", "iso-8859-2",
                     "macroman", "cp437"]


def decoding_table(name):
    all_bytes = bytes(range(256))
    if not name.startswith("sloppy-"):
        return all_bytes.decode(name)
    chars = list(all_bytes.decode("latin-1"))
    for i, ch in enumerate(all_bytes.decode(name[len("sloppy-"):], errors="replace")):
        if ch != "\ufffd":
            chars[i] = ch
    chars[0x1A] = "\ufffd"
    return "".join(chars)


def main():
    with open(os.path.join(OUT, "html5_entities.txt"), "w", encoding="ascii", newline="\n") as f:
        for name, chars in sorted(html.entities.html5.items()):
            f.write(name + "\t" + " ".join("%X" % ord(c) for c in chars) + "\n")
    with open(os.path.join(OUT, "charmaps.txt"), "w", encoding="ascii", newline="\n") as f:
        for name in CHARMAP_ENCODINGS:
            table = decoding_table(name)
            assert len(table) == 256
            f.write(name + "\t" + " ".join("%X" % ord(c) for c in table) + "\n")


if __name__ == "__main__":
    main()
