// The ring all-reduce of host gradient buffers over MPI point-to-point, bounded by the run's
// timeout.
#include "kernels/mpi/mpi_communicator.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {
namespace {

// Tags of the ring's messages: one per all-reduce in flight, reused cyclically (MPI guarantees
// tags up to 32767; messages between two ranks with one tag never overtake each other).
constexpr int kTagCycle = 30000;

int mod(int a, int n) { return ((a % n) + n) % n; }

std::size_t segments(std::size_t count, std::size_t per_segment) {
  return (count + per_segment - 1) / per_segment;
}

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm comm, int local_devices, double timeout_s)
    : comm_(comm), local_devices_(local_devices), timeout_(timeout_s) {
  CHECK_MPI(MPI_Comm_size(comm_, &size_));
  CHECK_MPI(MPI_Comm_rank(comm_, &rank_));
}

MpiCommunicator::~MpiCommunicator() {
  // After a timeout a receive may still be posted into a scratch buffer: let it go, never free
  // it under MPI (the process aborts next).
  for (Pending& p : pending_) {
    if (p.active && p.posted) new std::vector<float>(std::move(p.scratch));
  }
}

std::size_t MpiCommunicator::chunk_begin(const Pending& p, int chunk) const {
  // p chunks whose sizes differ by at most one element.
  const std::size_t base = p.count / std::size_t(size_), extra = p.count % std::size_t(size_);
  const std::size_t c = std::size_t(chunk);
  return c * base + std::min(c, extra);
}

std::size_t MpiCommunicator::chunk_size(const Pending& p, int chunk) const {
  return chunk_begin(p, chunk + 1) - chunk_begin(p, chunk);
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
  if (count / std::size_t(size_) + 1 > std::size_t(std::numeric_limits<int>::max())) {
    throw RunError(fmt::format("mpi communicator: an all-reduce of {} elements is too large", count));
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
  p.tag = next_tag_;
  next_tag_ = (next_tag_ + 1) % kTagCycle;
  p.active = true;
  // Nothing to exchange for an empty buffer (every rank sees the same count): done at once.
  if (count == 0) p.step = steps();
  if (p.step < steps()) p.scratch.resize(count / std::size_t(size_) + 1);
  pending_.push_back(std::move(p));
  if (pending_.back().step < steps()) post(pending_.back());
  return RequestId(pending_.size() - 1);
}

// Step k < p-1 (reduce-scatter): send chunk r-k, receive chunk r-k-1 into scratch and add it.
// Step k >= p-1 (all-gather, j = k-(p-1)): send chunk r+1-j, receive chunk r-j in place. After
// the reduce-scatter rank r holds the whole sum of chunk r+1; every element's sum is computed once
// and copied, so all ranks hold bitwise the same result.
void MpiCommunicator::post(Pending& p) {
  const int left = mod(rank_ - 1, size_);
  const int k = p.step;
  float* buffer = p.buffers[0];
  int send_chunk = 0, recv_chunk = 0;
  float* recv_into = nullptr;
  if (k < size_ - 1) {
    send_chunk = mod(rank_ - k, size_);
    recv_chunk = mod(rank_ - k - 1, size_);
    recv_into = p.scratch.data();
  } else {
    const int j = k - (size_ - 1);
    send_chunk = mod(rank_ + 1 - j, size_);
    recv_chunk = mod(rank_ - j, size_);
    recv_into = buffer + chunk_begin(p, recv_chunk);
  }
  // Segments of one step match in order (MPI does not let messages with one tag and source
  // overtake each other), and both ends cut a chunk the same way.
  const std::size_t recv_count = chunk_size(p, recv_chunk);
  p.recvs.assign(segments(recv_count, kSegmentFloats), MPI_REQUEST_NULL);
  for (std::size_t s = 0; s < p.recvs.size(); ++s) {
    const std::size_t n = std::min(kSegmentFloats, recv_count - s * kSegmentFloats);
    CHECK_MPI(MPI_Irecv(recv_into + s * kSegmentFloats, int(n), MPI_FLOAT, left, p.tag, comm_,
                        &p.recvs[s]));
  }
  p.send_from = buffer + chunk_begin(p, send_chunk);
  p.send_count = chunk_size(p, send_chunk);
  p.sends.assign(segments(p.send_count, kSegmentFloats), MPI_REQUEST_NULL);
  p.sends_posted = p.sends_done = 0;
  p.posted = true;
  post_sends(p);
}

void MpiCommunicator::post_sends(Pending& p) {
  const int right = mod(rank_ + 1, size_);
  while (p.sends_done < p.sends_posted) {  // in order: the window slides past completed ones
    int done = 0;
    CHECK_MPI(MPI_Test(&p.sends[p.sends_done], &done, MPI_STATUS_IGNORE));
    if (!done) break;
    ++p.sends_done;
  }
  while (p.sends_posted < p.sends.size() && p.sends_posted - p.sends_done < kSendWindow) {
    const std::size_t s = p.sends_posted++;
    const std::size_t n = std::min(kSegmentFloats, p.send_count - s * kSegmentFloats);
    CHECK_MPI(MPI_Isend(p.send_from + s * kSegmentFloats, int(n), MPI_FLOAT, right, p.tag, comm_,
                        &p.sends[s]));
  }
}

bool MpiCommunicator::advance(Pending& p) {
  while (p.step < steps()) {
    post_sends(p);
    if (p.sends_done < p.sends.size()) return false;
    int done = 0;
    CHECK_MPI(MPI_Testall(int(p.recvs.size()), p.recvs.data(), &done, MPI_STATUSES_IGNORE));
    if (!done) return false;
    if (p.step < size_ - 1) {
      const int chunk = mod(rank_ - p.step - 1, size_);
      float* into = p.buffers[0] + chunk_begin(p, chunk);
      const float* from = p.scratch.data();
      const std::size_t n = chunk_size(p, chunk);
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i) into[i] += from[i];
    }
    ++p.step;
    p.posted = false;
    if (p.step < steps()) post(p);
  }
  return true;
}

void MpiCommunicator::progress() {
  for (Pending& p : pending_) {
    if (p.active) advance(p);
  }
}

void MpiCommunicator::wait(RequestId id) {
  if (id < 0 || std::size_t(id) >= pending_.size() || !pending_[id].active) {
    throw RunError(fmt::format("mpi communicator: unknown request {}", id));
  }
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(timeout_);
  for (int polls = 0; !advance(pending_[id]); ++polls) {
    // The other all-reduces in flight move on too (their neighbours may be waiting on them).
    for (Pending& q : pending_) {
      if (q.active) advance(q);
    }
    if (clock::now() > deadline) {
      mark_mpi_wait_timed_out();
      throw TimeoutError(fmt::format(
          "all-reduce of {} bytes did not complete within {:.0f} s: another rank failed or "
          "stopped answering",
          pending_[id].count * sizeof(float), timeout_.count()));
    }
    // Spin briefly for latency, then yield the core: ranks may outnumber cores.
    if (polls > 200) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  Pending& p = pending_[id];
  for (std::size_t j = 1; j < p.buffers.size() && p.count > 0; ++j) {
    std::memcpy(p.buffers[j], p.buffers[0], p.count * sizeof(float));
  }
  p.active = false;
  p.scratch = {};
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
