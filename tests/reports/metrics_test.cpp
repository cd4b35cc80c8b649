// Metrics against hand-computed numbers: throughput, speedup, efficiency (weak and strong),
// communication, doubling gain, cost, repeats and failed points.
#include "reports/metrics.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "records/errors.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

using testing::FixturePoint;
using testing::TempDir;

struct Computed {
  ResultSet set;
  std::vector<GroupMetrics> groups;
  const GroupMetrics& group(const std::string& system, const std::string& strategy,
                            const std::string& scaling) const {
    for (const GroupMetrics& g : groups) {
      if (g.key.system == system && g.key.strategy == strategy && g.key.scaling == scaling)
        return g;
    }
    throw std::runtime_error("no such group");
  }
};

Computed compute(const std::filesystem::path& dir, const MetricOptions& options = {}) {
  Computed c;
  c.set = load_results({{dir, std::nullopt}});
  c.groups = compute_metrics(group_points(c.set), options);
  return c;
}

TEST(ReportMetrics, WeakScalingEfficiencyIsThroughputOverNTimesBaseline) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  const Computed c = compute(dir.path());
  ASSERT_EQ(c.groups.size(), 4u);
  const GroupMetrics& g = c.group("mahti A100", "ddp", "weak");
  ASSERT_EQ(g.counts.size(), 7u);
  EXPECT_EQ(g.baseline_gpus, 1);
  // X(1) = 64 samples / 100 ms = 640/s; X(16) = 16*64 / 120 ms = 8533.3/s.
  const CountMetrics& one = *g.at(1);
  EXPECT_NEAR(*one.samples_per_s, 640.0, 1e-9);
  EXPECT_NEAR(*one.efficiency, 1.0, 1e-12);
  const CountMetrics& sixteen = *g.at(16);
  EXPECT_EQ(sixteen.nodes, 4);
  EXPECT_NEAR(*sixteen.step_ms, 120.0, 1e-9);
  EXPECT_NEAR(*sixteen.samples_per_s, 1024000.0 / 120.0, 1e-6);
  EXPECT_NEAR(*sixteen.samples_per_s_per_gpu, 64000.0 / 120.0, 1e-6);
  EXPECT_NEAR(*sixteen.speedup, 16.0 * 100.0 / 120.0, 1e-9);
  EXPECT_NEAR(*sixteen.efficiency, 100.0 / 120.0, 1e-9);  // 0.8333
  EXPECT_NEAR(*g.at(32)->efficiency, 100.0 / 150.0, 1e-9);
  // Communication: exposed 20 of 120 ms; all-reduce 40 ms, half of it hidden.
  EXPECT_NEAR(*sixteen.exposed_ms, 20.0, 1e-9);
  EXPECT_NEAR(*sixteen.exposed_share, 20.0 / 120.0, 1e-9);
  EXPECT_NEAR(*sixteen.overlap, 0.5, 1e-9);
  EXPECT_NEAR(*sixteen.allreduce_ms, 40.0, 1e-9);
  EXPECT_NEAR(*sixteen.busbw_gbps, 50.0, 1e-9);
  // Last doubling 8 -> 16: X(16)/X(8) - 1 = (16/120)/(8/110) - 1 = 0.8333.
  EXPECT_NEAR(*sixteen.doubling_gain, (16.0 / 120.0) / (8.0 / 110.0) - 1.0, 1e-9);
  EXPECT_FALSE(one.doubling_gain.has_value());
  // 16 GPUs * 0.120 s * 1000 steps / 3600 s/h = 0.5333 GPU-hours.
  EXPECT_NEAR(*sixteen.gpu_hours_per_1000_steps, 16 * 0.120 * 1000 / 3600, 1e-12);
  EXPECT_FALSE(sixteen.billing_units_per_1000_steps.has_value());
}

TEST(ReportMetrics, FailedPointsAreKeptWithoutMeasurements) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  const Computed c = compute(dir.path());
  const GroupMetrics& g = c.group("mahti A100", "ddp", "weak");
  const CountMetrics& failed = *g.at(64);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.failed, 1);
  EXPECT_EQ(failed.nodes, 16);
  EXPECT_EQ(failed.error, "NCCL error: unhandled system error");
  EXPECT_FALSE(failed.efficiency.has_value());
  EXPECT_FALSE(failed.gpu_hours_per_1000_steps.has_value());
}

TEST(ReportMetrics, StrongScalingEfficiencyIsBaselineTimeOverNTimesTime) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  const Computed c = compute(dir.path());
  const GroupMetrics& g = c.group("mahti A100", "ddp", "strong");
  EXPECT_EQ(g.key.batch, 1024);
  // t(1) = 800 ms, t(8) = 130 ms: E = 800 / (8 * 130) = 0.769; speedup 6.15.
  const CountMetrics& eight = *g.at(8);
  EXPECT_EQ(eight.batch_per_device, 128);
  EXPECT_NEAR(*eight.speedup, 800.0 / 130.0, 1e-9);
  EXPECT_NEAR(*eight.efficiency, 800.0 / (8 * 130.0), 1e-9);
  EXPECT_NEAR(*g.at(16)->efficiency, 800.0 / (16 * 90.0), 1e-9);
  EXPECT_NEAR(*eight.samples_per_s, 1024.0 * 1000.0 / 130.0, 1e-6);
}

TEST(ReportMetrics, BaselineOverrideAndMissingBaseline) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  MetricOptions options;
  options.baseline_gpus = 2;
  const Computed c = compute(dir.path(), options);
  const GroupMetrics& g = c.group("puhti V100", "ddp", "weak");
  EXPECT_EQ(g.baseline_gpus, 2);
  // E(16) = 2 X(16) / (16 X(2)) = t(2) / t(16) = 153 / 175.
  EXPECT_NEAR(*g.at(16)->efficiency, 153.0 / 175.0, 1e-9);
  EXPECT_NEAR(*g.at(2)->efficiency, 1.0, 1e-12);
  // E(1) = (X(1) / X(2)) * 2 / 1 = t(2) / t(1): above 1 below the baseline.
  EXPECT_NEAR(*g.at(1)->efficiency, 153.0 / 150.0, 1e-9);

  options.baseline_gpus = 32;  // only the mahti ddp curve has it
  try {
    compute(dir.path(), options);
    FAIL() << "a baseline missing from a curve must be refused";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("--baseline 32"), std::string::npos) << message;
    EXPECT_NE(message.find("1, 2, 4, 8"), std::string::npos) << message;
  }
}

// --baseline node: each curve's largest successful single-node count, so that leaving the node
// is measured against the node (puhti: 4 GPUs per node; its counts 1, 2, 4 | 8, 16).
TEST(ReportMetrics, BaselineNodeIsEachCurvesLargestSingleNodeCount) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  MetricOptions options;
  options.baseline_full_node = true;
  const Computed c = compute(dir.path(), options);
  const GroupMetrics& g = c.group("puhti V100", "ddp", "weak");
  EXPECT_EQ(g.baseline_gpus, 4);
  EXPECT_TRUE(g.baseline_full_node);
  // E(16) = 4 X(16) / (16 X(4)) = t(4) / t(16) = 156 / 175.
  EXPECT_NEAR(*g.at(16)->efficiency, 156.0 / 175.0, 1e-9);
  EXPECT_NEAR(*g.at(4)->efficiency, 1.0, 1e-12);

  TempDir multi;  // a curve measured on 2 nodes and more only
  FixturePoint p;
  for (std::int64_t n : {8, 16}) {
    p.devices = n;
    testing::write_point(multi / ("p" + std::to_string(n) + ".json"), p);
  }
  try {
    compute(multi.path(), options);
    FAIL() << "a curve without a single-node point must be refused";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("--baseline node:"), std::string::npos) << message;
    EXPECT_NE(message.find("no successful single-node point"), std::string::npos) << message;
    EXPECT_NE(message.find("8, 16"), std::string::npos) << message;
  }
}

TEST(ReportMetrics, RepeatsCombineAsMedianOfMediansWithSpread) {
  TempDir dir;
  FixturePoint p;
  p.devices = 4;
  const double exposed[] = {4, 5, 10};  // steps 104, 105, 110 ms
  for (int i = 0; i < 3; ++i) {
    p.exposed_ms = exposed[i];
    testing::write_point(dir / fmt::format("run{}.json", i), p);
  }
  p.status = "timeout";
  p.error = "all-reduce did not finish within 300 s";
  testing::write_point(dir / "run3.json", p);
  const Computed c = compute(dir.path());
  ASSERT_EQ(c.groups.size(), 1u);
  const CountMetrics& four = c.groups[0].counts.at(0);
  EXPECT_EQ(four.repeats, 3);
  EXPECT_EQ(four.failed, 1);
  EXPECT_EQ(four.status, "ok");
  EXPECT_NEAR(*four.step_ms, 105.0, 1e-9);
  EXPECT_NEAR(*four.step_p5_ms, 104.0 * 0.98, 1e-9);   // lowest p5
  EXPECT_NEAR(*four.step_p95_ms, 110.0 * 1.03, 1e-9);  // highest p95
  EXPECT_NEAR(*four.samples_per_s, 256000.0 / 105.0, 1e-6);
  EXPECT_NEAR(*four.exposed_ms, 5.0, 1e-9);
}

TEST(ReportMetrics, BillingPricesTheGpuHours) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  MetricOptions options;
  SystemPricing puhti;
  puhti.per_device_hour = 2.5;
  options.pricing = {{"puhti V100", puhti}};
  const Computed c = compute(dir.path(), options);
  const CountMetrics& eight = *c.group("puhti V100", "ddp", "weak").at(8);
  EXPECT_NEAR(*eight.billing_units_per_1000_steps, 8 * 0.162 * 1000 / 3600 * 2.5, 1e-12);
  EXPECT_FALSE(c.group("mahti A100", "ddp", "weak").at(8)->billing_units_per_1000_steps);
}

TEST(ReportMetrics, ACurveWithOnlyFailuresHasNoBaseline) {
  TempDir dir;
  FixturePoint p;
  p.status = "failed";
  p.error = "out of memory";
  for (const int n : {1, 2}) {
    p.devices = n;
    testing::write_point(dir / fmt::format("n{}.json", n), p);
  }
  const Computed c = compute(dir.path());
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_FALSE(c.groups[0].baseline_gpus.has_value());
  EXPECT_FALSE(c.groups[0].knee.has_value());
  EXPECT_EQ(c.groups[0].counts.size(), 2u);
}

}  // namespace
}  // namespace scalebench::reports
