// Host-staged MPI all-reduce for GPU builds without NCCL/RCCL: copy each local device's buffer
// to the host, add the local copies, all-reduce through MpiCommunicator, copy the sum back on wait.
#include "kernels/gpu/host_staging_communicator.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "records/errors.hpp"

namespace scalebench {

HostStagingCommunicator::HostStagingCommunicator(MPI_Comm comm,
                                                 std::span<Device* const> local_devices,
                                                 double timeout_s)
    : devices_(local_devices.begin(), local_devices.end()), host_(comm, 1, timeout_s) {
  if (devices_.empty()) throw RunError("host-staging communicator: no local devices");
}

RequestId HostStagingCommunicator::allreduce_async(std::span<float* const> buffers,
                                                   std::size_t count,
                                                   std::span<Device* const> devices) {
  if (buffers.size() != devices_.size() || devices.size() != devices_.size()) {
    throw RunError(fmt::format("host-staging communicator: {} buffers for {} local devices",
                               buffers.size(), devices_.size()));
  }
  Staged s;
  s.buffers.assign(buffers.begin(), buffers.end());
  s.host.resize(count);
  std::vector<float> other;
  for (std::size_t d = 0; d < devices.size(); ++d) {
    // to_host waits for the work already issued on the device: the bucket is complete.
    float* target = d == 0 ? s.host.data() : (other.resize(count), other.data());
    devices[d]->to_host(target, buffers[d], count * sizeof(float));
    if (d > 0) {
      for (std::size_t i = 0; i < count; ++i) s.host[i] += other[i];
    }
  }
  float* host = s.host.data();
  s.host_request = host_.allreduce_async({&host, 1}, count, {});
  s.active = true;
  staged_.push_back(std::move(s));
  return RequestId(staged_.size() - 1);
}

void HostStagingCommunicator::wait(RequestId id) {
  if (id < 0 || std::size_t(id) >= staged_.size() || !staged_[id].active) {
    throw RunError(fmt::format("host-staging communicator: unknown request {}", id));
  }
  Staged& s = staged_[id];
  host_.wait(s.host_request);
  for (std::size_t d = 0; d < devices_.size(); ++d) {
    devices_[d]->from_host(s.buffers[d], s.host.data(), s.host.size() * sizeof(float));
  }
  s.active = false;
  s.host = {};
  // The MPI communicator reuses its request ids once none is active; so do we.
  if (std::none_of(staged_.begin(), staged_.end(), [](const Staged& q) { return q.active; })) {
    staged_.clear();
  }
}

}  // namespace scalebench
