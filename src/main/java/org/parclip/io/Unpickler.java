package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle virtual machine (protocols 2 to 5) that never runs code: it builds only plain values (None, bools,
 * ints, floats, strings, bytes, tuples, lists, dicts, sets) and the few torch objects a state dict is made of,
 * accepting exactly the globals {@code torch.load(weights_only=True)} accepts for them. Any other global is refused
 * by name the moment the file mentions it. In TorchScript mode, {@code __torch__.*} classes are also accepted,
 * as inert {@link ScriptObject}s whose attributes come from their pickled state; their code is never looked at here.
 *
 * <p>The machine is iterative and each opcode consumes at least one byte, so work and memory are bounded by the
 * input size; no length field is trusted before it is checked against the bytes that remain.
 */
final class Unpickler {
    enum Mode { WEIGHTS_ONLY, TORCHSCRIPT }

    /** A reference to a Python global that the whitelist allowed. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A Python tuple (immutable; usable as a dict key when its items are). */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /** A TorchScript object: its class name and the attributes its pickled state set. Nothing is executed. */
    static final class ScriptObject {
        final String className;
        final Map<String, Object> attributes = new LinkedHashMap<>();

        ScriptObject(String className) {
            this.className = className;
        }
    }

    /** A torch storage named by a persistent id; its bytes are attached by the container reader. */
    static final class Storage {
        final String key;
        final DType dtype;
        final long numel;
        MemorySegment bytes;

        Storage(String key, DType dtype, long numel) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
        }
    }

    /** A tensor as the pickle describes it: a strided view of a storage. */
    record TensorRef(Storage storage, long offset, long[] shape, long[] stride) {
    }

    /** Torch's legacy storage class names, as persistent ids name them, and the element types they hold. */
    static final Map<String, DType> STORAGE_TYPES = Map.of(
            "torch.FloatStorage", DType.F32, "torch.HalfStorage", DType.F16, "torch.BFloat16Storage", DType.BF16,
            "torch.DoubleStorage", DType.F64, "torch.LongStorage", DType.I64, "torch.IntStorage", DType.I32,
            "torch.ShortStorage", DType.I16, "torch.CharStorage", DType.I8, "torch.ByteStorage", DType.U8,
            "torch.BoolStorage", DType.BOOL);

    private static final Set<String> DTYPE_NAMES = Set.of("float16", "float32", "float64", "bfloat16", "int8",
            "int16", "int32", "int64", "uint8", "bool", "half", "float", "double", "long", "int", "short");

    /** Callables weights_only admits (and their TorchScript list helpers), each interpreted below, never run. */
    private static final Set<String> CALLABLES = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.Size",
            "torch.device", "_codecs.encode", "builtins.set", "builtins.frozenset", "builtins.bytearray",
            "torch.nn.parameter.Parameter");
    private static final Set<String> SCRIPT_HELPERS = Set.of("torch.jit._pickle.build_intlist",
            "torch.jit._pickle.build_floatlist", "torch.jit._pickle.build_boollist",
            "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_tensorlist",
            "torch.jit._pickle.restore_type_tag");
    private static final int MAX_KEY_DEPTH = 32;
    private static final int MAX_LONG_BYTES = 256;

    private final Cursor in;
    private final String what;
    private final Mode mode;
    private final Function<Tuple, Object> persistentLoad;
    private final Map<Long, Object> memo = new HashMap<>();
    private ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<ArrayList<Object>> marks = new ArrayList<>();

    /**
     * @param persistentLoad resolves a persistent id (torch: {@code ('storage', type, key, location, numel)})
     */
    Unpickler(MemorySegment data, long start, String what, Mode mode, Function<Tuple, Object> persistentLoad) {
        this.in = new Cursor(data, start, what);
        this.what = what;
        this.mode = mode;
        this.persistentLoad = persistentLoad;
    }

    /** Where the next pickle in the same file starts (legacy torch files hold several in a row). */
    long position() {
        return in.position();
    }

    Object load() {
        memo.clear();
        stack = new ArrayList<>();
        marks.clear();
        while (true) {
            long at = in.position();
            int op = in.u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = in.u8();
                    if (v < 2 || v > 5) throw corrupt(at, "unsupported pickle protocol " + v);
                }
                case 0x95 -> in.need(in.i64()); // FRAME: only a read-ahead hint
                case 0x2e -> { // STOP
                    Object result = pop(at);
                    if (!marks.isEmpty()) throw corrupt(at, "STOP inside an unclosed MARK");
                    return result;
                }
                case 0x28 -> { // MARK
                    marks.add(stack);
                    stack = new ArrayList<>();
                }
                case 0x30 -> pop(at); // POP
                case 0x31 -> popMark(at); // POP_MARK
                case 0x32 -> push(peek(at)); // DUP
                case 0x4e -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 0x4a -> push((long) in.i32()); // BININT
                case 0x4b -> push((long) in.u8()); // BININT1
                case 0x4d -> push((long) in.u16()); // BININT2
                case 0x8a -> push(longOf(at, in.u8())); // LONG1
                case 0x8b -> push(longOf(at, in.i32())); // LONG4
                case 0x47 -> push(Double.longBitsToDouble(Long.reverseBytes(in.i64()))); // BINFLOAT (big-endian)
                case 0x58 -> push(utf8(at, in.u32())); // BINUNICODE
                case 0x8c -> push(utf8(at, in.u8())); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(at, in.i64())); // BINUNICODE8
                case 0x55 -> push(new String(in.bytes(in.u8()), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
                case 0x54 -> push(new String(in.bytes(in.i32()), StandardCharsets.ISO_8859_1)); // BINSTRING
                case 0x43 -> push(in.bytes(in.u8())); // SHORT_BINBYTES
                case 0x42 -> push(in.bytes(in.u32())); // BINBYTES
                case 0x8e, 0x96 -> push(in.bytes(in.i64())); // BINBYTES8, BYTEARRAY8
                case 0x29 -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 0x85 -> push(tupleOfTop(at, 1));
                case 0x86 -> push(tupleOfTop(at, 2));
                case 0x87 -> push(tupleOfTop(at, 3));
                case 0x74 -> push(new Tuple(popMark(at))); // TUPLE
                case 0x5d -> push(new ArrayList<>()); // EMPTY_LIST
                case 0x6c -> push(new ArrayList<>(popMark(at))); // LIST
                case 0x7d -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 0x64 -> { // DICT
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putAll(at, m, popMark(at));
                    push(m);
                }
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case 0x91 -> { // FROZENSET
                    Set<Object> s = new LinkedHashSet<>();
                    for (Object o : popMark(at)) s.add(hashable(at, o, 0));
                    push(s);
                }
                case 0x61 -> { // APPEND
                    Object v = pop(at);
                    list(at, peek(at)).add(v);
                }
                case 0x65 -> { // APPENDS
                    List<Object> items = popMark(at);
                    list(at, peek(at)).addAll(items);
                }
                case 0x73 -> { // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    dict(at, peek(at)).put(hashable(at, k, 0), v);
                }
                case 0x75 -> { // SETITEMS
                    List<Object> items = popMark(at);
                    putAll(at, dict(at, peek(at)), items);
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark(at);
                    if (!(peek(at) instanceof Set<?>)) throw corrupt(at, "ADDITEMS to a non-set");
                    @SuppressWarnings("unchecked") Set<Object> s = (Set<Object>) peek(at);
                    for (Object o : items) s.add(hashable(at, o, 0));
                }
                case 0x71 -> memo.put((long) in.u8(), peek(at)); // BINPUT
                case 0x72 -> memo.put(in.u32(), peek(at)); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
                case 0x68 -> push(memoGet(at, in.u8())); // BINGET
                case 0x6a -> push(memoGet(at, in.u32())); // LONG_BINGET
                case 0x63 -> { // GLOBAL
                    String module = new String(in.line(1024), StandardCharsets.UTF_8);
                    String name = new String(in.line(1024), StandardCharsets.UTF_8);
                    push(global(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n))
                        throw corrupt(at, "STACK_GLOBAL needs two strings");
                    push(global(m, n));
                }
                case 0x51 -> { // BINPERSID
                    if (!(pop(at) instanceof Tuple pid)) throw corrupt(at, "persistent id is not a tuple");
                    push(persistentLoad.apply(pid));
                }
                case 0x52 -> { // REDUCE
                    Object args = pop(at);
                    Object fn = pop(at);
                    if (!(fn instanceof Global g)) throw corrupt(at, "REDUCE of a non-callable");
                    if (!(args instanceof Tuple t)) throw corrupt(at, "REDUCE arguments are not a tuple");
                    push(reduce(at, g, t));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop(at);
                    Object cls = pop(at);
                    if (!(cls instanceof Global g) || !(args instanceof Tuple t))
                        throw corrupt(at, "NEWOBJ needs a class and a tuple");
                    push(newObject(at, g, t));
                }
                case 0x62 -> { // BUILD
                    Object state = pop(at);
                    build(at, peek(at), state);
                }
                default -> throw new UserException("cannot load " + what + ": pickle opcode 0x"
                        + Integer.toHexString(op) + " at offset " + at
                        + " is not supported (a corrupt file, or one that is not a plain state dict)");
            }
        }
    }

    private Global global(String module, String name) {
        Global g = new Global(module, name);
        String q = g.qualified();
        boolean ok = CALLABLES.contains(q) || STORAGE_TYPES.containsKey(q)
                || module.equals("torch") && DTYPE_NAMES.contains(name)
                || mode == Mode.TORCHSCRIPT && (SCRIPT_HELPERS.contains(q) || module.startsWith("__torch__."));
        if (!ok) throw new UserException("refusing to load " + what + ": it references " + q
                + ", which is not a tensor, storage or plain container (only weights can be loaded safely)");
        return g;
    }

    private Object reduce(long at, Global g, Tuple a) {
        String q = g.qualified();
        switch (q) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        List<Object> kv = p instanceof Tuple t ? t.items() : p instanceof List<?> l ? List.copyOf(l) : null;
                        if (kv == null || kv.size() != 2) throw corrupt(at, "OrderedDict item is not a pair");
                        m.put(hashable(at, kv.get(0), 0), kv.get(1));
                    }
                } else if (a.size() != 0) throw corrupt(at, "unexpected OrderedDict arguments");
                return m;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4 || !(a.get(0) instanceof Storage s) || !(a.get(1) instanceof Long offset))
                    throw corrupt(at, "malformed tensor record");
                return new TensorRef(s, offset, longs(at, a.get(2)), longs(at, a.get(3)));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (a.size() < 1 || !(a.get(0) instanceof TensorRef t)) throw corrupt(at, "malformed parameter record");
                return t;
            }
            case "torch.Size" -> {
                if (a.size() != 1 || !(a.get(0) instanceof Tuple t)) throw corrupt(at, "malformed torch.Size");
                return t;
            }
            case "torch.device" -> {
                if (a.size() < 1 || !(a.get(0) instanceof String s)) throw corrupt(at, "malformed torch.device");
                return s;
            }
            case "_codecs.encode" -> {
                if (a.size() != 2 || !(a.get(0) instanceof String s) || !(a.get(1) instanceof String enc)
                        || !(enc.equals("latin1") || enc.equals("latin-1")))
                    throw corrupt(at, "unsupported _codecs.encode call");
                return s.getBytes(StandardCharsets.ISO_8859_1);
            }
            case "builtins.set", "builtins.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (a.size() == 1 && a.get(0) instanceof List<?> l) for (Object o : l) s.add(hashable(at, o, 0));
                else if (a.size() != 0) throw corrupt(at, "unexpected set arguments");
                return s;
            }
            case "builtins.bytearray" -> {
                if (a.size() == 0) return new byte[0];
                if (a.size() == 1 && a.get(0) instanceof byte[] b) return b;
                throw corrupt(at, "unexpected bytearray arguments");
            }
            default -> {
                if (SCRIPT_HELPERS.contains(q) && a.size() >= 1) return a.get(0);
                throw corrupt(at, "cannot call " + q);
            }
        }
    }

    private Object newObject(long at, Global g, Tuple a) {
        if (g.qualified().equals("torch.nn.parameter.Parameter")) {
            if (a.size() < 1 || !(a.get(0) instanceof TensorRef t)) throw corrupt(at, "malformed Parameter");
            return t;
        }
        if (g.module().startsWith("__torch__.")) return new ScriptObject(g.qualified());
        throw corrupt(at, "cannot instantiate " + g.qualified());
    }

    private void build(long at, Object obj, Object state) {
        switch (obj) {
            case ScriptObject so when state instanceof Map<?, ?> m -> {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) throw corrupt(at, "attribute name is not a string");
                    so.attributes.put(k, e.getValue());
                }
            }
            // A state dict's OrderedDict carries its _metadata (module versions) this way, and a Parameter its
            // requires_grad flags: nothing a reader of weights needs.
            case Map<?, ?> _ -> { }
            case TensorRef _ -> { }
            default -> throw corrupt(at, "BUILD is only allowed on tensors, dicts and TorchScript objects");
        }
    }

    private static long[] longs(long at, Object o) {
        if (!(o instanceof Tuple t)) throw new UserException("corrupt tensor record at offset " + at);
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            if (!(t.get(i) instanceof Long v)) throw new UserException("corrupt tensor record at offset " + at);
            r[i] = v;
        }
        return r;
    }

    private Object longOf(long at, long n) {
        if (n < 0 || n > MAX_LONG_BYTES) throw corrupt(at, "integer of " + n + " bytes");
        byte[] le = in.bytes(n);
        if (n == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String utf8(long at, long n) {
        byte[] b = in.bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(at, "string is not valid UTF-8");
        }
    }

    /** Python dict keys and set members must be hashable; here: scalars, strings and tuples of those. */
    private Object hashable(long at, Object k, int depth) {
        if (depth > MAX_KEY_DEPTH) throw corrupt(at, "key nested too deeply");
        switch (k) {
            case null -> { return null; }
            case String s -> { return s; }
            case Long l -> { return l; }
            case BigInteger b -> { return b; }
            case Double d -> { return d; }
            case Boolean b -> { return b; }
            case Global g -> { return g; }
            case Tuple t -> {
                for (Object o : t.items()) hashable(at, o, depth + 1);
                return t;
            }
            default -> throw corrupt(at, "unsupported dict key or set member");
        }
    }

    private void putAll(long at, Map<Object, Object> m, List<Object> kvs) {
        if (kvs.size() % 2 != 0) throw corrupt(at, "odd number of dict items");
        for (int i = 0; i < kvs.size(); i += 2) m.put(hashable(at, kvs.get(i), 0), kvs.get(i + 1));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(long at, Object o) {
        if (!(o instanceof Map<?, ?>)) throw corrupt(at, "SETITEM on a non-dict");
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(long at, Object o) {
        if (!(o instanceof ArrayList<?>)) throw corrupt(at, "APPEND to a non-list");
        return (List<Object>) o;
    }

    private Object memoGet(long at, long i) {
        if (!memo.containsKey(i)) throw corrupt(at, "memo entry " + i + " is missing");
        return memo.get(i);
    }

    private Tuple tupleOfTop(long at, int n) {
        if (stack.size() < n) throw corrupt(at, "stack underflow");
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        Tuple t = new Tuple(top);
        top.clear();
        return t;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(long at) {
        if (stack.isEmpty()) throw corrupt(at, "stack underflow");
        return stack.removeLast();
    }

    private Object peek(long at) {
        if (stack.isEmpty()) throw corrupt(at, "stack underflow");
        return stack.getLast();
    }

    private List<Object> popMark(long at) {
        if (marks.isEmpty()) throw corrupt(at, "no MARK to pop to");
        List<Object> items = stack;
        stack = marks.removeLast();
        return items;
    }

    private UserException corrupt(long at, String why) {
        return new UserException("cannot load " + what + ": corrupt pickle at offset " + at + ": " + why);
    }
}
