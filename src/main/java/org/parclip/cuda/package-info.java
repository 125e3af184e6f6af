/**
 * The CUDA backend: {@link org.parclip.cuda.CudaBackend} implements {@link org.parclip.tensor.Backend} on one
 * NVIDIA GPU (compute capability 8.0+).
 *
 * <p>Layout: the kernels are CUDA C++ in {@code kernels/} (one file per op family, forward and backward side by
 * side); {@code native/Makefile} compiles them, when nvcc is present, into one fatbin (sm_80, sm_90, compute_90
 * PTX) that the jar carries as {@code org/parclip/cuda/parclip.fatbin}. A build without nvcc has no kernels and
 * {@link org.parclip.cuda.CudaBackend#isAvailable()} says so.
 *
 * <p>Design decision: every CUDA library is bound through java.lang.foreign (no JNI, no JCuda) and found at run
 * time, CUDA 12 or 13 alike: libcuda.so.1 (driver API: context, module, launches, memory, streams, events,
 * graphs), libcublas / libcublasLt .so.13 or .12 (GEMMs), libcudnn.so.9 (ResNet convolutions, loaded on first
 * use). JCuda's natives (12.6) link libcublas.so.12, which the CUDA-13-only GPU machines lack. See
 * {@link org.parclip.cuda.CudaLibraries} for the search path ({@code PARCLIP_CUDA_LIB_PATH} first; a PyTorch
 * virtualenv's pip-installed NVIDIA libraries are found too).
 *
 * <p>Testing: the tests in this package compare every op with the CPU backend and skip, with the reason, where no
 * GPU is usable. {@code make gpu-bundle} packs a Java runtime, the jar and the tests into {@code dist/}, whose
 * {@code gpu-run.sh} runs them on a GPU machine that has no JDK.
 */
package org.parclip.cuda;
