package org.parclip.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuDNN 9 (libcudnn.so.9) through java.lang.foreign: the legacy convolution API, enough for the ResNet towers
 * (NCHW fp32 convolutions without bias, forward and both gradients). Enum values from cudnn_graph.h / cudnn_ops.h.
 * Device pointers are passed as {@code long} (see {@link Cublas}).
 *
 * <p>Algorithms come from cuDNN's heuristics ({@code cudnnGet*Algorithm_v7}), not from benchmarking: the choice is
 * then the same on every run. The gradients use deterministic algorithms only, and in fp32 parity mode only FMA
 * (non-tensor-core) ones, as PyTorch does with {@code allow_tf32 = False}.
 */
final class Cudnn {
    static final int DATA_FLOAT = 0, TENSOR_NCHW = 0, CROSS_CORRELATION = 1;
    static final int DEFAULT_MATH = 0, FMA_MATH = 3, DETERMINISTIC = 1;

    /** cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t, which share one layout. */
    private static final StructLayout PERF = MemoryLayout.structLayout(
            JAVA_INT.withName("algo"), JAVA_INT.withName("status"), JAVA_FLOAT.withName("time"),
            MemoryLayout.paddingLayout(4), JAVA_LONG.withName("memory"), JAVA_INT.withName("determinism"),
            JAVA_INT.withName("mathType"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("reserved"),
            MemoryLayout.paddingLayout(4));
    private static final int MAX_ALGOS = 16;

    private static volatile Cudnn instance;

    private final MethodHandle create, destroy, setStream, getErrorString, createTensor, setTensor4d, destroyTensor,
            createFilter, setFilter4d, destroyFilter, createConv, setConv2d, setConvMathType, destroyConv,
            fwdAlgos, bwdDataAlgos, bwdFilterAlgos, fwdWorkspace, bwdDataWorkspace, bwdFilterWorkspace, forward,
            backwardData, backwardFilter;

    private Cudnn(CudaLibraries.Loaded lib) {
        SymbolLookup l = lib.symbols();
        create = fn(l, "cudnnCreate", ADDRESS);
        destroy = fn(l, "cudnnDestroy", ADDRESS);
        setStream = fn(l, "cudnnSetStream", ADDRESS, ADDRESS);
        getErrorString = Ffm.function(l, "libcudnn", FunctionDescriptor.of(ADDRESS, JAVA_INT), "cudnnGetErrorString");
        createTensor = fn(l, "cudnnCreateTensorDescriptor", ADDRESS);
        setTensor4d = fn(l, "cudnnSetTensor4dDescriptor", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT);
        destroyTensor = fn(l, "cudnnDestroyTensorDescriptor", ADDRESS);
        createFilter = fn(l, "cudnnCreateFilterDescriptor", ADDRESS);
        setFilter4d = fn(l, "cudnnSetFilter4dDescriptor", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT);
        destroyFilter = fn(l, "cudnnDestroyFilterDescriptor", ADDRESS);
        createConv = fn(l, "cudnnCreateConvolutionDescriptor", ADDRESS);
        setConv2d = fn(l, "cudnnSetConvolution2dDescriptor", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        setConvMathType = fn(l, "cudnnSetConvolutionMathType", ADDRESS, JAVA_INT);
        destroyConv = fn(l, "cudnnDestroyConvolutionDescriptor", ADDRESS);
        // (handle, first input desc, second input desc, conv desc, output desc, requested, *returned, *perf)
        fwdAlgos = fn(l, "cudnnGetConvolutionForwardAlgorithm_v7", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS);
        bwdDataAlgos = fn(l, "cudnnGetConvolutionBackwardDataAlgorithm_v7", ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        bwdFilterAlgos = fn(l, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        // (handle, desc, desc, conv desc, desc, algo, *bytes)
        fwdWorkspace = fn(l, "cudnnGetConvolutionForwardWorkspaceSize", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                JAVA_INT, ADDRESS);
        bwdDataWorkspace = fn(l, "cudnnGetConvolutionBackwardDataWorkspaceSize", ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS);
        bwdFilterWorkspace = fn(l, "cudnnGetConvolutionBackwardFilterWorkspaceSize", ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        // (handle, *alpha, desc, ptr, desc, ptr, conv desc, algo, workspace, bytes, *beta, out desc, out ptr)
        FunctionDescriptor run = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS,
                JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
        forward = Ffm.function(l, "libcudnn", run, "cudnnConvolutionForward");
        backwardData = Ffm.function(l, "libcudnn", run, "cudnnConvolutionBackwardData");
        backwardFilter = Ffm.function(l, "libcudnn", run, "cudnnConvolutionBackwardFilter");
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        return Ffm.function(lib, "libcudnn", FunctionDescriptor.of(JAVA_INT, args), name);
    }

    /**
     * cuDNN, loaded once per JVM. libcudnn.so.9 is a dispatcher that dlopens its sub-libraries by file name when
     * first needed; a pip wheel's directory is not on the dynamic linker's path, so they are preloaded from
     * libcudnn's own directory (a later dlopen by name then finds them loaded). Missing optional ones are skipped.
     */
    static Cudnn get() {
        Cudnn c = instance;
        if (c == null) {
            synchronized (Cudnn.class) {
                c = instance;
                if (c == null) {
                    List<String> names = List.of("libcudnn.so.9");
                    CudaLibraries.locate(names, CudaLibraries.searchDirectories()).ifPresent(p -> {
                        for (String sub : List.of("graph", "engines_precompiled", "engines_runtime_compiled",
                                "heuristic", "ops", "cnn"))
                            CudaLibraries.preload(p.getParent(), "libcudnn_" + sub + ".so.9");
                    });
                    c = new Cudnn(CudaLibraries.load("cuDNN 9 (needed for ResNet convolutions)", names));
                    instance = c;
                }
            }
        }
        return c;
    }

    private void check(int status, String call) {
        if (status == 0) return;
        String text;
        try {
            text = Ffm.string((MemorySegment) getErrorString.invokeExact(status));
        } catch (Throwable t) {
            text = "cudnnStatus_t " + status;
        }
        throw new CudaException(call + ": " + text + " (" + status + ")");
    }

    MemorySegment create(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check((int) create.invokeExact(h), "cudnnCreate");
            MemorySegment handle = h.get(ADDRESS, 0);
            check((int) setStream.invokeExact(handle, stream), "cudnnSetStream");
            return handle;
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void destroy(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), "cudnnDestroy");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /**
     * A convolution of one shape: descriptors and the algorithms chosen for it, reused for every call of that shape.
     * x [n, c, h, w], w [k, c, kh, kw], y [n, k, ho, wo]; square stride and padding, no dilation, no groups.
     */
    final class Conv implements AutoCloseable {
        final int n, c, h, w, k, kh, kw, stride, padding, ho, wo;
        private final MemorySegment xDesc, yDesc, wDesc, convDesc;
        private final Choice fwd, bwdData, bwdFilter;

        private record Choice(int algo, int mathType, long workspace) {
        }

        Conv(MemorySegment handle, int n, int c, int h, int w, int k, int kh, int kw, int stride, int padding,
             boolean tf32) {
            this.n = n;
            this.c = c;
            this.h = h;
            this.w = w;
            this.k = k;
            this.kh = kh;
            this.kw = kw;
            this.stride = stride;
            this.padding = padding;
            this.ho = (h + 2 * padding - kh) / stride + 1;
            this.wo = (w + 2 * padding - kw) / stride + 1;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment p = a.allocate(ADDRESS);
                check((int) createTensor.invokeExact(p), "cudnnCreateTensorDescriptor");
                xDesc = p.get(ADDRESS, 0);
                check((int) setTensor4d.invokeExact(xDesc, TENSOR_NCHW, DATA_FLOAT, n, c, h, w), "cudnnSetTensor4dDescriptor(x)");
                check((int) createTensor.invokeExact(p), "cudnnCreateTensorDescriptor");
                yDesc = p.get(ADDRESS, 0);
                check((int) setTensor4d.invokeExact(yDesc, TENSOR_NCHW, DATA_FLOAT, n, k, ho, wo), "cudnnSetTensor4dDescriptor(y)");
                check((int) createFilter.invokeExact(p), "cudnnCreateFilterDescriptor");
                wDesc = p.get(ADDRESS, 0);
                check((int) setFilter4d.invokeExact(wDesc, DATA_FLOAT, TENSOR_NCHW, k, c, kh, kw), "cudnnSetFilter4dDescriptor");
                check((int) createConv.invokeExact(p), "cudnnCreateConvolutionDescriptor");
                convDesc = p.get(ADDRESS, 0);
                // PyTorch's Conv2d is a cross-correlation; fp32 compute.
                check((int) setConv2d.invokeExact(convDesc, padding, padding, stride, stride, 1, 1, CROSS_CORRELATION,
                        DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
                int math = tf32 ? DEFAULT_MATH : FMA_MATH;
                check((int) setConvMathType.invokeExact(convDesc, math), "cudnnSetConvolutionMathType");
                fwd = choose(a, handle, fwdAlgos, fwdWorkspace, xDesc, wDesc, yDesc, false, tf32, "forward");
                bwdData = choose(a, handle, bwdDataAlgos, bwdDataWorkspace, wDesc, yDesc, xDesc, true, tf32, "backward data");
                bwdFilter = choose(a, handle, bwdFilterAlgos, bwdFilterWorkspace, xDesc, yDesc, wDesc, true, tf32, "backward filter");
            } catch (Throwable t) {
                throw Ffm.rethrow(t);
            }
        }

        /** The best-ranked usable algorithm: succeeded, deterministic when asked, and no TF32 unless allowed. */
        private Choice choose(Arena a, MemorySegment handle, MethodHandle algos, MethodHandle workspace,
                              MemorySegment d1, MemorySegment d2, MemorySegment d3, boolean deterministic,
                              boolean tf32, String what) throws Throwable {
            MemorySegment count = a.allocate(JAVA_INT), perf = a.allocate(PERF, MAX_ALGOS);
            check((int) algos.invokeExact(handle, d1, d2, convDesc, d3, MAX_ALGOS, count, perf),
                    "cudnnGetConvolution " + what + " algorithm");
            for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                long o = i * PERF.byteSize();
                int algo = perf.get(JAVA_INT, o), status = perf.get(JAVA_INT, o + 4);
                int determinism = perf.get(JAVA_INT, o + 24), mathType = perf.get(JAVA_INT, o + 28);
                if (status != 0 || (deterministic && determinism != DETERMINISTIC)) continue;
                if (!tf32 && mathType != FMA_MATH && mathType != DEFAULT_MATH) continue;
                check((int) setConvMathType.invokeExact(convDesc, mathType), "cudnnSetConvolutionMathType");
                MemorySegment bytes = a.allocate(JAVA_LONG);
                check((int) workspace.invokeExact(handle, d1, d2, convDesc, d3, algo, bytes),
                        "cudnnGetConvolution " + what + " workspace size");
                return new Choice(algo, mathType, bytes.get(JAVA_LONG, 0));
            }
            throw new CudaException("cuDNN offers no usable " + what + " algorithm for x [" + n + "," + c + "," + h
                    + "," + w + "], w [" + k + "," + c + "," + kh + "," + kw + "], stride " + stride + ", padding " + padding);
        }

        /** Largest workspace any of the three passes needs, in bytes. */
        long workspaceBytes() {
            return Math.max(fwd.workspace, Math.max(bwdData.workspace, bwdFilter.workspace));
        }

        /** y = alpha conv(x, w) + beta y; scalars holds host floats alpha (offset 0) and beta (offset 4). */
        void forward(MemorySegment handle, long x, long wt, long y, long ws, MemorySegment scalars) {
            run(forward, handle, fwd, xDesc, x, wDesc, wt, yDesc, y, ws, scalars, "cudnnConvolutionForward");
        }

        /** dx = alpha conv_transpose(dy, w) + beta dx. */
        void backwardData(MemorySegment handle, long wt, long dy, long dx, long ws, MemorySegment scalars) {
            run(backwardData, handle, bwdData, wDesc, wt, yDesc, dy, xDesc, dx, ws, scalars, "cudnnConvolutionBackwardData");
        }

        /** dw = alpha correlation(x, dy) + beta dw. */
        void backwardFilter(MemorySegment handle, long x, long dy, long dw, long ws, MemorySegment scalars) {
            run(backwardFilter, handle, bwdFilter, xDesc, x, yDesc, dy, wDesc, dw, ws, scalars, "cudnnConvolutionBackwardFilter");
        }

        private void run(MethodHandle fn, MemorySegment handle, Choice choice, MemorySegment d1, long p1,
                         MemorySegment d2, long p2, MemorySegment dOut, long out, long ws, MemorySegment scalars,
                         String call) {
            try {
                check((int) setConvMathType.invokeExact(convDesc, choice.mathType), "cudnnSetConvolutionMathType");
                check((int) fn.invokeExact(handle, scalars, d1, p1, d2, p2, convDesc, choice.algo, ws,
                        choice.workspace, scalars.asSlice(4), dOut, out), call);
            } catch (Throwable t) {
                throw Ffm.rethrow(t);
            }
        }

        @Override
        public void close() {
            try {
                check((int) destroyTensor.invokeExact(xDesc), "cudnnDestroyTensorDescriptor");
                check((int) destroyTensor.invokeExact(yDesc), "cudnnDestroyTensorDescriptor");
                check((int) destroyFilter.invokeExact(wDesc), "cudnnDestroyFilterDescriptor");
                check((int) destroyConv.invokeExact(convDesc), "cudnnDestroyConvolutionDescriptor");
            } catch (Throwable t) {
                throw Ffm.rethrow(t);
            }
        }
    }
}
