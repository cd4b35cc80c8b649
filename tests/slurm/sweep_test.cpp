// The local sweep runner's edges: result files that are not valid records, and SIGINT/SIGTERM
// while a point runs (passed on to the point, bounded wait, no further point started).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harness/plan/plan.hpp"
#include "harness/plan/sweep_runner.hpp"
#include "records/result.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

void write_executable(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_all);
}

// Waits (bounded) for a file to appear.
bool wait_for(const fs::path& p, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (fs::exists(p)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool process_gone(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    if (kill(pid, 0) != 0) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = s.rfind(')');
    if (close != std::string::npos && close + 2 < s.size() && s[close + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A plan of 4 one-process points (mnist_cnn and resnet50, ddp and mirrored, 1 GPU) on the local
// profile, and a stand-in `scalebench run` whose behaviour a test writes.
class Sweep : public ::testing::Test {
 protected:
  void SetUp() override {
    SweepSpec s;
    s.workloads = {"mnist_cnn", "resnet50"};
    s.gpus = {1};
    s.binary = "/bin/true";
    plan_ = make_plan(s, testing::profile("local"), testing::fixed_catalog());
    write_plan(plan_, tmp_.path());
    options_.binary = tmp_.path() / "fake-run";
    options_.mpirun = "/bin/true";
    options_.terminal = false;
  }
  fs::path result(std::size_t k) const { return tmp_.path() / plan_.points[k].result; }
  std::string calls() const { return testing::read_text(tmp_.path() / "calls.log"); }
  // Runs the sweep while a thread sends `sig` to this process once the stand-in run has started.
  struct Interrupted {
    SweepSummary sum;
    std::string text;
    std::chrono::steady_clock::duration took;
  };
  Interrupted sweep_interrupted_by(int sig) {
    // Sent also when the stand-in never says it started, so that the sweep ends (the test then
    // fails on what the point should have done) instead of running every point to its end.
    bool saw_start = false;
    std::thread signaller([&] {
      saw_start = wait_for(tmp_.path() / "started", std::chrono::seconds(20));
      kill(getpid(), sig);
    });
    std::ostringstream out;
    const auto started = std::chrono::steady_clock::now();
    Interrupted r{run_sweep(tmp_.path() / "plan.json", options_, out), "", {}};
    r.took = std::chrono::steady_clock::now() - started;
    signaller.join();
    r.text = out.str();
    EXPECT_TRUE(saw_start) << "the stand-in run did not start within 20 s";
    return r;
  }

  TempDir tmp_{"sweep"};
  Plan plan_;
  SweepOptions options_;
};

TEST_F(Sweep, ARecordThatIsNotValidIsRunAgainAndSaidSo) {
  // The stand-in writes a valid record where the plan says.
  write_executable(options_.binary,
                   "#!/bin/bash\necho \"$*\" >> '" + (tmp_.path() / "calls.log").string() +
                       "'\nexit 0\n");
  const ResultRecord done = testing::failed_record_of(plan_.points[0], "an earlier run");
  write_result_file(done, result(0), false);                        // valid: skipped
  std::ofstream(result(1)).close();                                 // 0 bytes (disk full)
  std::ofstream(result(2)) << R"({"schema": "scalebench.result/1", "status": "ok", "po)";  // cut
  std::ofstream(result(3)) << R"({"schema": "someone.else/7"})";    // another schema
  std::ostringstream out;
  auto sum = run_sweep(tmp_.path() / "plan.json", options_, out);
  std::string text = out.str();
  EXPECT_EQ(sum.skipped, 1) << text;
  EXPECT_EQ(sum.invalid, 3) << text;
  EXPECT_EQ(sum.ran, 3) << text;
  EXPECT_EQ(sum.failed, 0) << text;
  EXPECT_NE(text.find("[1/4] p0000 mnist_cnn ddp 1 GPU: skipped"), std::string::npos) << text;
  for (std::size_t k = 1; k < 4; ++k) {
    EXPECT_NE(text.find(fmt::format("[{}/4] {}", k + 1, "p000" + std::to_string(k))), std::string::npos);
    EXPECT_NE(text.find(plan_.points[k].result + " is not a valid record ("), std::string::npos) << text;
    EXPECT_NE(text.find("moved to " + plan_.points[k].result + ".invalid, running the point again"),
              std::string::npos) << text;
    EXPECT_TRUE(fs::exists(result(k).string() + ".invalid")) << k;
    EXPECT_FALSE(fs::exists(result(k))) << k;  // the run writes it anew (the stand-in does not)
    EXPECT_NE(calls().find(fmt::format("--point {}\n", k)), std::string::npos) << calls();
  }
  EXPECT_EQ(calls().find("--point 0\n"), std::string::npos) << calls();
  EXPECT_NE(text.find("3 run (3 had an invalid record), 1 skipped"), std::string::npos) << text;
}

TEST_F(Sweep, APointWhoseLockIsHeldIsSkippedAsRunningElsewhere) {
  write_executable(options_.binary,
                   "#!/bin/bash\necho \"$*\" >> '" + (tmp_.path() / "calls.log").string() + "'\n");
  // Another run of point 1 holds its lock (here: this process, through its own open file).
  auto held = PointLock::try_lock(result(1));
  ASSERT_TRUE(held && held->locked());
  std::ofstream(result(2)).close();  // invalid, but locked too: left alone
  auto held2 = PointLock::try_lock(result(2));
  ASSERT_TRUE(held2 && held2->locked());
  std::ostringstream out;
  auto sum = run_sweep(tmp_.path() / "plan.json", options_, out);
  std::string text = out.str();
  EXPECT_EQ(sum.running_elsewhere, 2) << text;
  EXPECT_EQ(sum.ran, 2) << text;
  EXPECT_NE(text.find("[2/4] p0001 mnist_cnn mirrored 1 GPU: skipped, running elsewhere"), std::string::npos)
      << text;
  EXPECT_NE(text.find("[3/4] p0002 resnet50 ddp 1 GPU: skipped, running elsewhere"), std::string::npos)
      << text;
  EXPECT_EQ(calls().find("--point 1\n"), std::string::npos) << calls();
  EXPECT_EQ(calls().find("--point 2\n"), std::string::npos) << calls();
  EXPECT_TRUE(fs::exists(result(2)));  // not moved aside under the other run
  EXPECT_NE(text.find("2 running elsewhere"), std::string::npos) << text;
}

// The stand-in notes its start, then waits; how it meets the signal is the test's.
void write_waiting_run(const fs::path& script, const fs::path& dir, const std::string& on_signal) {
  write_executable(script, "#!/bin/bash\n"
                           "echo \"$*\" >> '" + (dir / "calls.log").string() + "'\n" +
                           on_signal +
                           "sleep 30 & echo $! > '" + (dir / "child.pid").string() + "'\n"
                           "touch '" + (dir / "started").string() + "'\n"
                           "wait\n");
}

TEST_F(Sweep, SigintIsPassedToTheRunningPointAndStopsTheSweep) {
  write_waiting_run(options_.binary, tmp_.path(),
                    "trap 'echo INT > \"" + (tmp_.path() / "got").string() +
                        "\"; kill $(cat \"" + (tmp_.path() / "child.pid").string() +
                        "\"); exit 130' INT\n");
  const auto [sum, text, took] = sweep_interrupted_by(SIGINT);
  EXPECT_EQ(sum.interrupted_by, SIGINT) << text;
  EXPECT_EQ(sum.interrupted_point, 0) << text;
  EXPECT_EQ(sum.ran, 1) << text;
  EXPECT_EQ(testing::read_text(tmp_.path() / "got"), "INT\n");  // the point itself got SIGINT
  EXPECT_EQ(calls().find("--point 1"), std::string::npos) << calls();  // nothing else started
  EXPECT_NE(text.find("[1/4] p0000 mnist_cnn ddp 1 GPU: INTERRUPTED by SIGINT after"), std::string::npos)
      << text;
  EXPECT_NE(text.find("passed on to the run, which ended with exit 130; no result record"), std::string::npos) << text;
  EXPECT_NE(text.find("sweep interrupted by SIGINT"), std::string::npos) << text;
  EXPECT_NE(text.find("3 point(s) not started"), std::string::npos) << text;
  EXPECT_LT(took, std::chrono::seconds(15));
  pid_t sleeper = std::stoi(testing::read_text(tmp_.path() / "child.pid"));
  EXPECT_TRUE(process_gone(sleeper));
  // The sweep's handlers are gone again: SIG_DFL for SIGINT.
  struct sigaction now {};
  sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST_F(Sweep, APointThatIgnoresSigtermIsKilledAfterTheGrace) {
  write_waiting_run(options_.binary, tmp_.path(), "trap '' TERM\n");
  options_.signal_grace = std::chrono::seconds(1);
  const auto [sum, text, took] = sweep_interrupted_by(SIGTERM);
  EXPECT_EQ(sum.interrupted_by, SIGTERM) << text;
  EXPECT_NE(text.find("INTERRUPTED by SIGTERM"), std::string::npos) << text;
  EXPECT_NE(text.find("killed after 1 s"), std::string::npos) << text;
  EXPECT_LT(took, std::chrono::seconds(10)) << text;  // not the stand-in's 30 s
  pid_t sleeper = std::stoi(testing::read_text(tmp_.path() / "child.pid"));
  EXPECT_TRUE(process_gone(sleeper));  // the whole group got SIGKILL
}

}  // namespace
}  // namespace scalebench::plan
