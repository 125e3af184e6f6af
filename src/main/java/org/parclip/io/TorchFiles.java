package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.io.Unpickler.Storage;
import org.parclip.io.Unpickler.TensorRef;
import org.parclip.io.Unpickler.Tuple;
import org.parclip.tensor.DType;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Files written by {@code torch.save}: the zip format (PyTorch 1.6+: {@code <name>/data.pkl} with tensors in
 * {@code <name>/data/<key>}) and the legacy stream (magic number, protocol version and system-info pickles, the
 * object pickle, the storage key list, then each storage's element count and raw bytes). Both are read through
 * {@link Unpickler}, so only weights come out; tensor data stay slices of the mapped file where they are contiguous.
 */
public final class TorchFiles {
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;

    private TorchFiles() {
    }

    /** A single tensor saved with {@code torch.save(tensor, path)} (e.g. the attack trigger patterns). */
    public static HostTensor readTensor(Path path) throws IOException {
        return readTensor(MappedFiles.map(path), path.getFileName().toString());
    }

    /** The same from a stream, e.g. a class-path resource ({@code name} is for messages). */
    public static HostTensor readTensor(InputStream in, String name) throws IOException {
        return readTensor(MemorySegment.ofArray(in.readAllBytes()), name);
    }

    private static HostTensor readTensor(MemorySegment seg, String what) {
        Loaded loaded;
        if (ZipArchive.looksLikeZip(seg)) loaded = loadZip(ZipArchive.open(seg, what), what, seg.byteSize());
        else if (looksLikeLegacy(seg)) loaded = loadLegacy(seg, what);
        else throw new UserException(what + " is not a torch.save file");
        if (!(loaded.root instanceof TensorRef t))
            throw new UserException(what + " holds a " + Loaded.typeName(loaded.root) + ", not a single tensor");
        return loaded.tensor(t, "tensor");
    }

    /** The unpickled root object of a torch file, and the means to turn the tensor records in it into tensors. */
    static final class Loaded {
        final Object root;
        /** Bytes that copies of non-contiguous tensors may still take: at most the file's size in all. */
        private long copyBudget;

        Loaded(Object root, long fileSize) {
            this.root = root;
            this.copyBudget = fileSize;
        }

        HostTensor tensor(TensorRef ref, String name) {
            Storage s = ref.storage();
            if (s.bytes == null) throw new UserException("tensor " + name + " refers to storage " + s.key
                    + ", which the file does not hold");
            int n = ref.shape().length;
            if (ref.stride().length != n) throw bad(name, "shape and stride differ in rank");
            int[] shape = new int[n];
            long numel = 1, last = ref.offset();
            try {
                for (int i = 0; i < n; i++) {
                    long d = ref.shape()[i], st = ref.stride()[i];
                    if (d < 0 || d > Integer.MAX_VALUE || st < 0) throw bad(name, "invalid shape or stride");
                    shape[i] = (int) d;
                    numel = Math.multiplyExact(numel, d);
                    if (d > 0) last = Math.addExact(last, Math.multiplyExact(d - 1, st));
                }
            } catch (ArithmeticException e) {
                throw bad(name, "shape or stride overflows");
            }
            long es = s.dtype.bytes;
            if (numel == 0) return new HostTensor(s.dtype, shape, MemorySegment.ofArray(new byte[0]));
            if (ref.offset() < 0 || last >= s.numel) throw bad(name, "reaches past the end of its storage");
            if (isContiguous(shape, ref.stride()))
                return new HostTensor(s.dtype, shape, s.bytes.asSlice(ref.offset() * es, numel * es));
            // A strided view (e.g. a permuted image) is gathered into a copy; the budget keeps a file of tiny
            // storages with broadcast strides from claiming more memory than it has bytes.
            if (numel * es > copyBudget) throw bad(name, "is a view larger than the file can back");
            copyBudget -= numel * es;
            return new HostTensor(s.dtype, shape, gather(s.bytes, es, ref.offset(), shape, ref.stride(), numel));
        }

        private static boolean isContiguous(int[] shape, long[] stride) {
            long expect = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                if (shape[i] != 1 && stride[i] != expect) return false;
                expect *= shape[i];
            }
            return true;
        }

        private static MemorySegment gather(MemorySegment src, long es, long offset, int[] shape, long[] stride,
                                            long numel) {
            MemorySegment out = HostTensor.allocate(numel * es);
            int n = shape.length;
            int[] idx = new int[n];
            long at = offset;
            for (long i = 0; i < numel; i++) {
                MemorySegment.copy(src, at * es, out, i * es, es);
                for (int d = n - 1; d >= 0; d--) {
                    if (++idx[d] < shape[d]) {
                        at += stride[d];
                        break;
                    }
                    idx[d] = 0;
                    at -= (shape[d] - 1) * stride[d];
                }
            }
            return out;
        }

        private static UserException bad(String name, String why) {
            return new UserException("tensor " + name + " " + why);
        }

        static String typeName(Object o) {
            return switch (o) {
                case null -> "None";
                case Map<?, ?> _ -> "dict";
                case List<?> _ -> "list";
                case Tuple _ -> "tuple";
                case TensorRef _ -> "tensor";
                default -> o.getClass().getSimpleName();
            };
        }
    }

    /** The directory every entry of a torch zip archive sits in (torch names it after the file). */
    static String archivePrefix(ZipArchive zip, String what) {
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash).equals("/data.pkl")) return name.substring(0, slash);
        }
        throw new UserException(what + " is a zip archive without data.pkl: not a PyTorch file");
    }

    static Loaded loadZip(ZipArchive zip, String what, long fileSize) {
        String prefix = archivePrefix(zip, what);
        checkByteOrder(zip, prefix, what);
        return new Loaded(unpickleZip(zip, prefix, "data.pkl", what, Unpickler.Mode.WEIGHTS_ONLY), fileSize);
    }

    /** Unpickles {@code <prefix>/<pkl>}, attaching each storage from {@code <prefix>/data/<key>}. */
    static Object unpickleZip(ZipArchive zip, String prefix, String pkl, String what, Unpickler.Mode mode) {
        Map<String, Storage> storages = new HashMap<>();
        Unpickler u = new Unpickler(zip.read(prefix + "/" + pkl), 0, what, mode, pid -> {
            Storage s = storage(pid, what, 5);
            Storage known = storages.get(s.key);
            if (known != null) {
                if (known.dtype != s.dtype || known.numel != s.numel)
                    throw new UserException(what + ": storage " + s.key + " is described inconsistently");
                return known;
            }
            MemorySegment bytes = zip.read(prefix + "/data/" + s.key);
            long size = byteSize(s, what);
            if (size > bytes.byteSize())
                throw new UserException(what + ": storage " + s.key + " claims more bytes than its entry holds");
            s.bytes = bytes.asSlice(0, size);
            storages.put(s.key, s);
            return s;
        });
        return u.load();
    }

    private static void checkByteOrder(ZipArchive zip, String prefix, String what) {
        String entry = prefix + "/byteorder";
        if (!zip.contains(entry)) return;
        String order = new String(zip.read(entry).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) throw new UserException(what + " was saved on a " + order + "-endian machine");
    }

    /**
     * A storage from its persistent id {@code ('storage', type, key, location, numel[, view])}; {@code arity} is
     * 5 for zip files and 6 for legacy ones (which add view metadata).
     */
    private static Storage storage(Tuple pid, String what, int arity) {
        if (pid.size() != arity || !"storage".equals(pid.get(0)) || !(pid.get(1) instanceof Unpickler.Global type)
                || !(pid.get(2) instanceof String key) || !(pid.get(4) instanceof Long numel) || numel < 0)
            throw new UserException(what + ": malformed storage reference");
        DType dtype = Unpickler.STORAGE_TYPES.get(type.qualified());
        if (dtype == null) throw new UserException(what + ": unsupported storage type " + type.qualified());
        return new Storage(key, dtype, numel);
    }

    private static long byteSize(Storage s, String what) {
        try {
            return Math.multiplyExact(s.numel, s.dtype.bytes);
        } catch (ArithmeticException e) {
            throw new UserException(what + ": storage " + s.key + " is impossibly large");
        }
    }

    static boolean looksLikeLegacy(MemorySegment seg) {
        return seg.byteSize() > 2 && seg.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x80;
    }

    static Loaded loadLegacy(MemorySegment seg, String what) {
        Unpickler header = new Unpickler(seg, 0, what, Unpickler.Mode.WEIGHTS_ONLY, pid -> {
            throw new UserException(what + ": unexpected persistent id in the file header");
        });
        if (!LEGACY_MAGIC.equals(header.load()))
            throw new UserException(what + " is a pickle but not a PyTorch file (no torch.save magic number)");
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(header.load()))
            throw new UserException(what + ": unsupported legacy torch protocol version");
        if (!(header.load() instanceof Map<?, ?> sysInfo) || !Boolean.TRUE.equals(sysInfo.get("little_endian")))
            throw new UserException(what + " was saved on a big-endian machine or has no system info");

        Map<String, Storage> roots = new HashMap<>();
        record View(Storage view, String root, long offset) {
        }
        List<View> views = new ArrayList<>();
        Unpickler main = new Unpickler(seg, header.position(), what, Unpickler.Mode.WEIGHTS_ONLY, pid -> {
            Storage s = storage(pid, what, 6);
            Storage root = roots.computeIfAbsent(s.key, k -> s);
            if (root.dtype != s.dtype || root.numel != s.numel)
                throw new UserException(what + ": storage " + s.key + " is described inconsistently");
            if (pid.get(5) == null) return root;
            if (!(pid.get(5) instanceof Tuple v) || v.size() != 3 || !(v.get(0) instanceof String viewKey)
                    || !(v.get(1) instanceof Long offset) || !(v.get(2) instanceof Long size) || offset < 0 || size < 0)
                throw new UserException(what + ": malformed storage view");
            Storage view = new Storage(viewKey, s.dtype, size);
            views.add(new View(view, s.key, offset));
            return view;
        });
        Object root = main.load();
        Unpickler keysReader = new Unpickler(seg, main.position(), what, Unpickler.Mode.WEIGHTS_ONLY, pid -> {
            throw new UserException(what + ": unexpected persistent id in the storage key list");
        });
        if (!(keysReader.load() instanceof List<?> keys))
            throw new UserException(what + ": the storage key list is missing");
        Cursor data = new Cursor(seg, keysReader.position(), what);
        for (Object k : keys) {
            Storage s = roots.get(k);
            if (s == null || s.bytes != null) throw new UserException(what + ": unknown or repeated storage key");
            long numel = data.i64();
            if (numel != s.numel) throw new UserException(what + ": storage " + s.key + " has the wrong size");
            s.bytes = data.slice(byteSize(s, what));
        }
        for (View v : views) {
            Storage r = roots.get(v.root);
            if (r.bytes == null || v.view.numel > r.numel || v.offset > r.numel - v.view.numel)
                throw new UserException(what + ": storage view " + v.view.key + " is out of range");
            long es = r.dtype.bytes;
            v.view.bytes = r.bytes.asSlice(v.offset * es, v.view.numel * es);
        }
        return new Loaded(root, seg.byteSize());
    }
}
