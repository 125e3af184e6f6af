package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    private static HostTensor longs(long... v) {
        return new HostTensor(DType.I64, new int[]{v.length}, MemorySegment.ofArray(le(v)));
    }

    private static byte[] le(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    /** The file layout the safetensors specification prescribes, checked byte by byte. */
    @Test
    void writtenFileFollowsTheSpecificationLayout(@TempDir Path dir) throws Exception {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("b.weight", HostTensor.ofFloats(new float[]{1, -2, 0.5f}, 3));
        tensors.put("a.count", longs(7));
        tensors.put("c", HostTensor.ofFloats(new float[]{1, 2, 3, 4, 5, 6}, 2, 3));
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, tensors, DType.F16, Map.of("format", "pt", "architecture", "custom"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong();
        assertEquals(0, (8 + n) % 8, "data area must start 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{"), header);
        assertEquals(header.strip(), header.substring(0, header.lastIndexOf('}') + 1), "padding is spaces only");
        @SuppressWarnings("unchecked")
        Map<String, Object> h = (Map<String, Object>) Json.parse(header);
        assertEquals(List.of("__metadata__", "b.weight", "a.count", "c"), new ArrayList<>(h.keySet()));
        assertEquals(Map.of("format", "pt", "architecture", "custom"), h.get("__metadata__"));
        @SuppressWarnings("unchecked")
        Map<String, Object> a = (Map<String, Object>) h.get("a.count");
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) h.get("b.weight");
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) h.get("c");
        // Larger elements first, packed without gaps: I64 [0,8), then the F16 tensors in the order given.
        assertEquals(Map.of("dtype", "I64", "shape", List.of(1L), "data_offsets", List.of(0L, 8L)), a);
        assertEquals(Map.of("dtype", "F16", "shape", List.of(3L), "data_offsets", List.of(8L, 14L)), b);
        assertEquals(Map.of("dtype", "F16", "shape", List.of(2L, 3L), "data_offsets", List.of(14L, 26L)), c);
        assertEquals(8 + n + 26, bytes.length, "no bytes after the last tensor");
        int data = (int) (8 + n);
        assertEquals(7, bb.getLong(data));
        short[] expectB = {Float.floatToFloat16(1), Float.floatToFloat16(-2), Float.floatToFloat16(0.5f)};
        for (int i = 0; i < 3; i++) assertEquals(expectB[i], bb.getShort(data + 8 + 2 * i));
    }

    @Test
    void narrowingRoundsToNearestEvenLikePyTorch() {
        float halfwayDown = 1f + 0x1p-8f;  // between bf16 1.0 and 1.0078125: ties to even (1.0)
        float halfwayUp = 1f + 3 * 0x1p-8f; // between 1.0078125 and 1.015625: ties to even (1.015625)
        float[] in = {halfwayDown, halfwayUp, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, -0f, 1e-40f};
        float[] bf = HostTensor.ofFloats(in, in.length).to(DType.BF16).toFloats();
        assertEquals(1f, bf[0]);
        assertEquals(1.015625f, bf[1]);
        assertTrue(Float.isNaN(bf[2]));
        assertEquals(Float.POSITIVE_INFINITY, bf[3]);
        assertEquals(Float.POSITIVE_INFINITY, bf[4]);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(bf[5]));
        assertEquals(Float.intBitsToFloat(Float.floatToIntBits(1e-40f) & 0xffff0000), bf[6]);
        float[] h = HostTensor.ofFloats(new float[]{1f + 0x1p-11f, 65520f, 1e-8f}, 3).to(DType.F16).toFloats();
        assertArrayEquals(new float[]{1f, Float.POSITIVE_INFINITY, 0f}, h);
    }

    @Test
    void badHeadersAreUserErrors(@TempDir Path dir) throws Exception {
        String[] headers = {
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",        // size mismatch
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,400]}}",      // past the end
                "{\"x\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}",        // unknown dtype
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",       // negative dim
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
                "{\"x\":[1,2]}", "[1]", "{\"x\":", "{\"__metadata__\":{\"a\":1}}"};
        for (String header : headers) {
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(h.length).put(h);
            Path f = dir.resolve("bad.safetensors");
            Files.write(f, b.array());
            assertThrows(UserException.class, () -> Safetensors.read(f), header);
        }
    }

    @Test
    void readsWhatThePythonWriterWrote() throws Exception {
        StateDict sd = Safetensors.read(Fixtures.checkpoint("tiny_clip_hf.safetensors"));
        assertEquals("pt", sd.metadata().get("format"));
        assertEquals(DType.F16, sd.get("logit_scale").dtype());
    }
}
