// The MPI communicator: MPI_Iallreduce over host buffers (the CPU backend), with the
// reduction among a process's local replicas done in memory first.
#pragma once

#include <mpi.h>

#include <chrono>
#include <vector>

#include "kernels/communicator.hpp"

namespace scalebench {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(MPI_Comm comm, int local_devices, double timeout_s);

  std::string name() const override { return "mpi"; }
  int participants() const override { return size_ * local_devices_; }
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
    std::size_t count = 0;
    bool active = false;
  };

  MPI_Comm comm_;
  int size_ = 1;
  int local_devices_ = 1;
  std::chrono::duration<double> timeout_;
  std::vector<Pending> pending_;
};

}  // namespace scalebench
