// Communicator selection. GPU communicators come from kernels/gpu when that backend is built.
#include "kernels/communicator_factory.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"
#include "kernels/mpi/mpi_communicator.hpp"
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
#include "kernels/gpu/gpu_device.hpp"
#endif

namespace scalebench {

std::unique_ptr<Communicator> make_communicator(std::string_view backend, MPI_Comm comm,
                                                std::span<Device* const> local_devices,
                                                double timeout_s) {
  if (backend == "cpu") {
    return std::make_unique<MpiCommunicator>(comm, int(local_devices.size()), timeout_s);
  }
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
  return make_gpu_communicator(comm, local_devices, timeout_s);
#else
  throw UsageError(fmt::format("no communicator for backend '{}' in this build", backend));
#endif
}

}  // namespace scalebench
