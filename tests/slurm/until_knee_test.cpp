// plan --until-knee: the waves, the gate's rule (judge_curve), the gate on result files (knee
// found, no knee, a failed wave, the confirmation count, a projection), the chained submission, the
// cancelling, and the sweep without Slurm that skips what a gate stopped.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/plan/batch_script.hpp"
#include "harness/plan/plan.hpp"
#include "harness/plan/submit.hpp"
#include "harness/plan/sweep_runner.hpp"
#include "harness/plan/until_knee.hpp"
#include "records/cluster_profile.hpp"
#include "records/errors.hpp"
#include "records/result.hpp"
#include "records/until_knee.hpp"
#include "tests/reports/fixtures.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------- the rule itself

std::vector<MeasuredCount> counts(std::initializer_list<std::pair<std::int64_t, double>> effs) {
  std::vector<MeasuredCount> out;
  for (auto [gpus, eff] : effs) out.push_back({gpus, gpus, eff});  // one GPU a node
  return out;
}

NextWaveProjection projected(std::int64_t gpus, double high) {
  return {gpus, gpus, ProjectedEfficiency{high - 0.05, high - 0.1, high}};
}

TEST(JudgeCurve, NothingMeasuredPastTheBaselineGoesOn) {
  Verdict v = judge_curve({}, std::nullopt, 0.8, 1, "GPUs");
  EXPECT_FALSE(v.stop);
  EXPECT_NE(v.reason.find("no count above the baseline"), std::string::npos) << v.reason;
}

TEST(JudgeCurve, OneCountBelowWaitsForItsConfirmation) {
  Verdict v = judge_curve(counts({{2, 0.95}, {4, 0.70}}), std::nullopt, 0.8, 1, "GPUs");
  EXPECT_FALSE(v.stop) << v.reason;
  EXPECT_NE(v.reason.find("efficiency 70% at 4 GPUs (4 nodes) is below 80%"), std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("1 further count below it"), std::string::npos) << v.reason;
}

TEST(JudgeCurve, TheKneeAndOneFurtherCountBelowStop) {
  Verdict v = judge_curve(counts({{2, 0.95}, {4, 0.70}, {8, 0.50}}), std::nullopt, 0.8, 1, "GPUs");
  EXPECT_TRUE(v.stop);
  EXPECT_NE(v.reason.find("confirmed by 50% at 8 GPUs"), std::string::npos) << v.reason;
}

TEST(JudgeCurve, ConfirmZeroStopsAtTheFirstCountBelow) {
  EXPECT_TRUE(judge_curve(counts({{2, 0.70}}), std::nullopt, 0.8, 0, "GPUs").stop);
}

TEST(JudgeCurve, ConfirmTwoNeedsTwoFurtherCounts) {
  EXPECT_FALSE(judge_curve(counts({{2, 0.7}, {4, 0.6}}), std::nullopt, 0.8, 2, "GPUs").stop);
  EXPECT_TRUE(
      judge_curve(counts({{2, 0.7}, {4, 0.6}, {8, 0.5}}), std::nullopt, 0.8, 2, "GPUs").stop);
  // A projection of the next wave below the threshold stops the curve whatever --confirm says (past
  // one node measured, as here: one device a node).
  EXPECT_TRUE(judge_curve(counts({{2, 0.7}}), projected(4, 0.5), 0.8, 2, "GPUs").stop);
  EXPECT_TRUE(judge_curve(counts({{2, 0.9}}), projected(4, 0.5), 0.8, 2, "GPUs").stop);
}

TEST(JudgeCurve, ACountThatRecoversResetsTheKnee) {
  // Run-to-run noise: one dip, then back above the threshold.
  EXPECT_FALSE(judge_curve(counts({{2, 0.75}, {4, 0.85}}), std::nullopt, 0.8, 1, "GPUs").stop);
}

TEST(JudgeCurve, AProjectionBelowTheThresholdConfirmsAMeasuredKnee) {
  Verdict v = judge_curve(counts({{2, 0.70}}), projected(4, 0.55), 0.8, 1, "GPUs");
  EXPECT_TRUE(v.stop);
  EXPECT_NE(v.reason.find("confirmed by the projection at 4 GPUs (4 nodes): at most 55%"),
            std::string::npos)
      << v.reason;
}

TEST(JudgeCurve, AProjectionWhoseBandReachesTheThresholdDoesNot) {
  EXPECT_FALSE(judge_curve(counts({{2, 0.70}}), projected(4, 0.81), 0.8, 1, "GPUs").stop);
}

TEST(JudgeCurve, AProjectionAloneStopsACurveOnlyAfterAMultiNodeCount) {
  // Past one node measured above the threshold, the next wave projected below: stop.
  Verdict v = judge_curve(counts({{2, 0.90}}), projected(4, 0.6), 0.8, 1, "GPUs");
  EXPECT_TRUE(v.stop);
  EXPECT_NE(v.reason.find("the projection at 4 GPUs (4 nodes) is at most 60%"), std::string::npos)
      << v.reason;
  // Only the node measured (its counts on one node): the projection of the link is not evidence.
  std::vector<MeasuredCount> in_node{{2, 1, 0.95}, {4, 1, 0.9}};
  EXPECT_FALSE(judge_curve(in_node, projected(8, 0.6), 0.8, 1, "GPUs").stop);
}

// ------------------------------------------------------------------ the gate on result files

// The emulated profile with one device a node and up to 8 nodes; `link` keeps its inter-node
// facts (the gate then projects), otherwise they are removed (no projection).
ClusterProfile one_device_nodes(bool link) {
  std::ifstream in(testing::source_dir() / "configs/clusters/emulated.json");
  nlohmann::json j = nlohmann::json::parse(in);
  j["name"] = "emulated-test";
  j["node_types"][0]["gpus"] = 1;
  j["partitions"][0]["max_nodes"] = 8;
  if (!link) {
    auto& inter = j["interconnect"]["inter_node"];
    for (const char* k : {"nics_per_node", "nic_gbit_per_s"}) inter.erase(k);
    inter["bandwidth_gb_per_s"] = nullptr;
  }
  return parse_cluster_profile(j, "test profile");
}

class UntilKnee : public ::testing::Test {
 protected:
  Plan make(std::int64_t confirm = 1, bool link = false, bool slurm = true) {
    SweepSpec s;
    s.workloads = {"mnist_cnn"};
    s.strategies = {"ddp"};
    s.gpus = {1, 2, 4, 8};
    s.batch = 32;
    s.steps = 5;
    s.warmup = 1;
    s.binary = "/bin/true";
    s.until_knee = true;
    s.knee_confirm = confirm;
    ClusterProfile c = one_device_nodes(link);
    if (!slurm) {
      c.scheduler = "none";
      c.raw["scheduler"] = "none";
    }
    Plan p = make_plan(s, c, testing::fixed_catalog());
    write_plan(p, dir());
    return p;
  }
  const fs::path& dir() const { return tmp_.path(); }
  const PlannedPoint& point(const Plan& p, std::int64_t gpus) {
    for (const auto& pt : p.points)
      if (pt.gpus == gpus) return pt;
    throw std::runtime_error("no such point");
  }
  scalebench::testing::FixturePoint fixture(const Plan& p, std::int64_t gpus, double efficiency) {
    scalebench::testing::FixturePoint f;
    f.cluster = p.cluster.name;
    f.backend = "cpu";
    f.workload = "mnist_cnn";
    f.strategy = "ddp";
    f.batch_per_device = 32;
    f.devices = gpus;
    f.devices_per_node = 1;
    f.compute_ms = 100;
    f.exposed_ms = 100 * (1 / efficiency - 1);
    f.allreduce_ms = f.exposed_ms > 0 ? f.exposed_ms : 0;
    return f;
  }
  // An ok record at the planned point of `gpus` whose weak-scaling efficiency is `efficiency`.
  void measured(const Plan& p, std::int64_t gpus, double efficiency) {
    scalebench::testing::write_point(dir() / point(p, gpus).result, fixture(p, gpus, efficiency));
  }
  void failed(const Plan& p, std::int64_t gpus) {
    write_result_file(
        testing::failed_record_of(point(p, gpus), "NCCL error: remote process exited"),
        dir() / point(p, gpus).result, true);
  }
  testing::TempDir tmp_{"until-knee"};
};

TEST_F(UntilKnee, ThePlanHasOneWavePerNodeCountAndAGateAfterEachButTheLast) {
  Plan p = make();
  ASSERT_EQ(p.waves.size(), 4u);
  EXPECT_EQ(p.waves[0].nodes, 1);
  EXPECT_EQ(p.waves[3].nodes, 8);
  EXPECT_EQ(p.waves[0].gate_script, "gate_0.sbatch");
  EXPECT_EQ(p.waves[3].gate_script, "");
  // plan.json keeps them; a plan read back is the same plan.
  Plan back = read_plan(dir() / "plan.json");
  ASSERT_EQ(back.waves.size(), 4u);
  EXPECT_EQ(back.waves[2].points, p.waves[2].points);
  EXPECT_TRUE(back.spec.until_knee);
  EXPECT_EQ(back.spec.knee_confirm, 1);
  const std::string gate = testing::read_text(dir() / "gate_1.sbatch");
  EXPECT_NE(gate.find("/bin/true gate plan.json --wave 1\n"), std::string::npos) << gate;
  EXPECT_NE(gate.find("#SBATCH --time=00:10:00"), std::string::npos) << gate;
  EXPECT_FALSE(fs::exists(dir() / "gate_3.sbatch"));
  const std::string report = testing::read_text(dir() / "report.sbatch");
  EXPECT_NE(report.find("if [ -f until_knee.json ]; then skipped=(--skipped until_knee.json); fi"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("\"${skipped[@]}\""), std::string::npos) << report;
}

TEST_F(UntilKnee, APlanWhoseWavesDoNotMatchItsPointsIsRefused) {
  make();
  nlohmann::json j = nlohmann::json::parse(testing::read_text(dir() / "plan.json"));
  j["waves"][1]["points"].push_back(0);  // point 0 is a single-node point, and in wave 0
  std::ofstream(dir() / "plan.json") << j.dump();
  EXPECT_THROW(read_plan(dir() / "plan.json"), UsageError);
}

TEST_F(UntilKnee, KneeFoundStopsTheLaterWavesAndSaysWhy) {
  Plan p = make();
  measured(p, 1, 1.0);
  GateOutcome g0 = run_gate(p, dir(), 0);
  EXPECT_TRUE(g0.newly_skipped.empty());
  measured(p, 2, 0.62);
  GateOutcome g1 = run_gate(p, dir(), 1);
  EXPECT_TRUE(g1.newly_skipped.empty()) << g1.log;  // one count below: wait for the next
  measured(p, 4, 0.45);
  GateOutcome g2 = run_gate(p, dir(), 2);
  ASSERT_EQ(g2.newly_skipped, std::vector<std::int64_t>{point(p, 8).index}) << g2.log;
  EXPECT_TRUE(g2.nothing_left);
  EXPECT_NE(
      g2.log.find("mnist_cnn ddp: STOPPED after wave 2: efficiency 62% at 2 devices (2 nodes) is "
                  "below 80%, confirmed by 45% at 4 devices (4 nodes)"),
      std::string::npos)
      << g2.log;
  UntilKneeState s = read_until_knee_file(dir() / kUntilKneeFile);
  ASSERT_EQ(s.curves.size(), 1u);
  EXPECT_EQ(s.curves[0].state, "stopped");
  EXPECT_EQ(s.curves[0].stopped_after_wave, 2);
  ASSERT_EQ(s.curves[0].skipped.size(), 1u);
  EXPECT_EQ(s.curves[0].skipped[0].gpus, 8);
  EXPECT_EQ(s.waves.size(), 3u);
  const std::string log = testing::read_text(dir() / kSweepLogFile);
  EXPECT_NE(log.find("gate after wave 2 (4 nodes): 1 of 1 point(s) ok"), std::string::npos) << log;
  EXPECT_NE(log.find("nothing is left to run"), std::string::npos) << log;
  EXPECT_EQ(skipped_points(dir()), std::vector<std::int64_t>{point(p, 8).index});
}

TEST_F(UntilKnee, NoKneeRunsEveryWave) {
  Plan p = make();
  measured(p, 1, 1.0);
  measured(p, 2, 0.97);
  measured(p, 4, 0.93);
  for (std::int64_t w = 0; w < 3; ++w) {
    GateOutcome g = run_gate(p, dir(), w);
    EXPECT_TRUE(g.newly_skipped.empty()) << g.log;
    EXPECT_FALSE(g.nothing_left);
  }
  UntilKneeState s = read_until_knee_file(dir() / kUntilKneeFile);
  EXPECT_EQ(s.curves[0].state, "running");
  EXPECT_NE(s.curves[0].reason.find("efficiency 93% at 4 devices (4 nodes), at or above 80%"),
            std::string::npos)
      << s.curves[0].reason;
}

TEST_F(UntilKnee, AFailedWaveStopsTheCurveAndSaysSo) {
  Plan p = make();
  measured(p, 1, 1.0);
  run_gate(p, dir(), 0);
  failed(p, 2);
  GateOutcome g = run_gate(p, dir(), 1);
  EXPECT_EQ(g.newly_skipped.size(), 2u) << g.log;  // the 4- and 8-node points
  EXPECT_NE(g.log.find("0 of 1 point(s) ok, 1 FAILED"), std::string::npos) << g.log;
  EXPECT_NE(
      g.log.find("failed: p0001 (mnist_cnn 2 GPUs): failed: NCCL error: remote process exited"),
      std::string::npos)
      << g.log;
  EXPECT_NE(g.log.find("every point of wave 1 (2 nodes) failed"), std::string::npos) << g.log;
  // A missing record (the task was killed before it wrote one) counts as failed too.
  fs::remove(dir() / point(p, 2).result);
  GateOutcome again = run_gate(p, dir(), 1);
  EXPECT_NE(again.log.find("no result record"), std::string::npos) << again.log;
}

TEST_F(UntilKnee, TheConfirmationCountIsHonoured) {
  {
    Plan p = make(/*confirm=*/0);
    measured(p, 1, 1.0);
    measured(p, 2, 0.7);
    run_gate(p, dir(), 0);
    GateOutcome g = run_gate(p, dir(), 1);
    EXPECT_EQ(g.newly_skipped.size(), 2u) << g.log;
  }
  fs::remove(dir() / kUntilKneeFile);
  {
    Plan p = make(/*confirm=*/2);
    measured(p, 1, 1.0);
    measured(p, 2, 0.7);
    measured(p, 4, 0.6);
    run_gate(p, dir(), 0);
    run_gate(p, dir(), 1);
    GateOutcome g = run_gate(p, dir(), 2);
    EXPECT_TRUE(g.newly_skipped.empty()) << g.log;  // the knee and one further count: not yet
    EXPECT_NE(g.log.find("1 further count below it will confirm"), std::string::npos) << g.log;
  }
}

TEST_F(UntilKnee, AGateRunAgainDecidesItsWaveAfresh) {
  Plan p = make(/*confirm=*/0);
  measured(p, 1, 1.0);
  failed(p, 2);
  run_gate(p, dir(), 0);
  EXPECT_EQ(run_gate(p, dir(), 1).newly_skipped.size(), 2u);
  measured(p, 2, 0.95);  // the wave was rerun and passed
  GateOutcome g = run_gate(p, dir(), 1);
  EXPECT_TRUE(g.newly_skipped.empty()) << g.log;
  EXPECT_EQ(read_until_knee_file(dir() / kUntilKneeFile).curves[0].state, "running");
}

TEST_F(UntilKnee, WithTheLinkInTheProfileTheSkippedPointsCarryTheirProjection) {
  Plan p = make(/*confirm=*/1, /*link=*/true);
  measured(p, 1, 1.0);
  measured(p, 2, 0.30);
  run_gate(p, dir(), 0);
  GateOutcome g = run_gate(p, dir(), 1);
  UntilKneeState s = read_until_knee_file(dir() / kUntilKneeFile);
  ASSERT_EQ(s.curves[0].state, "stopped") << g.log;
  ASSERT_EQ(s.curves[0].skipped.size(), 2u);
  for (const SkippedPoint& sp : s.curves[0].skipped) {
    ASSERT_TRUE(sp.projected) << sp.gpus;
    EXPECT_LE(sp.projected->low, sp.projected->central);
    EXPECT_LE(sp.projected->central, sp.projected->high);
  }
  EXPECT_NE(g.log.find("confirmed by the projection at 4 devices (4 nodes)"), std::string::npos)
      << g.log;
}

TEST_F(UntilKnee, GpuCountsInAnyOrderJudgeTheNextWaveNotTheLast) {
  SweepSpec s;
  s.workloads = {"mnist_cnn"};
  s.strategies = {"ddp"};
  s.gpus = {8, 4, 2, 1};  // as given, not sorted
  s.batch = 32;
  s.binary = "/bin/true";
  s.until_knee = true;
  Plan p = make_plan(s, one_device_nodes(false), testing::fixed_catalog());
  write_plan(p, dir());
  ASSERT_EQ(p.waves.size(), 4u);
  EXPECT_EQ(p.waves[1].nodes, 2);
  measured(p, 1, 1.0);
  GateOutcome g = run_gate(p, dir(), 0);
  EXPECT_NE(g.log.find("goes on to wave 1"), std::string::npos) << g.log;
}

TEST_F(UntilKnee, ABaselinePastTheFirstWaveIsRefused) {
  SweepSpec s;
  s.workloads = {"mnist_cnn"};
  s.strategies = {"ddp"};
  s.gpus = {1, 2, 4};
  s.binary = "/bin/true";
  s.until_knee = true;
  s.report_baseline = "2";  // 2 nodes of one device: the second wave
  EXPECT_THROW(make_plan(s, one_device_nodes(false), testing::fixed_catalog()), UsageError);
  s.report_baseline = "node";
  EXPECT_NO_THROW(make_plan(s, one_device_nodes(false), testing::fixed_catalog()));
}

TEST_F(UntilKnee, WritingThePlanAgainDropsTheEarlierDecisions) {
  Plan p = make(/*confirm=*/0);
  measured(p, 1, 1.0);
  measured(p, 2, 0.5);
  run_gate(p, dir(), 1);
  ASSERT_TRUE(fs::exists(dir() / kUntilKneeFile));
  write_plan(p, dir());
  EXPECT_FALSE(fs::exists(dir() / kUntilKneeFile));
  EXPECT_TRUE(skipped_points(dir()).empty());
}

TEST_F(UntilKnee, AGateOfAPlanWithoutWavesOrOfAWaveItHasNotIsRefused) {
  Plan p = make();
  EXPECT_THROW(run_gate(p, dir(), 4), UsageError);
  EXPECT_THROW(run_gate(p, dir(), -1), UsageError);
  Plan plain = p;
  plain.waves.clear();
  EXPECT_THROW(run_gate(plain, dir(), 0), UsageError);
}

// ------------------------------------------------------------------------- Slurm: submit, cancel

void write_executable(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  fs::permissions(path, fs::perms::owner_all);
}

TEST_F(UntilKnee, SubmitChainsWaveGateWaveAndTheReportWaitsForAll) {
  Plan p = make();
  fs::path fake = dir() / "fake-sbatch";
  fs::path log = dir() / "sbatch.log";
  write_executable(fake,
                   fmt::format("#!/bin/sh\necho \"$@\" >> {}\nn=$(wc -l < {})\necho $((100 + n))\n",
                               log.string(), log.string()));
  Submission sub = submit_plan(dir() / "plan.json", {.dry_run = false, .sbatch = fake.string()});
  // wave 0 (101), gate 0 (102), wave 1 (103) after 102, gate 1 (104), wave 2 (105), gate 2 (106),
  // wave 3 (107), report (108) after all.
  ASSERT_EQ(sub.arrays.size(), 4u);
  ASSERT_EQ(sub.gates.size(), 3u);
  EXPECT_EQ(sub.gates[0].job_id, "102");
  EXPECT_EQ(sub.arrays[1].command[3], "--dependency=afterany:102");
  EXPECT_EQ(sub.gates[1].command[3], "--dependency=afterany:103");
  EXPECT_EQ(sub.report.command[3], "--dependency=afterany:101:102:103:104:105:106:107");
  auto record = nlohmann::json::parse(testing::read_text(dir() / "submitted.json"));
  ASSERT_EQ(record[0]["gates"].size(), 3u);
  EXPECT_EQ(record[0]["gates"][2]["job_id"], "106");
  // The dry run's snippet submits the same chain.
  Submission dry = submit_plan(dir() / "plan.json", {.dry_run = true, .sbatch = fake.string()});
  EXPECT_NE(dry.text.find("--dependency=afterany:$j1 "), std::string::npos) << dry.text;
  fs::remove(log);
  fs::path snippet = dir() / "dry.sh";
  std::ofstream(snippet) << "set -e\n" << dry.text;
  ASSERT_EQ(std::system(("bash " + snippet.string()).c_str()), 0);
  EXPECT_NE(testing::read_text(log).find("--dependency=afterany:102 "), std::string::npos);
}

TEST_F(UntilKnee, TheGateCancelsTheSkippedArrayTasksAndTheLaterGates) {
  Plan p = make(/*confirm=*/0);
  fs::path fake = dir() / "fake-sbatch";
  fs::path log = dir() / "sbatch.log";
  write_executable(fake,
                   fmt::format("#!/bin/sh\necho \"$@\" >> {}\nn=$(wc -l < {})\necho $((100 + n))\n",
                               log.string(), log.string()));
  submit_plan(dir() / "plan.json", {.dry_run = false, .sbatch = fake.string()});
  fs::path scancel = dir() / "fake-scancel";
  fs::path cancelled = dir() / "scancel.log";
  write_executable(scancel, fmt::format("#!/bin/sh\necho \"$@\" >> {}\n", cancelled.string()));
  measured(p, 1, 1.0);
  measured(p, 2, 0.5);
  ::unsetenv("SLURM_JOB_ID");
  GateOutcome g0 = run_gate(p, dir(), 0);
  EXPECT_EQ(cancel_skipped(p, dir(), 0, g0, scancel.string()), "");  // nothing to cancel
  GateOutcome g1 = run_gate(p, dir(), 1);
  ::setenv("SLURM_JOB_ID", "104", 1);  // gate 1's job
  std::string line = cancel_skipped(p, dir(), 1, g1, scancel.string());
  ::unsetenv("SLURM_JOB_ID");
  // wave 2's array is job 105 and wave 3's 107 (one task each); gate 2 is 106.
  EXPECT_EQ(testing::read_text(cancelled), "105_0 107_0 106\n");
  EXPECT_NE(line.find("cancelled 2 array task(s) and 1 later gate job(s)"), std::string::npos)
      << line;
  EXPECT_NE(testing::read_text(dir() / kSweepLogFile).find("cancelled 2 array task(s)"),
            std::string::npos);
  // A scancel that fails is an error, not silence.
  write_executable(scancel, "#!/bin/sh\nexit 1\n");
  EXPECT_THROW(cancel_skipped(p, dir(), 1, g1, scancel.string()), RunError);
}

// -------------------------------------------------------------------------- sweep without Slurm

TEST_F(UntilKnee, SweepRunsWaveByWaveAndSkipsWhatTheGateStopped) {
  Plan p = make(/*confirm=*/0, /*link=*/false, /*slurm=*/false);
  // The stand-in `scalebench run --plan P --point K` copies a prepared record to the point's
  // result.
  fs::path prepared = dir() / "prepared";
  fs::create_directories(prepared);
  for (auto [gpus, eff] : {std::pair<std::int64_t, double>{1, 1.0}, {2, 0.6}, {4, 0.5}, {8, 0.4}}) {
    const PlannedPoint& pt = point(p, gpus);
    scalebench::testing::write_point(prepared / fmt::format("{}.json", pt.index),
                                     fixture(p, gpus, eff));
    std::ofstream(prepared / fmt::format("{}.path", pt.index)) << pt.result;
  }
  fs::path runs = dir() / "runs.log";
  fs::path fake = dir() / "fake-run";
  // $1 run, $2 --plan, $3 the plan, $4 --point, $5 K
  write_executable(fake, fmt::format("#!/bin/sh\necho \"$5\" >> {0}\n"
                                     "cp {1}/$5.json \"$(dirname \"$3\")/$(cat {1}/$5.path)\"\n",
                                     runs.string(), prepared.string()));
  SweepOptions o;
  o.binary = fake;
  o.terminal = false;
  // Multi-process points go through mpirun: a stand-in that drops "-np N" and the profile's args.
  fs::path mpirun = dir() / "fake-mpirun";
  write_executable(
      mpirun, "#!/bin/sh\nshift 2\nwhile [ \"${1#-}\" != \"$1\" ]; do shift; done\nexec \"$@\"\n");
  o.mpirun = mpirun.string();
  std::ostringstream out;
  SweepSummary sum = run_sweep(dir() / "plan.json", o, out);
  EXPECT_EQ(sum.ran, 2) << out.str();
  EXPECT_EQ(sum.past_knee, 2) << out.str();
  EXPECT_EQ(sum.failed, 0) << out.str();
  EXPECT_EQ(testing::read_text(runs),
            fmt::format("{}\n{}\n", point(p, 1).index, point(p, 2).index));
  EXPECT_NE(out.str().find("STOPPED after wave 1"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("skipped, past the knee (until_knee.json)"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("2 skipped past the knee"), std::string::npos) << out.str();
  EXPECT_FALSE(fs::exists(dir() / point(p, 4).result));
  // Run again: the skipped points stay skipped; --force decides afresh.
  std::ostringstream again;
  SweepSummary sum2 = run_sweep(dir() / "plan.json", o, again);
  EXPECT_EQ(sum2.ran, 0) << again.str();
  EXPECT_EQ(sum2.past_knee, 2) << again.str();
}

TEST_F(UntilKnee, PlanPrintsTheNaiveTheWorstAndThePerWaveCost) {
  Plan p = make();
  const std::string text = format_until_knee_cost(p, {});
  EXPECT_NE(text.find("4 wave(s) by node count (1, 2, 4, 8 nodes)"), std::string::npos) << text;
  EXPECT_NE(text.find("naive sweep (every wave, no gates):"), std::string::npos) << text;
  EXPECT_NE(text.find("worst case (every wave and 3 gate job(s)):"), std::string::npos) << text;
  EXPECT_NE(text.find("if every curve stops after wave 1 (2 nodes):"), std::string::npos) << text;
  EXPECT_NE(text.find("no full-node result to project from"), std::string::npos) << text;
}

TEST_F(UntilKnee, PlanEstimatesWhereTheSweepStopsFromAFullNodeResult) {
  Plan p = make(/*confirm=*/1, /*link=*/true);
  fs::path node = dir() / "node";
  scalebench::testing::write_point(node / "r1.json", fixture(p, 1, 1.0));
  const std::string text = format_until_knee_cost(p, {node});
  EXPECT_NE(text.find("expected (each curve's gates run on its projection):"), std::string::npos)
      << text;
  EXPECT_NE(text.find("mnist_cnn ddp: "), std::string::npos) << text;
  EXPECT_NE(text.find("calibration)"), std::string::npos) << text;
}

}  // namespace
}  // namespace scalebench::plan
