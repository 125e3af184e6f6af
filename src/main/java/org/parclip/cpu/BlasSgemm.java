package org.parclip.cpu;

import org.parclip.cli.UserException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * GEMM by the system's CBLAS ({@code cblas_sgemm}), bound through java.lang.foreign. The library is looked up once per
 * process: the path in {@code PARCLIP_BLAS} when set (and then nothing else), else libopenblas.so.0, libopenblas.so,
 * libcblas.so.3, libblas.so.3 by the dynamic loader's search (LD_LIBRARY_PATH, ld.so.cache, /lib, /usr/lib).
 *
 * <p>The float[] arrays go to native code as they are: the downcall is {@link Linker.Option#critical critical} with
 * heap access, so the GC holds still during the call instead of the arrays being copied. Because native code gets
 * raw pointers, every call's bounds are checked first ({@link Sgemms#checkArguments}).
 *
 * <p>OpenBLAS's thread count is process-wide: each call sets it to this instance's count when the last call left
 * another one ({@code openblas_set_num_threads}; other BLAS libraries use their own settings).
 *
 * <p>After each call OpenBLAS's idle threads busy-wait for 2^28 cycles (about 0.1 s) by default before they sleep.
 * Between GEMMs this process runs its own parallel ops, so those spinning threads take cores from them; the library
 * is therefore loaded with {@code OPENBLAS_THREAD_TIMEOUT=4} (sleep at once) unless the user set it. Measured on a
 * 2-core machine: a training epoch of the demo's model took 18% less time, bitwise the same result.
 */
public final class BlasSgemm implements Sgemm {
    /** Environment variable naming the BLAS shared library to use. */
    public static final String ENV = "PARCLIP_BLAS";
    private static final List<String> LIBRARIES = List.of("libopenblas.so.0", "libopenblas.so", "libcblas.so.3",
            "libblas.so.3");
    // CBLAS enum values (cblas.h).
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    /** OpenBLAS's setting for how long (2^n cycles) its idle threads spin before sleeping. */
    static final String THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT";

    /** The process's BLAS binding, or why there is none. Loaded on first use. */
    private record Library(String name, MethodHandle sgemm, MethodHandle setNumThreads, String failure) {
        static final Library INSTANCE = load();

        @SuppressWarnings("restricted") // native access is enabled by the launcher (--enable-native-access)
        private static Library load() {
            setEnvIfUnset(THREAD_TIMEOUT, "4");
            String env = System.getenv(ENV);
            List<String> tried = new ArrayList<>();
            for (String candidate : env != null ? List.of(env) : LIBRARIES) {
                try {
                    SymbolLookup lookup = env != null
                            ? SymbolLookup.libraryLookup(Path.of(candidate), Arena.global())
                            : SymbolLookup.libraryLookup(candidate, Arena.global());
                    Optional<MemorySegment> sgemm = lookup.find("cblas_sgemm");
                    if (sgemm.isEmpty()) {
                        tried.add(candidate + " (no cblas_sgemm)");
                        continue;
                    }
                    Linker linker = Linker.nativeLinker();
                    MethodHandle gemm = linker.downcallHandle(sgemm.get(), FunctionDescriptor.ofVoid(
                                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                                    ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
                            Linker.Option.critical(true));
                    MethodHandle threads = lookup.find("openblas_set_num_threads")
                            .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(JAVA_INT)))
                            .orElse(null);
                    return new Library(candidate, gemm, threads, null);
                } catch (IllegalArgumentException e) { // libraryLookup: the library cannot be loaded
                    tried.add(candidate + " (" + (e.getMessage() == null ? "cannot load" : e.getMessage()) + ")");
                }
            }
            String where = env != null ? " named by " + ENV : "";
            return new Library(null, null, null, "no usable BLAS library" + where + "; tried " + String.join(", ", tried));
        }

        /**
         * libc setenv without overwriting; OpenBLAS reads its settings when it is loaded, so this must come first.
         * Returns setenv's status, -1 when there is no setenv or the environment cannot grow: OpenBLAS then keeps its
         * default, which is only slower.
         */
        @SuppressWarnings("restricted")
        private static int setEnvIfUnset(String name, String value) {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> setenv = linker.defaultLookup().find("setenv");
            if (setenv.isEmpty()) return -1;
            try (Arena arena = Arena.ofConfined()) {
                MethodHandle h = linker.downcallHandle(setenv.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
                return (int) h.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 0);
            } catch (Throwable t) {
                throw new IllegalStateException("setenv " + name, t);
            }
        }
    }

    /** Thread count last given to openblas_set_num_threads; 0 before the first call. */
    private static volatile int configuredThreads;

    private final int threads;

    /** @throws UserException when no BLAS library loads, saying what was tried. */
    public BlasSgemm(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        if (Library.INSTANCE.failure() != null)
            throw new UserException(Library.INSTANCE.failure() + " (install OpenBLAS, set " + ENV
                    + "=/path/to/libopenblas.so, or use the java GEMM)");
        this.threads = threads;
    }

    /** Whether a BLAS library with cblas_sgemm loaded. */
    public static boolean available() {
        return Library.INSTANCE.failure() == null;
    }

    /** The library in use, e.g. "libopenblas.so.0", or null when none loaded. */
    public static String library() {
        return Library.INSTANCE.name();
    }

    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "blas";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        if (Sgemms.prologue(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc))
            return;
        Library lib = Library.INSTANCE;
        try {
            if (lib.setNumThreads() != null && configuredThreads != threads) {
                lib.setNumThreads().invokeExact(threads);
                configuredThreads = threads;
            }
            lib.sgemm().invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    slice(a, aOffset), lda, slice(b, bOffset), ldb, beta, slice(c, cOffset), ldc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // invokeExact declares Throwable; the native function throws nothing checked
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment slice(float[] x, int offset) {
        return MemorySegment.ofArray(x).asSlice(offset * (long) Float.BYTES);
    }
}
