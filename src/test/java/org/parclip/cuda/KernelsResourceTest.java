package org.parclip.cuda;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fatbin in the build; needs nvcc (to have built it) but no GPU. */
class KernelsResourceTest {

    /** Where nvcc was found on the PATH, the build (make kernels, run by make build / make test) must carry the kernels. */
    @Test
    void theBuildCarriesTheKernelsWhenNvccIsPresent() throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean nvcc = Arrays.stream(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, "nvcc")));
        assumeTrue(nvcc, "nvcc is not on the PATH, so the build has no CUDA kernels to check");
        try (InputStream in = CudaBackend.class.getResourceAsStream("parclip.fatbin")) {
            assertNotNull(in, "nvcc is installed but org/parclip/cuda/parclip.fatbin is missing: run 'make kernels'");
            byte[] head = in.readNBytes(16);
            assertEquals(16, head.length);
            // fatbinary container header: magic 0xBA55ED50, little-endian.
            assertEquals(0xBA55ED50, ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
            assertTrue(in.readAllBytes().length > 10_000, "fatbin suspiciously small");
        }
    }
}
