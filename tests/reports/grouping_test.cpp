// Which runs form one scaling curve (issue 14, defects 1 and 2): a system is never a host, runs
// that differ in what changes the step are never repeats, and the report says when it split.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "reports/metrics.hpp"
#include "reports/report.hpp"
#include "tests/reports/checks.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using testing::FixturePoint;
using testing::read_text;
using testing::TempDir;

std::vector<GroupMetrics> metrics_of(const fs::path& dir, std::vector<std::string>* notes) {
  const ResultSet set = load_results({{dir, std::nullopt}});
  return compute_metrics(group_points(set, notes), {});
}

double highest_efficiency(const std::vector<GroupMetrics>& groups) {
  double highest = 0;
  for (const GroupMetrics& g : groups)
    for (const CountMetrics& c : g.counts)
      if (c.efficiency) highest = std::max(highest, *c.efficiency);
  return highest;
}

ReportSummary report_of(const TempDir& dir) {
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  options.gnuplot = "/nonexistent/gnuplot";
  return run_report(options);
}

// A hand-run sweep (no plan, so no cluster): each job ran on another host. Before, rank 0's
// hostname named the system, and one curve became three at 100% each.
TEST(Grouping, AHandRunSweepAcrossHostsIsOneCurveOfOneSystem) {
  TempDir dir;
  FixturePoint p;
  p.cluster.reset();
  const std::pair<std::int64_t, const char*> runs[] = {
      {1, "gpu017"}, {2, "gpu017"}, {4, "gpu203"}, {8, "gpu088"}};
  for (const auto& [gpus, host] : runs) {
    p.devices = gpus;
    p.hostname = host;
    p.exposed_ms = gpus == 1 ? 0 : 10.0 * static_cast<double>(gpus) / 2;
    testing::write_point(dir / "results" / fmt::format("n{}.json", gpus), p);
  }
  const ResultSet set = load_results({{dir / "results", std::nullopt}});
  ASSERT_EQ(set.systems.size(), 1u);
  EXPECT_EQ(set.systems.begin()->first, "A100");
  EXPECT_EQ(set.systems.begin()->second.hostnames.count("gpu203"), 1u);  // the hosts are listed
  std::vector<std::string> notes;
  const auto groups = compute_metrics(group_points(set, &notes), {});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(groups[0].counts.size(), 4u);
  EXPECT_LT(*groups[0].at(8)->efficiency, 0.9);  // not 100% at a split-off count
  const std::string csv = read_text((report_of(dir), dir / "out" / "summary.csv"));
  EXPECT_EQ(csv.find("gpu0"), std::string::npos) << csv;
}

// A 64-px test beside a 224-px sweep printed "keeps 576% efficiency".
TEST(Grouping, RunsOfAnotherImageSizeAreACurveOfTheirOwnAndTheReportSaysSo) {
  TempDir dir;
  FixturePoint big;
  testing::write_weak_curve(dir / "results" / "224", big, {{1, 0}, {2, 2}, {4, 5}, {8, 10}});
  FixturePoint small = big;
  small.image_size = 64;
  small.compute_ms = big.compute_ms * 64 * 64 / (224 * 224);
  testing::write_weak_curve(dir / "results" / "64", small, {{8, 1}});

  std::vector<std::string> notes;
  const auto groups = metrics_of(dir / "results", &notes);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_LE(highest_efficiency(groups), 1.0);
  std::set<std::string> variants;
  for (const GroupMetrics& g : groups) variants.insert(g.key.variant);
  EXPECT_EQ(variants, (std::set<std::string>{"image 224 px", "image 64 px"}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("differ in image size (image 224 px; image 64 px)"), std::string::npos)
      << notes[0];
  EXPECT_NE(notes[0].find("2 separate curves"), std::string::npos) << notes[0];

  const ReportSummary summary = report_of(dir);
  EXPECT_EQ(summary.notes.size(), 1u);
  const std::string text = read_text(dir / "out" / "summary.txt");
  EXPECT_NE(text.find("Note: resnet50 ddp fp32 batch 64 (weak scaling) on mahti A100: its runs "
                      "differ in image size"),
            std::string::npos)
      << text;
  EXPECT_NE(read_text(dir / "out" / "report.html").find("[image 64 px]"), std::string::npos);
}

TEST(Grouping, StrategyOptionsAndStepsSplitCurvesButMirroredDevicesPerProcessDoesNot) {
  TempDir dir;
  FixturePoint p;
  p.strategy = "mirrored";
  for (const std::int64_t gpus : {1, 2, 4}) {
    p.devices = gpus;
    p.options = {{"bucket_mb", 25}, {"devices_per_process", gpus}};  // set by the count
    testing::write_point(dir / "results" / fmt::format("m{}.json", gpus), p);
  }
  p.options = {{"bucket_mb", 100}, {"devices_per_process", 4}};
  testing::write_point(dir / "results" / "m4-bucket100.json", p);
  p.options = {{"bucket_mb", 25}, {"devices_per_process", 4}};
  p.steps = 200;
  testing::write_point(dir / "results" / "m4-steps200.json", p);

  std::vector<std::string> notes;
  const auto groups = metrics_of(dir / "results", &notes);
  ASSERT_EQ(groups.size(), 3u);
  std::set<std::string> variants;
  for (const GroupMetrics& g : groups) variants.insert(g.key.variant);
  EXPECT_EQ(variants, (std::set<std::string>{"20 steps, bucket_mb=25", "20 steps, bucket_mb=100",
                                             "200 steps, bucket_mb=25"}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("steps (20 steps; 200 steps) and strategy options"), std::string::npos)
      << notes[0];
}

// 0.1.0 and 0.2.0 bf16 results (docs/gpu.md: not to be compared) became one curve.
TEST(Grouping, VersionsAreSeparateCurvesAndMixedCommitsAreNamed) {
  TempDir dir;
  FixturePoint p;
  testing::write_weak_curve(dir / "results" / "old", p, {{1, 0}, {2, 2}});
  p.scalebench_version = "0.2.0";
  testing::write_weak_curve(dir / "results" / "new", p, {{1, 0}});
  p.git_commit = "def456";
  testing::write_weak_curve(dir / "results" / "new2", p, {{2, 2}});

  std::vector<std::string> notes;
  const auto groups = metrics_of(dir / "results", &notes);
  ASSERT_EQ(groups.size(), 2u);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("scalebench version (scalebench 0.1.0; scalebench 0.2.0)"),
            std::string::npos)
      << notes[0];
  EXPECT_NE(notes[1].find("[scalebench 0.2.0]: its runs come from 2 commits of scalebench 0.2.0 "
                          "(abc123, def456)"),
            std::string::npos)
      << notes[1];
}

// 8 GPUs on one node and on 2 x 4 are different measurements: each layout is a curve, and both
// share the single-node counts that fit their node.
TEST(Grouping, OneNodeAndTwoNodesAtTheSameCountAreSeparateLayouts) {
  TempDir dir;
  FixturePoint p;
  p.devices_per_node = 8;
  testing::write_weak_curve(dir / "results" / "dgx", p, {{1, 0}, {2, 1}, {4, 2}, {8, 3}, {16, 20}});
  p.devices_per_node = 4;
  testing::write_weak_curve(dir / "results" / "two-by-four", p, {{8, 15}, {16, 25}});

  std::vector<std::string> notes;
  const auto groups = metrics_of(dir / "results", &notes);
  ASSERT_EQ(groups.size(), 2u);
  for (const GroupMetrics& g : groups) {
    std::vector<std::int64_t> counts;
    for (const CountMetrics& c : g.counts) counts.push_back(c.gpus);
    EXPECT_EQ(counts, (std::vector<std::int64_t>{1, 2, 4, 8, 16})) << g.key.variant;
    if (g.key.devices_per_node == 4) {
      EXPECT_EQ(g.key.variant, "4 GPUs per node");
      EXPECT_EQ(g.at(8)->nodes, 2);
      EXPECT_EQ(g.at(4)->nodes, 1);
    } else {
      EXPECT_EQ(g.key.variant, "8 GPUs per node");
      EXPECT_EQ(g.at(8)->nodes, 1);
    }
  }
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("node layout (4 GPUs per node; 8 GPUs per node)"), std::string::npos)
      << notes[0];
}

TEST(Grouping, AnEfficiencyAboveLinearIsWarnedWithItsCause) {
  TempDir dir;
  FixturePoint p;
  p.compute_ms = 150;  // a slow baseline: another device, throttled
  testing::write_weak_curve(dir / "results", p, {{1, 0}});
  p.compute_ms = 100;
  testing::write_weak_curve(dir / "results", p, {{2, 1}, {4, 2}});
  const auto groups = metrics_of(dir / "results", nullptr);
  ASSERT_EQ(groups.size(), 1u);
  ASSERT_EQ(groups[0].warnings.size(), 2u);
  EXPECT_NE(groups[0].warnings[0].find("Efficiency 149% at 2 GPUs is above 105%: its "
                                       "compute-only step (100 ms) is shorter than the "
                                       "baseline's (150 ms)"),
            std::string::npos)
      << groups[0].warnings[0];

  const ReportSummary summary = report_of(dir);
  ASSERT_EQ(summary.notes.size(), 2u);
  EXPECT_NE(read_text(dir / "out" / "summary.txt").find("is above 105%"), std::string::npos);
  // And none on a plain curve.
  TempDir plain;
  testing::write_standard_set(plain / "results");
  for (const GroupMetrics& g : metrics_of(plain / "results", nullptr))
    EXPECT_TRUE(g.warnings.empty()) << g.warnings.front();
}

TEST(Grouping, BusbwAtOneGpuIsNotApplicableNotZero) {
  TempDir dir;
  testing::write_standard_set(dir / "results");
  const auto groups = metrics_of(dir / "results", nullptr);
  for (const GroupMetrics& g : groups) {
    EXPECT_FALSE(g.at(1)->busbw_gbps.has_value()) << *g.at(1)->busbw_gbps;
    EXPECT_TRUE(g.at(2)->busbw_gbps.has_value());
  }
  report_of(dir);
  const std::string md = read_text(dir / "out" / "report.md");
  auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::size_t at = 1;
    for (std::size_t bar; (bar = line.find(" |", at)) != std::string::npos; at = bar + 2)
      out.push_back(line.substr(at + 1, bar - at - 1));
    return out;
  };
  const std::size_t header = md.find("| GPUs | Nodes |");
  const std::size_t row = md.find("| 1 | 1 | ok |", header);
  ASSERT_NE(row, std::string::npos);
  const auto names = cells(md.substr(header, md.find('\n', header) - header));
  const auto values = cells(md.substr(row, md.find('\n', row) - row));
  const auto busbw = std::find(names.begin(), names.end(), "Busbw GB/s") - names.begin();
  ASSERT_LT(static_cast<std::size_t>(busbw), values.size());
  EXPECT_EQ(values[busbw], "–");
  // The knee is told once, in the group's sentence, not again in a "Knee at" line.
  EXPECT_EQ(read_text(dir / "out" / "report.html").find("Knee at"), std::string::npos);
}

}  // namespace
}  // namespace scalebench::reports
