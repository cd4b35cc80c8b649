// Choosing the communicator for a backend: MPI for the CPU, NCCL/RCCL for GPUs.
#pragma once

#include <mpi.h>

#include <memory>
#include <span>
#include <string_view>

#include "kernels/communicator.hpp"

namespace scalebench {

std::unique_ptr<Communicator> make_communicator(std::string_view backend, MPI_Comm comm,
                                                std::span<Device* const> local_devices,
                                                double timeout_s);

}  // namespace scalebench
