// `report` end to end through the command line: exit status 2 for bad input, 0 with a report.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "tests/reports/fixtures.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct CliRun {
  int exit_status = -1;
  std::string out;
  std::string err;
};

CliRun run_cli(const TempDir& dir, const std::string& args) {
  const fs::path out = dir / "stdout.txt";
  const fs::path err = dir / "stderr.txt";
  const std::string command =
      fmt::format("cd '{}' && '{}' report {} >'{}' 2>'{}'", dir.path().string(), REPORT_CLI_PATH,
                  args, out.string(), err.string());
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_text(out),
          testing::read_text(err)};
}

class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override { testing::write_standard_set(dir_ / "results"); }
  TempDir dir_;
};

TEST_F(ReportCommand, WritesTheReportAndSaysWhatItSkipped) {
  testing::write_text(dir_ / "results" / "truncated.json", "{\"schema\": \"scalebench.resu");
  const CliRun run = run_cli(dir_, "results -o out --formats png");
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_NE(run.err.find("skipped"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("truncated.json: malformed JSON"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("read 21 results (1 failed or timed out) from 22 files, 1 skipped"),
            std::string::npos)
      << run.out;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report.html"));
}

TEST_F(ReportCommand, LabelsNameSystems) {
  const CliRun run =
      run_cli(dir_, "--label 'Mahti A100=results/mahti' --label V100=results/puhti -o out");
  EXPECT_EQ(run.exit_status, 0) << run.err;
  const std::string csv = testing::read_text(dir_ / "out" / "summary.csv");
  EXPECT_NE(csv.find("\nMahti A100,resnet50,ddp"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nV100,resnet50,ddp"), std::string::npos);
}

// A folder after --label NAME=DIR is an input of its own, not a second label.
TEST_F(ReportCommand, AnInputAfterALabelIsAnInput) {
  const CliRun run = run_cli(dir_, "--label 'Mahti A100=results/mahti' results/puhti -o out");
  EXPECT_EQ(run.exit_status, 0) << run.err;
  const std::string csv = testing::read_text(dir_ / "out" / "summary.csv");
  EXPECT_NE(csv.find("\nMahti A100,resnet50,ddp"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\npuhti V100,resnet50,ddp"), std::string::npos) << csv;
}

TEST_F(ReportCommand, TheRequestCalculatorFromTheCommandLine) {
  const CliRun run = run_cli(dir_, "results -o out --job epochs=90,samples=1281167");
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "request.csv"));
  const CliRun bad = run_cli(dir_, "results -o out2 --job epochs=90");
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_NE(bad.err.find("--job 'epochs=90': no samples=N"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir_ / "out2"));
}

TEST_F(ReportCommand, WithoutGnuplotEverythingElseIsWrittenAndTheUserIsToldHowToRender) {
  const std::string gnuplot_free_path = "PATH=/nonexistent";
  const fs::path out = dir_ / "stdout.txt";
  const fs::path err = dir_ / "stderr.txt";
  const std::string command =
      fmt::format("cd '{}' && {} '{}' report results -o out >'{}' 2>'{}'", dir_.path().string(),
                  gnuplot_free_path, REPORT_CLI_PATH, out.string(), err.string());
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string stderr_text = testing::read_text(err);
  EXPECT_NE(stderr_text.find("gnuplot not found"), std::string::npos) << stderr_text;
  EXPECT_NE(stderr_text.find("gnuplot render.gp"), std::string::npos) << stderr_text;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report.html"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "figures" / "render.gp"));
}

struct BadInput {
  const char* args;
  const char* message;
};

TEST_F(ReportCommand, BadInputExitsWithStatus2AndOneLine) {
  fs::create_directories(dir_ / "empty");
  testing::write_text(dir_ / "v9" / "a.json", R"({"schema": "scalebench.result/9"})");
  const BadInput cases[] = {
      {"empty -o out", "no scalebench results in folder"},
      {"missing -o out", "does not exist"},
      {"results", "-o OUT"},
      {"-o out", "name at least one result folder"},
      {"results -o out --threshold 1.5", "--threshold 1.5: give a fraction in (0, 1]"},
      {"results -o out --threshold abc", "threshold"},
      {"results -o out --min-gain 0", "--min-gain 0"},
      {"results -o out --baseline 3", "--baseline 3"},
      {"results -o out --baseline 0", "--baseline 0"},
      {"results -o out --baseline nodes", "--baseline nodes: give a GPU count of 1 or more, or 'node'"},
      {"results -o out --formats pdf,jpg", "'jpg' is not a figure format"},
      {"results -o out --label nolabel", "give NAME=DIR"},
      {"results -o out --label =results", "give NAME=DIR"},
      {"results v9 -o out", "which this scalebench cannot read"},
      {"results -o out --prediction nowhere.json", "is not a file"},
      {"results -o out --billing-units-per-gpu-hour -1", "positive"},
      {"results -o out --cluster-profiles nowhere", "is not a folder"},
      {"results -o results/mahti/resnet50-ddp-weak-n1.json", "is a file"},
  };
  for (const BadInput& c : cases) {
    const CliRun run = run_cli(dir_, c.args);
    EXPECT_EQ(run.exit_status, 2) << c.args << "\n" << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << c.args << "\n" << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << c.args << "\n" << run.err;
    EXPECT_FALSE(fs::exists(dir_ / "out")) << c.args;
  }
}

TEST_F(ReportCommand, HelpNamesEveryOption) {
  const CliRun run = run_cli(dir_, "--help");
  EXPECT_EQ(run.exit_status, 0);
  for (const char* option :
       {"--out", "--label", "--threshold", "--baseline", "--formats", "--min-gain",
        "--billing-units-per-gpu-hour", "--cluster-profiles", "render.gp"}) {
    EXPECT_NE(run.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace scalebench
