package org.parclip.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.CliRun;
import org.parclip.io.Npy;
import org.parclip.text.ClipTokenizer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void tokenizesToNpyAndDecodesBack() throws Exception {
        List<String> captions = List.of("A photo of a banana.", "", "Café &amp; croissant 🥐", "tabs\tand  spaces");
        Path texts = dir.resolve("captions.txt");
        // CRLF line ends, an empty caption, and no line break at the end.
        Files.writeString(texts, String.join("\r\n", captions), StandardCharsets.UTF_8);
        Path out = dir.resolve("tokens.npy");

        assertEquals(0, Main.execute("tokenize", "--texts", texts.toString(), "--output", out.toString(),
                "--context-length", "16", "--threads", "2"));

        ByteBuffer npy = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = npy.getShort(8) & 0xFFFF;
        String header = new String(npy.array(), 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (4, 16), }"), header);
        assertEquals(0, (10 + headerLen) % 64);
        assertEquals(10 + headerLen + 4 * 16 * 8, npy.capacity());
        npy.position(10 + headerLen);
        ClipTokenizer tok = ClipTokenizer.get();
        for (String caption : captions) {
            int[] row = new int[16];
            for (int i = 0; i < 16; i++) row[i] = Math.toIntExact(npy.getLong());
            assertArrayEquals(tok.tokenize(caption, 16), row, caption);
        }

        String decoded = CliRun.expect(0, "tokenize", "--decode", "--input", out.toString()).out();
        assertEquals(List.of("a photo of a banana .", "", "café & croissant 🥐", "tabs and spaces"), decoded.lines().toList());
    }

    @Test
    void emptyFileGivesZeroRows() throws Exception {
        Path texts = Files.writeString(dir.resolve("empty.txt"), "");
        Path out = dir.resolve("empty.npy");
        assertEquals(0, Main.execute("tokenize", "--texts", texts.toString(), "--output", out.toString()));
        byte[] npy = Files.readAllBytes(out);
        assertTrue(new String(npy, StandardCharsets.ISO_8859_1).contains("'shape': (0, 77)"));
        assertEquals(128, npy.length);
    }

    @Test
    void decodesNumpyWrittenTokens() throws Exception {
        Path tokens = Path.of("src/test/resources/fixtures/fixture-vit/tokens.npy");
        String decoded = CliRun.expect(0, "tokenize", "--decode", "--input", tokens.toString()).out();
        assertEquals(6, decoded.lines().count());
    }

    @Test
    void userErrorsExitWithTwo() throws Exception {
        Path texts = dir.resolve("t.txt");
        Files.writeString(texts, "x\n");
        assertEquals(2, Main.execute("tokenize", "--texts", texts.toString()));
        assertEquals(2, Main.execute("tokenize", "--texts", dir.resolve("missing.txt").toString(), "--output", dir.resolve("o.npy").toString()));
        assertEquals(2, Main.execute("tokenize", "--texts", texts.toString(), "--output", dir.resolve("no/such/dir/o.npy").toString()));
        assertEquals(2, Main.execute("tokenize", "--texts", texts.toString(), "--output", dir.resolve("o.npy").toString(), "--context-length", "0"));
        assertEquals(2, Main.execute("tokenize", "--decode"));
        assertEquals(2, Main.execute("tokenize", "--decode", "--input", texts.toString()));
    }

    @Test
    void decodeRefusesWhatIsNotATokenMatrixInOneLine() throws Exception {
        Path floats = dir.resolve("f.npy");
        Npy.writeFloat32(floats, new float[] {1, 2}, 1, 2);
        String err = CliRun.expect(2, "tokenize", "--decode", "--input", floats.toString()).err();
        assertTrue(err.contains("token ids must be int32 or int64, not <f4"), err);
        assertEquals(1, err.lines().count(), err);
        Path cube = dir.resolve("c.npy");
        Npy.writeInt64(cube, new long[8], 2, 2, 2);
        err = CliRun.expect(2, "tokenize", "--decode", "--input", cube.toString()).err();
        assertTrue(err.contains("token ids must be 1-D or 2-D, shape is (2, 2, 2)"), err);
        assertEquals(1, err.lines().count(), err);
        Path outOfRange = dir.resolve("r.npy");
        Npy.writeInt64(outOfRange, new long[] {49406, -1}, 2);
        err = CliRun.expect(2, "tokenize", "--decode", "--input", outOfRange.toString()).err();
        assertTrue(err.contains("token id out of range: -1"), err);
        Path row = dir.resolve("row.npy"); // a 1-D array is one row
        Npy.writeInt64(row, new long[] {49406, 320, 49407}, 3);
        String decoded = CliRun.expect(0, "tokenize", "--decode", "--input", row.toString()).out();
        assertEquals(List.of("a"), decoded.lines().toList());
    }
}
