// GPU runs without NCCL/RCCL: gradients staged through host memory and all-reduced with MPI.
// Correct but slow (no overlap with compute, two PCIe copies per bucket); builds without NCCL
// use it so that GPU runs still work. The MPI side is the CPU backend's MpiCommunicator.
#pragma once

#include <mpi.h>

#include <span>
#include <vector>

#include "kernels/communicator.hpp"
#include "kernels/mpi/mpi_communicator.hpp"

namespace scalebench {

class HostStagingCommunicator final : public Communicator {
 public:
  HostStagingCommunicator(MPI_Comm comm, std::span<Device* const> local_devices, double timeout_s);

  std::string name() const override { return "mpi-host-staging"; }
  int participants() const override { return host_.participants() * int(devices_.size()); }
  int wire_participants() const override { return host_.wire_participants(); }
  std::string algorithm() const override { return host_.algorithm(); }
  RequestId allreduce_async(std::span<float* const> buffers, std::size_t count,
                            std::span<Device* const> devices) override;
  void progress() override { host_.progress(); }
  void wait(RequestId request) override;
  void broadcast(void* host_data, std::size_t bytes, int root) override {
    host_.broadcast(host_data, bytes, root);
  }
  void barrier() override { host_.barrier(); }

 private:
  struct Staged {
    std::vector<float*> buffers;  // the local devices' gradient buffers
    std::vector<float> host;      // their sum, then the global one
    RequestId host_request = -1;
    bool active = false;
  };

  std::vector<Device*> devices_;
  MpiCommunicator host_;  // one host buffer per process
  std::vector<Staged> staged_;
};

}  // namespace scalebench
