// Statistics over step times, checked against hand-computed values.
#include <gtest/gtest.h>

#include "harness/stats.hpp"

namespace scalebench {
namespace {

TEST(Stats, HandComputedValues) {
  // Sorted: 1 2 3 4 10. Median 3; p5 = 1 + 0.2*(2-1) = 1.2; p95 = 4 + 0.8*(10-4) = 8.8.
  const StepStats s = compute_stats({10, 2, 4, 1, 3});
  EXPECT_DOUBLE_EQ(s.median_ms, 3.0);
  EXPECT_DOUBLE_EQ(s.p5_ms, 1.2);
  EXPECT_DOUBLE_EQ(s.p95_ms, 8.8);
  EXPECT_DOUBLE_EQ(s.mean_ms, 4.0);
  // Sample variance: (9+4+1+0+36)/4 = 12.5
  EXPECT_NEAR(s.stdev_ms, 3.5355339059, 1e-9);
  EXPECT_EQ(s.count, 5);
  EXPECT_DOUBLE_EQ(s.min_ms, 1.0);
  EXPECT_DOUBLE_EQ(s.max_ms, 10.0);
}

TEST(Stats, EvenCountMedianInterpolates) {
  EXPECT_DOUBLE_EQ(compute_stats({4, 1, 3, 2}).median_ms, 2.5);
}

TEST(Stats, SingleStepHasZeroSpread) {
  const StepStats s = compute_stats({7});
  EXPECT_DOUBLE_EQ(s.median_ms, 7);
  EXPECT_DOUBLE_EQ(s.p95_ms, 7);
  EXPECT_DOUBLE_EQ(s.stdev_ms, 0);
}

TEST(Stats, EmptyIsAnError) { EXPECT_THROW(compute_stats({}), std::invalid_argument); }

}  // namespace
}  // namespace scalebench
