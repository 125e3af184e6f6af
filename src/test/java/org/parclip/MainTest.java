package org.parclip;

import org.junit.jupiter.api.Test;
import org.parclip.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MainTest {
    @Test
    void helpSucceedsAndBadFlagIsAUserError() {
        assertEquals(0, Main.execute("--help"));
        assertEquals(2, Main.execute("--no-such-flag"));
    }
}
