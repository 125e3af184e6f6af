package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesFloat32AndInt64() throws Exception {
        Path f = dir.resolve("f.npy");
        NpyWriter.writeFloat32(f, new float[] {1.5f, -2f, 0f, 3.25f, 7f, 8f}, 2, 3);
        ByteBuffer b = read(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
        assertEquals(1.5f, b.getFloat());
        assertEquals(-2f, b.getFloat());

        Path i = dir.resolve("i.npy");
        NpyWriter.writeInt64(i, new long[] {1, -1, Long.MAX_VALUE}, 3);
        b = read(i, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }");
        assertEquals(1, b.getLong());
        assertEquals(-1, b.getLong());
        assertEquals(Long.MAX_VALUE, b.getLong());

        NpyWriter.writeFloat32(dir.resolve("s.npy"), new float[] {4f});
        read(dir.resolve("s.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
    }

    @Test
    void leavesNothingBehindOnFailure() throws Exception {
        Path f = dir.resolve("bad.npy");
        assertThrows(IllegalArgumentException.class, () -> NpyWriter.writeInt64(f, new long[5], 2, 3));
        try (NpyWriter.Int64Rows rows = new NpyWriter.Int64Rows(f, 2, 2)) {
            rows.append(new int[] {1, 2, 3}, 0, 3);
            assertThrows(IllegalStateException.class, rows::commit);
        }
        assertFalse(Files.exists(f));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    private static ByteBuffer read(Path p, String dict) throws Exception {
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
}
