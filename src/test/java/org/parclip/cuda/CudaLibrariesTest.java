package org.parclip.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run-time library search; needs no GPU. */
class CudaLibrariesTest {

    @Test
    void locatesTheFirstListedVersionDirectoryByDirectory(@TempDir Path tmp) throws IOException {
        Path first = Files.createDirectories(tmp.resolve("first")), second = Files.createDirectories(tmp.resolve("second"));
        Files.createFile(first.resolve("libcublas.so.12"));
        Files.createFile(second.resolve("libcublas.so.13"));
        Files.createFile(second.resolve("libcublas.so.12"));
        List<String> names = List.of("libcublas.so.13", "libcublas.so.12");
        // An earlier directory wins (PARCLIP_CUDA_LIB_PATH comes first); within one the newer version does.
        assertEquals(first.resolve("libcublas.so.12"), CudaLibraries.locate(names, List.of(first, second)).orElseThrow());
        assertEquals(second.resolve("libcublas.so.13"), CudaLibraries.locate(names, List.of(second, first)).orElseThrow());
        assertTrue(CudaLibraries.locate(List.of("libcudnn.so.9"), List.of(first, second)).isEmpty());
    }

    @Test
    void aMissingLibraryIsReportedWithEveryPlaceTried() {
        CudaException e = assertThrows(CudaException.class,
                () -> CudaLibraries.load("the test library", List.of("libparclip-no-such-library.so.1")));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("the test library not found: looked for libparclip-no-such-library.so.1 in "), msg);
        for (Path dir : CudaLibraries.searchDirectories()) assertTrue(msg.contains(dir.toString()), msg);
        assertTrue(msg.contains("dynamic linker"), msg);
        assertTrue(msg.contains(CudaLibraries.PATH_ENV), msg);
    }

    @Test
    void searchesPythonEnvironmentsThroughWildcards(@TempDir Path tmp) throws IOException {
        Path lib = Files.createDirectories(tmp.resolve("venv/lib/python3.12/site-packages/nvidia/cublas/lib"));
        Files.createDirectories(tmp.resolve("venv/lib/python3.12/site-packages/nvidia/cudnn/lib"));
        List<Path> found = CudaLibraries.glob(tmp + "/*/lib/python3*/site-packages/nvidia/*/lib");
        assertEquals(List.of(lib, tmp.resolve("venv/lib/python3.12/site-packages/nvidia/cudnn/lib")), found);
        assertEquals(List.of(), CudaLibraries.glob(tmp + "/nothing/*/lib"));
    }
}
