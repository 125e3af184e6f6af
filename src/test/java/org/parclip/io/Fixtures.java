package org.parclip.io;

import java.nio.file.Path;

/** Where the test fixtures live (tests run in the project directory). */
final class Fixtures {
    static final Path ROOT = Path.of("src/test/resources/fixtures");
    static final Path CHECKPOINTS = ROOT.resolve("checkpoints");
    static final Path TRIGGERS = Path.of("src/main/resources/org/parclip/attack");

    private Fixtures() {
    }

    static Path checkpoint(String name) {
        return CHECKPOINTS.resolve(name);
    }
}
