package org.parclip.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchGemmCommandTest {

    @Test
    void printsOneJsonLine() {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = Main.execute("bench", "gemm", "--m", "33", "--n", "17", "--k", "9", "--impl", "java",
                    "--threads", "2", "--repeats", "3");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.matches("\\{\"impl\":\"java\",\"m\":33,\"n\":17,\"k\":9,\"threads\":2,"
                + "\"gflops\":[0-9.]+,\"ms_median\":[0-9.]+}\\R"), out);
    }

    @Test
    void badArgumentsAreUserErrors() {
        assertEquals(2, Main.execute("bench", "gemm", "--backend", "tpu"));
        assertEquals(2, Main.execute("bench", "gemm", "--impl", "fortran"));
        assertEquals(2, Main.execute("bench", "gemm", "--m", "0"));
    }
}
