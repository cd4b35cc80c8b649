// Host-staged MPI all-reduce for GPU builds without NCCL/RCCL: copy each local device's buffer
// to the host, add the local copies, MPI_Iallreduce, copy the sum back on wait.
#include "kernels/gpu/host_staging_communicator.hpp"

#include <fmt/format.h>

#include "kernels/errors.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

HostStagingCommunicator::HostStagingCommunicator(MPI_Comm comm, std::span<Device* const> local_devices,
                                                 double timeout_s)
    : comm_(comm), devices_(local_devices.begin(), local_devices.end()), timeout_(timeout_s) {
  if (devices_.empty()) throw RunError("host-staging communicator: no local devices");
  CHECK_MPI(MPI_Comm_size(comm_, &size_));
}

RequestId HostStagingCommunicator::allreduce_async(std::span<float* const> buffers, std::size_t count,
                                                   std::span<Device* const> devices) {
  if (buffers.size() != devices_.size() || devices.size() != devices_.size()) {
    throw RunError(fmt::format("host-staging communicator: {} buffers for {} local devices",
                               buffers.size(), devices_.size()));
  }
  Pending p;
  p.buffers.assign(buffers.begin(), buffers.end());
  p.host.resize(count);
  std::vector<float> other;
  for (std::size_t d = 0; d < devices.size(); ++d) {
    // to_host waits for the work already issued on the device: the bucket is complete.
    float* target = d == 0 ? p.host.data() : (other.resize(count), other.data());
    devices[d]->to_host(target, buffers[d], count * sizeof(float));
    if (d > 0) {
      for (std::size_t i = 0; i < count; ++i) p.host[i] += other[i];
    }
  }
  p.active = true;
  CHECK_MPI(MPI_Iallreduce(MPI_IN_PLACE, p.host.data(), int(count), MPI_FLOAT, MPI_SUM, comm_, &p.request));
  pending_.push_back(std::move(p));
  return RequestId(pending_.size() - 1);
}

void HostStagingCommunicator::progress() {
  for (Pending& p : pending_) {
    if (!p.active || p.request == MPI_REQUEST_NULL) continue;
    int done = 0;
    CHECK_MPI(MPI_Test(&p.request, &done, MPI_STATUS_IGNORE));
  }
}

void HostStagingCommunicator::wait(RequestId id) {
  if (id < 0 || std::size_t(id) >= pending_.size() || !pending_[id].active) {
    throw RunError(fmt::format("host-staging communicator: unknown request {}", id));
  }
  Pending& p = pending_[id];
  wait_with_deadline(p.request, timeout_, fmt::format("all-reduce of {} bytes", p.host.size() * 4));
  for (std::size_t d = 0; d < devices_.size(); ++d) {
    devices_[d]->from_host(p.buffers[d], p.host.data(), p.host.size() * sizeof(float));
  }
  p.active = false;
  p.host = {};
  bool any_active = false;
  for (const Pending& q : pending_) any_active = any_active || q.active;
  if (!any_active) pending_.clear();
}

void HostStagingCommunicator::broadcast(void* host_data, std::size_t bytes, int root) {
  MPI_Request request;
  CHECK_MPI(MPI_Ibcast(host_data, int(bytes), MPI_BYTE, root, comm_, &request));
  wait_with_deadline(request, timeout_, "broadcast");
}

void HostStagingCommunicator::barrier() {
  MPI_Request request;
  CHECK_MPI(MPI_Ibarrier(comm_, &request));
  wait_with_deadline(request, timeout_, "barrier");
}

}  // namespace scalebench
