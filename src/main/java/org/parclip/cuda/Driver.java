package org.parclip.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The CUDA driver API (libcuda.so.1) through java.lang.foreign: the subset the backend needs. Handles (contexts,
 * modules, functions, streams, events, graphs) are native pointers held as {@link MemorySegment}s; device pointers
 * ({@code CUdeviceptr}) and sizes are {@code long}s. Every call's status is checked: a failure throws
 * {@link CudaException} naming the call and the driver's name for the error.
 *
 * <p>The driver API rather than the runtime API: libcuda.so.1 comes with the GPU driver itself, so nothing of a
 * particular toolkit version (libcudart.so.12 or .13) is needed to load the kernels.
 */
@SuppressWarnings("restricted") // reinterpret: sizing the pinned host memory the driver returns
final class Driver {
    /** CU_DEVICE_ATTRIBUTE_* values from cuda.h. */
    static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    /** CU_STREAM_CAPTURE_MODE_GLOBAL: unsafe calls (allocation, synchronisation) from any thread fail the capture. */
    static final int CAPTURE_MODE_GLOBAL = 0;

    private static volatile Driver instance;

    private final String origin;
    private final MethodHandle cuInit, cuGetErrorName, cuGetErrorString, cuDeviceGetCount, cuDeviceGet,
            cuDeviceGetName, cuDeviceGetAttribute, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease,
            cuCtxSetCurrent, cuModuleLoadData, cuModuleUnload, cuModuleGetFunction, cuLaunchKernel, cuMemAlloc,
            cuMemFree, cuMemGetInfo, cuMemAllocHost, cuMemFreeHost, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync,
            cuMemcpyDtoDAsync, cuMemsetD32Async, cuStreamCreate, cuStreamDestroy, cuStreamSynchronize,
            cuEventCreate, cuEventDestroy, cuEventRecord, cuEventSynchronize, cuEventElapsedTime,
            cuStreamBeginCapture, cuStreamEndCapture, cuGraphInstantiate, cuGraphLaunch, cuGraphDestroy,
            cuGraphExecDestroy;

    private Driver(CudaLibraries.Loaded lib) {
        this.origin = lib.origin();
        SymbolLookup l = lib.symbols();
        cuInit = fn(l, "cuInit", JAVA_INT);
        cuGetErrorName = fn(l, "cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = fn(l, "cuGetErrorString", JAVA_INT, ADDRESS);
        cuDeviceGetCount = fn(l, "cuDeviceGetCount", ADDRESS);
        cuDeviceGet = fn(l, "cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = fn(l, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = fn(l, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDevicePrimaryCtxRetain = fn(l, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = fn(l, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = fn(l, "cuCtxSetCurrent", ADDRESS);
        cuModuleLoadData = fn(l, "cuModuleLoadData", ADDRESS, ADDRESS);
        cuModuleUnload = fn(l, "cuModuleUnload", ADDRESS);
        cuModuleGetFunction = fn(l, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuLaunchKernel = fn(l, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuMemAlloc = fn(l, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = fn(l, "cuMemFree_v2", JAVA_LONG);
        cuMemGetInfo = fn(l, "cuMemGetInfo_v2", ADDRESS, ADDRESS);
        cuMemAllocHost = fn(l, "cuMemAllocHost_v2", ADDRESS, JAVA_LONG);
        cuMemFreeHost = fn(l, "cuMemFreeHost", ADDRESS);
        cuMemcpyHtoDAsync = fn(l, "cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        cuMemcpyDtoHAsync = fn(l, "cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemcpyDtoDAsync = fn(l, "cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemsetD32Async = fn(l, "cuMemsetD32Async", JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
        cuStreamCreate = fn(l, "cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamDestroy = fn(l, "cuStreamDestroy_v2", ADDRESS);
        cuStreamSynchronize = fn(l, "cuStreamSynchronize", ADDRESS);
        cuEventCreate = fn(l, "cuEventCreate", ADDRESS, JAVA_INT);
        cuEventDestroy = fn(l, "cuEventDestroy_v2", ADDRESS);
        cuEventRecord = fn(l, "cuEventRecord", ADDRESS, ADDRESS);
        cuEventSynchronize = fn(l, "cuEventSynchronize", ADDRESS);
        // CUDA 12.8 added _v2 (the header maps the name to it); older drivers export only the original.
        cuEventElapsedTime = Ffm.function(l, "libcuda", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                "cuEventElapsedTime_v2", "cuEventElapsedTime");
        cuStreamBeginCapture = fn(l, "cuStreamBeginCapture_v2", ADDRESS, JAVA_INT);
        cuStreamEndCapture = fn(l, "cuStreamEndCapture", ADDRESS, ADDRESS);
        // cuda.h maps cuGraphInstantiate to cuGraphInstantiateWithFlags (CUDA >= 11.4).
        cuGraphInstantiate = fn(l, "cuGraphInstantiateWithFlags", ADDRESS, ADDRESS, JAVA_LONG);
        cuGraphLaunch = fn(l, "cuGraphLaunch", ADDRESS, ADDRESS);
        cuGraphDestroy = fn(l, "cuGraphDestroy", ADDRESS);
        cuGraphExecDestroy = fn(l, "cuGraphExecDestroy", ADDRESS);
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        return Ffm.function(lib, "libcuda", FunctionDescriptor.of(JAVA_INT, args), name);
    }

    /** The driver, loaded and initialised (cuInit) once per JVM. */
    static Driver get() {
        Driver d = instance;
        if (d == null) {
            synchronized (Driver.class) {
                d = instance;
                if (d == null) {
                    d = new Driver(CudaLibraries.load("The NVIDIA driver's CUDA library",
                            List.of("libcuda.so.1")));
                    d.init();
                    instance = d;
                }
            }
        }
        return d;
    }

    /** Where libcuda was loaded from. */
    String origin() {
        return origin;
    }

    // ---------------------------------------------------------------- errors

    void check(int status, String call) {
        if (status != 0) throw new CudaException(call + ": " + errorName(status));
    }

    /** "CUDA_ERROR_OUT_OF_MEMORY (out of memory)" for a CUresult. */
    String errorName(int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(ADDRESS), text = a.allocate(ADDRESS);
            int r1 = (int) cuGetErrorName.invokeExact(status, name);
            int r2 = (int) cuGetErrorString.invokeExact(status, text);
            return (r1 == 0 ? Ffm.string(name.get(ADDRESS, 0)) : "CUresult " + status)
                    + (r2 == 0 ? " (" + Ffm.string(text.get(ADDRESS, 0)) + ")" : "");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- devices and contexts

    private void init() {
        try {
            check((int) cuInit.invokeExact(0), "cuInit");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check((int) cuDeviceGetCount.invokeExact(n), "cuDeviceGetCount");
            return n.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(JAVA_INT);
            check((int) cuDeviceGet.invokeExact(d, ordinal), "cuDeviceGet(" + ordinal + ")");
            return d.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check((int) cuDeviceGetName.invokeExact(buf, 256, device), "cuDeviceGetName");
            return buf.getString(0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    int attribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) cuDeviceGetAttribute.invokeExact(v, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /**
     * The device's primary context: the one the CUDA runtime (and so cuBLAS and cuDNN) uses, so our kernels and the
     * libraries share one context and its memory.
     */
    MemorySegment primaryContextRetain(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = a.allocate(ADDRESS);
            check((int) cuDevicePrimaryCtxRetain.invokeExact(ctx, device), "cuDevicePrimaryCtxRetain");
            return ctx.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void primaryContextRelease(int device) {
        try {
            check((int) cuDevicePrimaryCtxRelease.invokeExact(device), "cuDevicePrimaryCtxRelease_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** Makes ctx current on the calling thread (CUDA contexts are per-thread state). */
    void setCurrent(MemorySegment ctx) {
        try {
            check((int) cuCtxSetCurrent.invokeExact(ctx), "cuCtxSetCurrent");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- modules and launches

    /** Loads a fatbin/cubin/PTX image; the driver picks the code for the current device. */
    MemorySegment moduleLoadData(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(image.length + 1L, 16);
            data.copyFrom(MemorySegment.ofArray(image));
            MemorySegment module = a.allocate(ADDRESS);
            check((int) cuModuleLoadData.invokeExact(module, data), "cuModuleLoadData");
            return module.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void moduleUnload(MemorySegment module) {
        try {
            check((int) cuModuleUnload.invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    MemorySegment moduleFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fn = a.allocate(ADDRESS);
            check((int) cuModuleGetFunction.invokeExact(fn, module, a.allocateFrom(name)), "cuModuleGetFunction(" + name + ")");
            return fn.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** cuLaunchKernel; params is a native array of pointers to each argument's value (see KernelArgs). */
    void launch(MemorySegment function, String name, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                MemorySegment stream, MemorySegment params) {
        int r;
        try {
            r = (int) cuLaunchKernel.invokeExact(function, gx, gy, gz, bx, by, bz, sharedBytes, stream, params,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
        if (r != 0) check(r, "cuLaunchKernel(" + name + ", grid " + gx + "x" + gy + "x" + gz + ", block " + bx + "x" + by + "x" + bz + ")");
    }

    // ---------------------------------------------------------------- memory

    long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuMemAlloc.invokeExact(p, bytes), "cuMemAlloc_v2(" + bytes + " bytes)");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void memFree(long ptr) {
        try {
            check((int) cuMemFree.invokeExact(ptr), "cuMemFree_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** {free, total} device memory in bytes. */
    long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
            check((int) cuMemGetInfo.invokeExact(free, total), "cuMemGetInfo_v2");
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** Page-locked host memory: asynchronous copies need it, and it transfers at full PCIe speed. */
    MemorySegment memAllocHost(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) cuMemAllocHost.invokeExact(p, bytes), "cuMemAllocHost_v2(" + bytes + " bytes)");
            return p.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void memFreeHost(MemorySegment p) {
        try {
            check((int) cuMemFreeHost.invokeExact(p), "cuMemFreeHost");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void copyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyHtoDAsync_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void copyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoHAsync_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void copyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoDAsync_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** Sets count 32-bit words to value (a float's bits fill a float tensor). */
    void memsetD32Async(long dst, int value, long count, MemorySegment stream) {
        try {
            check((int) cuMemsetD32Async.invokeExact(dst, value, count, stream), "cuMemsetD32Async");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- streams and events

    MemorySegment streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(ADDRESS);
            check((int) cuStreamCreate.invokeExact(s, flags), "cuStreamCreate");
            return s.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void streamDestroy(MemorySegment stream) {
        try {
            check((int) cuStreamDestroy.invokeExact(stream), "cuStreamDestroy_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** Waits for the stream's work; errors of earlier asynchronous launches surface here. */
    void streamSynchronize(MemorySegment stream) {
        try {
            check((int) cuStreamSynchronize.invokeExact(stream), "cuStreamSynchronize");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    MemorySegment eventCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(ADDRESS);
            check((int) cuEventCreate.invokeExact(e, 0), "cuEventCreate");
            return e.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void eventDestroy(MemorySegment event) {
        try {
            check((int) cuEventDestroy.invokeExact(event), "cuEventDestroy_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void eventRecord(MemorySegment event, MemorySegment stream) {
        try {
            check((int) cuEventRecord.invokeExact(event, stream), "cuEventRecord");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void eventSynchronize(MemorySegment event) {
        try {
            check((int) cuEventSynchronize.invokeExact(event), "cuEventSynchronize");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** Milliseconds between two completed events (GPU time, ~0.5 us resolution). */
    float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check((int) cuEventElapsedTime.invokeExact(ms, start, end), "cuEventElapsedTime");
            return ms.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- graphs

    void beginCapture(MemorySegment stream, int mode) {
        try {
            check((int) cuStreamBeginCapture.invokeExact(stream, mode), "cuStreamBeginCapture_v2");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    /** Ends a capture and returns the graph (CUgraph). */
    MemorySegment endCapture(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment g = a.allocate(ADDRESS);
            check((int) cuStreamEndCapture.invokeExact(stream, g), "cuStreamEndCapture");
            return g.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    MemorySegment graphInstantiate(MemorySegment graph) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment exec = a.allocate(ADDRESS);
            check((int) cuGraphInstantiate.invokeExact(exec, graph, 0L), "cuGraphInstantiateWithFlags");
            return exec.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void graphLaunch(MemorySegment exec, MemorySegment stream) {
        try {
            check((int) cuGraphLaunch.invokeExact(exec, stream), "cuGraphLaunch");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void graphDestroy(MemorySegment graph) {
        try {
            check((int) cuGraphDestroy.invokeExact(graph), "cuGraphDestroy");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }

    void graphExecDestroy(MemorySegment exec) {
        try {
            check((int) cuGraphExecDestroy.invokeExact(exec), "cuGraphExecDestroy");
        } catch (Throwable t) {
            throw Ffm.rethrow(t);
        }
    }
}
