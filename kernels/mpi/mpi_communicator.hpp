// The MPI communicator: a ring all-reduce (reduce-scatter, then all-gather) over nonblocking
// point-to-point on host buffers (the CPU backend, and GPU runs without NCCL/RCCL through host
// staging), with the reduction among a process's local replicas done in memory first.
//
// Why not MPI_Iallreduce: Open MPI's libnbc picks binomial reduce + broadcast for every in-place
// call and for any p < 4 (ompi/mca/coll/libnbc/nbc_iallreduce.c), which moves 2S over each link
// where a ring moves 2S(p-1)/p, so busbw = algbw * 2(p-1)/p would not mean what it means in
// nccl-tests. The ring is bandwidth-optimal and the same under every MPI library.
//
// Each step's chunk moves as segments of kSegmentBytes, at most kSendWindow of them in flight,
// as NCCL pipelines its ring in slices. A segment stays under the eager limit of Open MPI's TCP
// transport (64 KiB): a larger message goes through its rendezvous protocol, whose control
// messages back to the sender wait behind the data the receiver is sending the other way; at
// p = 2 (both neighbours the same rank) one whole-chunk message per step took 1.5-2x the link
// time, varying run to run, and 60 KiB segments with 8 in flight take the link time
// (docs/performance.md).
#pragma once

#include <mpi.h>

#include <chrono>
#include <vector>

#include "kernels/communicator.hpp"

namespace scalebench {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(MPI_Comm comm, int local_devices, double timeout_s);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  std::string name() const override { return "mpi"; }
  std::string algorithm() const override { return "ring"; }
  int participants() const override { return size_ * local_devices_; }
  int wire_participants() const override { return size_; }
  RequestId allreduce_async(std::span<float* const> buffers, std::size_t count,
                            std::span<Device* const> devices) override;
  void progress() override;
  void wait(RequestId request) override;
  void broadcast(void* host_data, std::size_t bytes, int root) override;
  void barrier() override;

 private:
  // One all-reduce in flight: the ring's 2(p-1) steps, each a send to the right neighbour and a
  // receive from the left one, advanced by progress() and wait().
  struct Pending {
    std::vector<float*> buffers;  // the local replicas; buffers[0] holds the sum
    std::size_t count = 0;
    int tag = 0;
    int step = 0;                 // the step whose messages are posted (2(p-1): done)
    bool posted = false;
    std::vector<MPI_Request> recvs;  // this step's segments from the left, all posted at once
    std::vector<MPI_Request> sends;  // this step's segments to the right, posted in a window
    const float* send_from = nullptr;
    std::size_t send_count = 0;
    std::size_t sends_posted = 0, sends_done = 0;
    std::vector<float> scratch;   // the chunk received during reduce-scatter
    bool active = false;
  };

  static constexpr std::size_t kSegmentBytes = 60 * 1024;
  static constexpr std::size_t kSegmentFloats = kSegmentBytes / sizeof(float);
  static constexpr std::size_t kSendWindow = 8;

  std::size_t chunk_begin(const Pending& p, int chunk) const;
  std::size_t chunk_size(const Pending& p, int chunk) const;
  int steps() const { return 2 * (size_ - 1); }
  void post(Pending& p);
  void post_sends(Pending& p);  // as many segments as the window allows
  // Tests the posted step; when it completed, reduces what arrived and posts the next step.
  // Returns true once the whole all-reduce is done.
  bool advance(Pending& p);

  MPI_Comm comm_;
  int size_ = 1;
  int rank_ = 0;
  int local_devices_ = 1;
  int next_tag_ = 0;
  std::chrono::duration<double> timeout_;
  std::vector<Pending> pending_;
};

}  // namespace scalebench
