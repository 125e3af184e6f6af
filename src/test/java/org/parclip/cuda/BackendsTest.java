package org.parclip.cuda;

import org.junit.jupiter.api.Test;
import org.parclip.cli.UserException;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The backend factory, with and without a GPU. */
class BackendsTest {

    @Test
    void cudaWithoutAGpuIsAUserErrorAndAutoFallsBackToTheCpu() {
        assumeFalse(CudaBackend.isAvailable(), "a GPU is usable here; the no-GPU behaviour cannot be observed");
        String reason = CudaBackend.unavailableReason();
        assertFalse(reason.isBlank());
        UserException e = assertThrows(UserException.class, () -> Backends.create("cuda", 1));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        try (Backend b = Backends.create("auto", 1)) {
            assertEquals("cpu", b.name());
        }
    }

    @Test
    void cudaAndAutoPickTheGpuWhenThereIsOne() {
        assumeTrue(CudaBackend.isAvailable(), "no usable GPU: " + CudaBackend.unavailableReason());
        try (Backend b = Backends.create("cuda", 1)) {
            assertEquals("cuda", b.name());
        }
        try (Backend b = Backends.create("auto", 1)) {
            assertEquals("cuda", b.name());
        }
    }

    @Test
    void namesAreCheckedAndTheCpuIsAlwaysThere() {
        assertThrows(UserException.class, () -> Backends.create("tpu", 1));
        try (Backend b = Backends.create("CPU", 1)) {
            assertEquals("cpu", b.name());
        }
    }
}
