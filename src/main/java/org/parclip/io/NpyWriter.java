package org.parclip.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes NumPy .npy files (format version 1.0, little-endian, C order) atomically: the data goes to a temporary file
 * beside the target, which is renamed over it only when complete. {@link Int64Rows} streams an int64 matrix row
 * block by row block, for outputs too large to hold twice in memory.
 */
public final class NpyWriter {
    private static final int CHUNK_BYTES = 1 << 20;

    private NpyWriter() {
    }

    /** Writes {@code data} as an int64 ('&lt;i8') array of the given shape. */
    public static void writeInt64(Path path, long[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        try (Int64Rows out = new Int64Rows(path, shape)) {
            out.append(data, 0, data.length);
            out.commit();
        }
    }

    /** Writes {@code data} as a float32 ('&lt;f4') array of the given shape. */
    public static void writeFloat32(Path path, float[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        try (Output out = new Output(path, "<f4", shape)) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!buf.hasRemaining()) out.write(buf);
                buf.putFloat(v);
            }
            out.write(buf);
            out.commit();
        }
    }

    /** An int64 array written in pieces, in C order; {@link #commit()} checks the count and publishes the file. */
    public static final class Int64Rows implements AutoCloseable {
        private final Output out;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);

        public Int64Rows(Path path, int... shape) throws IOException {
            out = new Output(path, "<i8", shape);
        }

        public void append(long[] values, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                if (!buf.hasRemaining()) out.write(buf);
                buf.putLong(values[i]);
            }
        }

        /** Appends int values widened to int64. */
        public void append(int[] values, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                if (!buf.hasRemaining()) out.write(buf);
                buf.putLong(values[i]);
            }
        }

        public void commit() throws IOException {
            out.write(buf);
            out.commit();
        }

        /** Removes the temporary file unless committed. */
        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** The header, element count bookkeeping and the temp-file-then-rename protocol shared by all writers. */
    private static final class Output implements AutoCloseable {
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final long expectedBytes;
        private final long headerBytes;
        private boolean committed;

        Output(Path target, String descr, int[] shape) throws IOException {
            this.target = target;
            long count = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("negative dimension in shape");
                count *= d;
            }
            Path dir = target.toAbsolutePath().getParent();
            this.temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            byte[] header = header(descr, shape);
            this.headerBytes = header.length;
            this.expectedBytes = header.length + count * (descr.endsWith("8") ? 8 : 4);
            ByteBuffer h = ByteBuffer.wrap(header);
            while (h.hasRemaining()) channel.write(h);
        }

        /** Writes what was put into the buffer and clears it for more. */
        void write(ByteBuffer buf) throws IOException {
            buf.flip();
            while (buf.hasRemaining()) channel.write(buf);
            buf.clear();
        }

        void commit() throws IOException {
            long size = channel.position();
            if (size != expectedBytes) {
                throw new IllegalStateException("npy data has " + (size - headerBytes) + " bytes, shape needs "
                        + (expectedBytes - headerBytes));
            }
            channel.force(false);
            channel.close();
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (channel.isOpen()) channel.close();
            if (!committed) Files.deleteIfExists(temp);
        }

        /** Magic, version 1.0, header length, and the dict padded with spaces and '\n' to a multiple of 64 bytes. */
        private static byte[] header(String descr, int[] shape) {
            StringBuilder dims = new StringBuilder();
            for (int d : shape) dims.append(d).append(", ");
            String shapeText = shape.length == 1 ? "(" + shape[0] + ",)"
                    : "(" + (shape.length == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
            String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
            int unpadded = 10 + dict.length() + 1;
            int total = (unpadded + 63) / 64 * 64;
            if (total - 10 > 0xFFFF) throw new IllegalArgumentException("npy header too long");
            byte[] out = new byte[total];
            out[0] = (byte) 0x93;
            System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, out, 1, 5);
            out[6] = 1;
            out[7] = 0;
            out[8] = (byte) ((total - 10) & 0xFF);
            out[9] = (byte) ((total - 10) >>> 8);
            byte[] d = dict.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(d, 0, out, 10, d.length);
            for (int i = 10 + d.length; i < total - 1; i++) out[i] = ' ';
            out[total - 1] = '\n';
            return out;
        }
    }

    private static void checkSize(int length, int[] shape) {
        long count = 1;
        for (int d : shape) count *= d;
        if (count != length) throw new IllegalArgumentException("data has " + length + " elements, shape needs " + count);
    }
}
