// NCCL/RCCL all-reduce of gradient buckets: a communication stream per device waits on an event
// of the device's compute stream, so bucket all-reduces overlap the rest of backward; waits poll
// a completion event against a deadline and abort the communicators of a hung collective.
#include "kernels/gpu/nccl_communicator.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "kernels/gpu/gpu_check.hpp"
#include "kernels/gpu/gpu_runtime.h"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

struct NcclCommunicator::Impl {
  struct Request {
    std::vector<gpuEvent_t> done;  // one per local device, recorded after its all-reduce
    std::size_t bytes = 0;
    bool active = false;
  };

  MPI_Comm comm = MPI_COMM_NULL;
  std::chrono::duration<double> timeout{300.0};
  std::vector<Device*> devices;
  std::vector<int> ordinals;
  std::vector<ncclComm_t> comms;
  std::vector<gpuStream_t> streams;                // communication stream per device
  std::vector<gpuEvent_t> ready;                   // compute stream -> communication stream
  std::vector<std::vector<gpuEvent_t>> spare;      // completion events to reuse, per device
  std::vector<Request> requests;
  bool aborted = false;

  gpuEvent_t take_event(std::size_t d) {
    if (!spare[d].empty()) {
      gpuEvent_t e = spare[d].back();
      spare[d].pop_back();
      return e;
    }
    gpuEvent_t e = nullptr;
    CHECK_CUDA(gpuEventCreateWithFlags(&e, gpuEventDisableTiming));
    return e;
  }

  // Ends every local communicator: NCCL's way out of a collective that will never finish.
  void abort_all() noexcept {
    for (std::size_t d = 0; d < comms.size(); ++d) {
      if (comms[d]) {
        (void)gpuSetDevice(ordinals[d]);
        (void)ncclCommAbort(comms[d]);
        comms[d] = nullptr;
      }
    }
    aborted = true;
  }
};

NcclCommunicator::NcclCommunicator(MPI_Comm comm, std::span<Device* const> local_devices,
                                   double timeout_s)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.comm = comm;
  s.timeout = std::chrono::duration<double>(timeout_s);
  s.devices.assign(local_devices.begin(), local_devices.end());
  if (s.devices.empty()) throw RunError("nccl communicator: no local devices");
  int rank = 0, size = 1;
  CHECK_MPI(MPI_Comm_rank(comm, &rank));
  CHECK_MPI(MPI_Comm_size(comm, &size));

  // Every process must drive the same number of devices: NCCL ranks are rank * local + d.
  int local = int(s.devices.size());
  int range[2] = {-local, local};
  MPI_Request request;
  CHECK_MPI(MPI_Iallreduce(MPI_IN_PLACE, range, 2, MPI_INT, MPI_MAX, comm, &request));
  wait_with_deadline(request, s.timeout, "nccl bootstrap (device counts)");
  if (-range[0] != range[1]) {
    throw UsageError(fmt::format("nccl: processes drive different numbers of GPUs ({} to {}); give "
                                 "every process the same --devices",
                                 -range[0], range[1]));
  }
  participants_ = size * local;

  ncclUniqueId id{};
  if (rank == 0) CHECK_NCCL(ncclGetUniqueId(&id));
  CHECK_MPI(MPI_Ibcast(&id, int(sizeof id), MPI_BYTE, 0, comm, &request));
  wait_with_deadline(request, s.timeout, "nccl bootstrap (unique id)");

  for (Device* d : s.devices) {
    if (!d->native_stream()) throw RunError("nccl communicator: a device without a GPU stream");
    s.ordinals.push_back(d->info().index);
  }
  s.comms.assign(s.devices.size(), nullptr);
  CHECK_NCCL(ncclGroupStart());
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    CHECK_CUDA(gpuSetDevice(s.ordinals[d]));
    CHECK_NCCL(ncclCommInitRank(&s.comms[d], participants_, id, rank * local + int(d)));
  }
  CHECK_NCCL(ncclGroupEnd());

  s.streams.assign(s.devices.size(), nullptr);
  s.ready.assign(s.devices.size(), nullptr);
  s.spare.resize(s.devices.size());
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    CHECK_CUDA(gpuSetDevice(s.ordinals[d]));
    CHECK_CUDA(gpuStreamCreateWithFlags(&s.streams[d], gpuStreamNonBlocking));
    CHECK_CUDA(gpuEventCreateWithFlags(&s.ready[d], gpuEventDisableTiming));
  }
}

NcclCommunicator::~NcclCommunicator() {
  Impl& s = *impl_;
  for (std::size_t d = 0; d < s.devices.size() && d < s.streams.size(); ++d) {
    (void)gpuSetDevice(s.ordinals[d]);
    if (!s.aborted && s.streams[d]) (void)gpuStreamSynchronize(s.streams[d]);
    for (Impl::Request& r : s.requests) {
      if (d < r.done.size() && r.done[d]) (void)gpuEventDestroy(r.done[d]);
    }
    for (gpuEvent_t e : s.spare[d]) (void)gpuEventDestroy(e);
    if (s.ready[d]) (void)gpuEventDestroy(s.ready[d]);
    if (s.comms[d]) (void)ncclCommDestroy(s.comms[d]);
    if (s.streams[d]) (void)gpuStreamDestroy(s.streams[d]);
  }
}

std::string NcclCommunicator::name() const { return GPU_NCCL_NAME; }

std::string NcclCommunicator::algorithm() const {
  // NCCL's tuner picks ring, tree, NVLS or CollNet per size unless NCCL_ALGO forces a choice
  // (RCCL reads the same variable). The value is recorded, so only its plain characters are kept.
  const char* forced = std::getenv("NCCL_ALGO");
  if (forced == nullptr || *forced == '\0') return name() + "-auto";
  std::string kept;
  for (const char* c = forced; *c != '\0' && kept.size() < 64; ++c) {
    if (std::isalnum(static_cast<unsigned char>(*c)) || std::strchr(",^_-", *c) != nullptr) kept += *c;
  }
  return name() + ":" + kept;
}

RequestId NcclCommunicator::allreduce_async(std::span<float* const> buffers, std::size_t count,
                                            std::span<Device* const> devices) {
  Impl& s = *impl_;
  if (s.aborted) throw RunError("nccl communicator: used after an abort");
  if (buffers.size() != s.devices.size() || devices.size() != s.devices.size()) {
    throw RunError(fmt::format("nccl communicator: {} buffers and {} devices for {} local devices",
                               buffers.size(), devices.size(), s.devices.size()));
  }
  for (std::size_t d = 0; d < devices.size(); ++d) {
    if (devices[d] != s.devices[d]) throw RunError("nccl communicator: devices differ from those it was made for");
  }
  // Ordered after the work already issued on each compute stream, without blocking the host.
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    CHECK_CUDA(gpuSetDevice(s.ordinals[d]));
    auto compute = static_cast<gpuStream_t>(s.devices[d]->native_stream());
    CHECK_CUDA(gpuEventRecord(s.ready[d], compute));
    CHECK_CUDA(gpuStreamWaitEvent(s.streams[d], s.ready[d], 0));
  }
  CHECK_NCCL(ncclGroupStart());
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    CHECK_NCCL(ncclAllReduce(buffers[d], buffers[d], count, ncclFloat, ncclSum, s.comms[d], s.streams[d]));
  }
  CHECK_NCCL(ncclGroupEnd());
  Impl::Request r;
  r.bytes = count * sizeof(float);
  r.active = true;
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    CHECK_CUDA(gpuSetDevice(s.ordinals[d]));
    r.done.push_back(s.take_event(d));
    CHECK_CUDA(gpuEventRecord(r.done.back(), s.streams[d]));
  }
  s.requests.push_back(std::move(r));
  return RequestId(s.requests.size() - 1);
}

void NcclCommunicator::wait(RequestId id) {
  Impl& s = *impl_;
  if (id < 0 || std::size_t(id) >= s.requests.size() || !s.requests[id].active) {
    throw RunError(fmt::format("nccl communicator: unknown request {}", id));
  }
  Impl::Request& r = s.requests[id];
  // Watchdog: poll the completion events until the deadline; a peer that died or hangs leaves
  // them pending forever, so abort the communicators and report instead of hanging the job.
  const auto deadline = std::chrono::steady_clock::now() + s.timeout;
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    for (;;) {
      const gpuError_t rc = gpuEventQuery(r.done[d]);
      if (rc == gpuSuccess) break;
      if (rc != gpuErrorNotReady) CHECK_CUDA(rc);
      (void)gpuGetLastError();  // clear the not-ready status
      ncclResult_t async = ncclSuccess;
      CHECK_NCCL(ncclCommGetAsyncError(s.comms[d], &async));
      if (async != ncclSuccess) {
        const std::string message = ncclGetErrorString(async);
        s.abort_all();
        throw RunError(fmt::format("{}: all-reduce of {} bytes failed: {}", GPU_NCCL_NAME, r.bytes, message));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        s.abort_all();
        throw TimeoutError(fmt::format("{}: all-reduce of {} bytes did not finish within {:.0f} s; "
                                       "communicators aborted",
                                       GPU_NCCL_NAME, r.bytes, s.timeout.count()));
      }
      std::this_thread::yield();
    }
  }
  // Later work on each compute stream is ordered after the all-reduce.
  for (std::size_t d = 0; d < s.devices.size(); ++d) {
    CHECK_CUDA(gpuSetDevice(s.ordinals[d]));
    auto compute = static_cast<gpuStream_t>(s.devices[d]->native_stream());
    CHECK_CUDA(gpuStreamWaitEvent(compute, r.done[d], 0));
    s.spare[d].push_back(r.done[d]);
    r.done[d] = nullptr;
  }
  r.active = false;
  bool any_active = false;
  for (const Impl::Request& q : s.requests) any_active = any_active || q.active;
  if (!any_active) s.requests.clear();
}

void NcclCommunicator::broadcast(void* host_data, std::size_t bytes, int root) {
  MPI_Request request;
  CHECK_MPI(MPI_Ibcast(host_data, int(bytes), MPI_BYTE, root, impl_->comm, &request));
  wait_with_deadline(request, impl_->timeout, "broadcast");
}

void NcclCommunicator::barrier() {
  MPI_Request request;
  CHECK_MPI(MPI_Ibarrier(impl_->comm, &request));
  wait_with_deadline(request, impl_->timeout, "barrier");
}

}  // namespace scalebench
