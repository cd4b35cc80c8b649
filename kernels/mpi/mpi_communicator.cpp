// MPI all-reduce of host gradient buffers, bounded by the run's timeout.
#include "kernels/mpi/mpi_communicator.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

MpiCommunicator::MpiCommunicator(MPI_Comm comm, int local_devices, double timeout_s)
    : comm_(comm), local_devices_(local_devices), timeout_(timeout_s) {
  CHECK_MPI(MPI_Comm_size(comm_, &size_));
}

RequestId MpiCommunicator::allreduce_async(std::span<float* const> buffers, std::size_t count,
                                           std::span<Device* const> devices) {
  if (buffers.size() != std::size_t(local_devices_) ||
      (!devices.empty() && devices.size() != buffers.size())) {
    throw RunError(fmt::format("mpi communicator: {} buffers for {} local devices", buffers.size(),
                               local_devices_));
  }
  for (Device* d : devices) {
    if (d->native_stream() != nullptr) {
      throw RunError("mpi communicator: host buffers only (GPU runs use NCCL/RCCL)");
    }
  }
  // Reduce the local replicas into the first buffer (MirroredStrategy's in-node reduction).
  float* sum = buffers[0];
  for (std::size_t j = 1; j < buffers.size(); ++j) {
    const float* other = buffers[j];
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < count; ++i) sum[i] += other[i];
  }
  Pending p;
  p.buffers.assign(buffers.begin(), buffers.end());
  p.count = count;
  p.active = true;
  CHECK_MPI(MPI_Iallreduce(MPI_IN_PLACE, sum, int(count), MPI_FLOAT, MPI_SUM, comm_, &p.request));
  pending_.push_back(std::move(p));
  return RequestId(pending_.size() - 1);
}

void MpiCommunicator::progress() {
  for (Pending& p : pending_) {
    if (!p.active || p.request == MPI_REQUEST_NULL) continue;
    int done = 0;
    CHECK_MPI(MPI_Test(&p.request, &done, MPI_STATUS_IGNORE));
  }
}

void MpiCommunicator::wait(RequestId id) {
  if (id < 0 || std::size_t(id) >= pending_.size() || !pending_[id].active) {
    throw RunError(fmt::format("mpi communicator: unknown request {}", id));
  }
  Pending& p = pending_[id];
  wait_with_deadline(p.request, timeout_, fmt::format("all-reduce of {} bytes", p.count * 4));
  for (std::size_t j = 1; j < p.buffers.size(); ++j) {
    std::memcpy(p.buffers[j], p.buffers[0], p.count * sizeof(float));
  }
  p.active = false;
  if (std::none_of(pending_.begin(), pending_.end(), [](const Pending& q) { return q.active; })) {
    pending_.clear();
  }
}

void MpiCommunicator::broadcast(void* host_data, std::size_t bytes, int root) {
  MPI_Request request;
  CHECK_MPI(MPI_Ibcast(host_data, int(bytes), MPI_BYTE, root, comm_, &request));
  wait_with_deadline(request, timeout_, "broadcast");
}

void MpiCommunicator::barrier() {
  MPI_Request request;
  CHECK_MPI(MPI_Ibarrier(comm_, &request));
  wait_with_deadline(request, timeout_, "barrier");
}

}  // namespace scalebench
