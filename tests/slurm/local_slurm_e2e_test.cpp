// End to end on a real Slurm: scripts/local_slurm.sh starts a single-machine cluster (slurmctld,
// slurmd, munge; 4 placeholder V100 GRES); the test plans a CPU-backend sweep with the local-slurm
// profile, submits it, waits for the arrays and the report job, and checks every point's result.
// Skips only when not root or when the Slurm packages are missing.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "harness/plan/plan.hpp"
#include "harness/plan/process.hpp"
#include "records/result.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

ProcessResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout = 120s) {
  ProcessOptions o;
  o.capture_stdout = true;
  o.timeout = timeout;
  auto r = run_process(argv, o);
  std::cout << "$ " << command_line(argv) << "\n" << r.output;
  return r;
}

// Stops the cluster however the test ends (a failed ASSERT returns through here too).
class Cluster {
 public:
  explicit Cluster(fs::path dir) : dir_(std::move(dir)) {}
  ~Cluster() {
    if (started_) run({"bash", script().string(), "stop", dir_.string()});
  }
  static fs::path script() { return testing::source_dir() / "scripts/local_slurm.sh"; }
  ProcessResult start() {
    started_ = true;
    // The daemons end by themselves after 15 minutes even if this test is killed.
    setenv("LOCAL_SLURM_LIFETIME", "900", 1);
    return run({"bash", script().string(), "start", dir_.string()}, 180s);
  }

 private:
  fs::path dir_;
  bool started_ = false;
};

TEST(LocalSlurm, PlanSubmitWaitReport) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to start slurmctld, slurmd and munged";
  for (const char* p : {"slurmctld", "slurmd", "munged", "sbatch", "squeue", "scontrol"})
    if (!on_path(p) && !fs::exists(fs::path("/usr/sbin") / p))
      GTEST_SKIP() << p << " is missing: apt-get install slurmctld slurmd slurm-client munge";
  // srun --mpi=pmix (the local-slurm profile's launcher) loads the unversioned libpmix.so.
  if (std::system("ls /usr/lib/*/pmix2/lib/libpmix.so >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "libpmix.so is missing: apt-get install libpmix-dev";
  const char* bin = std::getenv("SCALEBENCH_BINARY");
  ASSERT_TRUE(bin && *bin && fs::exists(bin)) << "SCALEBENCH_BINARY must name the built scalebench";
  fs::path binary = fs::canonical(bin);

  testing::TempDir tmp("e2e");
  Cluster cluster(tmp.path() / "cluster");
  auto started = cluster.start();
  ASSERT_EQ(started.exit_code, 0) << "the local Slurm cluster did not start";
  setenv("SLURM_CONF", (tmp.path() / "cluster/etc/slurm.conf").c_str(), 1);

  fs::path sweep = tmp.path() / "sweep";
  auto planned = run({binary.string(), "plan", "--cluster", "local-slurm", "--workloads",
                      "mnist_cnn,resnet50", "--strategies", "ddp,mirrored", "--gpus", "1,2,4",
                      "--image-size", "32", "--batch", "2", "--steps", "3", "--warmup", "1",
                      "--time", "00:05:00", "--max-concurrent", "2", "-o", sweep.string()});
  ASSERT_EQ(planned.exit_code, 0);
  Plan plan = read_plan(sweep / "plan.json");
  ASSERT_EQ(plan.points.size(), 12u);

  auto submitted = run({binary.string(), "submit", (sweep / "plan.json").string()});
  ASSERT_EQ(submitted.exit_code, 0);
  auto record = nlohmann::json::parse(testing::read_text(sweep / "submitted.json"));
  std::vector<std::string> ids;
  for (const auto& a : record.back()["arrays"]) ids.push_back(a["job_id"].get<std::string>());
  std::string report_id = record.back()["report_job_id"];
  ids.push_back(report_id);
  std::string id_list;
  for (const auto& id : ids) id_list += (id_list.empty() ? "" : ",") + id;

  // Wait for every job to leave the queue; a deadline keeps a stuck cluster from hanging CI.
  auto deadline = std::chrono::steady_clock::now() + 10min;
  while (true) {
    auto q = run({"squeue", "-h", "-j", id_list, "-o", "%i %T %r"}, 30s);
    if (q.exit_code == 0 && q.output.find_first_not_of(" \n") == std::string::npos) break;
    if (std::chrono::steady_clock::now() > deadline) {
      run({"scontrol", "show", "job"});
      FAIL() << "jobs still queued after 10 minutes";
    }
    std::this_thread::sleep_for(5s);
  }

  for (const auto& p : plan.points) {
    fs::path result = sweep / p.result;
    ASSERT_TRUE(fs::exists(result)) << "point " << p.index << " wrote no result; see "
                                    << (sweep / "logs").string();
    auto rec = read_result_file(result);
    EXPECT_EQ(rec.status, "ok") << result << ": " << rec.error.value_or("");
    EXPECT_EQ(rec.point.workload, p.workload);
    EXPECT_EQ(rec.point.strategy, p.strategy);
    EXPECT_EQ(rec.point.devices, p.gpus) << result;
  }
  // The report job ran after the arrays and wrote the report.
  auto job = run({"scontrol", "show", "job", "-o", report_id});
  EXPECT_NE(job.output.find("JobState=COMPLETED"), std::string::npos) << job.output;
  for (const char* doc : {"report.html", "report.md", "summary.csv", "table.tex", "summary.txt"}) {
    EXPECT_TRUE(fs::exists(sweep / "report" / doc)) << "the report job wrote no " << doc;
  }
  std::cout << testing::read_text(sweep / "logs" / ("sb-report_" + report_id + ".out"));
}

}  // namespace
}  // namespace scalebench::plan
