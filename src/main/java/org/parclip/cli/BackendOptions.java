package org.parclip.cli;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Backends;
import picocli.CommandLine.Option;

/** The --backend and --threads options every compute command shares (a picocli mixin). */
public final class BackendOptions {
    @Option(names = "--backend", defaultValue = "auto",
            description = "auto (CUDA when a GPU is usable, else CPU), cpu or cuda. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    public Backend open() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new UserException("--threads must be at least 1");
        return Backends.create(backend, t);
    }
}
