package org.parclip.io;

import org.parclip.cli.UserException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Read-only memory maps of whole files, so that tensors read from them are slices rather than copies. */
final class MappedFiles {
    private MappedFiles() {
    }

    /**
     * Maps {@code path}; the mapping lives as long as any slice of it is reachable (an automatic arena), so
     * tensors may outlive the reader that produced them.
     */
    static MemorySegment map(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new UserException(path + " is a directory, not a file");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new UserException(path + " is empty");
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
        }
    }
}
