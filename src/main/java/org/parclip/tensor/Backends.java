package org.parclip.tensor;

import org.parclip.cli.UserException;
import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.Sgemms;
import org.parclip.cuda.CudaBackend;
import org.parclip.cuda.CudaException;

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
                try {
                    yield new CudaBackend(0);
                } catch (CudaException e) {
                    throw new UserException("--backend cuda: " + e.getMessage(), e);
                }
            }
            case "auto" -> {
                String reason = CudaBackend.unavailableReason();
                if (CudaBackend.isAvailable()) {
                    try {
                        yield new CudaBackend(0);
                    } catch (CudaException e) {
                        reason = e.getMessage();
                    }
                }
                System.err.println("par: no usable GPU (" + reason + "); using the CPU backend");
                yield cpu(threads);
            }
            default -> throw new UserException("unknown backend '" + name + "' (expected cpu, cuda or auto)");
        };
    }

    private static Backend cpu(int threads) {
        return new CpuBackend(threads, Sgemms.best(threads));
    }
}
