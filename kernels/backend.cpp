// Backend registry: one explicit list, no static registration.
#include "kernels/backend.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kernels/cpu/cpu_device.hpp"
#include "records/errors.hpp"
#include "records/vocabulary.hpp"
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
#include "kernels/gpu/gpu_device.hpp"
#endif

namespace scalebench {

std::vector<std::string> built_backends() {
  std::vector<std::string> names;
#if defined(SCALEBENCH_HAVE_CUDA)
  names.push_back("cuda");
#endif
#if defined(SCALEBENCH_HAVE_HIP)
  names.push_back("hip");
#endif
  names.push_back("cpu");
  return names;
}

int visible_devices(std::string_view backend) {
  if (backend == "cpu") return 1;
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
  if (backend == kGpuBackendName) return gpu_device_count();
#endif
  return 0;
}

std::string best_backend() {
  for (const std::string& name : built_backends()) {
    if (visible_devices(name) > 0) return name;
  }
  return "cpu";
}

std::unique_ptr<Device> make_device(std::string_view backend, Precision precision,
                                    int device_index) {
  if (!vocabulary::is_one_of(backend, vocabulary::kBackends)) {
    throw UsageError(fmt::format("unknown backend '{}' (valid: {})", backend,
                                 vocabulary::joined(vocabulary::kBackends)));
  }
  const auto built = built_backends();
  if (std::find(built.begin(), built.end(), backend) == built.end()) {
    throw UsageError(fmt::format(
        "backend '{}' was not built into this scalebench (built: {}); rebuild on a machine with "
        "the {} toolkit to use it",
        backend, fmt::join(built, ", "), backend == "cuda" ? "CUDA" : "ROCm/HIP"));
  }
  if (backend == "cpu") return make_cpu_device(precision);
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
  return make_gpu_device(precision, device_index);
#else
  (void)device_index;
  throw UsageError(fmt::format("backend '{}' is not available", backend));
#endif
}

}  // namespace scalebench
