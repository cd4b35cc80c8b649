// The GPU communicator (NCCL/RCCL, or host-staged MPI without them) in one process over every
// visible GPU, as mirrored drives them: sums, several requests in flight, odd sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "kernels/mpi/mpi_world.hpp"
#include "tests/gpu/gpu_test_util.hpp"

namespace scalebench {
namespace {

using namespace gpu_test;

class GpuCommunicator : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_GPU();
    const int n = std::min(gpu_device_count(), 8);
    for (int i = 0; i < n; ++i) devices_.push_back(make_gpu_device(Precision::fp32, i));
    for (auto& d : devices_) raw_.push_back(d.get());
    comm_ = make_gpu_communicator(MPI_COMM_WORLD, raw_, 60.0);
  }

  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<Device*> raw_;
  std::unique_ptr<Communicator> comm_;
};

TEST_F(GpuCommunicator, AllReduceSumsOverEveryDevice) {
  EXPECT_EQ(comm_->name(), std::string(gpu_communicator_name()));
  int world = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  EXPECT_EQ(comm_->participants(), world * int(raw_.size()));
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
      upload(*d, buffers[b].back().get(), std::vector<float>(count, float(b)), DType::f32);
      ptrs.push_back(buffers[b].back().f32());
    }
    requests.push_back(comm_->allreduce_async(ptrs, count, raw_));
  }
  for (auto it = requests.rbegin(); it != requests.rend(); ++it) comm_->wait(*it);
  for (int b = 0; b < buckets; ++b) {
    const auto got = download(*raw_[0], buffers[b][0].get(), count, DType::f32);
    EXPECT_EQ(got[count / 2], float(b) * float(comm_->participants())) << b;
  }
  comm_->barrier();
}

}  // namespace
}  // namespace scalebench

int main(int argc, char** argv) {
  scalebench::MpiWorld world(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
