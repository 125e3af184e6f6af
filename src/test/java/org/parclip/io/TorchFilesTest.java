package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.parclip.cli.UserException;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TorchFilesTest {
    @Test
    void triggerPatternsMatchPyTorchIncludingNonContiguousOnes() throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> ref = (Map<String, Map<String, Object>>) Json.parse(
                Files.readString(Fixtures.checkpoint("triggers.json")));
        assertEquals(5, ref.size());
        for (var e : ref.entrySet()) {
            HostTensor t = TorchFiles.readTensor(Fixtures.TRIGGERS.resolve(e.getKey()));
            @SuppressWarnings("unchecked")
            List<Long> shape = (List<Long>) e.getValue().get("shape");
            assertArrayEquals(shape.stream().mapToInt(Long::intValue).toArray(), t.shape(), e.getKey());
            float[] v = t.toFloats();
            @SuppressWarnings("unchecked")
            List<Double> first = (List<Double>) e.getValue().get("first");
            for (int i = 0; i < first.size(); i++) assertEquals(first.get(i).floatValue(), v[i], e.getKey());
            double sum = 0;
            for (int i = 0; i < v.length; i++) sum += v[i] * (double) (i % 7 + 1);
            double expect = (Double) e.getValue().get("checksum");
            assertEquals(expect, sum, Math.abs(expect) * 1e-12 + 1e-9, e.getKey());
        }
    }

    @Test
    void readsATensorFromAClassPathResource() throws Exception {
        try (var in = TorchFilesTest.class.getResourceAsStream("/org/parclip/attack/watermarked_red_tens_224.pt")) {
            HostTensor t = TorchFiles.readTensor(in, "watermarked_red_tens_224.pt");
            assertEquals(TorchFiles.readTensor(Fixtures.TRIGGERS.resolve("watermarked_red_tens_224.pt")), t);
        }
    }

    @Test
    void aStateDictIsNotASingleTensor() {
        UserException e = assertThrows(UserException.class,
                () -> TorchFiles.readTensor(Fixtures.checkpoint("mixed.pt")));
        assertEquals("mixed.pt holds a dict, not a single tensor", e.getMessage());
    }
}
