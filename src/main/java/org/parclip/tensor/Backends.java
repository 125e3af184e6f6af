package org.parclip.tensor;

import org.parclip.cli.UserException;
import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.Sgemms;
import org.parclip.cuda.CudaBackend;

import java.util.Locale;

/** Creates a {@link Backend} by the name users give on the command line ({@code --backend cpu|cuda|auto}). */
public final class Backends {
    private Backends() {
    }

    /**
     * @param name    "cpu"; "cuda" (the first GPU, fp32 parity mode; a {@link UserException} saying why when no GPU
     *                is usable); or "auto" (CUDA when usable, else the CPU with a one-line notice on stderr)
     * @param threads CPU worker threads (the CPU backend's pool; ignored by CUDA)
     */
    public static Backend create(String name, int threads) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu" -> cpu(threads);
            case "cuda" -> {
                if (!CudaBackend.isAvailable())
                    throw new UserException("--backend cuda: " + CudaBackend.unavailableReason());
                yield new CudaBackend(0);
            }
            case "auto" -> {
                if (CudaBackend.isAvailable()) yield new CudaBackend(0);
                System.err.println("par: no usable GPU (" + CudaBackend.unavailableReason() + "); using the CPU backend");
                yield cpu(threads);
            }
            default -> throw new UserException("unknown backend '" + name + "' (expected cpu, cuda or auto)");
        };
    }

    private static Backend cpu(int threads) {
        return new CpuBackend(threads, Sgemms.best(threads));
    }
}
