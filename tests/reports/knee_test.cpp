// Knee detection on curves with a known knee, and its cause in words.
#include "reports/knee.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

using testing::FixturePoint;
using testing::TempDir;

std::vector<GroupMetrics> metrics_of(const std::filesystem::path& dir,
                                     const MetricOptions& options = {}) {
  return compute_metrics(group_points(load_results({{dir, std::nullopt}})), options);
}

// By value: the callers pass a temporary vector.
GroupMetrics only(const std::vector<GroupMetrics>& groups) {
  EXPECT_EQ(groups.size(), 1u);
  return groups.at(0);
}

TEST(ReportKnee, CommunicationBoundKneeWhereEfficiencyFallsBelowTheThreshold) {
  TempDir dir;
  testing::write_weak_curve(dir.path(), FixturePoint{},
                            {{1, 0}, {2, 2}, {4, 5}, {8, 10}, {16, 20}, {32, 50}});
  const GroupMetrics g = only(metrics_of(dir.path()));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->gpus, 32);  // E(16) = 83%, E(32) = 67%
  EXPECT_EQ(g.knee->rule, Knee::Rule::efficiency);
  EXPECT_EQ(g.knee->reason, "efficiency 67% is below the 80% threshold");
  EXPECT_EQ(g.knee->cause,
            "communication-bound: 33% of the step is exposed all-reduce at 32 GPUs (all-reduce "
            "bus bandwidth 50.0 GB/s), across 8 nodes instead of 4");
}

TEST(ReportKnee, TheThresholdMovesTheKnee) {
  TempDir dir;
  testing::write_weak_curve(dir.path(), FixturePoint{},
                            {{1, 0}, {2, 2}, {4, 5}, {8, 10}, {16, 20}, {32, 50}});
  MetricOptions options;
  options.threshold = 0.95;  // E(4) = 95.2%, E(8) = 90.9%
  EXPECT_EQ(only(metrics_of(dir.path(), options)).knee->gpus, 8);
  options.threshold = 0.5;  // no count falls below 50%; every doubling gains >= 60%
  EXPECT_FALSE(only(metrics_of(dir.path(), options)).knee.has_value());
}

TEST(ReportKnee, LeavingTheNodeIsNamed) {
  TempDir dir;
  FixturePoint p;
  p.strategy = "mirrored";
  testing::write_weak_curve(dir.path(), p, {{1, 0}, {2, 8}, {4, 16}, {8, 30}});
  const GroupMetrics g = only(metrics_of(dir.path()));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->gpus, 8);  // 100 / 130 = 77%
  EXPECT_EQ(g.knee->cause,
            "communication-bound: 23% of the step is exposed all-reduce at 8 GPUs (all-reduce bus "
            "bandwidth 50.0 GB/s), the first count that spans 2 nodes");
}

TEST(ReportKnee, ComputeBoundKneeWhenComputeGrowsMoreThanCommunication) {
  TempDir dir;
  FixturePoint p;
  const std::pair<std::int64_t, std::pair<double, double>> points[] = {
      {1, {100, 0}}, {2, {100, 1}}, {4, {110, 1}}, {8, {130, 2}}};
  for (const auto& [gpus, phases] : points) {
    p.devices = gpus;
    p.compute_ms = phases.first;
    p.exposed_ms = phases.second;
    testing::write_point(dir / fmt::format("n{}.json", gpus), p);
  }
  const GroupMetrics g = only(metrics_of(dir.path()));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->gpus, 8);  // 100 / 132 = 76%
  EXPECT_EQ(g.knee->cause,
            "compute-bound: the compute phase takes 1.30x as long at 8 GPUs as at 1 GPU (the "
            "slowest rank sets the step), the first count that spans 2 nodes");
}

TEST(ReportKnee, SmallDoublingGainMarksTheKneeAboveTheThreshold) {
  TempDir dir;
  testing::write_weak_curve(dir.path(), FixturePoint{}, {{1, 0}, {2, 0}, {4, 0}, {8, 40}});
  MetricOptions options;
  options.threshold = 0.5;  // E(8) = 100 / 140 = 71% stays above it
  options.min_gain = 0.5;   // X(8) / X(4) - 1 = 2 * 100 / 140 - 1 = 43%
  const GroupMetrics g = only(metrics_of(dir.path(), options));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->gpus, 8);
  EXPECT_EQ(g.knee->rule, Knee::Rule::gain);
  EXPECT_EQ(g.knee->reason, "doubling from 4 to 8 GPUs added only 43% throughput (less than 50%)");
  EXPECT_EQ(g.knee->cause.rfind("communication-bound: 29% of the step", 0), 0u) << g.knee->cause;
}

TEST(ReportKnee, StrongScalingComparesWithTheIdealShareOfTheBaseline) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  const GroupMetrics g = only(metrics_of(dir / "mahti-strong"));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->gpus, 8);  // 800 / (8 * 130) = 77%
  EXPECT_EQ(g.knee->cause.rfind(
                "communication-bound: 23% of the step is exposed all-reduce at 8 GPUs", 0),
            0u)
      << g.knee->cause;
}

TEST(ReportKnee, StrongScalingComputeBoundWhenComputeStopsShrinking) {
  TempDir dir;
  FixturePoint p;
  p.scaling = "strong";
  p.global_batch = 1024;
  const std::pair<std::int64_t, std::pair<double, double>> points[] = {
      {1, {800, 0}}, {2, {450, 0}}, {4, {260, 2}}};
  for (const auto& [gpus, phases] : points) {
    p.devices = gpus;
    p.compute_ms = phases.first;
    p.exposed_ms = phases.second;
    testing::write_point(dir / fmt::format("n{}.json", gpus), p);
  }
  const GroupMetrics g = only(metrics_of(dir.path()));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->gpus, 4);  // 800 / (4 * 262) = 76%
  EXPECT_EQ(g.knee->cause,
            "compute-bound: with 256 samples per GPU the compute phase takes 1.30x its ideal share "
            "of the 1-GPU time (too little work per GPU)");
}

TEST(ReportKnee, NoKneeOnAGoodCurveAndNoneBelowTheBaseline) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  EXPECT_FALSE(only(metrics_of(dir / "puhti")).knee.has_value());  // E(16) = 150/175 = 86%

  // Doubling from 1 to 2 GPUs gains nothing (step 100 -> 200 ms), then 2 -> 4 -> 8 scale
  // perfectly: from the 1-GPU baseline the knee is at 2 ...
  TempDir below;
  testing::write_weak_curve(below.path(), FixturePoint{}, {{1, 0}, {2, 100}, {4, 100}, {8, 100}});
  const GroupMetrics from_one = only(metrics_of(below.path()));
  ASSERT_TRUE(from_one.knee.has_value());
  EXPECT_EQ(from_one.knee->gpus, 2);  // E(2) = 100 / 200 = 50%
  // ... but with 4 GPUs as the baseline, 2 lies below it: its doubling gain of 0% (under the 50%
  // minimum) and the baseline itself are not knees, and 8 GPUs keep E = 100%, gain 100%.
  MetricOptions options;
  options.baseline_gpus = 4;
  const GroupMetrics from_four = only(metrics_of(below.path(), options));
  ASSERT_EQ(from_four.baseline_gpus, 4);
  ASSERT_TRUE(from_four.at(2)->doubling_gain.has_value());
  EXPECT_LT(*from_four.at(2)->doubling_gain, options.min_gain);  // would be a knee above it
  EXPECT_FALSE(from_four.knee.has_value()) << from_four.knee->gpus;
}

TEST(ReportKnee, WithoutPhaseTimingsTheStepGrowthIsStated) {
  TempDir dir;
  testing::write_weak_curve(dir.path(), FixturePoint{}, {{1, 0}, {2, 50}});
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    nlohmann::json j = nlohmann::json::parse(testing::read_text(entry.path()));
    j["phases"]["compute"] = nullptr;
    j["phases"]["communication"] = nullptr;
    j["communication"] = nullptr;
    testing::write_text(entry.path(), j.dump());
  }
  const GroupMetrics g = only(metrics_of(dir.path()));
  ASSERT_TRUE(g.knee.has_value());
  EXPECT_EQ(g.knee->cause,
            "the step takes 150 ms at 2 GPUs against 100 ms at 1 GPU; the results carry no phase "
            "timings to say why");
}

}  // namespace
}  // namespace scalebench::reports
