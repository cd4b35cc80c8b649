// Which communicator GPU runs use: NCCL/RCCL when the build found it, else host-staged MPI.
#include <string>

#include "kernels/gpu/gpu_device.hpp"
#include "kernels/gpu/gpu_runtime.h"
#include "kernels/gpu/host_staging_communicator.hpp"
#if SCALEBENCH_HAVE_NCCL
#include "kernels/gpu/nccl_communicator.hpp"
#endif

namespace scalebench {

std::unique_ptr<Communicator> make_gpu_communicator(MPI_Comm comm, std::span<Device* const> local_devices,
                                                    double timeout_s) {
#if SCALEBENCH_HAVE_NCCL
  return std::make_unique<NcclCommunicator>(comm, local_devices, timeout_s);
#else
  return std::make_unique<HostStagingCommunicator>(comm, local_devices, timeout_s);
#endif
}

std::string_view gpu_communicator_name() {
#if SCALEBENCH_HAVE_NCCL
  return GPU_NCCL_NAME;
#else
  return "mpi-host-staging";
#endif
}

std::string gpu_communicator_version() {
#if SCALEBENCH_HAVE_NCCL
  int v = 0;
  if (ncclGetVersion(&v) != ncclSuccess) return "unknown";
  // NCCL_VERSION(X,Y,Z) = X*10000 + Y*100 + Z since 2.9 (X*1000 + Y*100 + Z before).
  return v >= 10000 ? std::to_string(v / 10000) + "." + std::to_string((v / 100) % 100) + "." + std::to_string(v % 100)
                    : std::to_string(v / 1000) + "." + std::to_string((v / 100) % 10) + "." + std::to_string(v % 100);
#else
  return "";
#endif
}

}  // namespace scalebench
