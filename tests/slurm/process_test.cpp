// run_process: how a child is started (its own process group, stdin from /dev/null, extra
// environment, a failed start as RunError), what comes back (output, exit status, deadline), and
// starting children from a process whose other threads allocate all the while.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness/plan/process.hpp"
#include "records/errors.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
using namespace std::chrono_literals;

ProcessResult captured(const std::vector<std::string>& argv, ProcessOptions o = {}) {
  o.capture_stdout = true;
  if (!o.timeout) o.timeout = 60s;
  return run_process(argv, o);
}

TEST(Process, OutputAndExitStatusComeBack) {
  auto r = captured({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.output, "out\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
}

TEST(Process, AProgramThatCannotStartIsARunErrorNamingIt) {
  try {
    captured({"/nonexistent/scalebench-no-such-program"});
    FAIL() << "no error";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start /nonexistent/scalebench-no-such-program: "),
              std::string::npos) << e.what();
  }
  EXPECT_THROW(captured({"scalebench-no-such-program-on-path"}), RunError);
}

TEST(Process, TheChildHasItsOwnGroupNoStdinAndTheExtraEnvironment) {
  ::setenv("SCALEBENCH_PROCESS_TEST_KEPT", "kept", 1);
  ::setenv("SCALEBENCH_PROCESS_TEST_SET", "old", 1);
  ProcessOptions o;
  o.extra_env = {{"SCALEBENCH_PROCESS_TEST_SET", "new value"}};
  auto r = captured({"/bin/sh", "-c",
                     "echo \"$SCALEBENCH_PROCESS_TEST_KEPT|$SCALEBENCH_PROCESS_TEST_SET\"; "
                     "cut -d ' ' -f 5 /proc/$$/stat; echo $$; cat; echo end"},
                    o);
  ::unsetenv("SCALEBENCH_PROCESS_TEST_KEPT");
  ::unsetenv("SCALEBENCH_PROCESS_TEST_SET");
  // Lines: the variables, its group, its pid, nothing from stdin, end.
  std::vector<std::string> lines;
  for (std::size_t i = 0, j; i < r.output.size(); i = j + 1) {
    j = r.output.find('\n', i);
    if (j == std::string::npos) j = r.output.size();
    lines.push_back(r.output.substr(i, j - i));
  }
  ASSERT_EQ(lines.size(), 4u) << r.output;
  EXPECT_EQ(lines[0], "kept|new value");
  EXPECT_EQ(lines[1], lines[2]) << "the child leads its own process group";
  EXPECT_NE(lines[1], std::to_string(getpgrp()));
  EXPECT_EQ(lines[3], "end");
}

TEST(Process, BothStreamsGoToTheLogFile) {
  testing::TempDir tmp{"process"};
  ProcessOptions o;
  o.log_file = tmp.path() / "child.log";
  o.timeout = 60s;
  auto r = run_process({"/bin/sh", "-c", "echo out; echo err >&2"}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(testing::read_text(tmp.path() / "child.log"), "out\nerr\n");
}

TEST(Process, TheDeadlineEndsTheWholeGroup) {
  ProcessOptions o;
  o.timeout = 1s;
  const auto start = std::chrono::steady_clock::now();
  auto r = captured({"/bin/sh", "-c", "sleep 30 & sleep 30; echo never"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.output, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
}

// A fork of this process while another thread holds an allocator lock would copy the lock held,
// and a child that allocated before exec would wait on it forever (GCC 12's AddressSanitizer
// allocator has no fork handler; the likely cause of a sweep test that hung in CI, though it did
// not recur here). Children must start however busy the other threads are: 50 starts, each
// bounded, while threads come and go and allocate.
TEST(Process, ChildrenStartWhileOtherThreadsAllocate) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (int t = 0; t < 2; ++t)
    busy.emplace_back([&stop] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::thread([] {
          std::vector<std::unique_ptr<std::string>> v;
          for (int i = 0; i < 256; ++i) v.push_back(std::make_unique<std::string>(16 + i, 'x'));
        }).join();
      }
    });
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    ProcessOptions o;
    o.timeout = 20s;
    o.extra_env = {{"SCALEBENCH_PROCESS_TEST_N", std::to_string(i)}};
    auto r = run_process({"/bin/true"}, o);
    if (r.exit_code == 0 && !r.timed_out) ++ok;
  }
  stop = true;
  for (auto& t : busy) t.join();
  EXPECT_EQ(ok, 50);
}

}  // namespace
}  // namespace scalebench::plan
