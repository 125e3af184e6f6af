package org.parclip;

import org.parclip.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs {@code par ARGS} in this JVM with System.out and System.err captured, for tests of what a command prints. */
public final class CliRun {
    private CliRun() {
    }

    public record Result(int code, String out, String err) {}

    public static Result run(String... args) {
        PrintStream savedOut = System.out, savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@link #run}, asserting the exit code (stderr is the failure message). */
    public static Result expect(int code, String... args) {
        Result r = run(args);
        assertEquals(code, r.code(), r.err());
        return r;
    }
}
