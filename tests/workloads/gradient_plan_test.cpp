// Bucket assignment (ddp) and packing (mirrored).
#include <gtest/gtest.h>

#include <numeric>

#include "workloads/gradient_plan.hpp"
#include "workloads/workload.hpp"

namespace scalebench {
namespace {

std::vector<ParamTensor> tensors_of(const std::vector<std::int64_t>& counts) {
  std::vector<ParamTensor> t;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    t.push_back(ParamTensor{int(i), offset, counts[i]});
    offset += counts[i];
  }
  return t;
}

constexpr std::int64_t kMiB = 1024 * 1024;

TEST(Buckets, ReverseOrderSmallFirstBucketAndCaps) {
  // 6 tensors of 0.5 MiB each (131072 floats); first cap 1 MiB, then 1.5 MiB.
  const auto t = tensors_of(std::vector<std::int64_t>(6, 131072));
  const auto b = ddp_buckets(t, 3 * kMiB / 2, kMiB);
  ASSERT_EQ(b.size(), 3u);
  // Bucket 0 holds the last two tensors (reverse order), closing at 1 MiB.
  EXPECT_EQ(b[0].offset, 4 * 131072);
  EXPECT_EQ(b[0].tensors, 2);
  EXPECT_EQ(b[0].ready_layer, 4);
  EXPECT_EQ(b[1].tensors, 3);
  EXPECT_EQ(b[1].offset, 131072);
  EXPECT_EQ(b[2].tensors, 1);  // what is left
  EXPECT_EQ(b[2].offset, 0);
}

TEST(Buckets, ATensorLargerThanTheCapGetsItsOwnBucket) {
  const auto t = tensors_of({100, 10 * kMiB, 100});
  const auto b = ddp_buckets(t, 1 * kMiB, 1 * kMiB);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].tensors, 2);  // 100 floats, then the large one closes the bucket
  EXPECT_EQ(b[0].count, 10 * kMiB + 100);
  EXPECT_EQ(b[1].tensors, 1);
}

TEST(Buckets, CoverEveryGradientExactlyOnce) {
  for (const WorkloadInfo& w : workloads()) {
    const Model m = build_model(w, 1, w.default_image_size);
    const auto t = parameter_tensors(m);
    const auto b = ddp_buckets(t, 25 * kMiB, kMiB);
    std::int64_t bytes = 0;
    std::int64_t next_end = m.parameters();
    for (const GradientUnit& u : b) {
      EXPECT_EQ(u.offset + u.count, next_end) << w.name;  // contiguous, reverse order
      next_end = u.offset;
      bytes += u.bytes();
    }
    EXPECT_EQ(next_end, 0);
    EXPECT_EQ(bytes, 4 * m.parameters()) << w.name;
    // Ready layers fall as backward proceeds.
    for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LE(b[i].ready_layer, b[i - 1].ready_layer);
  }
}

TEST(Buckets, ResNet50DefaultBucketsMatchTheDdpRule) {
  const Model m = build_model(find_workload("resnet50"), 1, 224);
  const auto b = ddp_buckets(parameter_tensors(m), 25 * kMiB, kMiB);
  // First bucket: fc.bias then fc.weight (8 MB) — the first tensor pair passing 1 MiB.
  EXPECT_EQ(b[0].tensors, 2);
  EXPECT_EQ(b[0].bytes(), 4 * (1000 + 2048 * 1000));
  for (std::size_t i = 0; i + 1 < b.size(); ++i) EXPECT_GE(b[i].bytes(), i == 0 ? kMiB : 25 * kMiB);
}

TEST(Packs, SplitIntoNearlyEqualContiguousPieces) {
  const auto t = tensors_of(std::vector<std::int64_t>(10, 1000));
  const auto p = mirrored_packs(t, 3);
  ASSERT_EQ(p.size(), 3u);
  std::int64_t total = 0;
  for (const GradientUnit& u : p) {
    total += u.count;
    EXPECT_GE(u.count, 3000);
    EXPECT_LE(u.count, 4000);
    EXPECT_EQ(u.ready_layer, 0);  // after the whole backward
  }
  EXPECT_EQ(total, 10000);
  EXPECT_EQ(mirrored_packs(t, 1).size(), 1u);
  EXPECT_EQ(mirrored_packs(t, 50).size(), 10u);  // at most one pack per tensor
}

}  // namespace
}  // namespace scalebench
