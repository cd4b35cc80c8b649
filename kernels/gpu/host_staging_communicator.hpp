// GPU runs without NCCL/RCCL: gradients staged through host memory and all-reduced with MPI.
// Correct but slow (no overlap with compute, two PCIe copies per bucket); builds without NCCL
// use it so that GPU runs still work.
#pragma once

#include <mpi.h>

#include <chrono>
#include <span>
#include <vector>

#include "kernels/communicator.hpp"

namespace scalebench {

class HostStagingCommunicator final : public Communicator {
 public:
  HostStagingCommunicator(MPI_Comm comm, std::span<Device* const> local_devices, double timeout_s);

  std::string name() const override { return "mpi-host-staging"; }
  int participants() const override { return size_ * int(devices_.size()); }
  RequestId allreduce_async(std::span<float* const> buffers, std::size_t count,
                            std::span<Device* const> devices) override;
  void progress() override;
  void wait(RequestId request) override;
  void broadcast(void* host_data, std::size_t bytes, int root) override;
  void barrier() override;

 private:
  struct Pending {
    MPI_Request request = MPI_REQUEST_NULL;
    std::vector<float*> buffers;
    std::vector<float> host;  // the local devices' sum, then the global one
    bool active = false;
  };

  MPI_Comm comm_;
  int size_ = 1;
  std::vector<Device*> devices_;
  std::chrono::duration<double> timeout_;
  std::vector<Pending> pending_;
};

}  // namespace scalebench
