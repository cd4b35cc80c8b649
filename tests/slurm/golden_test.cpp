// Golden files: `plan` with each cluster profile (one fixed sweep each) must write exactly the
// scripts and plan.json in tests/slurm/golden/<profile>/, which were reviewed by hand against the
// clusters' guides. Regenerate with SCALEBENCH_UPDATE_GOLDEN=1 and review the diff.
#include <cstdlib>
#include <set>

#include <gtest/gtest.h>

#include "harness/plan/cost.hpp"
#include "records/result.hpp"
#include "harness/plan/plan.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

struct GoldenCase {
  std::string profile;
  std::vector<std::int64_t> gpus;
  std::optional<std::string> account;
  std::optional<std::string> node_type;
};

void PrintTo(const GoldenCase& g, std::ostream* os) { *os << g.profile; }

SweepSpec golden_spec(const GoldenCase& g) {
  SweepSpec s;
  s.allow_retired = true;  // the rules of retired profiles (Puhti, Mahti) are still tested
  s.workloads = {"resnet50", "vit_b16"};
  s.strategies = {"ddp", "mirrored"};
  s.gpus = g.gpus;
  s.precision = "fp16";
  s.batch = 32;
  s.steps = 20;
  s.warmup = 5;
  s.account = g.account;
  s.node_type = g.node_type;
  s.time = "00:30:00";
  s.max_concurrent = 4;
  s.binary = "/opt/scalebench/bin/scalebench";
  return s;
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, PlanMatchesReviewedFiles) {
  const GoldenCase& g = GetParam();
  TempDir tmp("golden-" + g.profile);
  Plan plan = make_plan(golden_spec(g), testing::profile(g.profile), testing::fixed_catalog());
  write_plan(plan, tmp.path());
  write_file_atomically(tmp.path() / "cost.txt", format_cost(plan, sweep_cost(plan)));

  fs::path golden = testing::source_dir() / "tests/slurm/golden" / g.profile;
  std::set<std::string> made, expected;
  for (const auto& e : fs::directory_iterator(tmp.path()))
    if (e.is_regular_file()) made.insert(e.path().filename().string());
  if (std::getenv("SCALEBENCH_UPDATE_GOLDEN")) {
    fs::remove_all(golden);
    fs::create_directories(golden);
    for (const auto& f : made) fs::copy_file(tmp.path() / f, golden / f);
    GTEST_SKIP() << "golden files of " << g.profile << " rewritten: review the diff";
  }
  ASSERT_TRUE(fs::is_directory(golden)) << golden << " is missing (SCALEBENCH_UPDATE_GOLDEN=1)";
  for (const auto& e : fs::directory_iterator(golden)) expected.insert(e.path().filename().string());
  EXPECT_EQ(made, expected);
  for (const auto& f : expected) {
    if (!made.count(f)) continue;
    EXPECT_EQ(testing::read_text(tmp.path() / f), testing::read_text(golden / f))
        << g.profile << "/" << f << " differs from the golden file";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, Golden,
    ::testing::Values(GoldenCase{"roihu", {1, 4, 8, 40}, "project_2001234", {}},
                      GoldenCase{"puhti", {1, 2, 4, 8}, "project_2001234", {}},
                      GoldenCase{"mahti", {1, 2, 4, 8}, "project_2001234", {}},
                      GoldenCase{"lumi", {1, 2, 8, 16}, "project_465000123", {}},
                      GoldenCase{"m3", {1, 3, 6}, "ab12", {}},
                      GoldenCase{"dgx-h100", {1, 4, 8, 16}, {}, {}},
                      GoldenCase{"local", {1, 2, 4}, {}, {}},
                      GoldenCase{"local-slurm", {1, 2, 4}, {}, {}}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) {
      std::string n = info.param.profile;
      for (auto& c : n)
        if (c == '-') c = '_';
      return n;
    });

}  // namespace
}  // namespace scalebench::plan
