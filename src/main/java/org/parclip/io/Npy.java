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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * NumPy's .npy format (versions 1-3): magic {@code \x93NUMPY}, version, header length, a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}, then the raw data. Only little-endian,
 * C-ordered arrays of plain numeric types are accepted; object arrays (pickles) and Fortran order are refused.
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

    public static void writeFloat32(Path path, float[] values, int... shape) throws IOException {
        MemorySegment seg = MemorySegment.ofArray(values);
        write(path, "<f4", shape, values.length, seg);
    }

    public static void writeInt64(Path path, long[] values, int... shape) throws IOException {
        write(path, "<i8", shape, values.length, MemorySegment.ofArray(values));
    }

    /** Writes {@code values} (native order on the heap) as little-endian .npy, version 1, 64-byte aligned data. */
    private static void write(Path path, String descr, int[] shape, long n, MemorySegment values) throws IOException {
        if (HostTensor.numel(shape) != n)
            throw new IllegalArgumentException(n + " values do not fill shape " + Arrays.toString(shape));
        String dims = Arrays.stream(shape).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        String shapeText = "(" + dims + (shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        int es = descr.equals("<f4") ? 4 : 8;
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(total + n * es)).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
        MemorySegment.copy(values, es == 4 ? ValueLayout.JAVA_FLOAT : ValueLayout.JAVA_LONG, 0,
                MemorySegment.ofBuffer(buf.slice()), es == 4
                        ? ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)
                        : ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, n);
        AtomicFiles.writeBytes(path, buf.array());
    }
}
