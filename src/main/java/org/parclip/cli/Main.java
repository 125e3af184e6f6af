package org.parclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;

/** The {@code par} command line. Subcommands are listed here; each lives in its own class in this package. */
@Command(name = "par", mixinStandardHelpOptions = true, version = "parclip 0.1.0",
        description = "Remove backdoors from CLIP models with PAR (Perturb and Recover).",
        subcommands = {
                CommandLine.HelpCommand.class,
                ConvertCommand.class,
                InfoCommand.class,
                EncodeCommand.class,
                StepCommand.class,
                TrainCommand.class,
                CleanCommand.class,
                EvalCommand.class,
                DemoCommand.class,
                BenchCommand.class,
                TokenizeCommand.class,
                SynthCommand.class,
                TriggerCommand.class,
                PoisonCommand.class,
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code: 0 success, 2 user error, 1 internal error. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(System.err, true));
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("par: " + ex.getMessage());
            System.err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable cause = ex;
            while (!(cause instanceof UserException) && cause.getCause() != null && cause.getCause() != cause)
                cause = cause.getCause();
            if (cause instanceof UserException) {
                System.err.println("par " + commandLine.getCommandName() + ": " + cause.getMessage());
                return 2;
            }
            if (ex instanceof java.nio.file.NoSuchFileException nsf) {
                System.err.println("par " + commandLine.getCommandName() + ": no such file: " + nsf.getFile());
                return 2;
            }
            IOException io = ioCause(ex);
            if (io != null) {  // the file system refused (full disk, a file where a folder should be): not a bug
                String context = ex instanceof UncheckedIOException && ex.getMessage() != null
                        && !ex.getMessage().equals(io.toString()) ? ex.getMessage() + ": " : "";
                System.err.println("par " + commandLine.getCommandName() + ": I/O error: " + context + describe(io));
                return 1;
            }
            System.err.println("par " + commandLine.getCommandName() + ": internal error: " + ex);
            if (System.getenv("PARCLIP_DEBUG") != null) ex.printStackTrace();
            else System.err.println("(set PARCLIP_DEBUG=1 for the stack trace)");
            return 1;
        });
        return cli.execute(args);
    }

    private static IOException ioCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause())
            if (c instanceof IOException io) return io;
        return null;
    }

    private static String describe(IOException io) {
        if (io instanceof FileSystemException fs)
            return fs.getFile() + (fs.getReason() != null ? ": " + fs.getReason() : "");
        return io.getMessage() != null ? io.getMessage() : io.toString();
    }
}
