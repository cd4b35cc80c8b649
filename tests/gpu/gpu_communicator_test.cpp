// The GPU communicator (NCCL/RCCL, or host-staged MPI without them) in one process over several
// devices, as mirrored drives them: sums, several requests in flight, odd sizes.
//
// Why these tests can fail on one GPU: an all-reduce that leaves every buffer as it was passes
// any test with one participant (the sum over one is the input). So each test brings at least
// three participants wherever the communicator allows it: the host-staging communicator takes
// several Device objects on GPU 0 (each its own stream), and every device starts from a
// different value, so no input equals the sum. NCCL/RCCL refuse two ranks on one GPU, in one
// process or in two ("Duplicate GPU detected"): with NCCL the fixture has one device per visible
// GPU and sums over several only with two or more GPUs; HostStagingCommunicator below checks the
// sum on a single GPU in every GPU build.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "kernels/gpu/host_staging_communicator.hpp"
#include "kernels/mpi/mpi_world.hpp"
#include "tests/gpu/gpu_test_util.hpp"

namespace scalebench {
namespace {

using namespace gpu_test;

// Participants a test brings where several may share a GPU.
constexpr int kSharedGpuDevices = 3;

int world_size() {
  int world = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  return world;
}

class GpuCommunicator : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_GPU();
    const int gpus = std::min(gpu_device_count(), 8);
    // NCCL/RCCL: one rank per GPU; host staging: several devices may share one.
    const bool shares_gpus = gpu_communicator_name() == "mpi-host-staging";
    const int n = shares_gpus ? std::max(gpus, kSharedGpuDevices) : gpus;
    for (int i = 0; i < n; ++i) devices_.push_back(make_gpu_device(Precision::fp32, i % gpus));
    for (auto& d : devices_) raw_.push_back(d.get());
    comm_ = make_gpu_communicator(MPI_COMM_WORLD, raw_, 60.0);
  }

  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<Device*> raw_;
  std::unique_ptr<Communicator> comm_;
};

TEST_F(GpuCommunicator, AllReduceSumsOverEveryDevice) {
  EXPECT_EQ(comm_->name(), std::string(gpu_communicator_name()));
  const int world = world_size();
  EXPECT_EQ(comm_->participants(), world * int(raw_.size()));
  if (comm_->name() == "mpi-host-staging") {
    EXPECT_GE(comm_->participants(), kSharedGpuDevices);
  }
  for (const std::size_t count : {std::size_t(1), std::size_t(1000003), std::size_t(25) << 18}) {
    std::vector<DeviceBuffer> buffers;
    std::vector<float*> ptrs;
    for (std::size_t d = 0; d < raw_.size(); ++d) {
      buffers.emplace_back(*raw_[d], count * sizeof(float));
      upload(*raw_[d], buffers.back().get(), std::vector<float>(count, float(d + 1)), DType::f32);
      ptrs.push_back(buffers.back().f32());
    }
    comm_->wait(comm_->allreduce_async(ptrs, count, raw_));
    const float n = float(raw_.size());
    const float expected = float(world) * n * (n + 1) / 2;
    for (std::size_t d = 0; d < raw_.size(); ++d) {
      const auto got = download(*raw_[d], ptrs[d], count, DType::f32);
      EXPECT_EQ(*std::min_element(got.begin(), got.end()), expected) << count;
      EXPECT_EQ(*std::max_element(got.begin(), got.end()), expected) << count;
    }
  }
}

TEST_F(GpuCommunicator, SeveralBucketsInFlight) {
  const std::size_t count = 1 << 20;
  const int buckets = 4;
  std::vector<std::vector<DeviceBuffer>> buffers(buckets);
  std::vector<RequestId> requests;
  for (int b = 0; b < buckets; ++b) {
    std::vector<float*> ptrs;
    for (Device* d : raw_) {
      buffers[b].emplace_back(*d, count * sizeof(float));
      // b + 1: no bucket is all zeros, whose sum an identity would reproduce at any count.
      upload(*d, buffers[b].back().get(), std::vector<float>(count, float(b + 1)), DType::f32);
      ptrs.push_back(buffers[b].back().f32());
    }
    requests.push_back(comm_->allreduce_async(ptrs, count, raw_));
  }
  for (auto it = requests.rbegin(); it != requests.rend(); ++it) comm_->wait(*it);
  for (int b = 0; b < buckets; ++b) {
    for (std::size_t d = 0; d < raw_.size(); ++d) {
      const auto got = download(*raw_[d], buffers[b][d].get(), count, DType::f32);
      const float expected = float(b + 1) * float(comm_->participants());
      EXPECT_EQ(*std::min_element(got.begin(), got.end()), expected) << b << " " << d;
      EXPECT_EQ(*std::max_element(got.begin(), got.end()), expected) << b << " " << d;
    }
  }
  comm_->barrier();
}

// Three devices on GPU 0 and element-dependent values: the sum differs from every input at every
// element, so an all-reduce that does nothing, or adds only some devices, or moves elements
// fails here on a machine with one GPU, whatever communicator the build otherwise uses.
TEST(HostStagingCommunicator, SumsThreeDevicesOnOneGpu) {
  SKIP_WITHOUT_GPU();
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<Device*> raw;
  for (int d = 0; d < kSharedGpuDevices; ++d) devices.push_back(make_gpu_device(Precision::fp32, 0));
  for (auto& d : devices) raw.push_back(d.get());
  HostStagingCommunicator comm(MPI_COMM_WORLD, raw, 60.0);
  const int world = world_size();
  ASSERT_EQ(comm.participants(), world * kSharedGpuDevices);

  const std::size_t count = 1000003;
  auto value = [](std::size_t d, std::size_t i) { return float(d + 1) * float(1 + i % 7); };
  std::vector<DeviceBuffer> buffers;
  std::vector<float*> ptrs;
  for (std::size_t d = 0; d < raw.size(); ++d) {
    std::vector<float> v(count);
    for (std::size_t i = 0; i < count; ++i) v[i] = value(d, i);
    buffers.emplace_back(*raw[d], count * sizeof(float));
    upload(*raw[d], buffers.back().get(), v, DType::f32);
    ptrs.push_back(buffers.back().f32());
  }
  comm.wait(comm.allreduce_async(ptrs, count, raw));
  // Every rank brings the same values: 1 + 2 + 3 = 6 times the element's factor, per rank.
  for (std::size_t d = 0; d < raw.size(); ++d) {
    const auto got = download(*raw[d], ptrs[d], count, DType::f32);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < count; ++i) wrong += got[i] != float(world) * 6.0f * float(1 + i % 7);
    EXPECT_EQ(wrong, 0u) << "device " << d << ", first: " << got[0];
  }
}

}  // namespace
}  // namespace scalebench
