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
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
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
