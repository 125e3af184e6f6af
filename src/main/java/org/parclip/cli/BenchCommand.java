package org.parclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code par bench}: micro-benchmarks of the compute kernels; each subcommand prints one JSON line on stdout. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark compute kernels; prints one JSON line per run on stdout.",
        subcommands = {BenchGemmCommand.class, BenchStepCommand.class, BenchForwardCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }
}
