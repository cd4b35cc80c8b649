// The MPI communicator of the CPU backend: local replicas summed in memory, then over the ranks.
// Run by ctest as one process and under mpirun -np 2.
//
// Why these tests can fail: every buffer starts from a value that depends on its rank, replica and
// element, and the sum over the participants equals none of them, so an all-reduce that leaves
// its buffers alone, adds only the local replicas, skips the ranks or copies back only the first
// buffer is caught even in a single process.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/mpi/mpi_communicator.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {
namespace {

constexpr int kReplicas = 3;

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

// Replica d of rank r holds (r + 1) * (d + 1) * (1 + i % 7) at element i: small integers, so
// every sum is exact in fp32.
float value(int rank, int replica, std::size_t i) {
  return float(rank + 1) * float(replica + 1) * float(1 + i % 7);
}

// Sum over ranks 1..W and replicas 1..R of the factors: W(W+1)/2 * R(R+1)/2.
float expected(std::size_t i) {
  const int w = world_size();
  return float(w * (w + 1) / 2) * float(kReplicas * (kReplicas + 1) / 2) * float(1 + i % 7);
}

std::vector<std::vector<float>> replica_buffers(std::size_t count) {
  std::vector<std::vector<float>> buffers(kReplicas, std::vector<float>(count));
  for (int d = 0; d < kReplicas; ++d) {
    for (std::size_t i = 0; i < count; ++i) buffers[d][i] = value(world_rank(), d, i);
  }
  return buffers;
}

std::size_t wrong_elements(const std::vector<float>& got) {
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < got.size(); ++i) wrong += got[i] != expected(i);
  return wrong;
}

TEST(MpiCommunicator, SumsLocalReplicasAndRanksIntoEveryBuffer) {
  MpiCommunicator comm(MPI_COMM_WORLD, kReplicas, 60.0);
  EXPECT_EQ(comm.name(), "mpi");
  EXPECT_EQ(comm.participants(), world_size() * kReplicas);
  for (const std::size_t count : {std::size_t(1), std::size_t(1000003)}) {
    auto buffers = replica_buffers(count);
    std::vector<float*> ptrs;
    for (auto& b : buffers) ptrs.push_back(b.data());
    comm.wait(comm.allreduce_async(ptrs, count, {}));
    for (int d = 0; d < kReplicas; ++d) {
      EXPECT_EQ(wrong_elements(buffers[d]), 0u) << "replica " << d << " of " << count
                                                << " elements; element 0 is " << buffers[d][0];
    }
  }
}

TEST(MpiCommunicator, SeveralRequestsInFlightKeepTheirBuffers) {
  auto cpu = make_device("cpu", Precision::fp32, 0);
  std::vector<Device*> devices(kReplicas, cpu.get());
  MpiCommunicator comm(MPI_COMM_WORLD, kReplicas, 60.0);
  const std::size_t count = 4099;
  const int buckets = 3;
  std::vector<std::vector<std::vector<float>>> buffers;
  std::vector<RequestId> requests;
  for (int b = 0; b < buckets; ++b) {
    buffers.push_back(replica_buffers(count));
    // Bucket b is b + 1 times the pattern: a swapped or reused buffer shows.
    for (auto& replica : buffers.back()) {
      for (float& x : replica) x *= float(b + 1);
    }
    std::vector<float*> ptrs;
    for (auto& r : buffers.back()) ptrs.push_back(r.data());
    requests.push_back(comm.allreduce_async(ptrs, count, devices));
    comm.progress();
  }
  for (auto it = requests.rbegin(); it != requests.rend(); ++it) comm.wait(*it);
  for (int b = 0; b < buckets; ++b) {
    for (int d = 0; d < kReplicas; ++d) {
      std::size_t wrong = 0;
      for (std::size_t i = 0; i < count; ++i) wrong += buffers[b][d][i] != float(b + 1) * expected(i);
      EXPECT_EQ(wrong, 0u) << "bucket " << b << ", replica " << d;
    }
  }
  comm.barrier();
}

TEST(MpiCommunicator, IsARingBetweenProcesses) {
  MpiCommunicator comm(MPI_COMM_WORLD, kReplicas, 60.0);
  EXPECT_EQ(comm.algorithm(), "ring");
  // busbw's n: the processes exchanging data, not the replicas summed in memory first.
  EXPECT_EQ(comm.wire_participants(), world_size());
}

// Counts below, at and above the number of ranks, and ones no rank count divides: empty chunks,
// uneven chunks and the wrap-around of the ring.
TEST(MpiCommunicator, RingSumsEveryCountExactly) {
  MpiCommunicator comm(MPI_COMM_WORLD, kReplicas, 60.0);
  const std::size_t w = std::size_t(world_size());
  for (const std::size_t count : {std::size_t(0), std::size_t(1), std::size_t(2), w - 1, w, w + 1,
                                  2 * w + 1, std::size_t(7919), std::size_t(65537)}) {
    auto buffers = replica_buffers(count);
    std::vector<float*> ptrs;
    for (auto& b : buffers) ptrs.push_back(b.data());
    comm.wait(comm.allreduce_async(ptrs, count, {}));
    for (int d = 0; d < kReplicas; ++d) {
      EXPECT_EQ(wrong_elements(buffers[d]), 0u) << "replica " << d << " of " << count << " elements";
    }
  }
}

// With values whose fp32 sum depends on the order of the additions, every rank still ends with
// bitwise the same gradient: the ring sums each chunk once and copies it (replicas that drifted
// apart would no longer be data parallel).
TEST(MpiCommunicator, EveryRankHoldsBitwiseTheSameSum) {
  MpiCommunicator comm(MPI_COMM_WORLD, 1, 60.0);
  const std::size_t count = 10007;
  std::vector<float> mine(count);
  for (std::size_t i = 0; i < count; ++i)
    mine[i] = 1.0f / float(3 + i % 13) + float(world_rank()) * 1e-3f * float(1 + i % 5);
  float* ptr = mine.data();
  comm.wait(comm.allreduce_async({&ptr, 1}, count, {}));
  std::vector<float> rank0 = mine;
  MPI_Bcast(rank0.data(), int(count), MPI_FLOAT, 0, MPI_COMM_WORLD);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < count; ++i) differ += std::memcmp(&rank0[i], &mine[i], sizeof(float)) != 0;
  EXPECT_EQ(differ, 0u) << "on rank " << world_rank();
}

TEST(MpiCommunicator, WrongBufferCountIsRefused) {
  MpiCommunicator comm(MPI_COMM_WORLD, kReplicas, 60.0);
  std::vector<float> one(4, 1.0f);
  float* ptr = one.data();
  EXPECT_THROW(comm.allreduce_async({&ptr, 1}, one.size(), {}), RunError);
  EXPECT_EQ(one[0], 1.0f);
}

}  // namespace
}  // namespace scalebench
