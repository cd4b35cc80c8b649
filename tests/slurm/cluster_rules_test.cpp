// What each cluster's documentation makes mandatory in the scripts (issue 13), checked line by
// line on plans of the shipped profiles: Roihu's gres, partitions and gate; LUMI's 2026 stack and
// RCCL network settings; the retirement of Puhti and Mahti; and the lines every script needs
// (SRUN_CPUS_PER_TASK, `set -u` after the modules, --nodes, the billing line in the site's unit).
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "harness/plan/batch_script.hpp"
#include "harness/plan/cost.hpp"
#include "harness/plan/plan.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {

SweepSpec sweep(std::vector<std::int64_t> gpus, std::string time = "00:30:00",
                std::vector<std::string> strategies = {"ddp", "mirrored"}) {
  SweepSpec s;
  s.workloads = {"resnet50"};
  s.strategies = std::move(strategies);
  s.gpus = std::move(gpus);
  s.account = "project_2001234";
  s.time = std::move(time);
  s.binary = "/opt/scalebench/bin/scalebench";
  return s;
}

Plan plan_on(const std::string& profile, const SweepSpec& s) {
  return make_plan(s, testing::profile(profile), testing::fixed_catalog());
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& script, const std::string& line) {
  for (const auto& l : lines_of(script))
    if (l == line) return true;
  return false;
}

// The job of the plan whose point has this many GPUs under this strategy.
const PlannedJob& job_for(const Plan& plan, std::int64_t gpus, const std::string& strategy = "ddp") {
  for (const auto& p : plan.points)
    if (p.gpus == gpus && p.strategy == strategy) return plan.job(p.job);
  throw std::runtime_error("no such point");
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

bool warned(const Plan& plan, const std::string& part) {
  for (const auto& w : plan.warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

// ------------------------------------------------------------------------------------ Roihu

TEST(Roihu, OneToFourGpusOnGpumediumAsCscsScripts) {
  Plan plan = plan_on("roihu", sweep({1, 4}));
  const PlannedJob& one = job_for(plan, 1);
  EXPECT_EQ(one.shape.partition, "gpumedium");
  std::string s = array_script(plan, one);
  for (const char* line : {"#SBATCH --partition=gpumedium", "#SBATCH --nodes=1",
                           "#SBATCH --ntasks-per-node=1", "#SBATCH --cpus-per-task=72",
                           "#SBATCH --gres=gpu:gh200:1", "#SBATCH --account=project_2001234"})
    EXPECT_TRUE(has_line(s, line)) << line << "\n" << s;
  EXPECT_EQ(s.find("--mem"), std::string::npos) << "Roihu gives memory by GPU: no --mem";
  EXPECT_EQ(s.find("--exclusive"), std::string::npos);
  std::string four = array_script(plan, job_for(plan, 4));
  EXPECT_TRUE(has_line(four, "#SBATCH --gres=gpu:gh200:4")) << four;
  EXPECT_TRUE(has_line(four, "#SBATCH --ntasks-per-node=4")) << four;
  // mirrored: one task per node with all its cores (CSC's torchrun example: 288).
  std::string m = array_script(plan, job_for(plan, 4, "mirrored"));
  EXPECT_TRUE(has_line(m, "#SBATCH --ntasks-per-node=1")) << m;
  EXPECT_TRUE(has_line(m, "#SBATCH --cpus-per-task=288")) << m;
  EXPECT_FALSE(warned(plan, "need access")) << "1-4 GPUs need no gpularge access";
}

TEST(Roihu, EightAndFortyGpusOnGpulargeWithTheGateWarning) {
  Plan plan = plan_on("roihu", sweep({8, 40}));
  const PlannedJob& eight = job_for(plan, 8);
  EXPECT_EQ(eight.shape.partition, "gpularge");
  std::string s = array_script(plan, eight);
  for (const char* line : {"#SBATCH --partition=gpularge", "#SBATCH --nodes=2",
                           "#SBATCH --ntasks-per-node=4", "#SBATCH --cpus-per-task=72",
                           "#SBATCH --gres=gpu:gh200:4"})
    EXPECT_TRUE(has_line(s, line)) << line << "\n" << s;
  std::string forty = array_script(plan, job_for(plan, 40));
  EXPECT_TRUE(has_line(forty, "#SBATCH --nodes=10")) << forty;
  EXPECT_TRUE(warned(plan, "on gpularge need access")) << joined(plan.warnings);
  EXPECT_TRUE(warned(plan, "75%")) << "the warning says what the gate asks";
}

TEST(Roihu, ShortRunsOfUpToTwoNodesGoToGputestUngated) {
  Plan plan = plan_on("roihu", sweep({4, 8}, "00:15:00"));
  const PlannedJob& eight = job_for(plan, 8);
  EXPECT_EQ(eight.shape.partition, "gputest");
  EXPECT_EQ(eight.shape.nodes, 2);
  EXPECT_FALSE(warned(plan, "need access")) << joined(plan.warnings);
  // Beyond 2 nodes even a short run needs gpularge.
  Plan big = plan_on("roihu", sweep({16}, "00:15:00"));
  EXPECT_EQ(job_for(big, 16).shape.partition, "gpularge");
}

TEST(Roihu, RefusesWhatItsPartitionsCannotGive) {
  SweepSpec two = sweep({2});
  two.partition = "gpularge";
  EXPECT_NE(usage_error([&] { plan_on("roihu", two); }).find("gpularge: needs at least 4 GPUs per job"),
            std::string::npos)
      << usage_error([&] { plan_on("roihu", two); });
  EXPECT_NE(usage_error([&] { plan_on("roihu", sweep({64})); }).find("16 nodes needed, at most 10 allowed"),
            std::string::npos);
}

TEST(Roihu, ReportJobAsksForOneGpuOnGputestAndIsPriced) {
  Plan plan = plan_on("roihu", sweep({1, 4}));
  std::string r = report_script(plan);
  EXPECT_TRUE(has_line(r, "#SBATCH --partition=gputest")) << r;
  EXPECT_TRUE(has_line(r, "#SBATCH --gres=gpu:gh200:1")) << r;
  SweepCost cost = sweep_cost(plan);
  EXPECT_DOUBLE_EQ(cost.report_gpu_hours, 0.25);
  EXPECT_DOUBLE_EQ(cost.report_billing, 50.0);  // 200 GPU BU per GPU-hour x 0.25 h
  // 1 + 4 GPUs x 2 strategies x 0.5 h = 5 GPU-hours = 1000 GPU BU.
  EXPECT_DOUBLE_EQ(cost.billing_at_limit, 1000.0);
  std::string text = format_cost(plan, cost);
  EXPECT_NE(text.find("5.00 GPU-hours, 1000.0 GPU BU"), std::string::npos) << text;
  EXPECT_NE(text.find("total at the time limit: 5.25 GPU-hours, 1050.0 GPU BU"), std::string::npos) << text;
}

// ------------------------------------------------------------------------- retired clusters

TEST(Retired, MahtiAndPuhtiAreRefusedWithTheDateAndTheSuccessor) {
  std::string m = usage_error([] { plan_on("mahti", sweep({1})); });
  EXPECT_NE(m.find("retired on 2026-08-31"), std::string::npos) << m;
  EXPECT_NE(m.find("plan on roihu instead"), std::string::npos) << m;
  EXPECT_NE(m.find("--allow-retired"), std::string::npos) << m;
  std::string p = usage_error([] { plan_on("puhti", sweep({1})); });
  EXPECT_NE(p.find("retired on 2026-07-31"), std::string::npos) << p;
}

TEST(Retired, AllowRetiredPlansWithAWarningAndTheProfileStillPrices) {
  SweepSpec s = sweep({4});
  s.allow_retired = true;
  Plan plan = plan_on("mahti", s);
  EXPECT_TRUE(warned(plan, "was retired on 2026-08-31")) << joined(plan.warnings);
  ClusterProfile c = testing::profile("mahti");
  ASSERT_TRUE(billing_per_gpu_hour(c).has_value());  // report prices past results with it
  EXPECT_EQ(c.billing.unit, "GPU BU");
}

// ------------------------------------------------------------------------------------- LUMI

TEST(Lumi, EveryScriptCarriesThe2026StackAndTheRcclNetwork) {
  Plan plan = plan_on("lumi", sweep({1, 8, 16}));
  for (const auto& job : plan.jobs) {
    std::string s = array_script(plan, job);
    EXPECT_TRUE(has_line(s, "module load LUMI/25.03 partition/G")) << s;
    EXPECT_TRUE(has_line(s, "module load rocm/6.3.4")) << s;
    EXPECT_TRUE(has_line(s, "export NCCL_SOCKET_IFNAME=hsn0,hsn1,hsn2,hsn3")) << s;
    EXPECT_EQ(s.find("rocm/6.0.3"), std::string::npos) << s;
    EXPECT_EQ(s.find("LUMI/24.03"), std::string::npos) << s;
  }
}

TEST(Lumi, MultiNodeJobsSayThatRcclNeedsThePlugin) {
  Plan plan = plan_on("lumi", sweep({8, 16}));
  std::string two_nodes = array_script(plan, job_for(plan, 16));
  EXPECT_NE(two_nodes.find("# multi-node: "), std::string::npos) << two_nodes;
  EXPECT_NE(two_nodes.find("aws-ofi-rccl"), std::string::npos) << two_nodes;
  EXPECT_EQ(array_script(plan, job_for(plan, 8)).find("# multi-node: "), std::string::npos);
  EXPECT_TRUE(warned(plan, "aws-ofi-rccl")) << joined(plan.warnings);
  Plan one_node = plan_on("lumi", sweep({8}));
  EXPECT_FALSE(warned(one_node, "aws-ofi-rccl"));
}

TEST(Lumi, WholeNodesBindEachGcdToItsCoresAsLumiDocuments) {
  Plan plan = plan_on("lumi", sweep({16}, "00:30:00", {"ddp"}));
  std::string s = array_script(plan, job_for(plan, 16));
  EXPECT_NE(s.find("srun --cpu-bind=mask_cpu:0xfe000000000000,0xfe00000000000000,0xfe0000,0xfe000000,"
                   "0xfe,0xfe00,0xfe00000000,0xfe0000000000 "),
            std::string::npos)
      << s;
}

TEST(Lumi, CostsAreGcdHoursAndLumiGpuHours) {
  Plan plan = plan_on("lumi", sweep({8}, "01:00:00", {"ddp"}));
  SweepCost cost = sweep_cost(plan);
  EXPECT_DOUBLE_EQ(cost.gpu_hours_at_limit, 8.0);
  EXPECT_DOUBLE_EQ(cost.billing_at_limit, 4.0);  // one node-hour = 4 LUMI GPU-hours
  std::string text = format_cost(plan, cost);
  EXPECT_NE(text.find("8.00 GCD-hours, 4.0 LUMI GPU-hours"), std::string::npos) << text;
  std::string s = array_script(plan, plan.jobs[0]);
  EXPECT_TRUE(has_line(s, "# billing: each task at most 1 h x 8 GCDs = 8.00 GCD-hours = 4.0 LUMI GPU-hours"))
      << s;
}

// Issue 14, defect 4: the report job prices its results with the plan's copy of the profile, so
// that its documents count GCDs and bill LUMI GPU-hours.
TEST(Lumi, TheReportJobIsPricedByThePlansCopyOfTheProfile) {
  Plan plan = plan_on("lumi", sweep({1, 8}));
  const std::string s = report_script(plan);
  EXPECT_NE(s.find(" report results -o report --cluster-profiles cluster"), std::string::npos) << s;
  testing::TempDir dir("report-profile");
  write_plan(plan, dir.path());
  const std::filesystem::path copy = dir.path() / "cluster" / "lumi.json";
  ASSERT_TRUE(std::filesystem::is_regular_file(copy));
  std::ifstream in(copy);
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j, plan.cluster.raw);
  EXPECT_EQ(j.at("device_unit").at("name"), "GCD");
}

TEST(Lumi, ArrayTasksBeyondAPartitionsJobLimitAreWarned) {
  SweepSpec s = sweep({1, 2});
  s.partition = "dev-g";
  Plan plan = plan_on("lumi", s);  // 4 tasks, dev-g allows 2 jobs per user
  EXPECT_TRUE(warned(plan, "4 array tasks on dev-g, but a user may queue at most 2 jobs there"))
      << joined(plan.warnings);
  Plan small = plan_on("lumi", sweep({1, 2}));
  EXPECT_FALSE(warned(small, "may queue at most"));
}

// ----------------------------------------------------------------------------- every script

TEST(EveryScript, ExportsSrunCpusAndSetsMinusUOnlyAfterTheEnvironment) {
  for (std::string name : {"roihu", "lumi", "m3", "dgx-h100", "local-slurm", "mahti", "puhti"}) {
    SweepSpec s = sweep({1, 2});
    s.allow_retired = true;
    if (name == "m3") s.account = "ab12";
    Plan plan = plan_on(name, s);
    std::vector<std::string> scripts;
    for (const auto& job : plan.jobs) scripts.push_back(array_script(plan, job));
    scripts.push_back(report_script(plan));
    for (const auto& text : scripts) {
      auto lines = lines_of(text);
      std::ptrdiff_t set_u = -1, srun_cpus = -1, last_module = -1, launch = -1, nodes = -1, billing = -1;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& l = lines[i];
        auto at = static_cast<std::ptrdiff_t>(i);
        if (l == "set -u") set_u = at;
        if (l == "export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK") srun_cpus = at;
        if (l.rfind("module ", 0) == 0 || l.rfind("source ", 0) == 0) last_module = at;
        if (l.rfind("srun ", 0) == 0 || l.find(" report ") != std::string::npos) launch = at;
        if (l.rfind("#SBATCH --nodes=", 0) == 0) nodes = at;
        if (l.rfind("# billing: ", 0) == 0) billing = at;
      }
      EXPECT_GE(nodes, 0) << name << ": no --nodes\n" << text;
      EXPECT_GE(srun_cpus, 0) << name << "\n" << text;
      EXPECT_LT(srun_cpus, launch) << name << "\n" << text;
      EXPECT_GT(set_u, last_module) << name << ": set -u before a module line\n" << text;
      EXPECT_LT(set_u, launch) << name << "\n" << text;
      ASSERT_GE(billing, 0) << name << "\n" << text;
      const ClusterProfile& c = plan.cluster;
      std::string want = c.billing.unit == "none" ? "none on " + c.name : c.billing.unit;
      EXPECT_NE(lines[billing].find(want), std::string::npos) << name << ": " << lines[billing];
      EXPECT_EQ(text.find("--gpus-per-task"), std::string::npos) << name;
    }
  }
}

TEST(M3, ReportJobGoesToACpuPartitionAndTheCostSaysNoUnits) {
  SweepSpec s = sweep({1, 3});
  s.account = "ab12";
  Plan plan = plan_on("m3", s);
  std::string r = report_script(plan);
  EXPECT_EQ(r.find("--partition=m3g"), std::string::npos) << r;
  EXPECT_EQ(r.find("--gres"), std::string::npos) << r;
  std::string text = format_cost(plan, sweep_cost(plan));
  EXPECT_EQ(text.find("0.0 none"), std::string::npos) << text;
  EXPECT_NE(text.find("(no billing units)"), std::string::npos) << text;
}

// ------------------------------------------------------------------------ the profile schema

nlohmann::json roihu_raw() { return testing::profile("roihu").raw; }

std::string profile_error(const nlohmann::json& j) {
  return usage_error([&] { parse_cluster_profile(j, "p.json"); });
}

TEST(Schema, NewKeysAreCheckedStrictly) {
  auto j = roihu_raw();
  j["status"] = {{"state", "retired"}, {"source", j["sources"][0]["id"]}};
  EXPECT_NE(profile_error(j).find("a retired cluster needs \"since\""), std::string::npos) << profile_error(j);
  j["status"]["since"] = "2026-13-01";
  EXPECT_NE(profile_error(j).find("is not a date"), std::string::npos) << profile_error(j);
  j["status"] = {{"state", "gone"}};
  EXPECT_NE(profile_error(j).find("(valid: active, retired)"), std::string::npos) << profile_error(j);

  j = roihu_raw();
  j["partitions"][2]["min_gpus"] = 64;
  EXPECT_NE(profile_error(j).find("GPU limits are inconsistent"), std::string::npos) << profile_error(j);
  j = roihu_raw();
  j["partitions"][0]["max_jobs_per_user"] = 0;
  EXPECT_NE(profile_error(j).find("\"max_jobs_per_user\" must be at least 1"), std::string::npos)
      << profile_error(j);
  j = roihu_raw();
  j["partitions"][2]["requires_access"] = "trial\nrm -rf /";
  EXPECT_NE(profile_error(j).find("control character"), std::string::npos) << profile_error(j);
  j = roihu_raw();
  j["interconnect"]["inter_node"]["basis"] = "guessed";
  EXPECT_NE(profile_error(j).find("(valid: published, measured, assumed)"), std::string::npos)
      << profile_error(j);
  j = roihu_raw();
  j["device_unit"] = {{"name", "GCD"}, {"per_billed_gpu", 0}};
  EXPECT_NE(profile_error(j).find("per_billed_gpu"), std::string::npos) << profile_error(j);
  j = roihu_raw();
  j["report_gpus"] = 5;
  EXPECT_NE(profile_error(j).find("\"report_gpus\" must be 0 to 4"), std::string::npos) << profile_error(j);
  j = roihu_raw();
  j["multi_node"] = {{"environment", {"export X=1; rm -rf /"}}};
  EXPECT_NE(profile_error(j).find("multi_node: environment[0]"), std::string::npos) << profile_error(j);
  j = roihu_raw();
  j["sources"][0]["retrieved"] = "yesterday";
  EXPECT_NE(profile_error(j).find("is not a date"), std::string::npos) << profile_error(j);
}

TEST(Schema, EveryShippedLinkSaysHowItsFiguresWereObtained) {
  for (std::string name : {"roihu", "lumi", "m3", "dgx-h100", "local", "local-slurm", "mahti", "puhti"}) {
    auto raw = testing::profile(name).raw;
    for (const char* link : {"intra_node", "inter_node"})
      EXPECT_TRUE(raw["interconnect"][link].contains("basis")) << name << " " << link;
  }
  ClusterProfile r = testing::profile("roihu");
  EXPECT_EQ(r.arch, "aarch64");
  EXPECT_EQ(r.inter_node.nics_per_node, 4);
  ClusterProfile l = testing::profile("lumi");
  EXPECT_EQ(l.device_unit.name, "GCD");
  EXPECT_DOUBLE_EQ(l.device_unit.per_billed_gpu, 2.0);
}

// --------------------------------------------------------------------------------- emulated

// The emulated cluster's nodes share the real cores: every job, the report job too, takes its one
// "machine" license so that Slurm runs them one at a time; 4 devices span its 2 nodes.
TEST(Emulated, EveryJobTakesTheMachineLicenseAndFourDevicesSpanTwoNodes) {
  SweepSpec s = sweep({1, 2, 4});
  s.workloads = {"mnist_cnn"};
  s.account.reset();
  Plan plan = plan_on("emulated", s);
  for (const auto& job : plan.jobs) {
    EXPECT_TRUE(has_line(array_script(plan, job), "#SBATCH --licenses=machine:1")) << job.shape.partition;
  }
  EXPECT_TRUE(has_line(report_script(plan), "#SBATCH --licenses=machine:1"));
  EXPECT_EQ(job_for(plan, 4).shape.nodes, 2);
  EXPECT_EQ(job_for(plan, 2).shape.nodes, 1);
  EXPECT_TRUE(has_line(array_script(plan, job_for(plan, 4)), "export OMPI_MCA_btl_tcp_if_include=eth0"));
}

// --report-baseline reaches the report job's command line (and plan.json), and only a GPU count
// or "node" is taken.
TEST(Emulated, TheReportBaselineGoesToTheReportJobAndIsChecked) {
  SweepSpec s = sweep({1, 2, 4});
  s.workloads = {"mnist_cnn"};
  s.account.reset();
  EXPECT_EQ(report_script(plan_on("emulated", s)).find("--baseline"), std::string::npos);
  s.report_baseline = "node";
  Plan plan = plan_on("emulated", s);
  EXPECT_NE(report_script(plan).find(
                " report results -o report --cluster-profiles cluster --baseline node\n"),
            std::string::npos)
      << report_script(plan);
  EXPECT_EQ(plan_from_json(plan_to_json(plan), "plan.json").spec.report_baseline, "node");
  for (const char* bad : {"0", "nodes", "2; rm -rf ~", ""}) {
    s.report_baseline = bad;
    EXPECT_NE(usage_error([&] { plan_on("emulated", s); }).find("--report-baseline"), std::string::npos)
        << bad;
  }
  s.report_baseline = "2";
  EXPECT_NE(report_script(plan_on("emulated", s)).find("--baseline 2\n"), std::string::npos);
}

TEST(Emulated, AProfileLicenseThatIsNotOneIsRefused) {
  std::ifstream in(testing::source_dir() / "configs/clusters/emulated.json");
  nlohmann::json j = nlohmann::json::parse(in);
  j["partitions"][0]["licenses"] = "machine:1 --wrap=id";
  EXPECT_NE(usage_error([&] { parse_cluster_profile(j, "emulated.json"); }).find("is not a license request"),
            std::string::npos);
}

}  // namespace
}  // namespace scalebench::plan
