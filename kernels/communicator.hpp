// The communicator interface: gradient all-reduce, broadcast and barrier across all devices of a run.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "kernels/device.hpp"

namespace scalebench {

// An all-reduce in flight.
using RequestId = int;

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual std::string name() const = 0;  // "mpi", "nccl", "rccl"
  // Devices taking part in all-reduces, over all processes (ddp: processes; mirrored:
  // processes x local devices).
  virtual int participants() const = 0;
  // The n of busbw = algbw * 2(n-1)/n: the ranks that exchange data in the all-reduce. NCCL and
  // RCCL: every device; MPI: the processes (a process's own replicas are summed in memory first).
  virtual int wire_participants() const { return participants(); }
  // The all-reduce algorithm, as recorded in results: "ring" (the MPI communicator's own),
  // "nccl-auto" (NCCL's tuner picks per size) or "nccl:<NCCL_ALGO>" when the user forced one.
  virtual std::string algorithm() const = 0;

  // Starts a sum all-reduce of `count` fp32 values, in place, over the buffers of this
  // process's devices (one per local device, same order as `devices`) and those of every other
  // process. It is ordered after all work already issued on each device; on a GPU it runs on a
  // communication stream so that compute issued later overlaps it. The MPI communicator also
  // takes plain host buffers with an empty `devices`.
  virtual RequestId allreduce_async(std::span<float* const> buffers, std::size_t count,
                                    std::span<Device* const> devices) = 0;
  // Lets outstanding requests advance without blocking (MPI needs calls to make progress).
  virtual void progress() {}
  // Completes a request: afterwards every buffer holds the sum and work issued on the devices
  // is ordered after it. Throws TimeoutError past the communicator's timeout.
  virtual void wait(RequestId request) = 0;

  // Blocking helpers, also bounded by the timeout.
  virtual void broadcast(void* host_data, std::size_t bytes, int root) = 0;
  virtual void barrier() = 0;
};

}  // namespace scalebench
