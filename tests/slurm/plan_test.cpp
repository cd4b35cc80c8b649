// Planning rules (partitions, shapes, refusals and rounding), cost, plan.json round trip,
// `run --plan` point resolution, submission with a stand-in sbatch and the local sweep runner.
#include <chrono>
#include <cstdlib>
#include <limits>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harness/plan/batch_script.hpp"
#include "harness/plan/cost.hpp"
#include "harness/plan/job_shape.hpp"
#include "harness/plan/plan.hpp"
#include "harness/plan/planned_run.hpp"
#include "harness/plan/submit.hpp"
#include "harness/plan/sweep_runner.hpp"
#include "records/result.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

SweepSpec spec(std::vector<std::int64_t> gpus, std::vector<std::string> strategies = {"ddp", "mirrored"}) {
  SweepSpec s;
  s.allow_retired = true;  // the rules of retired profiles (Puhti, Mahti) are still tested
  s.workloads = {"resnet50"};
  s.strategies = std::move(strategies);
  s.gpus = std::move(gpus);
  s.account = "project_1";
  s.binary = "/opt/scalebench/bin/scalebench";
  return s;
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

void write_executable(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_all);
}

TEST(Profiles, EveryShippedProfileLoadsAndCitesItsSources) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(testing::source_dir() / "configs/clusters")) {
    auto c = load_cluster_profile_file(e.path());
    EXPECT_EQ(c.name + ".json", e.path().filename().string());
    EXPECT_FALSE(c.sources.empty());
    ++n;
  }
  EXPECT_EQ(n, 9);
}

TEST(Shapes, MahtiPicksGpusmallThenGpumediumAndRefusesThree) {
  auto c = testing::profile("mahti");
  auto at = [&](std::int64_t g, const std::string& st) {
    return place(c, "a100", std::nullopt, st, g, 1800, false).shape;
  };
  EXPECT_EQ(at(1, "ddp").partition, "gpusmall");
  EXPECT_EQ(at(2, "ddp").partition, "gpusmall");
  EXPECT_EQ(at(2, "ddp").tasks_per_node, 2);
  EXPECT_EQ(at(2, "mirrored").tasks_per_node, 1);
  EXPECT_EQ(at(2, "mirrored").cpus_per_task, 64);
  EXPECT_EQ(at(4, "ddp").partition, "gpumedium");
  EXPECT_EQ(at(8, "ddp").nodes, 2);
  EXPECT_EQ(at(8, "ddp").tasks_per_node, 4);
  EXPECT_EQ(at(8, "ddp").cpus_per_task, 32);
  std::string why = usage_error([&] { place(c, "a100", std::nullopt, "ddp", 3, 1800, false); });
  EXPECT_NE(why.find("gpusmall: at most 2 GPUs"), std::string::npos) << why;
  EXPECT_NE(why.find("gpumedium: allocates whole nodes of 4 GPUs"), std::string::npos) << why;
  auto rounded = place(c, "a100", std::nullopt, "ddp", 3, 1800, true);
  EXPECT_EQ(rounded.gpus, 4);
  ASSERT_TRUE(rounded.warning);
  EXPECT_NE(rounded.warning->find("rounded 3 GPUs to 4"), std::string::npos);
  why = usage_error([&] { place(c, "a100", std::nullopt, "ddp", 28, 1800, false); });
  EXPECT_NE(why.find("7 nodes needed, at most 6 allowed"), std::string::npos) << why;
  why = usage_error([&] { place(c, "a100", std::nullopt, "ddp", 2, 40 * 3600, false); });
  // A time no partition allows is said as such, without the --round hint of a GPU count.
  EXPECT_NE(why.find("--time 1-16:00:00 exceeds the time limit of every partition it could use on "
                     "mahti: gpusmall allows 1-12:00:00, gpumedium allows 1-12:00:00"),
            std::string::npos) << why;
  EXPECT_EQ(why.find("--round"), std::string::npos) << why;
}

TEST(Shapes, PuhtiSplitsIntoWholeNodesOnly) {
  auto c = testing::profile("puhti");
  auto s = place(c, "v100", std::nullopt, "ddp", 3, 1800, false).shape;
  EXPECT_EQ(s.partition, "gpu");
  EXPECT_EQ(s.gpus_per_node, 3);
  EXPECT_EQ(s.memory_per_node_gb, 48);
  std::string why = usage_error([&] { place(c, "v100", std::nullopt, "ddp", 6, 1800, false); });
  EXPECT_NE(why.find("6 GPUs do not fill whole nodes of 4"), std::string::npos) << why;
  EXPECT_EQ(place(c, "v100", std::nullopt, "ddp", 6, 1800, true).gpus, 8);  // tie 4|8 → up
  EXPECT_EQ(place(c, "v100", std::string("gputest"), "ddp", 8, 900, false).shape.partition, "gputest");
  why = usage_error([&] { place(c, "v100", std::string("gputest"), "ddp", 8, 1800, false); });
  EXPECT_NE(why.find("gputest allows 00:15:00"), std::string::npos) << why;
}

TEST(Shapes, LumiBindsWholeNodesOnly) {
  auto c = testing::profile("lumi");
  auto one = place(c, "mi250x", std::nullopt, "ddp", 1, 1800, false).shape;
  EXPECT_EQ(one.partition, "small-g");
  EXPECT_FALSE(one.bind_masks);
  EXPECT_EQ(one.memory_per_node_gb, 60);
  auto full = place(c, "mi250x", std::nullopt, "ddp", 16, 1800, false).shape;
  EXPECT_EQ(full.partition, "standard-g");
  EXPECT_EQ(full.nodes, 2);
  EXPECT_EQ(full.cpus_per_task, 7);
  EXPECT_EQ(full.memory_per_node_gb, 480);
  EXPECT_TRUE(full.bind_masks);
}

TEST(Scripts, MirroredTaskGetsTheUnionOfItsGpusMasks) {
  EXPECT_EQ(or_cpu_masks({"0xfe", "0xfe00"}), "0xfefe");
  EXPECT_EQ(or_cpu_masks({"0xfe000000000000", "0xfe00000000000000", "0xfe0000", "0xfe000000", "0xfe",
                          "0xfe00", "0xfe00000000", "0xfe0000000000"}),
            "0xfefefefefefefefe");
  auto s = spec({8}, {"mirrored"});
  s.account = "project_1";
  Plan plan = make_plan(s, testing::profile("lumi"), testing::fixed_catalog());
  std::string script = array_script(plan, plan.jobs[0]);
  EXPECT_NE(script.find("srun --cpu-bind=mask_cpu:0xfefefefefefefefe "), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --cpus-per-task=56\n"), std::string::npos) << script;
}

TEST(Plan, GroupsPointsByShapeIntoArrays) {
  auto s = spec({1, 2, 4});
  s.workloads = {"mnist_cnn", "resnet50"};
  s.repeat = 2;
  Plan plan = make_plan(s, testing::profile("puhti"), testing::fixed_catalog());
  EXPECT_EQ(plan.points.size(), 2u * 2 * 3 * 2);
  // ddp and mirrored share the 1-GPU shape: 5 shapes, not 6.
  EXPECT_EQ(plan.jobs.size(), 5u);
  for (const auto& job : plan.jobs)
    for (std::size_t k = 0; k < job.points.size(); ++k) {
      const auto& p = plan.points[job.points[k]];
      EXPECT_EQ(p.job, job.name);
      EXPECT_EQ(p.array_index, static_cast<std::int64_t>(k));
      EXPECT_EQ(p.processes, job.shape.tasks());
    }
  auto round_trip = plan_from_json(plan_to_json(plan), "test");
  EXPECT_EQ(plan_to_json(round_trip), plan_to_json(plan));
}

TEST(Plan, RefusesBadSweeps) {
  auto c = testing::profile("puhti");
  auto cat = testing::fixed_catalog();
  auto s = spec({1});
  s.workloads = {"alexnet"};
  EXPECT_THROW(make_plan(s, c, cat), UsageError);
  s = spec({3});
  s.global_batch = 256;
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("does not split evenly over 3"), std::string::npos);
  s = spec({1});
  s.account.reset();
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("needs --account"), std::string::npos);
  s = spec({1});
  s.precision = "fp8";
  EXPECT_THROW(make_plan(s, c, cat), UsageError);
  s = spec({1}, {"zero"});
  EXPECT_THROW(make_plan(s, c, cat), UsageError);
}

TEST(Plan, RepeatAndPointsAreCappedWithTheCapSaid) {
  // --repeat 1000000 used to build a million points (and abort): refused at once now.
  auto c = testing::profile("local-slurm");
  auto s = spec({1}, {"ddp"});
  s.account.reset();
  s.repeat = 1000000;
  auto started = std::chrono::steady_clock::now();
  EXPECT_NE(usage_error([&] { make_plan(s, c, testing::fixed_catalog()); })
                .find("--repeat 1000000: at most 1000 runs of each point"),
            std::string::npos);
  s.repeat = 1000;
  s.workloads = {"mnist_cnn", "resnet50", "vit_b16"};
  s.strategies = {"ddp", "mirrored"};
  s.gpus = {1, 2};
  EXPECT_NE(usage_error([&] { make_plan(s, c, testing::fixed_catalog()); })
                .find("12000 points (12 x --repeat 1000); a plan holds at most 10000"),
            std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(Plan, RefusesDuplicatesAndNumbersPastTheirLimits) {
  auto c = testing::profile("puhti");
  auto cat = testing::fixed_catalog();
  auto s = spec({1, 2, 2});
  EXPECT_EQ(usage_error([&] { make_plan(s, c, cat); }), "--gpus names 2 twice");
  s = spec({1});
  s.workloads = {"resnet50", "resnet50"};
  EXPECT_EQ(usage_error([&] { make_plan(s, c, cat); }), "--workloads names resnet50 twice");
  s = spec({1}, {"ddp", "ddp"});
  EXPECT_EQ(usage_error([&] { make_plan(s, c, cat); }), "--strategies names ddp twice");
  s = spec({1});
  s.steps = std::numeric_limits<std::int64_t>::max();  // warm-up + steps overflowed in the estimate
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("at most 1000000 steps"), std::string::npos);
  s = spec({1});
  s.warmup = -1;
  EXPECT_EQ(usage_error([&] { make_plan(s, c, cat); }), "--warmup must be 0 or a positive integer, got -1");
  s = spec({std::int64_t{1} << 62});  // --round searched 2^63 counts
  s.round = true;
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("at most 1048576 GPUs"), std::string::npos);
  s = spec({1});
  s.batch = std::int64_t{1} << 40;
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("at most 1048576 samples per device"),
            std::string::npos);
  s = spec({1});
  s.time = "100000-00:00:00";
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("at most 365 days"), std::string::npos);
  s.time = "00:-5:00";
  EXPECT_NE(usage_error([&] { make_plan(s, c, cat); }).find("is not a time limit"), std::string::npos);
  // The workload's own image-size rule, when the catalog has one.
  cat.check_image_size = [](const std::string& w, std::int64_t px) {
    if (px % 16 != 0) throw UsageError(fmt::format("image size {} is not allowed for {}", px, w));
  };
  s = spec({1});
  s.image_size = 100;
  EXPECT_EQ(usage_error([&] { make_plan(s, c, cat); }), "image size 100 is not allowed for resnet50");
}

// local-slurm with MaxArraySize set (or not) in the profile.
ClusterProfile local_slurm_with(std::optional<nlohmann::json> max_array_size) {
  auto j = nlohmann::json::parse(testing::read_text(testing::source_dir() / "configs/clusters/local-slurm.json"));
  if (max_array_size) j["max_array_size"] = *max_array_size;
  return parse_cluster_profile(j, "local-slurm");
}

TEST(Plan, ArraysSplitAtTheClustersMaxArraySize) {
  // 2000 points of one shape (1 GPU: ddp and mirrored ask for the same job): Slurm's default
  // MaxArraySize 1001 allows indices 0..1000, so two arrays, 1001 and 999 tasks.
  auto c = local_slurm_with(std::nullopt);
  EXPECT_EQ(c.max_array_size, 1001);
  auto s = spec({1});
  s.account.reset();
  s.repeat = 1000;
  Plan plan = make_plan(s, c, testing::fixed_catalog());
  ASSERT_EQ(plan.points.size(), 2000u);
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[0].points.size(), 1001u);
  EXPECT_EQ(plan.jobs[1].points.size(), 999u);
  EXPECT_EQ(plan.jobs[0].shape, plan.jobs[1].shape);
  EXPECT_NE(plan.jobs[0].name, plan.jobs[1].name);
  EXPECT_NE(array_script(plan, plan.jobs[0]).find("#SBATCH --array=0-1000\n"), std::string::npos);
  EXPECT_NE(array_script(plan, plan.jobs[1]).find("#SBATCH --array=0-998\n"), std::string::npos);
  EXPECT_EQ(plan.points[1001].job, plan.jobs[1].name);
  EXPECT_EQ(plan.points[1001].array_index, 0);
  auto round_trip = plan_from_json(plan_to_json(plan), "test");
  EXPECT_EQ(plan_to_json(round_trip), plan_to_json(plan));

  // A profile may state its MaxArraySize.
  auto small = local_slurm_with(10);
  s.repeat = 25;
  s.strategies = {"ddp"};
  plan = make_plan(s, small, testing::fixed_catalog());
  ASSERT_EQ(plan.jobs.size(), 3u);
  EXPECT_EQ(plan.jobs[2].points.size(), 5u);
  EXPECT_NE(array_script(plan, plan.jobs[2]).find("#SBATCH --array=0-4\n"), std::string::npos);
  // A hand-edited plan with a larger array than the cluster allows is refused.
  auto j = plan_to_json(plan);
  j["cluster"]["max_array_size"] = 4;
  EXPECT_NE(usage_error([&] { plan_from_json(j, "edited"); }).find("more than the cluster's array size 4"),
            std::string::npos);
  for (auto bad : {nlohmann::json(0), nlohmann::json(-1), nlohmann::json(5000000), nlohmann::json("1001")})
    EXPECT_THROW(local_slurm_with(bad), UsageError) << bad;
}

TEST(Cost, GpuHoursAndBillingFollowTheProfile) {
  auto s = spec({1, 8}, {"ddp"});
  s.time = "01:00:00";
  Plan plan = make_plan(s, testing::profile("mahti"), testing::fixed_catalog());
  auto cost = sweep_cost(plan);
  EXPECT_EQ(cost.array_tasks, 2);
  EXPECT_DOUBLE_EQ(cost.gpu_hours_at_limit, 9.0);
  EXPECT_DOUBLE_EQ(cost.billing_at_limit, 900.0);  // 100 BU per A100-hour
  ASSERT_TRUE(cost.gpu_hours_expected);
  EXPECT_LT(*cost.gpu_hours_expected, cost.gpu_hours_at_limit);
  // Puhti bills cores and memory too: 1 GPU, 10 cores, 16 GiB for an hour = 60 + 10 + 1.6.
  plan = make_plan(spec({1}, {"ddp"}), testing::profile("puhti"), testing::fixed_catalog());
  plan.jobs[0].time_s = 3600;
  EXPECT_NEAR(sweep_cost(plan).billing_at_limit, 71.6, 1e-9);
}

class PlannedRun : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = spec({1, 2, 4});
    s.workloads = {"mnist_cnn", "resnet50"};
    s.image_size = 32;
    s.batch = 2;
    s.steps = 3;
    s.warmup = 1;
    plan_ = make_plan(s, testing::profile("local-slurm"), testing::fixed_catalog());
    write_plan(plan_, tmp_.path());
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SCALEBENCH_JOB");
  }
  void TearDown() override {
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SCALEBENCH_JOB");
  }
  fs::path plan_json() const { return tmp_.path() / "plan.json"; }
  TempDir tmp_{"planned-run"};
  Plan plan_;
};

TEST_F(PlannedRun, ExplicitPointFillsTheRunOptions) {
  // Point 5: mnist_cnn, mirrored, 4 GPUs (workload x strategy x gpus order).
  RunOptions o = load_planned_run(plan_json(), 5);
  EXPECT_EQ(o.workload, "mnist_cnn");
  EXPECT_EQ(o.strategy, "mirrored");
  EXPECT_EQ(o.backend, "cpu");
  EXPECT_EQ(o.devices, 4);
  EXPECT_EQ(o.batch, 2);
  EXPECT_EQ(o.steps, 3);
  EXPECT_EQ(o.warmup, 1);
  EXPECT_EQ(o.image_size, 32);
  EXPECT_EQ(o.cluster, "local-slurm");
  EXPECT_EQ(fs::path(o.out), fs::absolute(tmp_.path() / plan_.points[5].result).lexically_normal());
  RunOptions d = load_planned_run(plan_json(), 2);
  EXPECT_EQ(d.strategy, "ddp");
  EXPECT_FALSE(d.devices);
}

TEST_F(PlannedRun, ArrayTaskFindsItsPointThroughTheJob) {
  const auto& job = plan_.jobs[1];
  setenv("SCALEBENCH_JOB", job.name.c_str(), 1);
  setenv("SLURM_ARRAY_TASK_ID", std::to_string(job.points.size() - 1).c_str(), 1);
  RunOptions o = load_planned_run(plan_json(), std::nullopt);
  const auto& p = plan_.points[job.points.back()];
  EXPECT_EQ(o.out, fs::absolute(tmp_.path() / p.result).lexically_normal().string());
  setenv("SLURM_ARRAY_TASK_ID", std::to_string(job.points.size()).c_str(), 1);
  EXPECT_THROW(load_planned_run(plan_json(), std::nullopt), UsageError);
  setenv("SCALEBENCH_JOB", "j99-nope", 1);
  setenv("SLURM_ARRAY_TASK_ID", "0", 1);
  EXPECT_THROW(load_planned_run(plan_json(), std::nullopt), UsageError);
  unsetenv("SCALEBENCH_JOB");
  EXPECT_THROW(load_planned_run(plan_json(), std::nullopt), UsageError);
}

TEST_F(PlannedRun, MissingPointIsAUsageError) {
  EXPECT_THROW(load_planned_run(plan_json(), std::nullopt), UsageError);
  EXPECT_THROW(load_planned_run(plan_json(), 12), UsageError);
  EXPECT_THROW(load_planned_run(plan_json(), -1), UsageError);
  EXPECT_THROW(load_planned_run(tmp_.path() / "nope.json", 0), UsageError);
}

TEST_F(PlannedRun, SubmitRunsArraysThenTheDependentReport) {
  fs::path fake = tmp_.path() / "fake-sbatch";
  fs::path log = tmp_.path() / "sbatch.log";
  write_executable(fake, "#!/bin/bash\necho \"$@\" >> '" + log.string() +
                             "'\nn=$(wc -l < '" + log.string() + "')\necho \"$((100 + n));local\"\n");
  auto sub = submit_plan(plan_json(), {.dry_run = false, .sbatch = fake.string()});
  ASSERT_EQ(sub.arrays.size(), plan_.jobs.size());
  EXPECT_EQ(sub.arrays[0].job_id, "101");
  std::string ids;
  for (const auto& a : sub.arrays) ids += ":" + a.job_id;
  EXPECT_EQ(sub.report.command[3], "--dependency=afterany" + ids);
  auto lines = testing::read_text(log);
  EXPECT_NE(lines.find("--parsable --chdir=" + fs::absolute(tmp_.path()).lexically_normal().string()),
            std::string::npos);
  auto record = nlohmann::json::parse(testing::read_text(tmp_.path() / "submitted.json"));
  ASSERT_EQ(record.size(), 1u);
  EXPECT_EQ(record[0]["report_job_id"], sub.report.job_id);
  EXPECT_EQ(record[0]["arrays"].size(), plan_.jobs.size());

  // The dry run's text is a shell snippet that submits the same way when run.
  auto dry = submit_plan(plan_json(), {.dry_run = true, .sbatch = fake.string()});
  EXPECT_NE(dry.text.find("--dependency=afterany:$j0:$j1"), std::string::npos) << dry.text;
  fs::remove(log);
  fs::path snippet = tmp_.path() / "dry.sh";
  std::ofstream(snippet) << "set -e\n" << dry.text;
  ASSERT_EQ(std::system(("bash " + snippet.string()).c_str()), 0);
  auto dry_lines = testing::read_text(log);
  EXPECT_NE(dry_lines.find("--dependency=afterany:101:102"), std::string::npos) << dry_lines;
}

TEST_F(PlannedRun, SubmitRefusesAPlanWithoutSlurm) {
  TempDir other("no-slurm");
  auto s = spec({1});
  write_plan(make_plan(s, testing::profile("local"), testing::fixed_catalog()), other.path());
  EXPECT_FALSE(fs::exists(other.path() / "report.sbatch"));
  EXPECT_THROW(submit_plan(other.path() / "plan.json", {}), UsageError);
}

TEST_F(PlannedRun, SweepRunsMissingPointsWithMpirunForSeveralProcesses) {
  fs::path calls = tmp_.path() / "calls.log";
  fs::path fake_run = tmp_.path() / "fake-scalebench";
  fs::path fake_mpirun = tmp_.path() / "fake-mpirun";
  // The stand-in run writes the planned result like the real one; point 3 fails.
  write_executable(fake_run,
                   "#!/bin/bash\necho \"run $*\" >> '" + calls.string() + "'\n"
                   "point=${@: -1}; [ \"$point\" = --force ] && point=${@: -2:1}\n"
                   "f=$(printf '" + (tmp_.path() / "results").string() + "/p%04d_*' \"$point\")\n"
                   "[ \"$point\" = 3 ] && exit 1\n"
                   "touch \"$(dirname $f)/marker_$point\"\n");
  write_executable(fake_mpirun, "#!/bin/bash\necho \"mpirun $1 $2\" >> '" + calls.string() +
                                    "'\nshift 2\n[ \"$1\" = --oversubscribe ] && shift\nexec \"$@\"\n");
  // Point 0's result exists already (a valid record, here of a failed run): skipped.
  const ResultRecord done = testing::failed_record_of(plan_.points[0], "an earlier run");
  write_result_file(done, tmp_.path() / plan_.points[0].result, false);
  std::ostringstream out;
  SweepOptions o;
  o.binary = fake_run;
  o.mpirun = fake_mpirun.string();
  o.terminal = false;
  auto sum = run_sweep(plan_json(), o, out);
  EXPECT_EQ(sum.points, 12);
  EXPECT_EQ(sum.skipped, 1);
  EXPECT_EQ(sum.ran, 11);
  EXPECT_EQ(sum.failed, 1);
  std::string text = out.str();
  EXPECT_NE(text.find("[1/12] p0000 mnist_cnn ddp 1 GPU: skipped"), std::string::npos) << text;
  EXPECT_NE(text.find("[4/12] p0003 mnist_cnn mirrored 1 GPU: FAILED (exit 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("left"), std::string::npos);
  std::string log = testing::read_text(calls);
  EXPECT_NE(log.find("mpirun -np 4"), std::string::npos) << log;   // ddp, 4 ranks
  EXPECT_EQ(log.find("mpirun -np 1"), std::string::npos) << log;   // one process: no mpirun
  EXPECT_NE(log.find("--point 5"), std::string::npos) << log;      // mirrored 4: one process
  EXPECT_TRUE(fs::exists(tmp_.path() / "logs/point_0003.log"));

  // --force reruns everything, and says so to the run.
  fs::remove(calls);
  o.force = true;
  sum = run_sweep(plan_json(), o, out);
  EXPECT_EQ(sum.skipped, 0);
  EXPECT_EQ(sum.ran, 12);
  EXPECT_NE(testing::read_text(calls).find("--point 0 --force"), std::string::npos);
}

}  // namespace
}  // namespace scalebench::plan
