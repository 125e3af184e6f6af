package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON ({@code name -> {dtype, shape,
 * data_offsets: [begin, end]}} relative to the data area, plus an optional {@code __metadata__} string map), then
 * the raw little-endian tensor bytes. This project's own format for weights.
 *
 * <p>Writing follows what the reference implementation produces and checks: the header is padded with spaces so
 * the data area starts 8-byte aligned; tensors are packed without gaps, larger element types first (so every
 * tensor is aligned to its element size); the header lists tensors in the order given (OpenAI order).
 */
public final class Safetensors {
    /** The reference implementation's limit; a larger header is refused before it is read. */
    static final long MAX_HEADER = 100L << 20;
    private static final Map<String, DType> DTYPES = Map.of("F32", DType.F32, "F16", DType.F16, "BF16", DType.BF16,
            "F64", DType.F64, "I64", DType.I64, "I32", DType.I32, "I16", DType.I16, "I8", DType.I8, "U8", DType.U8,
            "BOOL", DType.BOOL);
    private static final int CONVERT_CHUNK = 1 << 20;

    private Safetensors() {
    }

    public static StateDict read(Path path) throws IOException {
        return read(MappedFiles.map(path), path.getFileName().toString());
    }

    /** True when the bytes start like a safetensors file: a plausible header length, then a JSON object. */
    static boolean looksLikeSafetensors(MemorySegment seg) {
        if (seg.byteSize() < 10) return false;
        long n = seg.get(LittleEndian.LONG, 0);
        return n >= 2 && n <= seg.byteSize() - 8 && seg.get(ValueLayout.JAVA_BYTE, 8) == '{';
    }

    static StateDict read(MemorySegment seg, String what) {
        Cursor c = new Cursor(seg, 0, what);
        long n = c.i64();
        if (n < 2 || n > MAX_HEADER) throw new UserException(what + ": implausible safetensors header length " + n);
        byte[] headerBytes = c.bytes(n);
        String header;
        try {
            header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UserException(what + ": safetensors header is not UTF-8");
        }
        Object parsed;
        try {
            parsed = Json.parse(header);
        } catch (UserException e) {
            throw new UserException(what + ": safetensors header: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> entries)) throw new UserException(what + ": safetensors header is not an object");
        MemorySegment data = seg.asSlice(c.position());
        StateDict sd = new StateDict("safetensors");
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) throw new UserException(what + ": bad __metadata__");
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) throw new UserException(what + ": __metadata__ values must be strings");
                    sd.metadata().put((String) m.getKey(), v);
                }
                continue;
            }
            sd.put(name, tensor(what, name, e.getValue(), data));
        }
        return sd;
    }

    private static HostTensor tensor(String what, String name, Object spec, MemorySegment data) {
        if (!(spec instanceof Map<?, ?> m) || !(m.get("dtype") instanceof String dt) || !(m.get("shape") instanceof List<?> shapeList)
                || !(m.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end))
            throw new UserException(what + ": malformed header entry for " + name);
        DType dtype = DTYPES.get(dt);
        if (dtype == null) throw new UserException(what + ": tensor " + name + " has unsupported dtype " + dt);
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE)
                throw new UserException(what + ": tensor " + name + " has an invalid shape");
            shape[i] = (int) (long) d;
            numel = multiply(what, name, numel, d);
        }
        long bytes = multiply(what, name, numel, dtype.bytes);
        if (begin < 0 || end < begin || end > data.byteSize() || end - begin != bytes)
            throw new UserException(what + ": tensor " + name + " has data offsets that do not fit the file");
        return new HostTensor(dtype, shape, data.asSlice(begin, bytes));
    }

    private static long multiply(String what, String name, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new UserException(what + ": tensor " + name + " is impossibly large");
        }
    }

    /**
     * Writes a CLIP state dict, floating-point tensors converted to {@code target} (F32, F16 or BF16; integer
     * tensors keep their type). {@code __metadata__} gets format "pt", the inferred architecture name (or
     * "unknown") and the source format, then the state dict's own metadata and {@code extra} on top.
     */
    public static void write(Path path, StateDict sd, DType target, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(sd.metadata());
        meta.put("format", "pt");
        String arch;
        try {
            arch = ClipArchitecture.infer(sd).name();
        } catch (UserException e) {
            arch = "unknown";
        }
        meta.put("architecture", arch);
        meta.put("source_format", sd.format());
        meta.putAll(extra);
        write(path, sd.tensors(), target, meta);
    }

    /** Writes named tensors (any names), floating-point ones converted to {@code target}, atomically. */
    public static void write(Path path, Map<String, HostTensor> tensors, DType target, Map<String, String> metadata)
            throws IOException {
        if (!target.isFloatingPoint()) throw new IllegalArgumentException("target dtype must be floating point");
        record Item(String name, HostTensor t, DType dtype) {
        }
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            items.add(new Item(e.getKey(), t, t.dtype().isFloatingPoint() ? target : t.dtype()));
        }
        List<Item> layout = new ArrayList<>(items);
        layout.sort(Comparator.comparingInt((Item i) -> -i.dtype.bytes)); // stable: keeps order within a size
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long at = 0;
        for (Item i : layout) {
            long size = i.t.numel() * i.dtype.bytes;
            offsets.put(i.name, new long[]{at, at + size});
            at += size;
        }
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        for (Item i : items) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("dtype", i.dtype.name());
            List<Object> shape = new ArrayList<>();
            for (int d : i.t.shape()) shape.add((long) d);
            spec.put("shape", shape);
            long[] o = offsets.get(i.name);
            spec.put("data_offsets", List.of(o[0], o[1]));
            header.put(i.name, spec);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        AtomicFiles.write(path, ch -> {
            AtomicFiles.writeFully(ch, head);
            for (Item i : layout) {
                // Convert in chunks of rows so that a large tensor never needs a second full-size copy.
                HostTensor t = i.t;
                long n = t.numel();
                for (long start = 0; start < n; start += CONVERT_CHUNK) {
                    long len = Math.min(CONVERT_CHUNK, n - start);
                    HostTensor part = new HostTensor(t.dtype(), new int[]{(int) len},
                            t.data().asSlice(start * t.dtype().bytes, len * t.dtype().bytes));
                    AtomicFiles.writeFully(ch, part.to(i.dtype).data().asByteBuffer());
                }
            }
        });
    }
}
