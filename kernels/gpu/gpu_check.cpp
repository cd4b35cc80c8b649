// The GPU check macros' error path: one exception, one line, naming library, call and place.
#include "kernels/gpu/gpu_check.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"

namespace scalebench::gpu {

void throw_gpu_error(const char* library, const char* call, const std::string& message,
                     const char* file, int line) {
  throw RunError(fmt::format("{} error at {}:{}: {}: {}", library, file, line, call, message));
}

void throw_runtime_error(gpuError_t rc, const char* call, const char* file, int line) {
  // Clear a sticky launch error so the next check reports its own failure.
  (void)gpuGetLastError();
  throw_gpu_error(GPU_RUNTIME_NAME, call,
                  fmt::format("{} ({})", gpuGetErrorString(rc), gpuGetErrorName(rc)), file, line);
}

#if defined(SCALEBENCH_HAVE_GPU_BLAS) && SCALEBENCH_HAVE_GPU_BLAS
void throw_blas_error(gpublasStatus_t rc, const char* call, const char* file, int line) {
  throw_gpu_error(GPU_BLAS_NAME, call, fmt::format("{} (status {})", gpublasGetStatusString(rc), int(rc)),
                  file, line);
}
#endif

#if defined(SCALEBENCH_HAVE_NCCL) && SCALEBENCH_HAVE_NCCL
void throw_nccl_error(ncclResult_t rc, const char* call, const char* file, int line) {
  throw_gpu_error(GPU_NCCL_NAME, call, fmt::format("{} (result {})", ncclGetErrorString(rc), int(rc)),
                  file, line);
}
#endif

}  // namespace scalebench::gpu
