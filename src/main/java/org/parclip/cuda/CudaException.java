package org.parclip.cuda;

/**
 * A CUDA, cuBLAS or cuDNN call failed, or a library could not be found. The message names the call and the
 * library's own name for the error (e.g. {@code cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (out of memory)}).
 */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaException(String message) {
        super(message);
    }
}
