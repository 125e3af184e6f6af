package org.parclip.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that either complete or leave the old file untouched: the content goes to a temporary file in
 * the target's directory, is forced to disk, and is renamed over the target; then the directory entry is forced
 * too. A crash mid-write (or an exception from the body) never leaves a half-written checkpoint under the real name.
 * {@link #open} exposes the same protocol to writers that stream their content in pieces.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the body of a file through a channel positioned at 0. */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel out) throws IOException;
    }

    public static void write(Path target, Body body) throws IOException {
        try (Pending file = open(target)) {
            body.writeTo(file.channel());
            file.commit();
        }
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes all of {@code buf} (a channel may write less than asked per call). */
    public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /**
     * Starts writing {@code target} under a temporary name beside it (creating the directory if need be). Write
     * through {@link Pending#channel()}, then {@link Pending#commit()}; closing without a commit removes the
     * temporary file and leaves any old {@code target} as it was.
     */
    public static Pending open(Path target) throws IOException {
        return new Pending(target.toAbsolutePath());
    }

    /** A file being written under a temporary name, published under its real name by {@link #commit()}. */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private boolean committed;

        private Pending(Path target) throws IOException {
            this.target = target;
            Path dir = target.getParent();
            Files.createDirectories(dir);
            this.tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try {
                this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException | RuntimeException | Error e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        }

        /** The temporary file, open for writing. */
        public FileChannel channel() {
            return channel;
        }

        /** Forces the content to disk, renames it over the target and makes the rename durable. */
        public void commit() throws IOException {
            if (committed) throw new IllegalStateException(target + " is already committed");
            channel.force(true);
            channel.close();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
            forceDirectory(target.getParent());
        }

        /** Removes the temporary file unless committed. */
        @Override
        public void close() throws IOException {
            if (committed) return;
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Makes the rename durable; some platforms cannot open a directory for this, which is then best effort. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The data itself is already on disk; only the rename's durability is left to the OS here.
        }
    }
}
