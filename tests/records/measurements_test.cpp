// Step statistics and the measured fields of a record, checked against hand-computed values.
#include "records/measurements.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace scalebench {
namespace {

TEST(StepStats, HandComputedValues) {
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

TEST(StepStats, EvenCountMedianInterpolates) {
  EXPECT_DOUBLE_EQ(compute_stats({4, 1, 3, 2}).median_ms, 2.5);
}

TEST(StepStats, SingleStepHasZeroSpread) {
  const StepStats s = compute_stats({7});
  EXPECT_DOUBLE_EQ(s.median_ms, 7);
  EXPECT_DOUBLE_EQ(s.p95_ms, 7);
  EXPECT_DOUBLE_EQ(s.stdev_ms, 0);
}

TEST(StepStats, EmptyIsAnError) { EXPECT_THROW(compute_stats({}), std::invalid_argument); }

TEST(PhaseFromBuckets, EachStepIsTheSumOfItsBuckets) {
  const std::vector<BucketTiming> buckets{{0, 100, 1, {1.0, 2.0, 3.0}, {}}, {1, 50, 1, {0.5, 0.25, 4.0}, {}}};
  EXPECT_EQ(phase_from_buckets(buckets), (std::vector<double>{1.5, 2.25, 7.0}));
  EXPECT_TRUE(phase_from_buckets({}).empty());
}

TEST(PhaseFromBuckets, BucketsWithDifferentStepCountsAreAnError) {
  const std::vector<BucketTiming> buckets{{0, 100, 1, {1.0, 2.0}, {}}, {1, 50, 1, {0.5}, {}}};
  EXPECT_THROW(phase_from_buckets(buckets), std::invalid_argument);
}

TEST(BusFactor, IsTwoTimesNMinusOneOverN) {
  EXPECT_DOUBLE_EQ(bus_factor(1), 0.0);
  EXPECT_DOUBLE_EQ(bus_factor(2), 1.0);
  EXPECT_DOUBLE_EQ(bus_factor(4), 1.5);
  EXPECT_DOUBLE_EQ(bus_factor(8), 1.75);
}

// Two participants, medians compute 10, all-reduce 4, full 12 (the outliers must not count).
RunMeasurements two_ranks() {
  RunMeasurements in;
  in.compute_ms = {10, 30, 9};
  in.communication_ms = {4, 3, 50};
  in.full_ms = {12, 11, 40};
  in.participants = 2;
  in.gradient_bytes = 4e6;
  in.global_batch = 64;
  in.devices = 2;
  return in;
}

TEST(MeasureRun, TwoParticipantsFromTheMedians) {
  const MeasuredFields m = measure_run(two_ranks());
  EXPECT_DOUBLE_EQ(m.compute.median_ms, 10);
  EXPECT_DOUBLE_EQ(m.communication_phase.median_ms, 4);
  EXPECT_DOUBLE_EQ(m.full.median_ms, 12);
  EXPECT_EQ(m.full.count, 3);
  const CommunicationRecord& c = m.communication;
  EXPECT_DOUBLE_EQ(c.exposed_ms, 2);         // 12 - 10
  EXPECT_DOUBLE_EQ(c.overlap, 0.5);          // 1 - 2 / 4
  EXPECT_DOUBLE_EQ(c.share, 2.0 / 12.0);     // exposed / full
  EXPECT_DOUBLE_EQ(c.allreduce_ms, 4);
  EXPECT_DOUBLE_EQ(c.algbw_gbps, 1.0);       // 4 MB in 4 ms
  EXPECT_DOUBLE_EQ(c.busbw_gbps, 1.0);       // x 2(2-1)/2
  EXPECT_EQ(c.check, "skipped");
  EXPECT_TRUE(c.buckets.empty());
  // 64 samples in 12 ms; half of them on each device.
  EXPECT_DOUBLE_EQ(m.throughput.samples_per_s, 64000.0 / 12.0);
  EXPECT_DOUBLE_EQ(m.throughput.samples_per_s_per_device, 32000.0 / 12.0);
}

TEST(MeasureRun, EightParticipantsBusbwIsSevenQuartersOfAlgbw) {
  RunMeasurements in = two_ranks();
  in.participants = 8;
  in.devices = 8;
  in.gradient_bytes = 100e6;  // 100 MB in 4 ms: 25 GB/s
  const MeasuredFields m = measure_run(in);
  EXPECT_DOUBLE_EQ(m.communication.algbw_gbps, 25.0);
  EXPECT_DOUBLE_EQ(m.communication.busbw_gbps, 25.0 * 2 * 7 / 8);  // 43.75
  EXPECT_DOUBLE_EQ(m.throughput.samples_per_s_per_device, 64000.0 / 12.0 / 8);
}

TEST(MeasureRun, OneParticipantHasAlgbwButNoBusbw) {
  RunMeasurements in = two_ranks();
  in.participants = 1;
  in.devices = 1;
  in.buckets = {{0, 2000000, 3, {2, 2, 2}, {}}};
  const MeasuredFields m = measure_run(in);
  EXPECT_DOUBLE_EQ(m.communication.algbw_gbps, 1.0);
  EXPECT_EQ(m.communication.busbw_gbps, 0.0);
  ASSERT_EQ(m.communication.buckets.size(), 1u);
  EXPECT_DOUBLE_EQ(m.communication.buckets[0].algbw_gbps, 1.0);  // 2 MB in 2 ms
  EXPECT_EQ(m.communication.buckets[0].busbw_gbps, 0.0);
}

TEST(MeasureRun, ExposedNeverBelowZero) {
  RunMeasurements in = two_ranks();
  in.full_ms = {9.5};  // faster than compute alone: noise, not negative communication
  const MeasuredFields m = measure_run(in);
  EXPECT_EQ(m.communication.exposed_ms, 0.0);
  EXPECT_EQ(m.communication.overlap, 1.0);
  EXPECT_EQ(m.communication.share, 0.0);
}

TEST(MeasureRun, OverlapClampedWhenExposedExceedsTheAllReduce) {
  RunMeasurements in = two_ranks();
  in.full_ms = {20};  // exposed 10 ms of a 4 ms all-reduce
  const MeasuredFields m = measure_run(in);
  EXPECT_DOUBLE_EQ(m.communication.exposed_ms, 10);
  EXPECT_EQ(m.communication.overlap, 0.0);
  EXPECT_DOUBLE_EQ(m.communication.share, 0.5);
}

TEST(MeasureRun, AllReduceOfNoTimeIsFullyOverlappedWithoutBandwidth) {
  RunMeasurements in = two_ranks();
  in.communication_ms = {0, 0, 0};
  in.buckets = {{0, 1000, 1, {0, 0, 0}, {}}};
  const MeasuredFields m = measure_run(in);
  EXPECT_EQ(m.communication.allreduce_ms, 0.0);
  EXPECT_EQ(m.communication.overlap, 1.0);
  EXPECT_EQ(m.communication.algbw_gbps, 0.0);
  EXPECT_EQ(m.communication.busbw_gbps, 0.0);
  EXPECT_EQ(m.communication.buckets[0].algbw_gbps, 0.0);
}

// JSON has no infinity: an inf here would be written as null and the record refused on reading.
TEST(MeasureRun, AStepOfNoTimeHasNoThroughputRatherThanInfinity) {
  RunMeasurements in = two_ranks();
  in.compute_ms = {0, 0, 0};
  in.full_ms = {0, 0, 0};
  const MeasuredFields m = measure_run(in);
  EXPECT_EQ(m.throughput.samples_per_s, 0.0);
  EXPECT_EQ(m.throughput.samples_per_s_per_device, 0.0);
  EXPECT_EQ(m.communication.share, 0.0);
}

TEST(MeasureRun, BucketsTakeTheirMedianStepAndKeepTheirOrder) {
  RunMeasurements in = two_ranks();
  in.participants = 4;
  in.buckets = {{3, 8000000, 10, {2, 9, 1}, {}}, {1, 1000000, 2, {0.5, 0.5, 0.25, 0.5}, {}}};
  const MeasuredFields m = measure_run(in);
  ASSERT_EQ(m.communication.buckets.size(), 2u);
  const BucketRecord& first = m.communication.buckets[0];
  EXPECT_EQ(first.index, 3);
  EXPECT_EQ(first.bytes, 8000000);
  EXPECT_EQ(first.tensors, 10);
  EXPECT_DOUBLE_EQ(first.time_ms, 2);
  EXPECT_DOUBLE_EQ(first.algbw_gbps, 4.0);       // 8 MB in 2 ms
  EXPECT_DOUBLE_EQ(first.busbw_gbps, 4.0 * 1.5);  // 2(4-1)/4
  const BucketRecord& second = m.communication.buckets[1];
  EXPECT_EQ(second.index, 1);
  EXPECT_DOUBLE_EQ(second.time_ms, 0.5);
  EXPECT_DOUBLE_EQ(second.algbw_gbps, 2.0);
  EXPECT_DOUBLE_EQ(second.busbw_gbps, 3.0);
}

TEST(MeasureRun, SameArithmeticAsTheRunLoopHad) {
  // The expressions the run loop used before the function existed, bit for bit.
  RunMeasurements in = two_ranks();
  in.full_ms = {13.7};
  in.communication_ms = {5.3};
  in.gradient_bytes = 102228128;
  in.participants = 6;
  in.devices = 6;
  in.global_batch = 384;
  const MeasuredFields m = measure_run(in);
  const double full = 13.7, compute = 10, allreduce = 5.3;
  const int n = 6;
  EXPECT_EQ(m.throughput.samples_per_s, double(384) / (full / 1e3));
  EXPECT_EQ(m.throughput.samples_per_s_per_device, double(384) / (full / 1e3) / double(6));
  EXPECT_EQ(m.communication.exposed_ms, full - compute);
  EXPECT_EQ(m.communication.overlap, 1.0 - (full - compute) / allreduce);
  EXPECT_EQ(m.communication.share, (full - compute) / full);
  const double algbw = 102228128.0 / (allreduce * 1e-3) / 1e9;
  EXPECT_EQ(m.communication.algbw_gbps, algbw);
  EXPECT_EQ(m.communication.busbw_gbps, algbw * (2.0 * double(n - 1) / double(n)));
}

TEST(MeasureRun, RefusesEmptyPhasesAndNoParticipants) {
  RunMeasurements in = two_ranks();
  in.compute_ms.clear();
  EXPECT_THROW(measure_run(in), std::invalid_argument);
  in = two_ranks();
  in.communication_ms.clear();
  EXPECT_THROW(measure_run(in), std::invalid_argument);
  in = two_ranks();
  in.full_ms.clear();
  EXPECT_THROW(measure_run(in), std::invalid_argument);
  in = two_ranks();
  in.buckets = {{0, 1000, 1, {}, {}}};
  EXPECT_THROW(measure_run(in), std::invalid_argument);
  in = two_ranks();
  in.participants = 0;
  EXPECT_THROW(measure_run(in), std::invalid_argument);
  in = two_ranks();
  in.devices = 0;
  EXPECT_THROW(measure_run(in), std::invalid_argument);
}

TEST(PutMeasurements, FillsPhasesStepThroughputAndCommunication) {
  MeasuredFields m = measure_run(two_ranks());
  m.communication.check = "passed";
  ResultRecord r;
  put_measurements(m, r);
  ASSERT_TRUE(r.phases.compute && r.phases.communication && r.phases.full && r.step);
  EXPECT_DOUBLE_EQ(r.phases.compute->median_ms, 10);
  EXPECT_DOUBLE_EQ(r.phases.communication->median_ms, 4);
  EXPECT_DOUBLE_EQ(r.step->median_ms, 12);
  EXPECT_DOUBLE_EQ(r.phases.full->p95_ms, r.step->p95_ms);
  ASSERT_TRUE(r.throughput && r.communication);
  EXPECT_DOUBLE_EQ(r.throughput->samples_per_s, 64000.0 / 12.0);
  EXPECT_DOUBLE_EQ(r.communication->overlap, 0.5);
  EXPECT_EQ(r.communication->check, "passed");
}

}  // namespace
}  // namespace scalebench

namespace scalebench {
namespace {

TEST(RankStepStats, PerRankStatisticsAndTheIdiosyncraticSpread) {
  // Step 0: ranks at 10, 12, 14 (median 12); step 1: 20, 20, 20 (common noise only).
  const RankSteps r = rank_step_stats({{10, 20}, {12, 20}, {14, 20}}, false);
  ASSERT_EQ(r.ranks.size(), 3u);
  EXPECT_EQ(r.ranks[2].median_ms, 17);
  // Deviations -2, 0, 2, 0, 0, 0: sample stdev sqrt(8 / 5).
  EXPECT_NEAR(r.idiosyncratic_stdev_ms, std::sqrt(8.0 / 5.0), 1e-12);
  EXPECT_FALSE(r.samples_ms);
  EXPECT_TRUE(rank_step_stats({{1, 2}}, true).samples_ms);
  EXPECT_EQ(rank_step_stats({{1, 2}}, false).idiosyncratic_stdev_ms, 0.0);
  EXPECT_THROW(rank_step_stats({{1, 2}, {1}}, false), std::invalid_argument);
}

}  // namespace
}  // namespace scalebench
