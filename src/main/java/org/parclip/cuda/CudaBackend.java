package org.parclip.cuda;

import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link Backend} on one NVIDIA GPU: tensors live in device memory, every op is a kernel of kernels/*.cu (loaded
 * from the fatbin the jar carries), a cuBLAS GEMM or a cuDNN convolution, all queued on one stream.
 *
 * <p>Precision: fp32 storage and arithmetic by default, with TF32 off in cuBLAS and cuDNN, so results match the CPU
 * backend to about 1e-5 relative ("fp32 parity mode"). {@code allowTf32} trades that for tensor-core speed on fp32
 * GEMMs and convolutions. BF16 storage ({@link #allocate(DType, int...)}, {@link #convert}) exists for mixed
 * precision: the GEMMs and the attention kernels accept bf16 operands (fp32 accumulation).
 *
 * <p>Execution: ops are queued on the backend's stream and return at once; calls that hand data to the host
 * ({@link #toHost}, {@link #sumOfSquares}, the losses) synchronise, which makes every op synchronous from the
 * caller's point of view as {@link Backend} requires. Scratch memory, pinned staging buffers and kernel-argument
 * buffers are reused across ops, which is safe because the stream runs ops in order; the backend is therefore not
 * safe for concurrent use by several threads (one thread at a time; it re-binds its context when the thread
 * changes). Reductions use fixed launch shapes and no floating-point atomics: results are bitwise reproducible.
 *
 * <p>Memory: each tensor storage is one cuMemAlloc. A storage that becomes unreachable is freed at the backend's
 * next allocation (a {@link Cleaner} queues it; only the backend's own thread calls the driver), and all are
 * freed by {@link #close}.
 */
public final class CudaBackend implements Backend {
    private static final String FATBIN = "parclip.fatbin";
    private static final long TRANSFER_BYTES = 8L << 20;
    private static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;
    private static final int BLOCK = 256;
    private static final Cleaner CLEANER = Cleaner.create();

    private final Driver driver;
    private final Cublas cublas;
    private final int device;
    private final boolean tf32;
    private final String deviceName;
    private final int smCount;
    private final MemorySegment context, stream, module, cublasHandle;
    private final long cublasWorkspace;
    private final Arena arena = Arena.ofShared();
    private final KernelArgs args;
    /** Host floats alpha (offset 0) and beta (4) for cuBLAS / cuDNN calls. */
    private final MemorySegment scalars;
    private final Map<String, MemorySegment> functions = new HashMap<>();

    /** Live device allocations (pointer to bytes) and those whose storage became unreachable. */
    private final Map<Long, Long> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> released = new ConcurrentLinkedQueue<>();

    private Thread contextThread;
    private boolean closed;

    // Reused buffers; see scratch(), upload() and transfer().
    private long scratchPtr, scratchBytes;
    private int scratchGeneration;
    private MemorySegment transfer;
    private MemorySegment intHost;
    private long intDevice, intCapacity, intUsed;
    private MemorySegment eventStart, eventEnd;

    private Cudnn cudnn;
    private MemorySegment cudnnHandle;
    private final Map<ConvKey, Cudnn.Conv> convs = new HashMap<>();

    private record ConvKey(int n, int c, int h, int w, int k, int kh, int kw, int stride, int padding) {
    }

    // ---------------------------------------------------------------- availability

    private static final class Probe {
        static final String REASON = probe();
    }

    /** Whether a usable GPU, driver, cuBLAS and this build's kernels are all present. */
    public static boolean isAvailable() {
        return Probe.REASON == null;
    }

    /** Why {@link #isAvailable()} is false (one line, for users), or "available". */
    public static String unavailableReason() {
        return Probe.REASON == null ? "available" : Probe.REASON;
    }

    private static String probe() {
        try {
            Driver d = Driver.get();
            int n = d.deviceCount();
            if (n == 0) return "the CUDA driver sees no GPU (check CUDA_VISIBLE_DEVICES)";
            String capability = capabilityProblem(d, d.device(0));
            if (capability != null) return capability;
            if (CudaBackend.class.getResource(FATBIN) == null) return noKernelsMessage();
            Cublas.get();
            return null;
        } catch (CudaException e) {
            return e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return "CUDA initialisation failed: " + e;
        }
    }

    private static String noKernelsMessage() {
        return "this parclip build carries no CUDA kernels (org/parclip/cuda/" + FATBIN + "): it was built without"
                + " nvcc; rebuild with 'make build' where the CUDA toolkit is installed";
    }

    /** The kernels are built for sm_80 and sm_90 (+ compute_90 PTX), so older GPUs cannot run them. */
    private static String capabilityProblem(Driver d, int device) {
        int major = d.attribute(Driver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        int minor = d.attribute(Driver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        if (major >= 8) return null;
        return d.deviceName(device) + " has compute capability " + major + "." + minor
                + "; the CUDA backend needs 8.0 or newer (A100, H100 and later)";
    }

    // ---------------------------------------------------------------- life cycle

    /** Fp32 parity mode (no TF32) on the given device. */
    public CudaBackend(int deviceOrdinal) {
        this(deviceOrdinal, false);
    }

    /**
     * @param deviceOrdinal CUDA device number (as CUDA_VISIBLE_DEVICES exposes them)
     * @param allowTf32     let cuBLAS and cuDNN round fp32 GEMM/convolution inputs to TF32 (faster, ~1e-3 relative)
     */
    public CudaBackend(int deviceOrdinal, boolean allowTf32) {
        driver = Driver.get();
        int count = driver.deviceCount();
        if (deviceOrdinal < 0 || deviceOrdinal >= count)
            throw new CudaException("CUDA device " + deviceOrdinal + " does not exist (" + count + " visible)");
        device = driver.device(deviceOrdinal);
        String capability = capabilityProblem(driver, device);
        if (capability != null) throw new CudaException(capability);
        tf32 = allowTf32;
        deviceName = driver.deviceName(device);
        smCount = driver.attribute(Driver.ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        context = driver.primaryContextRetain(device);
        try {
            driver.setCurrent(context);
            contextThread = Thread.currentThread();
            stream = driver.streamCreate(0);
            module = driver.moduleLoadData(fatbin());
            cublas = Cublas.get();
            cublasHandle = cublas.create();
            cublas.setStream(cublasHandle, stream);
            cublas.setMathMode(cublasHandle, tf32 ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH);
            cublasWorkspace = driver.memAlloc(CUBLAS_WORKSPACE_BYTES);
            cublas.setWorkspace(cublasHandle, cublasWorkspace, CUBLAS_WORKSPACE_BYTES);
        } catch (RuntimeException e) {
            // Releasing the last reference to the primary context destroys it with everything created in it.
            driver.primaryContextRelease(device);
            throw e;
        }
        args = new KernelArgs(arena);
        scalars = arena.allocate(16, 8);
    }

    private static byte[] fatbin() {
        try (InputStream in = CudaBackend.class.getResourceAsStream(FATBIN)) {
            if (in == null) throw new CudaException(noKernelsMessage());
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public boolean rowSparseUpdates() {
        return false;
    }

    /** Device, libraries and precision mode, for logs. */
    public String description() {
        return "cuda (" + deviceName + ", " + smCount + " SMs; driver " + driver.origin() + ", cuBLAS "
                + cublas.origin() + "; " + (tf32 ? "TF32 allowed" : "fp32 parity, no TF32") + ")";
    }

    @Override
    public void close() {
        if (closed) return;
        enter();
        driver.streamSynchronize(stream);
        closed = true;
        for (long p : live.keySet()) driver.memFree(p);
        live.clear();
        if (scratchPtr != 0) driver.memFree(scratchPtr);
        if (intDevice != 0) driver.memFree(intDevice);
        if (intHost != null) driver.memFreeHost(intHost);
        if (transfer != null) driver.memFreeHost(transfer);
        if (eventStart != null) {
            driver.eventDestroy(eventStart);
            driver.eventDestroy(eventEnd);
        }
        convs.values().forEach(Cudnn.Conv::close);
        if (cudnnHandle != null) cudnn.destroy(cudnnHandle);
        cublas.destroy(cublasHandle);
        driver.memFree(cublasWorkspace);
        driver.moduleUnload(module);
        driver.streamDestroy(stream);
        driver.primaryContextRelease(device);
        arena.close();
    }

    /** Every public op starts here: the backend must be open and its context current on this thread. */
    private void enter() {
        if (closed) throw new IllegalStateException("the CUDA backend is closed");
        Thread t = Thread.currentThread();
        if (t != contextThread) {
            driver.setCurrent(context);
            contextThread = t;
        }
    }

    /** Waits for all queued work; the host staging buffers are then free again. */
    private void sync() {
        driver.streamSynchronize(stream);
        intUsed = 0;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor allocate(int... shape) {
        return allocate(DType.F32, shape);
    }

    /** A new zero-filled tensor of F32 or BF16 elements. */
    public Tensor allocate(DType dtype, int... shape) {
        enter();
        Tensor t = create(dtype, shape);
        CudaStorage s = (CudaStorage) t.storage();
        driver.memsetD32Async(s.ptr, 0, words(s.capacity(), dtype), stream);
        return t;
    }

    private Tensor create(DType dtype, int... shape) {
        if (dtype != DType.F32 && dtype != DType.BF16)
            throw new IllegalArgumentException("CUDA tensors are F32 or BF16, not " + dtype);
        long n = 1;
        for (int d : shape) n *= d;
        long bytes = words(n, dtype) * 4;
        long ptr = alloc(Math.max(bytes, 4));
        CudaStorage s = new CudaStorage(this, ptr, n, dtype);
        live.put(ptr, bytes);
        CLEANER.register(s, new Release(released, ptr));
        return new Tensor(s, 0, shape);
    }

    /** 32-bit words covering n elements (a BF16 storage is padded to whole words so memsetD32 can clear it). */
    private static long words(long n, DType dtype) {
        return (n * dtype.bytes + 3) / 4;
    }

    /** Queues an unreachable storage's pointer; runs on the Cleaner's thread, so it must not call the driver. */
    private record Release(ConcurrentLinkedQueue<Long> queue, long ptr) implements Runnable {
        @Override
        public void run() {
            queue.add(ptr);
        }
    }

    private long alloc(long bytes) {
        freeReleased();
        try {
            return driver.memAlloc(bytes);
        } catch (CudaException outOfMemory) {
            // Device memory of dropped tensors is only returned after a GC has found them: collect, then retry once.
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            freeReleased();
            try {
                return driver.memAlloc(bytes);
            } catch (CudaException again) {
                long[] info = driver.memInfo();
                throw new CudaException(again.getMessage() + "; " + mib(info[0]) + " free of " + mib(info[1])
                        + ", " + mib(allocatedBytes()) + " held by this backend's tensors");
            }
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    private boolean freeReleased() {
        if (released.isEmpty()) return false;
        sync(); // queued kernels may still use the memory
        boolean any = false;
        for (Long p; (p = released.poll()) != null; ) {
            if (live.remove(p) != null) {
                driver.memFree(p);
                any = true;
            }
        }
        return any;
    }

    /** Device memory held by live tensors, in bytes. */
    public long allocatedBytes() {
        return live.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * A device scratch region of at least {@code bytes}, shared by all ops: ops run in stream order, so the next op
     * may reuse what the previous one left. Growing it frees the old region (after a sync), which invalidates
     * captured graphs that used it (see {@link Graph#launch}).
     */
    private long scratch(long bytes) {
        if (bytes > scratchBytes) {
            long size = Math.max(bytes, Math.max(2 * scratchBytes, 1L << 20));
            if (scratchPtr != 0) {
                sync();
                driver.memFree(scratchPtr);
                scratchPtr = 0;
                scratchBytes = 0;
            }
            scratchPtr = alloc(size);
            scratchBytes = size;
            scratchGeneration++;
        }
        return scratchPtr;
    }

    /** Splits one scratch region into parts of the given byte sizes, each 256-byte aligned. */
    private long[] carve(long... sizes) {
        long[] offsets = new long[sizes.length];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            offsets[i] = total;
            total += (sizes[i] + 255) & ~255L;
        }
        long base = scratch(Math.max(total, 256));
        for (int i = 0; i < sizes.length; i++) offsets[i] += base;
        return offsets;
    }

    /**
     * Copies host ints to the device and returns their device address, valid for ops queued before the next sync.
     * Uploads go through a pinned ring buffer without waiting: a slot is reused only after a sync.
     */
    private long upload(int[] data) {
        long bytes = (data.length * 4L + 255) & ~255L;
        if (intUsed + bytes > intCapacity) {
            sync();
            if (bytes > intCapacity) {
                if (intHost != null) {
                    driver.memFreeHost(intHost);
                    driver.memFree(intDevice);
                    intHost = null;
                    intDevice = 0;
                    intCapacity = 0;
                }
                long size = Math.max(bytes, 1L << 20);
                intHost = driver.memAllocHost(size);
                intDevice = alloc(size);
                intCapacity = size;
            }
        }
        long dev = intDevice + intUsed;
        if (data.length > 0) {
            MemorySegment.copy(data, 0, intHost, JAVA_INT, intUsed, data.length);
            driver.copyHtoDAsync(dev, intHost.asSlice(intUsed, data.length * 4L), data.length * 4L, stream);
        }
        intUsed += bytes;
        return dev;
    }

    /** The pinned buffer that host float transfers go through (each chunk is synchronised before reuse). */
    private MemorySegment transfer() {
        if (transfer == null) transfer = driver.memAllocHost(TRANSFER_BYTES);
        return transfer;
    }

    /** Device address of a tensor's first element, checking owner and element type (null type: any). */
    private long ptr(Tensor t, DType expected) {
        if (!(t.storage() instanceof CudaStorage s) || s.owner != this)
            throw new IllegalArgumentException(t + " does not belong to this CUDA backend");
        if (expected != null && s.dtype() != expected)
            throw new IllegalArgumentException(t + ": expected " + expected + " elements");
        return s.ptr + t.offset() * s.dtype().bytes;
    }

    private long f32(Tensor t) {
        return ptr(t, DType.F32);
    }

    private long f32OrNull(Tensor t) {
        return t == null ? 0L : f32(t);
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        enter();
        Tensor t = create(DType.F32, shape);
        copyFromHost(data, 0, t);
        return t;
    }

    @Override
    public void copyFromHost(float[] src, int srcOffset, Tensor t) {
        enter();
        long n = t.numel(), dst = f32(t);
        if (srcOffset < 0 || srcOffset + n > src.length)
            throw new IllegalArgumentException(n + " elements from offset " + srcOffset + " of a host array of " + src.length);
        MemorySegment buf = transfer();
        for (long done = 0; done < n; ) {
            int c = (int) Math.min(n - done, TRANSFER_BYTES / 4);
            MemorySegment.copy(src, (int) (srcOffset + done), buf, JAVA_FLOAT, 0, c);
            driver.copyHtoDAsync(dst + done * 4, buf, c * 4L, stream);
            sync();
            done += c;
        }
    }

    /** A copy of the tensor's elements; BF16 tensors are widened to float. */
    @Override
    public float[] toHost(Tensor t) {
        enter();
        long n = t.numel();
        long src;
        if (t.dtype() == DType.BF16) {
            src = scratch(n * 4);
            args.reset().i64(n).ptr(ptr(t, DType.BF16)).ptr(src);
            pointwise("bf16_to_f32", n);
        } else {
            src = f32(t);
        }
        float[] out = new float[Math.toIntExact(n)];
        MemorySegment buf = transfer();
        for (long done = 0; done < n; ) {
            int c = (int) Math.min(n - done, TRANSFER_BYTES / 4);
            driver.copyDtoHAsync(buf, src + done * 4, c * 4L, stream);
            sync();
            MemorySegment.copy(buf, JAVA_FLOAT, 0, out, (int) done, c);
            done += c;
        }
        return out;
    }

    /** Element-type conversion between same-sized tensors: F32 to BF16 (round to nearest even) or back. */
    public void convert(Tensor src, Tensor dst) {
        enter();
        requireSameNumel(src, dst);
        long n = src.numel();
        if (src.dtype() == dst.dtype()) {
            copy(src, dst);
            return;
        }
        String kernel = src.dtype() == DType.F32 ? "f32_to_bf16" : "bf16_to_f32";
        args.reset().i64(n).ptr(ptr(src, src.dtype())).ptr(ptr(dst, dst.dtype()));
        pointwise(kernel, n);
    }

    @Override
    public void fill(Tensor t, float value) {
        enter();
        if (t.numel() > 0) driver.memsetD32Async(f32(t), Float.floatToRawIntBits(value), t.numel(), stream);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        enter();
        requireSameNumel(src, dst);
        if (src.dtype() != dst.dtype()) throw new IllegalArgumentException("copy " + src + " to " + dst + ": use convert");
        long bytes = src.numel() * src.dtype().bytes;
        if (bytes > 0) driver.copyDtoDAsync(ptr(dst, null), ptr(src, null), bytes, stream);
    }

    @Override
    public void copyBlocks(Tensor src, long srcOffset, int srcStride, Tensor dst, long dstOffset, int dstStride,
                           int count, int length, boolean accumulate) {
        enter();
        if (count <= 0 || length <= 0) return;
        checkBlocks(src, srcOffset, srcStride, count, length, "source");
        checkBlocks(dst, dstOffset, dstStride, count, length, "destination");
        long s = f32(src) + srcOffset * 4, d = f32(dst) + dstOffset * 4;
        if (accumulate && dstStride == 0) {
            args.reset().ptr(s).i32(srcStride).ptr(d).i32(count).i32(length);
            pointwise("sum_blocks_f32", length);
            return;
        }
        if (count > 1 && dstStride < length)
            throw new IllegalArgumentException("copyBlocks into overlapping destination blocks (stride " + dstStride
                    + " < length " + length + ") depends on the order of the blocks, which parallel threads do not"
                    + " keep; the CUDA backend supports only stride 0 with accumulate (a sum into one block)");
        args.reset().ptr(s).i32(srcStride).ptr(d).i32(dstStride).i32(count).i32(length).i32(accumulate);
        pointwise("copy_blocks_f32", (long) count * length);
    }

    private static void checkBlocks(Tensor t, long offset, int stride, int count, int length, String what) {
        long last = offset + (long) (count - 1) * stride + length;
        if (offset < 0 || stride < 0 || last > t.numel())
            throw new IllegalArgumentException(what + " blocks [offset " + offset + ", stride " + stride + ", " + count
                    + " x " + length + "] exceed " + t);
    }

    // ---------------------------------------------------------------- launching

    private MemorySegment function(String name) {
        return functions.computeIfAbsent(name, n -> driver.moduleFunction(module, n));
    }

    /** Launches a kernel with the arguments currently in {@link #args}. */
    private void launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz) {
        driver.launch(function(kernel), kernel, gx, gy, gz, bx, by, bz, 0, stream, args.pointers());
    }

    /** Grid-stride kernels over n items: 256 threads per block, at most 16 blocks per SM (a few full waves). */
    private void pointwise(String kernel, long n) {
        if (n <= 0) return;
        int blocks = (int) Math.min((n + BLOCK - 1) / BLOCK, 16L * smCount);
        launch(kernel, blocks, 1, 1, BLOCK, 1, 1);
    }

    /** Kernels with one warp per row, 8 rows (256 threads) per block. */
    private void warpPerRow(String kernel, int rows) {
        if (rows > 0) launch(kernel, (rows + 7) / 8, 1, 1, BLOCK, 1, 1);
    }

    /** Row chunks for the two-pass column sums: about four blocks per SM in all, at least 32 rows a chunk. */
    private int rowsPerChunk(int rows, int cols) {
        int stripes = (cols + 31) / 32;
        int chunks = Math.max(1, Math.min((rows + 31) / 32, 4 * smCount / stripes));
        return Math.max(1, (rows + chunks - 1) / chunks);
    }

    private static void requireSameNumel(Tensor a, Tensor b) {
        if (a.numel() != b.numel()) throw new IllegalArgumentException(a + " and " + b + " differ in size");
    }

    private static void requireShape(Tensor t, String what, int... shape) {
        if (t.numel() != Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y))
            throw new IllegalArgumentException(what + " is " + t + ", expected " + Arrays.toString(shape));
    }

    // ---------------------------------------------------------------- elementwise and reductions

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        enter();
        requireSameNumel(x, y);
        args.reset().i64(x.numel()).f32(alpha).ptr(f32(x)).ptr(f32(y));
        pointwise("axpy_f32", x.numel());
    }

    @Override
    public void scale(Tensor x, float s) {
        enter();
        args.reset().i64(x.numel()).f32(s).ptr(f32(x));
        pointwise("scale_f32", x.numel());
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        enter();
        if (bias.numel() != x.cols()) throw new IllegalArgumentException("bias " + bias + " for rows of " + x);
        args.reset().i64(x.numel()).i32(x.cols()).ptr(f32(x)).ptr(f32(bias));
        pointwise("add_row_vector_f32", x.numel());
    }

    @Override
    public void sumRows(Tensor x, Tensor out, float alpha, float beta) {
        enter();
        int rows = x.rows(), cols = x.cols();
        if (out.numel() != cols) throw new IllegalArgumentException("out " + out + " for the columns of " + x);
        int chunk = rowsPerChunk(rows, cols), chunks = Math.max(1, (rows + chunk - 1) / chunk);
        long partial = carve((long) chunks * cols * 4)[0];
        if (rows > 0) {
            args.reset().ptr(f32(x)).i32(rows).i32(cols).i32(chunk).ptr(partial);
            launch("col_sum_partial_f32", (cols + 31) / 32, chunks, 1, 32, 8, 1);
        } else {
            driver.memsetD32Async(partial, 0, cols, stream);
        }
        args.reset().ptr(partial).i32(chunks).i32(cols).i32(cols).ptr(f32(out)).f32(alpha).f32(beta);
        pointwise("col_sum_finish_f32", cols);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        enter();
        long n = x.numel();
        if (n == 0) return 0;
        int blocks = (int) Math.min((n + BLOCK - 1) / BLOCK, 4L * smCount);
        long[] p = carve(blocks * 8L, 8);
        args.reset().ptr(f32(x)).i64(n).ptr(p[0]);
        launch("sumsq_partial_f32", blocks, 1, 1, BLOCK, 1, 1);
        return sumDoubles(p[0], blocks, p[1])[0];
    }

    /** Adds count device doubles at partial (sum_f64, one block) into out and returns out's first values. */
    private double[] sumDoubles(long partial, int count, long out) {
        args.reset().ptr(partial).i32(count).ptr(out);
        launch("sum_f64", 1, 1, 1, BLOCK, 1, 1);
        return readDoubles(out, 1);
    }

    private double[] readDoubles(long src, int count) {
        MemorySegment buf = transfer();
        driver.copyDtoHAsync(buf, src, count * 8L, stream);
        sync();
        return buf.asSlice(0, count * 8L).toArray(JAVA_DOUBLE);
    }

    // ---------------------------------------------------------------- matrix multiplication

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        enter();
        int m = transA ? a.cols() : a.rows(), k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows(), n = transB ? b.rows() : b.cols();
        if (k != kb || c.numel() != (long) m * n)
            throw new IllegalArgumentException("matmul " + a + (transA ? "^T" : "") + " x " + b + (transB ? "^T" : "")
                    + " -> " + c);
        gemm(1, transA, transB, m, n, k, a, 0, b, 0, c, 0, alpha, beta);
    }

    @Override
    public void batchedMatmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        enter();
        int batch = a.dim(0);
        if (b.dim(0) != batch || c.dim(0) != batch)
            throw new IllegalArgumentException("batchedMatmul batches differ: " + a + ", " + b + ", " + c);
        long sa = a.numel() / Math.max(1, batch), sb = b.numel() / Math.max(1, batch), sc = c.numel() / Math.max(1, batch);
        int aRows = (int) (sa / a.cols()), bRows = (int) (sb / b.cols());
        int m = transA ? a.cols() : aRows, k = transA ? aRows : a.cols();
        int kb = transB ? b.cols() : bRows, n = transB ? bRows : b.cols();
        if (k != kb || sc != (long) m * n)
            throw new IllegalArgumentException("batchedMatmul " + a + (transA ? "^T" : "") + " x " + b
                    + (transB ? "^T" : "") + " -> " + c);
        if (batch > 0) gemm(batch, transA, transB, m, n, k, a, sa, b, sb, c, sc, alpha, beta);
    }

    private void gemm(int batch, boolean transA, boolean transB, int m, int n, int k, Tensor a, long strideA,
                      Tensor b, long strideB, Tensor c, long strideC, float alpha, float beta) {
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException("matmul of " + a + " and " + b + ": mixed types");
        gemm(batch, transA, transB, m, n, k, ptr(a, null), cudaType(a), strideA, ptr(b, null), cudaType(b), strideB,
                ptr(c, null), cudaType(c), strideC, alpha, beta);
    }

    /** The GEMM on raw device pointers (scratch operands too); fp32 accumulation, TF32 only when allowed. */
    private void gemm(int batch, boolean transA, boolean transB, int m, int n, int k, long a, int aType, long strideA,
                      long b, int bType, long strideB, long c, int cType, long strideC, float alpha, float beta) {
        if (m == 0 || n == 0) return;
        scalars.set(JAVA_FLOAT, 0, alpha);
        scalars.set(JAVA_FLOAT, 4, beta);
        int compute = aType == Cublas.R_32F && tf32 ? Cublas.COMPUTE_32F_FAST_TF32 : Cublas.COMPUTE_32F;
        cublas.gemm(cublasHandle, batch, transA, transB, m, n, k, a, aType, strideA, b, bType, strideB, c, cType,
                strideC, scalars, compute);
    }

    private static int cudaType(Tensor t) {
        return switch (t.dtype()) {
            case F32 -> Cublas.R_32F;
            case BF16 -> Cublas.R_16BF;
            default -> throw new IllegalArgumentException("no GEMM on " + t);
        };
    }

    // ---------------------------------------------------------------- normalisation

    @Override
    public void layerNormForward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out, Tensor mean, Tensor rstd) {
        enter();
        int rows = x.rows(), cols = x.cols();
        requireSameNumel(x, out);
        args.reset().ptr(f32(x)).ptr(f32(weight)).ptr(f32(bias)).f32(eps).i32(rows).i32(cols).ptr(f32(out))
                .ptr(f32OrNull(mean)).ptr(f32OrNull(rstd));
        warpPerRow("layernorm_forward_f32", rows);
    }

    /**
     * Fused residual add and LayerNorm (not in {@link Backend}): residual = a + b, then
     * {@code layerNormForward(residual, ...)}. residual may alias a or b. The pre-norm transformer block's
     * "x = x + attn(ln_1(x)); h = ln_2(x)" in one pass.
     */
    public void residualLayerNormForward(Tensor a, Tensor b, Tensor residual, Tensor weight, Tensor bias, float eps,
                                         Tensor out, Tensor mean, Tensor rstd) {
        enter();
        requireSameNumel(a, b);
        requireSameNumel(a, residual);
        requireSameNumel(a, out);
        int rows = a.rows(), cols = a.cols();
        args.reset().ptr(f32(a)).ptr(f32(b)).ptr(f32(residual)).ptr(f32(weight)).ptr(f32(bias)).f32(eps).i32(rows)
                .i32(cols).ptr(f32(out)).ptr(f32OrNull(mean)).ptr(f32OrNull(rstd));
        warpPerRow("residual_layernorm_forward_f32", rows);
    }

    @Override
    public void layerNormBackward(Tensor dout, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx,
                                  boolean accumulateDx, Tensor dweight, Tensor dbias) {
        enter();
        int rows = x.rows(), cols = x.cols();
        if (dx != null) {
            args.reset().ptr(f32(dout)).ptr(f32(x)).ptr(f32(weight)).ptr(f32(mean)).ptr(f32(rstd)).i32(rows).i32(cols)
                    .ptr(f32(dx)).i32(accumulateDx);
            warpPerRow("layernorm_backward_dx_f32", rows);
        }
        if ((dweight == null && dbias == null) || rows == 0) return;
        int chunk = rowsPerChunk(rows, cols), chunks = (rows + chunk - 1) / chunk;
        long partial = carve((long) chunks * 2 * cols * 4)[0];
        args.reset().ptr(f32(dout)).ptr(f32(x)).ptr(f32(mean)).ptr(f32(rstd)).i32(rows).i32(cols).i32(chunk).ptr(partial);
        launch("layernorm_param_grad_partial_f32", (cols + 31) / 32, chunks, 1, 32, 8, 1);
        if (dweight != null) {
            args.reset().ptr(partial).i32(chunks).i32(2 * cols).i32(cols).ptr(f32(dweight)).f32(1).f32(1);
            pointwise("col_sum_finish_f32", cols);
        }
        if (dbias != null) {
            args.reset().ptr(partial + cols * 4L).i32(chunks).i32(2 * cols).i32(cols).ptr(f32(dbias)).f32(1).f32(1);
            pointwise("col_sum_finish_f32", cols);
        }
    }

    @Override
    public void batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                 boolean training, float momentum, float eps, Tensor out, Tensor saveMean,
                                 Tensor saveInvStd) {
        enter();
        int n = x.dim(0), c = x.dim(1), hw = (int) (x.numel() / Math.max(1, (long) n * c));
        requireSameNumel(x, out);
        args.reset().ptr(f32(x)).ptr(f32(weight)).ptr(f32(bias)).ptr(f32(runningMean)).ptr(f32(runningVar))
                .i32(training).f32(momentum).f32(eps).i32(n).i32(c).i32(hw).ptr(f32(out)).ptr(f32(saveMean))
                .ptr(f32(saveInvStd));
        if (c > 0) launch("batchnorm_forward_f32", c, 1, 1, 1024, 1, 1);
    }

    @Override
    public void batchNormBackward(Tensor dout, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                                  boolean training, Tensor dx, Tensor dweight, Tensor dbias) {
        enter();
        int n = x.dim(0), c = x.dim(1), hw = (int) (x.numel() / Math.max(1, (long) n * c));
        args.reset().ptr(f32(dout)).ptr(f32(x)).ptr(f32(weight)).ptr(f32(saveMean)).ptr(f32(saveInvStd))
                .i32(training).i32(n).i32(c).i32(hw).ptr(f32(dx)).ptr(f32(dweight)).ptr(f32(dbias));
        if (c > 0) launch("batchnorm_backward_f32", c, 1, 1, 1024, 1, 1);
    }

    @Override
    public void l2NormalizeForward(Tensor x, Tensor out, Tensor norms) {
        enter();
        requireSameNumel(x, out);
        args.reset().ptr(f32(x)).i32(x.rows()).i32(x.cols()).ptr(f32(out)).ptr(f32(norms));
        warpPerRow("l2norm_forward_f32", x.rows());
    }

    @Override
    public void l2NormalizeBackward(Tensor dout, Tensor out, Tensor norms, Tensor dx, boolean accumulateDx) {
        enter();
        args.reset().ptr(f32(dout)).ptr(f32(out)).ptr(f32(norms)).i32(out.rows()).i32(out.cols()).ptr(f32(dx))
                .i32(accumulateDx);
        warpPerRow("l2norm_backward_f32", out.rows());
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void quickGeluForward(Tensor x, Tensor out) {
        enter();
        requireSameNumel(x, out);
        args.reset().i64(x.numel()).ptr(f32(x)).ptr(f32(out));
        pointwise("quickgelu_forward_f32", x.numel());
    }

    @Override
    public void quickGeluBackward(Tensor x, Tensor dout, Tensor dx) {
        enter();
        requireSameNumel(x, dx);
        args.reset().i64(x.numel()).ptr(f32(x)).ptr(f32(dout)).ptr(f32(dx));
        pointwise("quickgelu_backward_f32", x.numel());
    }

    @Override
    public void reluForward(Tensor x, Tensor out) {
        enter();
        requireSameNumel(x, out);
        args.reset().i64(x.numel()).ptr(f32(x)).ptr(f32(out));
        pointwise("relu_forward_f32", x.numel());
    }

    @Override
    public void reluBackward(Tensor out, Tensor dout, Tensor dx) {
        enter();
        requireSameNumel(out, dx);
        args.reset().i64(out.numel()).ptr(f32(out)).ptr(f32(dout)).ptr(f32(dx));
        pointwise("relu_backward_f32", out.numel());
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out) {
        enter();
        requireSameNumel(x, out);
        args.reset().ptr(f32(x)).i32(x.cols()).ptr(f32(out));
        if (x.rows() > 0) launch("softmax_rows_f32", x.rows(), 1, 1, 128, 1, 1);
    }

    // ---------------------------------------------------------------- attention

    /** The flash-style kernels keep only the log-sum-exp of each query's scores. */
    @Override
    public int[] attentionSavedShape(int batch, int heads, int seq) {
        return new int[] {batch, heads, seq};
    }

    private static final int HEAD_DIM = 64, TILE = 32;

    /** Checks the fused layout and returns the width; the kernels are written for head dim 64 (all CLIP models). */
    private static int attentionWidth(Tensor qkv, int batch, int seq, int heads) {
        int width = qkv.cols() / 3;
        if (qkv.cols() != 3 * width || qkv.rows() != batch * seq)
            throw new IllegalArgumentException("qkv " + qkv + " is not [" + batch + " * " + seq + ", 3 * width]");
        if (width != heads * HEAD_DIM)
            throw new UnsupportedOperationException("the CUDA attention kernels need head dim 64, got width " + width
                    + " / " + heads + " heads");
        return width;
    }

    /** F32 or BF16 qkv select the kernel variant; out and dout must match it, saved is always F32. */
    @Override
    public void attentionForward(Tensor qkv, Tensor out, Tensor saved, int batch, int seq, int heads, boolean causal) {
        enter();
        int width = attentionWidth(qkv, batch, seq, heads);
        DType type = qkv.dtype();
        requireShape(out, "attention out", batch * seq, width);
        requireShape(saved, "attention saved lse", batch, heads, seq);
        args.reset().ptr(ptr(qkv, type)).ptr(ptr(out, type)).ptr(f32(saved)).i32(seq).i32(heads).i32(causal);
        if (batch * seq > 0)
            launch("attention_forward_" + suffix(type), (seq + TILE - 1) / TILE, heads, batch, 128, 1, 1);
    }

    @Override
    public void attentionBackward(Tensor qkv, Tensor out, Tensor dout, Tensor saved, Tensor dqkv, int batch, int seq,
                                  int heads, boolean causal) {
        enter();
        int width = attentionWidth(qkv, batch, seq, heads);
        if (batch * seq == 0) return;
        DType type = qkv.dtype();
        requireShape(dqkv, "dqkv", batch * seq, 3 * width);
        long d = carve((long) batch * heads * seq * 4)[0];
        long rowsTimesHeads = (long) batch * seq * heads;
        args.reset().ptr(ptr(out, type)).ptr(ptr(dout, type)).ptr(d).i32(batch).i32(seq).i32(heads);
        launch("attention_backward_dot_" + suffix(type), (int) ((rowsTimesHeads + 7) / 8), 1, 1, BLOCK, 1, 1);
        for (String pass : new String[] {"attention_backward_dkv_", "attention_backward_dq_"}) {
            args.reset().ptr(ptr(qkv, type)).ptr(ptr(dout, type)).ptr(f32(saved)).ptr(d).ptr(ptr(dqkv, type)).i32(seq)
                    .i32(heads).i32(causal);
            launch(pass + suffix(type), (seq + TILE - 1) / TILE, heads, batch, 128, 1, 1);
        }
    }

    private static String suffix(DType t) {
        return switch (t) {
            case F32 -> "f32";
            case BF16 -> "bf16";
            default -> throw new IllegalArgumentException("attention on " + t);
        };
    }

    // ---------------------------------------------------------------- convolution and pooling

    @Override
    public void patchify(Tensor x, int patch, Tensor out) {
        enter();
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        requireShape(out, "patchify out", n * (h / patch) * (w / patch), c * patch * patch);
        args.reset().ptr(f32(x)).i32(n).i32(c).i32(h).i32(w).i32(patch).ptr(f32(out));
        pointwise("patchify_f32", out.numel());
    }

    @Override
    public void conv2dForward(Tensor x, Tensor weight, int stride, int padding, Tensor out) {
        enter();
        Cudnn.Conv conv = conv(x, weight, stride, padding);
        requireShape(out, "conv2d out", conv.n, conv.k, conv.ho, conv.wo);
        long ws = scratch(Math.max(256, conv.workspaceBytes()));
        setScalars(1, 0);
        conv.forward(cudnnHandle, f32(x), f32(weight), f32(out), ws, scalars);
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor weight, int stride, int padding, Tensor dout, Tensor dx, Tensor dweight) {
        enter();
        Cudnn.Conv conv = conv(x, weight, stride, padding);
        requireShape(dout, "conv2d dout", conv.n, conv.k, conv.ho, conv.wo);
        long ws = scratch(Math.max(256, conv.workspaceBytes()));
        if (dx != null) {
            requireSameNumel(x, dx);
            setScalars(1, 0);
            conv.backwardData(cudnnHandle, f32(weight), f32(dout), f32(dx), ws, scalars);
        }
        if (dweight != null) {
            requireSameNumel(weight, dweight);
            setScalars(1, 1);
            conv.backwardFilter(cudnnHandle, f32(x), f32(dout), f32(dweight), ws, scalars);
        }
    }

    private void setScalars(float alpha, float beta) {
        scalars.set(JAVA_FLOAT, 0, alpha);
        scalars.set(JAVA_FLOAT, 4, beta);
    }

    /** The cached cuDNN plan for this shape; cuDNN itself is loaded on the first convolution (ViTs never need it). */
    private Cudnn.Conv conv(Tensor x, Tensor weight, int stride, int padding) {
        if (x.rank() != 4 || weight.rank() != 4 || x.dim(1) != weight.dim(1))
            throw new IllegalArgumentException("conv2d of " + x + " with weight " + weight);
        if (cudnn == null) {
            cudnn = Cudnn.get();
            cudnnHandle = cudnn.create(stream);
        }
        ConvKey key = new ConvKey(x.dim(0), x.dim(1), x.dim(2), x.dim(3), weight.dim(0), weight.dim(2), weight.dim(3),
                stride, padding);
        return convs.computeIfAbsent(key, k -> cudnn.new Conv(cudnnHandle, k.n(), k.c(), k.h(), k.w(), k.k(), k.kh(),
                k.kw(), k.stride(), k.padding(), tf32));
    }

    @Override
    public void avgPoolForward(Tensor x, int k, Tensor out) {
        enter();
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        requireShape(out, "avgpool out", n, c, h / k, w / k);
        args.reset().ptr(f32(x)).i32(n * c).i32(h).i32(w).i32(k).ptr(f32(out));
        pointwise("avgpool_forward_f32", out.numel());
    }

    @Override
    public void avgPoolBackward(Tensor dout, int k, Tensor dx) {
        enter();
        int n = dx.dim(0), c = dx.dim(1), h = dx.dim(2), w = dx.dim(3);
        requireShape(dout, "avgpool dout", n, c, h / k, w / k);
        args.reset().ptr(f32(dout)).i32(n * c).i32(h).i32(w).i32(k).ptr(f32(dx));
        pointwise("avgpool_backward_f32", dx.numel());
    }

    @Override
    public void transpose12(Tensor x, Tensor out) {
        enter();
        if (x.rank() != 3) throw new IllegalArgumentException("transpose12 needs [n, a, b], got " + x);
        int n = x.dim(0), a = x.dim(1), b = x.dim(2);
        requireShape(out, "transpose12 out", n, b, a);
        args.reset().ptr(f32(x)).i32(a).i32(b).ptr(f32(out));
        if (x.numel() > 0) launch("transpose12_f32", (b + 31) / 32, (a + 31) / 32, n, 32, 8, 1);
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @Override
    public void embeddingForward(int[] ids, Tensor table, Tensor out) {
        gatherRows(table, ids, out);
    }

    @Override
    public void embeddingBackward(int[] ids, Tensor dout, Tensor dtable) {
        scatterAddRows(dout, ids, dtable);
    }

    @Override
    public void gatherRows(Tensor x, int[] rows, Tensor out) {
        enter();
        int cols = x.cols();
        checkIndices(rows, x.rows());
        requireShape(out, "gathered rows", rows.length, cols);
        if (rows.length == 0) return;
        args.reset().ptr(f32(x)).i32(cols).ptr(upload(rows)).i32(rows.length).ptr(f32(out));
        pointwise("gather_rows_f32", (long) rows.length * cols);
    }

    @Override
    public void scatterAddRows(Tensor dout, int[] rows, Tensor dx) {
        enter();
        int cols = dx.cols();
        checkIndices(rows, dx.rows());
        requireShape(dout, "scattered rows", rows.length, cols);
        if (rows.length == 0) return;
        // Group the positions by destination row (stable: ascending position within a row), so the kernel gives
        // each destination row one owner; see scatter_add_grouped_f32.
        long[] keyed = new long[rows.length];
        for (int i = 0; i < rows.length; i++) keyed[i] = (long) rows[i] << 32 | i;
        Arrays.sort(keyed);
        int unique = 0;
        for (int i = 0; i < keyed.length; i++)
            if (i == 0 || (keyed[i] >>> 32) != (keyed[i - 1] >>> 32)) unique++;
        // One upload: uniq [unique] | start [unique + 1] | pos [n].
        int[] groups = new int[2 * unique + 1 + rows.length];
        int u = 0;
        for (int i = 0; i < keyed.length; i++) {
            if (i == 0 || (keyed[i] >>> 32) != (keyed[i - 1] >>> 32)) {
                groups[u] = (int) (keyed[i] >>> 32);
                groups[unique + u] = i;
                u++;
            }
            groups[2 * unique + 1 + i] = (int) keyed[i];
        }
        groups[2 * unique] = rows.length;
        long dev = upload(groups);
        args.reset().ptr(f32(dout)).i32(cols).ptr(dev).ptr(dev + 4L * unique).ptr(dev + 4L * (2 * unique + 1))
                .i32(unique).ptr(f32(dx));
        pointwise("scatter_add_grouped_f32", (long) unique * cols);
    }

    private static void checkIndices(int[] idx, int limit) {
        for (int i : idx)
            if (i < 0 || i >= limit) throw new IndexOutOfBoundsException("row index " + i + " outside [0, " + limit + ")");
    }

    // ---------------------------------------------------------------- losses

    @Override
    public ContrastiveResult contrastiveLoss(Tensor a, Tensor b, float scale, Tensor da, Tensor db, float gradWeight) {
        enter();
        if (!a.sameShape(b) || a.rank() != 2) throw new IllegalArgumentException("contrastive loss of " + a + " and " + b);
        int n = a.rows(), e = a.cols();
        if (n == 0) return new ContrastiveResult(0, 0);
        long nn = (long) n * n;
        long[] p = carve(nn * 4, nn * 4, n * 4L, n * 4L, n * 4L, 16);
        long logits = p[0], grad = p[1], lseRow = p[2], lseCol = p[3], hit = p[4], out = p[5];
        gemm(1, false, true, n, n, e, f32(a), Cublas.R_32F, 0, f32(b), Cublas.R_32F, 0, logits, Cublas.R_32F, 0, scale, 0);
        args.reset().ptr(logits).i32(n).ptr(lseRow).ptr(hit);
        launch("contrastive_row_stats_f32", n, 1, 1, BLOCK, 1, 1);
        args.reset().ptr(logits).i32(n).ptr(lseCol);
        launch("contrastive_col_stats_f32", n, 1, 1, BLOCK, 1, 1);
        args.reset().ptr(logits).ptr(lseRow).ptr(lseCol).ptr(hit).i32(n).ptr(out);
        launch("contrastive_loss_sum", 1, 1, 1, BLOCK, 1, 1);
        if (da != null || db != null) {
            // dLoss/dlogits, then logits = scale a b^T gives da += scale G b and db += scale G^T a.
            args.reset().ptr(logits).ptr(lseRow).ptr(lseCol).i32(n).f32(gradWeight / (2f * n)).ptr(grad);
            pointwise("contrastive_grad_f32", nn);
            if (da != null)
                gemm(1, false, false, n, e, n, grad, Cublas.R_32F, 0, f32(b), Cublas.R_32F, 0, f32(da), Cublas.R_32F, 0, scale, 1);
            if (db != null)
                gemm(1, true, false, n, e, n, grad, Cublas.R_32F, 0, f32(a), Cublas.R_32F, 0, f32(db), Cublas.R_32F, 0, scale, 1);
        }
        double[] r = readDoubles(out, 2);
        return new ContrastiveResult(r[0] / (2.0 * n), (int) Math.round(r[1]));
    }

    @Override
    public double squaredDistanceMean(Tensor a, Tensor b, Tensor da, float gradWeight) {
        enter();
        requireSameNumel(a, b);
        int rows = a.rows();
        long n = a.numel();
        if (n == 0) return 0;
        int blocks = (int) Math.min((n + BLOCK - 1) / BLOCK, 4L * smCount);
        long[] p = carve(blocks * 8L, 8);
        args.reset().ptr(f32(a)).ptr(f32(b)).i64(n).ptr(f32OrNull(da)).f32(2f * gradWeight / rows).ptr(p[0]);
        launch("sqdist_partial_f32", blocks, 1, 1, BLOCK, 1, 1);
        return sumDoubles(p[0], blocks, p[1])[0] / rows;
    }

    // ---------------------------------------------------------------- optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, float gradScale, int step) {
        adamw(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, gradScale, step, null);
    }

    /**
     * {@link #adamw} that also writes the updated weights as BF16 into {@code paramBf16} (when not null): the copy a
     * mixed-precision forward pass reads, made in the same pass over memory.
     */
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, float gradScale, int step, Tensor paramBf16) {
        enter();
        requireSameNumel(param, grad);
        requireSameNumel(param, m);
        requireSameNumel(param, v);
        if (paramBf16 != null) requireSameNumel(param, paramBf16);
        if (step < 1) throw new IllegalArgumentException("AdamW step counts from 1, got " + step);
        // Step scalars in double on the host, rounded once, as torch computes them (Python floats).
        float decay = Backend.adamwDecay(lr, weightDecay);
        float stepSize = (float) (lr / (1.0 - Math.pow(beta1, step)));
        float invBc2Sqrt = (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, step)));
        args.reset().i64(param.numel()).ptr(f32(param)).ptr(f32(grad)).ptr(f32(m)).ptr(f32(v)).f32(decay).f32(beta1)
                .f32(beta2).f32(eps).f32(gradScale).f32(stepSize).f32(invBc2Sqrt)
                .ptr(paramBf16 == null ? 0L : ptr(paramBf16, DType.BF16));
        pointwise("adamw_f32", param.numel());
    }

    // ---------------------------------------------------------------- timing and graphs

    /** GPU time of the work {@code body} queues, in milliseconds (CUDA events around it on the stream). */
    public float timeMillis(Runnable body) {
        enter();
        if (eventStart == null) {
            eventStart = driver.eventCreate();
            eventEnd = driver.eventCreate();
        }
        driver.eventRecord(eventStart, stream);
        body.run();
        driver.eventRecord(eventEnd, stream);
        driver.eventSynchronize(eventEnd);
        return driver.eventElapsedMillis(eventStart, eventEnd);
    }

    /**
     * Records the ops {@code body} queues into a CUDA graph, to be replayed with one launch (it removes the per-op
     * launch overhead of a training step). Recorded ops keep their device addresses and arguments. The body must
     * only queue device work: run it once uncaptured first so buffers are allocated, and keep out ops that take
     * host indices (embeddings, gathers) or return host values (losses, sumOfSquares), which synchronise — the
     * capture then fails with a CUDA error.
     */
    public Graph capture(Runnable body) {
        enter();
        int generation = scratchGeneration;
        driver.beginCapture(stream, Driver.CAPTURE_MODE_GLOBAL);
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            try {
                driver.graphDestroy(driver.endCapture(stream));
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        MemorySegment graph = driver.endCapture(stream);
        try {
            return new Graph(driver.graphInstantiate(graph), generation);
        } finally {
            driver.graphDestroy(graph);
        }
    }

    /** An instantiated CUDA graph of this backend's ops. */
    public final class Graph implements AutoCloseable {
        private final MemorySegment exec;
        private final int generation;
        private boolean destroyed;

        private Graph(MemorySegment exec, int generation) {
            this.exec = exec;
            this.generation = generation;
        }

        /** Queues the recorded ops (asynchronous like every op). */
        public void launch() {
            enter();
            if (destroyed) throw new IllegalStateException("graph closed");
            if (generation != scratchGeneration)
                throw new IllegalStateException("the backend's scratch memory was reallocated after this graph was "
                        + "captured; capture it again");
            driver.graphLaunch(exec, stream);
        }

        @Override
        public void close() {
            if (destroyed || closed) return;
            enter();
            driver.graphExecDestroy(exec);
            destroyed = true;
        }
    }
}
