// The request calculator (report --job) and the cost per 10^6 samples (issue 14, defect 6).
#include <gtest/gtest.h>

#include "records/errors.hpp"
#include "reports/report.hpp"
#include "reports/request.hpp"
#include "tests/reports/checks.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

using testing::read_text;
using testing::TempDir;

std::string job_error(const std::string& text) {
  try {
    parse_job(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Request, ParsesTheJobAndRefusesWhatIsNotOne) {
  const JobSpec job = parse_job("epochs=90,samples=1281167");
  EXPECT_EQ(job.epochs, 90);
  EXPECT_EQ(job.samples, 1281167);
  EXPECT_EQ(parse_job("samples=10").epochs, 1);
  EXPECT_EQ(job_description(job), "90 epochs of 1,281,167 samples (115,305,030 samples)");
  EXPECT_NE(job_error("epochs=90").find("no samples=N"), std::string::npos);
  EXPECT_NE(job_error("samples=0").find("a whole number of 1 or more"), std::string::npos);
  EXPECT_NE(job_error("samples=1.5").find("a whole number"), std::string::npos);
  EXPECT_NE(job_error("samples=10,epochs=-1").find("a positive number"), std::string::npos);
  EXPECT_NE(job_error("samples=10,epochs=nan").find("a positive number"), std::string::npos);
  EXPECT_NE(job_error("samples=10,samples=20").find("given once"), std::string::npos);
  EXPECT_NE(job_error("samples=10,steps=5")
                .find("'steps=5' is not a job setting (allowed: "
                      "samples, epochs)"),
            std::string::npos);
  EXPECT_NE(job_error("").find("is not a job setting"), std::string::npos);
}

// Under weak scaling the cost of 1,000 steps grows with n (a step does n times the work); the
// cost of a fixed number of samples is what grows only by the lost efficiency.
TEST(Request, CostPerMillionSamplesFollowsEfficiencyNotTheStepCount) {
  TempDir dir;
  testing::write_standard_set(dir / "results");
  const ResultSet set = load_results({{dir / "results", std::nullopt}});
  for (const GroupMetrics& g : compute_metrics(group_points(set), {})) {
    if (g.key.system != "mahti A100" || g.key.strategy != "ddp" || g.key.scaling != "weak")
      continue;
    const CountMetrics& one = *g.at(1);
    const CountMetrics& many = *g.at(32);
    const double steps_ratio = *many.gpu_hours_per_1000_steps / *one.gpu_hours_per_1000_steps;
    const double samples_ratio =
        *many.gpu_hours_per_million_samples / *one.gpu_hours_per_million_samples;
    EXPECT_GT(steps_ratio, 30);
    EXPECT_NEAR(samples_ratio, 1.0 / *many.efficiency, 1e-9);
    EXPECT_NEAR(*many.node_hours_per_million_samples, *many.gpu_hours_per_million_samples / 4.0,
                1e-12);  // 4 GPUs per node
    const JobSpec job = parse_job("epochs=2,samples=500000");
    const auto rows = request_rows(g, job);
    ASSERT_EQ(rows.size(), 6u);  // the failed 64-GPU count has no throughput
    const RequestRow& r = rows.back();
    EXPECT_EQ(r.gpus, 32);
    EXPECT_NEAR(r.wall_hours, 1e6 / *many.samples_per_s / 3600.0, 1e-12);
    EXPECT_NEAR(r.gpu_hours, 32 * r.wall_hours, 1e-12);
    EXPECT_NEAR(r.node_hours, 8 * r.wall_hours, 1e-12);
    return;
  }
  FAIL() << "no mahti ddp weak curve";
}

TEST(Request, TheReportWritesTheCalculatorWhenAJobIsGiven) {
  TempDir dir;
  testing::write_standard_set(dir / "results");
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  options.gnuplot = "/nonexistent/gnuplot";
  run_report(options);
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "request.csv"));
  options.job = parse_job("epochs=90,samples=1281167");
  options.billing_units_per_gpu_hour = 2.0;
  run_report(options);
  const auto rows = testing::parse_csv(read_text(dir / "out" / "request.csv"));
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(rows[0][12], "wall_hours");
  EXPECT_EQ(rows[0][15], "billing_units");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_NEAR(std::stod(rows[i][15]), 2.0 * std::stod(rows[i][13]),
                1e-6 * std::stod(rows[i][15]));
  }
  const std::string text = read_text(dir / "out" / "summary.txt");
  EXPECT_NE(text.find("Request calculator: What 90 epochs of 1,281,167 samples"), std::string::npos)
      << text;
  // The recommendation is the largest count at or above the threshold: 16 GPUs for mahti ddp.
  EXPECT_NE(text.find("batch 64/GPU (weak) on mahti A100: at 16 GPUs (4 nodes)"), std::string::npos)
      << text;
  EXPECT_NE(read_text(dir / "out" / "report.html").find("<h2 id=\"request\">"), std::string::npos);
  EXPECT_NE(read_text(dir / "out" / "report.md").find("## Request calculator"), std::string::npos);
}

}  // namespace
}  // namespace scalebench::reports
