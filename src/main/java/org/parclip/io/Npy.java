package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * NumPy's .npy format (versions 1-3): magic {@code \x93NUMPY}, version, header length, a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}, then the raw data. Only little-endian,
 * C-ordered arrays of plain numeric types are accepted; object arrays (pickles) and Fortran order are refused.
 * Writing (float32 and int64, format 1.0, 64-byte aligned data) streams through {@link AtomicFiles}, so a target
 * is only ever replaced by a complete file; {@link Int64Rows} takes an array in pieces.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("<f4", DType.F32), Map.entry("<f8", DType.F64), Map.entry("<f2", DType.F16),
            Map.entry("<i4", DType.I32), Map.entry("<i8", DType.I64), Map.entry("<i2", DType.I16),
            Map.entry("|i1", DType.I8), Map.entry("|u1", DType.U8), Map.entry("|b1", DType.BOOL));
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static NpyArray read(Path path) throws IOException {
        return parse(MappedFiles.map(path), path.getFileName().toString());
    }

    static DType dtypeOf(String descr) {
        DType dt = DTYPES.get(descr);
        if (dt == null) throw new UserException("unsupported NumPy dtype " + descr);
        return dt;
    }

    static NpyArray parse(MemorySegment seg, String what) {
        Cursor c = new Cursor(seg, 0, what);
        if (seg.byteSize() < 10 || !Arrays.equals(c.bytes(6), MAGIC)) throw new UserException(what + " is not a .npy file");
        int major = c.u8();
        c.u8();
        long headerLen = switch (major) {
            case 1 -> c.u16();
            case 2, 3 -> c.u32();
            default -> throw new UserException(what + ": unsupported .npy version " + major);
        };
        String header = new String(c.bytes(headerLen), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!header.strip().startsWith("{") || !d.find() || !f.find() || !s.find()) {
            if (header.contains("'|O'")) throw new UserException(what + " holds Python objects, which are not loaded");
            throw new UserException(what + ": unsupported .npy header " + header.strip());
        }
        String descr = d.group(1);
        if (descr.equals("|O")) throw new UserException(what + " holds Python objects, which are not loaded");
        if (descr.startsWith(">")) throw new UserException(what + " is big-endian; save it little-endian");
        if (descr.startsWith("=")) descr = (descr.endsWith("1") ? "|" : "<") + descr.substring(1);
        if (descr.equals("<u1") || descr.equals("<i1") || descr.equals("<b1")) descr = "|" + descr.substring(1);
        DType dt = dtypeOf(descr);
        if (f.group(1).equals("True"))
            throw new UserException(what + " is in Fortran order; save it with np.ascontiguousarray first");
        int[] shape = parseShape(what, s.group(1));
        long bytes;
        try {
            bytes = Math.multiplyExact(HostTensor.numel(shape), dt.bytes);
        } catch (ArithmeticException e) {
            throw new UserException(what + ": shape too large");
        }
        if (bytes != c.remaining())
            throw new UserException(what + ": holds " + c.remaining() + " data bytes, its header says " + bytes);
        return new NpyArray(descr, shape, c.slice(bytes));
    }

    private static int[] parseShape(String what, String dims) {
        String t = dims.strip();
        if (t.isEmpty()) return new int[0];
        String[] parts = t.split(","); // "(3,)" gives one part: split drops the trailing empty one
        int[] shape = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Integer.parseInt(parts[i].strip().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new UserException(what + ": bad shape (" + dims + ")");
            }
            if (shape[i] < 0) throw new UserException(what + ": negative dimension");
        }
        return shape;
    }

    /** Writes {@code values} as a float32 ({@code '<f4'}) array of the given shape, atomically. */
    public static void writeFloat32(Path path, float[] values, int... shape) throws IOException {
        checkCount(values.length, shape);
        try (Stream out = new Stream(path, "<f4", LittleEndian.FLOAT, shape)) {
            out.append(MemorySegment.ofArray(values), ValueLayout.JAVA_FLOAT, values.length);
            out.commit();
        }
    }

    /** Writes {@code values} as an int64 ({@code '<i8'}) array of the given shape, atomically. */
    public static void writeInt64(Path path, long[] values, int... shape) throws IOException {
        checkCount(values.length, shape);
        try (Int64Rows out = new Int64Rows(path, shape)) {
            out.append(values, 0, values.length);
            out.commit();
        }
    }

    private static void checkCount(int length, int[] shape) {
        long count = HostTensor.numel(shape);
        if (count != length)
            throw new IllegalArgumentException("data has " + length + " elements, shape " + Arrays.toString(shape)
                    + " needs " + count);
    }

    /**
     * An int64 array written in pieces, in C order, for outputs too large to hold twice in memory. The file appears
     * under its name only on {@link #commit()}, which checks that the appended values fill the shape; closing
     * without a commit leaves no file behind (see {@link AtomicFiles#open}).
     */
    public static final class Int64Rows implements AutoCloseable {
        private final Stream out;

        public Int64Rows(Path path, int... shape) throws IOException {
            out = new Stream(path, "<i8", LittleEndian.LONG, shape);
        }

        public void append(long[] values, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, values.length);
            out.append(MemorySegment.ofArray(values).asSlice(offset * 8L), ValueLayout.JAVA_LONG, length);
        }

        /** Appends int values widened to int64. */
        public void append(int[] values, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, values.length);
            out.append(values, offset, length);
        }

        /** Publishes the file; an {@link IllegalStateException} if the values appended do not fill the shape. */
        public void commit() throws IOException {
            out.commit();
        }

        /** Removes the temporary file unless committed. */
        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * The writer behind both entry points: header, then the values through a 1 MiB little-endian buffer into an
     * {@link AtomicFiles.Pending} file, with the byte count checked against the shape on commit.
     */
    private static final class Stream implements AutoCloseable {
        private static final int CHUNK_BYTES = 1 << 20; // a multiple of every element size
        private final AtomicFiles.Pending file;
        private final ValueLayout layout;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final MemorySegment chunk = MemorySegment.ofArray(buf.array());
        private final long headerBytes;
        private final long expectedBytes;

        Stream(Path path, String descr, ValueLayout layout, int[] shape) throws IOException {
            this.layout = layout;
            byte[] header = header(descr, shape);
            this.headerBytes = header.length;
            this.expectedBytes = Math.addExact(header.length, Math.multiplyExact(HostTensor.numel(shape), layout.byteSize()));
            this.file = AtomicFiles.open(path);
            try {
                AtomicFiles.writeFully(file.channel(), ByteBuffer.wrap(header));
            } catch (IOException | RuntimeException | Error e) {
                file.close();
                throw e;
            }
        }

        /** Appends {@code count} elements of {@code values}, read with {@code from} (native order). */
        void append(MemorySegment values, ValueLayout from, long count) throws IOException {
            long es = layout.byteSize();
            for (long done = 0; done < count; ) {
                if (!buf.hasRemaining()) flush();
                long k = Math.min(count - done, buf.remaining() / es);
                MemorySegment.copy(values, from, done * es, chunk, layout, buf.position(), k);
                buf.position(buf.position() + (int) (k * es));
                done += k;
            }
        }

        /** Appends ints widened to int64. */
        void append(int[] values, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                if (!buf.hasRemaining()) flush();
                buf.putLong(values[i]);
            }
        }

        private void flush() throws IOException {
            buf.flip();
            AtomicFiles.writeFully(file.channel(), buf);
            buf.clear();
        }

        void commit() throws IOException {
            flush();
            long size = file.channel().position();
            if (size != expectedBytes) {
                throw new IllegalStateException("npy data has " + (size - headerBytes) + " bytes, shape needs "
                        + (expectedBytes - headerBytes));
            }
            file.commit();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /** Magic, version 1.0, header length, and the dict padded with spaces and '\n' so the data is 64-byte aligned. */
    private static byte[] header(String descr, int[] shape) {
        String dims = Arrays.stream(shape).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        String shapeText = "(" + dims + (shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        if (total - 10 > 0xFFFF) throw new IllegalArgumentException("npy header too long");
        String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        return ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN)
                .put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1)).array();
    }
}
