package org.parclip.cuda;

import org.parclip.tensor.DType;
import org.parclip.tensor.Storage;

/**
 * A block of device memory owned by one {@link CudaBackend}. It is freed when it becomes unreachable (the backend
 * frees it at its next allocation, see CudaBackend) or when the backend closes.
 */
final class CudaStorage implements Storage {
    final CudaBackend owner;
    /** Device address of element 0. */
    final long ptr;
    private final long capacity;
    private final DType dtype;

    CudaStorage(CudaBackend owner, long ptr, long capacity, DType dtype) {
        this.owner = owner;
        this.ptr = ptr;
        this.capacity = capacity;
        this.dtype = dtype;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public DType dtype() {
        return dtype;
    }
}
