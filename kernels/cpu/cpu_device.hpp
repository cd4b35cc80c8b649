// The CPU backend: GEMMs through the BLAS library (OpenBLAS), memory passes as OpenMP loops.
#pragma once

#include <memory>

#include "kernels/device.hpp"

namespace scalebench {

std::unique_ptr<Device> make_cpu_device(Precision precision);

}  // namespace scalebench
