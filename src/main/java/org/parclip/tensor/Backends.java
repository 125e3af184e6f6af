package org.parclip.tensor;

import org.parclip.cli.UserException;
import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.Sgemms;

/** Opens a backend by name: "cpu", "cuda" or "auto". */
public final class Backends {
    private Backends() {
    }

    public static Backend create(String name, int threads) {
        return switch (name) {
            case "cpu" -> new CpuBackend(threads, Sgemms.best(threads));
            case "auto" -> new CpuBackend(threads, Sgemms.best(threads));
            case "cuda" -> throw new UserException("the CUDA backend is not part of this build");
            default -> throw new UserException("unknown backend '" + name + "' (expected auto, cpu or cuda)");
        };
    }
}
