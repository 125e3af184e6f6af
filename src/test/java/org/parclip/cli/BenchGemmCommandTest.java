package org.parclip.cli;

import org.junit.jupiter.api.Test;
import org.parclip.CliRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchGemmCommandTest {

    @Test
    void printsOneJsonLine() {
        String out = CliRun.expect(0, "bench", "gemm", "--m", "33", "--n", "17", "--k", "9", "--impl", "java",
                "--threads", "2", "--repeats", "3").out();
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
