// The CPU backend: GEMMs through the BLAS library (OpenBLAS, FlexiBLAS, BLIS, any CBLAS), memory
// passes as OpenMP loops.
#pragma once

#include <memory>
#include <string>

#include "kernels/device.hpp"

namespace scalebench {

std::unique_ptr<Device> make_cpu_device(Precision precision);

// The host CPU's model name from /proc/cpuinfo ("unknown CPU" when it cannot be read).
std::string cpu_model_name();

// Threads for BLAS and the memory passes of this process. Unless the user set OMP_NUM_THREADS
// (or OPENBLAS_, BLIS_, FLEXIBLAS_NUM_THREADS), ranks sharing a node split its cores instead of
// oversubscribing them.
void configure_cpu_threads(int processes_on_node);
int cpu_threads();

}  // namespace scalebench
