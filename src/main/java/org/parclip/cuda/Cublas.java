package org.parclip.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS (libcublas.so.13 or .12) through java.lang.foreign: handle management and the two GEMM entry points.
 * Enum values are those of cublas_api.h and library_types.h (identical in CUDA 12 and 13). Device pointers are
 * passed as {@code long}: on x86-64 and AArch64 a 64-bit integer and a pointer travel the same way.
 *
 * <p>cuBLAS is column-major and the project is row-major: a row-major matrix is the column-major view of its
 * transpose, so C = op(A) op(B) (row-major) is computed as C^T = op(B)^T op(A)^T (column-major), i.e. cuBLAS gets
 * the operands swapped, m and n swapped, and each operand's own transpose flag. See {@link #gemm}.
 */
final class Cublas {
    static final int OP_N = 0, OP_T = 1;
    /** cudaDataType_t. */
    static final int R_32F = 0, R_16BF = 14;
    /** cublasComputeType_t: fp32 accumulation; FAST_TF32 lets fp32 inputs be rounded to TF32 on tensor cores. */
    static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77;
    static final int GEMM_DEFAULT = -1;
    /** cublasMath_t. */
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;

    private static volatile Cublas instance;

    private final String origin;
    private final MethodHandle create, destroy, setStream, setMathMode, setWorkspace, getStatusName, gemmEx,
            gemmStridedBatchedEx;

    private Cublas(CudaLibraries.Loaded lib) {
        origin = lib.origin();
        SymbolLookup l = lib.symbols();
        create = fn(l, "cublasCreate_v2", ADDRESS);
        destroy = fn(l, "cublasDestroy_v2", ADDRESS);
        setStream = fn(l, "cublasSetStream_v2", ADDRESS, ADDRESS);
        setMathMode = fn(l, "cublasSetMathMode", ADDRESS, JAVA_INT);
        setWorkspace = fn(l, "cublasSetWorkspace_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        getStatusName = Ffm.function(l, "libcublas", FunctionDescriptor.of(ADDRESS, JAVA_INT), "cublasGetStatusName");
        gemmEx = fn(l, "cublasGemmEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT);
        gemmStridedBatchedEx = fn(l, "cublasGemmStridedBatchedEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        return Ffm.function(lib, "libcublas", FunctionDescriptor.of(JAVA_INT, args), name);
    }

    /**
     * cuBLAS, loaded once per JVM. libcublasLt of the same major version is loaded first from the same directory:
     * libcublas needs it, and a pip wheel's directory is not on the dynamic linker's path.
     */
    static Cublas get() {
        Cublas c = instance;
        if (c == null) {
            synchronized (Cublas.class) {
                c = instance;
                if (c == null) {
                    List<String> names = List.of("libcublas.so.13", "libcublas.so.12");
                    var dirs = CudaLibraries.searchDirectories();
                    CudaLibraries.locate(names, dirs).ifPresent(p -> {
                        String major = p.getFileName().toString().substring("libcublas.so.".length());
                        CudaLibraries.preload(p.getParent(), "libcublasLt.so." + major);
                    });
                    c = new Cublas(CudaLibraries.load("cuBLAS", names));
                    instance = c;
                }
            }
        }
        return c;
    }

    String origin() {
        return origin;
    }

    private void check(int status, String call) {
        if (status == 0) return;
        String name;
        try {
            name = Ffm.string((MemorySegment) getStatusName.invokeExact(status));
        } catch (Throwable t) {
            name = "cublasStatus_t " + status;
        }
        throw new CudaException(call + ": " + name);
    }

    MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check((int) create.invokeExact(h), "cublasCreate_v2");
            return h.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void destroy(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), "cublasDestroy_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void setStream(MemorySegment handle, MemorySegment stream) {
        try {
            check((int) setStream.invokeExact(handle, stream), "cublasSetStream_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void setMathMode(MemorySegment handle, int mode) {
        try {
            check((int) setMathMode.invokeExact(handle, mode), "cublasSetMathMode");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /**
     * Gives cuBLAS a fixed workspace. Without one it allocates its own on first use, which a CUDA graph capture
     * cannot record; with one, GEMMs can be captured.
     */
    void setWorkspace(MemorySegment handle, long devicePtr, long bytes) {
        try {
            check((int) setWorkspace.invokeExact(handle, devicePtr, bytes), "cublasSetWorkspace_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /**
     * Row-major C[batch] = alpha op(A[batch]) op(B[batch]) + beta C[batch] with op(A) [m, k], op(B) [k, n], C [m, n],
     * contiguous matrices {@code stride*} elements apart (ignored when batch == 1). alpha and beta are host floats
     * at {@code scalars} (alpha at 0, beta at 4): cuBLAS's default host pointer mode reads them during the call.
     */
    void gemm(MemorySegment handle, int batch, boolean transA, boolean transB, int m, int n, int k,
              long a, int aType, long strideA, long b, int bType, long strideB, long c, int cType, long strideC,
              MemorySegment scalars, int computeType) {
        // Column-major view: C^T [n, m] = op(B)^T [n, k] * op(A)^T [k, m]. A row-major [r, c] buffer is a
        // column-major [c, r] matrix with leading dimension c, so B's leading dimension is its row length:
        // n when B is [k, n], k when B is [n, k] (transB); likewise A's is k, or m when transA.
        int opB = transB ? OP_T : OP_N, opA = transA ? OP_T : OP_N;
        int ldb = transB ? k : n, lda = transA ? m : k, ldc = n;
        MemorySegment alpha = scalars, beta = scalars.asSlice(4);
        try {
            if (batch == 1) {
                check((int) gemmEx.invokeExact(handle, opB, opA, n, m, k, alpha, b, bType, ldb, a, aType, lda, beta,
                        c, cType, ldc, computeType, GEMM_DEFAULT), "cublasGemmEx(m=" + m + ", n=" + n + ", k=" + k + ")");
            } else {
                check((int) gemmStridedBatchedEx.invokeExact(handle, opB, opA, n, m, k, alpha, b, bType, ldb, strideB,
                        a, aType, lda, strideA, beta, c, cType, ldc, strideC, batch, computeType, GEMM_DEFAULT),
                        "cublasGemmStridedBatchedEx(batch=" + batch + ", m=" + m + ", n=" + n + ", k=" + k + ")");
            }
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }
}
