// The NCCL communicator (RCCL on HIP, same source): one NCCL rank per local device, bucket
// all-reduces on a communication stream per device, bounded waits that abort a hung collective.
#pragma once

#include <mpi.h>

#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "kernels/communicator.hpp"

namespace scalebench {

class NcclCommunicator final : public Communicator {
 public:
  // Bootstraps over `comm`: rank 0 makes the ncclUniqueId and broadcasts it; every process then
  // creates one NCCL rank per local device in one group call. Every process must bring the same
  // number of devices.
  NcclCommunicator(MPI_Comm comm, std::span<Device* const> local_devices, double timeout_s);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  std::string name() const override;
  std::string algorithm() const override;
  int participants() const override { return participants_; }
  RequestId allreduce_async(std::span<float* const> buffers, std::size_t count,
                            std::span<Device* const> devices) override;
  void wait(RequestId request) override;
  void broadcast(void* host_data, std::size_t bytes, int root) override;
  void barrier() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int participants_ = 1;
};

}  // namespace scalebench
