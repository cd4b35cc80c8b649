// The GPU backend (CUDA, or HIP from the same source): devices and the communicator of GPU runs.
// Plain C++: includes no vendor header, so backend.cpp and the harness can include it.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kernels/communicator.hpp"
#include "kernels/device.hpp"

namespace scalebench {

#if defined(SCALEBENCH_HAVE_HIP)
inline constexpr std::string_view kGpuBackendName = "hip";
#else
inline constexpr std::string_view kGpuBackendName = "cuda";
#endif

// GPUs visible to this process (0 without a driver or device; never throws).
int gpu_device_count();

// Throws UsageError for an index that is not visible, a precision the GPU cannot run (bf16 and
// tf32 need sm_80+, fp16 sm_60+; on AMD tf32 needs gfx942+), or a GPU this binary has no code
// for; all before any work is issued.
std::unique_ptr<Device> make_gpu_device(Precision precision, int index);

// NCCL (RCCL on HIP) when the build found it, else MPI with host staging. One rank per local
// device: `local_devices` are this process's devices (ddp: one; mirrored: all of the node's).
std::unique_ptr<Communicator> make_gpu_communicator(MPI_Comm comm,
                                                    std::span<Device* const> local_devices,
                                                    double timeout_s);

// Name of the communicator make_gpu_communicator returns in this build ("nccl", "rccl" or
// "mpi-host-staging").
std::string_view gpu_communicator_name();
// Its library version ("2.28.9"), empty for the host-staging communicator.
std::string gpu_communicator_version();

// What a GPU device offers beyond the Device interface (graphs are in Device itself).
class GpuDeviceExtras {
 public:
  virtual ~GpuDeviceExtras() = default;
  // Device time of the work `issue` puts on the device's stream, from events recorded around it
  // (waits for the work to finish).
  virtual double time_ms(const std::function<void()>& issue) = 0;
  // Bytes held in device allocations by this device object now and at most so far.
  virtual std::int64_t allocated_bytes() const = 0;
  virtual std::int64_t peak_allocated_bytes() const = 0;
};

// The extras of a device made by make_gpu_device, or nullptr for any other device.
GpuDeviceExtras* gpu_extras(Device& device);

}  // namespace scalebench
