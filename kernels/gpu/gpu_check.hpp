// Check macros for the GPU runtime, BLAS and NCCL/RCCL: each failure throws RunError carrying
// file, line, the call and the library's own message.
#pragma once

#include <string>

#include "kernels/gpu/gpu_runtime.h"

namespace scalebench::gpu {

[[noreturn]] void throw_gpu_error(const char* library, const char* call, const std::string& message,
                                  const char* file, int line);

[[noreturn]] void throw_runtime_error(gpuError_t rc, const char* call, const char* file, int line);
#if defined(SCALEBENCH_HAVE_GPU_BLAS) && SCALEBENCH_HAVE_GPU_BLAS
[[noreturn]] void throw_blas_error(gpublasStatus_t rc, const char* call, const char* file, int line);
#endif
#if defined(SCALEBENCH_HAVE_NCCL) && SCALEBENCH_HAVE_NCCL
[[noreturn]] void throw_nccl_error(ncclResult_t rc, const char* call, const char* file, int line);
#endif

}  // namespace scalebench::gpu

// CUDA or HIP runtime call (the name follows STYLE.md; the shim makes it HIP on AMD).
#define CHECK_CUDA(call)                                                                   \
  do {                                                                                     \
    const gpuError_t check_cuda_rc_ = (call);                                              \
    if (check_cuda_rc_ != gpuSuccess)                                                      \
      ::scalebench::gpu::throw_runtime_error(check_cuda_rc_, #call, __FILE__, __LINE__);   \
  } while (0)

// After a kernel launch: launch-configuration errors surface here, not at the next call.
#define CHECK_LAUNCH() CHECK_CUDA(gpuGetLastError())

#define CHECK_BLAS(call)                                                                   \
  do {                                                                                     \
    const gpublasStatus_t check_blas_rc_ = (call);                                         \
    if (check_blas_rc_ != GPUBLAS_STATUS_SUCCESS)                                          \
      ::scalebench::gpu::throw_blas_error(check_blas_rc_, #call, __FILE__, __LINE__);      \
  } while (0)

#define CHECK_NCCL(call)                                                                   \
  do {                                                                                     \
    const ncclResult_t check_nccl_rc_ = (call);                                            \
    if (check_nccl_rc_ != ncclSuccess)                                                     \
      ::scalebench::gpu::throw_nccl_error(check_nccl_rc_, #call, __FILE__, __LINE__);      \
  } while (0)
