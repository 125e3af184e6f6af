package org.parclip.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    @Test
    void resumedWorkCountsAsDoneButNotInTheThroughput() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = Progress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train", 40);
        p.resumeAt(40); // a finished run, resumed: nothing left to do
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        for (String line : lines) assertEquals("train [========================] 40/40 0.0/s", line.stripTrailing());
    }

    @Test
    void printsAboutOneLinePerTenthWhenNotOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = Progress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), "eval", 100);
        for (int i = 0; i < 100; i++) p.advance(1);
        long count = bytes.toString(StandardCharsets.UTF_8).lines().count();
        assertTrue(count >= 10 && count <= 11, count + " lines for 100 steps");
        assertTrue(bytes.toString(StandardCharsets.UTF_8).lines().toList().getLast().contains("100/100"));
    }
}
