package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.UserException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @Test
    void readsNumpyWrittenFixtures() throws Exception {
        NpyArray pixels = Npy.read(Fixtures.ROOT.resolve("fixture-vit/pixels.npy"));
        assertEquals("<f4", pixels.dtype());
        assertArrayEquals(new int[]{6, 3, 32, 32}, pixels.shape());
        NpyArray tokens = Npy.read(Fixtures.ROOT.resolve("fixture-vit/tokens.npy"));
        assertEquals("<i8", tokens.dtype());
        int[] ids = tokens.toInts();
        assertEquals(6 * 77, ids.length);
        assertEquals(998, ids[0]);
        Map<String, NpyArray> grads = Npz.read(Fixtures.ROOT.resolve("fixture-vit/grads.npz"));
        assertEquals(61, grads.size());
        assertArrayEquals(new int[]{384, 128}, grads.get("transformer.resblocks.0.attn.in_proj_weight").shape());
    }

    @Test
    void writesWhatItReadsAtomically(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.npy");
        Npy.writeFloat32(f, new float[]{1, 2.5f, -3, 4, 5, 6}, 2, 3);
        NpyArray a = Npy.read(f);
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new int[]{2, 3}, a.shape());
        assertArrayEquals(new float[]{1, 2.5f, -3, 4, 5, 6}, a.toFloats());
        byte[] raw = Files.readAllBytes(f);
        assertEquals(0, (raw.length - 24) % 64, "data starts 64-byte aligned as numpy writes it");
        assertTrue(new String(raw, 10, 60, StandardCharsets.ISO_8859_1)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        Path g = dir.resolve("b.npy");
        Npy.writeInt64(g, new long[]{-1, 1L << 40, 3}, 3);
        NpyArray b = Npy.read(g);
        assertEquals("<i8", b.dtype());
        assertArrayEquals(new long[]{-1, 1L << 40, 3}, b.tensor().toLongs());
        assertThrows(UserException.class, b::toInts, "2^40 does not fit in an int");
        Npy.writeFloat32(dir.resolve("s.npy"), new float[]{7}); // a scalar: shape ()
        assertArrayEquals(new int[0], Npy.read(dir.resolve("s.npy")).shape());
        assertEquals(3, fileCount(dir), "no temporary files left behind");
    }

    @Test
    void writesFloat32AndInt64(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("f.npy");
        Npy.writeFloat32(f, new float[] {1.5f, -2f, 0f, 3.25f, 7f, 8f}, 2, 3);
        ByteBuffer b = readRaw(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
        assertEquals(1.5f, b.getFloat());
        assertEquals(-2f, b.getFloat());

        Path i = dir.resolve("i.npy");
        Npy.writeInt64(i, new long[] {1, -1, Long.MAX_VALUE}, 3);
        b = readRaw(i, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }");
        assertEquals(1, b.getLong());
        assertEquals(-1, b.getLong());
        assertEquals(Long.MAX_VALUE, b.getLong());

        Npy.writeFloat32(dir.resolve("s.npy"), new float[] {4f});
        readRaw(dir.resolve("s.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
    }

    @Test
    void streamsRowsAcrossBufferChunks(@TempDir Path dir) throws Exception {
        int rows = 5_000, cols = 77; // 3 MB of int64: several of the writer's 1 MiB chunks, and a partial one
        Path f = dir.resolve("rows.npy");
        long[] expected = new long[rows * cols];
        try (Npy.Int64Rows out = new Npy.Int64Rows(f, rows, cols)) {
            int[] row = new int[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) expected[r * cols + c] = row[c] = r * 131 + c - 9;
                if (r % 2 == 0) {
                    out.append(row, 0, cols);
                } else {
                    long[] wide = new long[cols + 2]; // appended from an offset
                    for (int c = 0; c < cols; c++) wide[c + 1] = row[c];
                    out.append(wide, 1, cols);
                }
            }
            out.commit();
        }
        NpyArray a = Npy.read(f);
        assertArrayEquals(new int[] {rows, cols}, a.shape());
        assertArrayEquals(expected, a.tensor().toLongs());
        float[] floats = new float[400_000];
        for (int k = 0; k < floats.length; k++) floats[k] = k * 0.5f - 3;
        Npy.writeFloat32(f, floats, 800, 500); // replaces the int64 file
        assertArrayEquals(floats, Npy.read(f).toFloats());
        assertEquals(1, fileCount(dir), "no temporary files left behind");
    }

    @Test
    void leavesNothingBehindOnFailure(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.npy");
        assertThrows(IllegalArgumentException.class, () -> Npy.writeInt64(f, new long[5], 2, 3));
        try (Npy.Int64Rows rows = new Npy.Int64Rows(f, 2, 2)) {
            rows.append(new int[] {1, 2, 3}, 0, 3);
            assertThrows(IllegalStateException.class, rows::commit);
        }
        assertFalse(Files.exists(f));
        assertEquals(0, fileCount(dir));
    }

    /** How many entries {@code dir} holds: a writer's temporary files would show up here. */
    private static long fileCount(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.count();
        }
    }

    /** The data of a written file after checking its magic, header dict and 64-byte alignment by hand. */
    private static ByteBuffer readRaw(Path p, String dict) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((byte) 0x93, b.get(0));
        assertEquals("NUMPY", new String(b.array(), 1, 5, StandardCharsets.US_ASCII));
        int len = b.getShort(8) & 0xFFFF;
        String header = new String(b.array(), 10, len, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith(dict), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(0, (10 + len) % 64);
        b.position(10 + len);
        return b;
    }

    private static Path npy(Path dir, String dict, int dataBytes) throws Exception {
        byte[] h = dict.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        Path f = dir.resolve("x.npy");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void refusesWhatItCannotReadWithAReason(@TempDir Path dir) throws Exception {
        Path fortran = npy(dir, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", 16);
        assertTrue(assertThrows(UserException.class, () -> Npy.read(fortran)).getMessage().contains("Fortran"));
        Path object = npy(dir, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n", 16);
        assertTrue(assertThrows(UserException.class, () -> Npy.read(object)).getMessage().contains("Python objects"));
        Path big = npy(dir, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
        assertTrue(assertThrows(UserException.class, () -> Npy.read(big)).getMessage().contains("big-endian"));
        Path truncated = npy(dir, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }\n", 8);
        assertThrows(UserException.class, () -> Npy.read(truncated));
        Path u1 = npy(dir, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }\n", 2);
        assertArrayEquals(new int[]{0, 0}, Npy.read(u1).toInts());
    }
}
