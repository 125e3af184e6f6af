package org.parclip.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** Small helpers for the java.lang.foreign bindings of the CUDA libraries. */
@SuppressWarnings("restricted") // binding native functions is what this class is for
final class Ffm {
    private static final Linker LINKER = Linker.nativeLinker();

    private Ffm() {
    }

    /**
     * A downcall handle for the first of {@code symbols} the library exports. Several names cover versioned entry
     * points (a newer {@code _v2} first, the name older drivers export second).
     */
    static MethodHandle function(SymbolLookup library, String libraryName, FunctionDescriptor descriptor,
                                 String... symbols) {
        for (String s : symbols) {
            var address = library.find(s);
            if (address.isPresent()) return LINKER.downcallHandle(address.get(), descriptor);
        }
        throw new CudaException(libraryName + " does not export " + String.join(" or ", symbols)
                + " (library too old?)");
    }

    /** The NUL-terminated string at a native address (error names and messages), or "?" for NULL. */
    static String string(MemorySegment address) {
        return address.equals(MemorySegment.NULL) ? "?" : address.reinterpret(4096).getString(0);
    }

    /** Rethrows what a MethodHandle.invokeExact threw: runtime exceptions and errors as they are. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed", t);
    }
}
