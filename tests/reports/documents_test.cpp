// Every document of a report, written without gnuplot and parsed back; nothing half written.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "records/errors.hpp"
#include "reports/report.hpp"
#include "tests/reports/checks.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;

ReportOptions options_for(const TempDir& dir) {
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  options.gnuplot = "/nonexistent/gnuplot";  // documents must not depend on it
  return options;
}

class ReportDocuments : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_standard_set(dir_ / "results");
    testing::write_text(dir_ / "results" / "broken.json", "{\"schema\": \"scalebench.result/1\", ");
    summary_ = run_report(options_for(dir_));
  }
  std::string document(const std::string& name) const { return read_text(dir_ / "out" / name); }

  TempDir dir_;
  ReportSummary summary_;
};

TEST_F(ReportDocuments, WritesEveryDocumentAndTheFigureSources) {
  for (const char* name : {"report.html", "report.md", "summary.csv", "table.tex", "summary.txt",
                           "figures/render.gp"}) {
    EXPECT_GT(fs::file_size(dir_ / "out" / name), 0u) << name;
  }
  EXPECT_EQ(summary_.results, 21u);
  EXPECT_EQ(summary_.failed_points, 1u);
  ASSERT_EQ(summary_.skipped.size(), 1u);
  EXPECT_EQ(summary_.skipped[0].path, dir_ / "results" / "broken.json");
  EXPECT_FALSE(summary_.render.gnuplot_found);
  EXPECT_EQ(summary_.figures, 12u);
  std::size_t sources = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "out" / "figures")) {
    const std::string ext = e.path().extension().string();
    EXPECT_TRUE(ext == ".gp" || ext == ".dat") << e.path();
    sources += ext == ".dat" ? 1 : 0;
  }
  EXPECT_EQ(sources, 12u);
  // The temporary folder is gone: only the inputs and the report are left.
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir_.path()))
    left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"out", "results"}));
}

TEST_F(ReportDocuments, SummaryCsvHasOneRowPerGroupAndCountWithAllMetrics) {
  const auto rows = testing::parse_csv(document("summary.csv"));
  ASSERT_EQ(rows.size(), 1u + 21u);
  const std::vector<std::string>& header = rows[0];
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<std::size_t>(it - header.begin());
  };
  for (const auto& row : rows) ASSERT_EQ(row.size(), header.size());
  auto row_of = [&](const std::string& system, const std::string& strategy,
                    const std::string& scaling,
                    const std::string& gpus) -> const std::vector<std::string>& {
    for (const auto& row : rows) {
      if (row[column("system")] == system && row[column("strategy")] == strategy &&
          row[column("scaling")] == scaling && row[column("gpus")] == gpus) {
        return row;
      }
    }
    throw std::runtime_error("row missing");
  };
  const auto& sixteen = row_of("mahti A100", "ddp", "weak", "16");
  EXPECT_NEAR(std::stod(sixteen[column("efficiency")]), 100.0 / 120.0, 1e-8);
  EXPECT_NEAR(std::stod(sixteen[column("samples_per_s")]), 1024000.0 / 120.0, 1e-4);
  EXPECT_NEAR(std::stod(sixteen[column("exposed_comm_share")]), 20.0 / 120.0, 1e-8);
  EXPECT_NEAR(std::stod(sixteen[column("busbw_gbps")]), 50.0, 1e-8);
  EXPECT_NEAR(std::stod(sixteen[column("gpu_hours_per_1000_steps")]), 16 * 0.12 / 3.6, 1e-8);
  EXPECT_EQ(sixteen[column("nodes")], "4");
  EXPECT_EQ(sixteen[column("is_knee")], "0");
  EXPECT_EQ(row_of("mahti A100", "ddp", "weak", "32")[column("is_knee")], "1");
  const auto& failed = row_of("mahti A100", "ddp", "weak", "64");
  EXPECT_EQ(failed[column("status")], "failed");
  EXPECT_EQ(failed[column("error")], "NCCL error: unhandled system error");
  EXPECT_EQ(failed[column("efficiency")], "");
  const auto& strong = row_of("mahti A100", "ddp", "strong", "8");
  EXPECT_NEAR(std::stod(strong[column("efficiency")]), 800.0 / 1040.0, 1e-8);
  EXPECT_EQ(strong[column("global_batch")], "1024");
  EXPECT_EQ(strong[column("batch_per_device")], "128");
}

TEST_F(ReportDocuments, HtmlIsWellFormedAndShowsFailuresSkipsAndEnvironments) {
  const std::string html = document("report.html");
  EXPECT_EQ(testing::xml_problem(html), "");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("gnuplot was not found"), std::string::npos);
  EXPECT_NE(html.find("broken.json"), std::string::npos);
  EXPECT_NE(html.find("failed: NCCL error: unhandled system error"), std::string::npos);
  EXPECT_NE(html.find("<h3>puhti V100</h3>"), std::string::npos);
  EXPECT_NE(html.find("2.18.3"), std::string::npos);
  EXPECT_NE(html.find("AMD EPYC 7H12"), std::string::npos);
  EXPECT_NE(html.find("67% (knee)"), std::string::npos);
}

// Issue 14, defect 7: one short paragraph per system and workload, pasteable alone.
TEST_F(ReportDocuments, SummaryTextStatesTheKneeItsCauseFailuresAndCost) {
  const std::string text = document("summary.txt");
  EXPECT_NE(
      text.find("ResNet-50 on mahti A100. With ddp in fp32, global batch 1024, strong scaling, "
                "it keeps 91% efficiency up to 4 GPUs (1 node, 4,655 images/s);"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("With ddp in fp32, 64 samples per GPU, weak scaling, it keeps 83% efficiency up "
                "to 16 GPUs (4 nodes, 8,533 images/s); at 32 GPUs (8 nodes) efficiency falls "
                "below 80% (67%) because it is communication-bound: 33% of the step is "
                "exposed all-reduce at 32 GPUs"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("At 64 GPUs the run failed (NCCL error: unhandled system error)."),
            std::string::npos)
      << text;
  // The cost at the baseline and at the largest efficient count; every count is in the tables.
  EXPECT_NE(text.find("GPU-hours per million samples: 0.434 at 1 GPU, 0.521 at 16 GPUs."),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("ResNet-50 on puhti V100. With ddp in fp32, 64 samples per GPU, weak scaling, "
                "it keeps at least 86% efficiency (threshold 80%) up to 16 GPUs (4 nodes, "
                "5,851 images/s), the largest count measured."),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("1 files skipped"), std::string::npos) << text;
  // Two systems, one workload: two paragraphs, each saying what was measured.
  std::vector<std::string> paragraphs;
  for (std::size_t at = text.find("\n\n"); at != std::string::npos;) {
    const std::size_t end = text.find("\n\n", at + 2);
    if (end == std::string::npos) break;
    paragraphs.push_back(text.substr(at + 2, end - at - 2));
    at = end;
  }
  ASSERT_EQ(paragraphs.size(), 2u) << text;
  for (const std::string& p : paragraphs) {
    EXPECT_NE(p.find("synthetic training steps"), std::string::npos) << p;
    EXPECT_NE(p.find("With ddp"), std::string::npos) << p;
    EXPECT_NE(p.find("no data loading and no framework"), std::string::npos) << p;
    // Short: at most ~450 characters per curve (its setting, scaling, knee and cause, cost).
    std::size_t curves = 0;
    for (std::size_t at = p.find("With "); at != std::string::npos; at = p.find("With ", at + 1))
      ++curves;
    EXPECT_LT(p.size(), 150 + 450 * curves) << "a paragraph a proposal can take: " << p;
  }
  EXPECT_EQ(paragraphs[1].find("mahti"), std::string::npos) << "one system per paragraph";
}

TEST_F(ReportDocuments, LatexTableIsBalancedBooktabs) {
  const std::string tex = document("table.tex");
  for (const char* needle : {"\\begin{table}", "\\end{table}", "\\begin{tabular}{rrrrrrr}",
                             "\\end{tabular}", "\\toprule", "\\bottomrule", "\\midrule"}) {
    EXPECT_NE(tex.find(needle), std::string::npos) << needle;
  }
  int depth = 0;
  for (std::size_t i = 0; i < tex.size(); ++i) {
    if (tex[i] == '\\' && i + 1 < tex.size() &&
        (tex[i + 1] == '{' || tex[i + 1] == '}' || tex[i + 1] == '%')) {
      ++i;
      continue;
    }
    if (tex[i] == '%') i = tex.find('\n', i);  // a comment
    if (tex[i] == '{') ++depth;
    if (tex[i] == '}') --depth;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  // Rows: 7 cells, or a failed row with a \multicolumn spanning the measurements.
  std::size_t data_rows = 0;
  std::istringstream lines(tex);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\\\\") == std::string::npos ||
        line.find("\\multicolumn{7}") != std::string::npos)
      continue;
    std::size_t cells = 1;
    for (std::size_t i = 0; i < line.size(); ++i)
      cells += line[i] == '&' && (i == 0 || line[i - 1] != '\\');
    EXPECT_TRUE(cells == 7 || (cells == 3 && line.find("\\multicolumn{5}") != std::string::npos))
        << line;
    ++data_rows;
  }
  EXPECT_EQ(data_rows, 2u * 3u + 21u);  // a table per system (mahti, puhti), three header lines
  EXPECT_NE(tex.find("67$^\\dagger$"), std::string::npos);
  EXPECT_NE(tex.find("mahti A100"), std::string::npos);
}

TEST_F(ReportDocuments, MarkdownHasSectionsTablesAndFigureLinks) {
  const std::string md = document("report.md");
  EXPECT_NE(md.find("## ResNet-50"), std::string::npos);
  EXPECT_NE(md.find("| GPUs | Nodes | Status |"), std::string::npos);
  EXPECT_NE(md.find("](figures/efficiency-mahti-a100-resnet50-fp32-b64-weak.png)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Systems"), std::string::npos);
  EXPECT_NE(md.find("gnuplot was not found"), std::string::npos);
}

TEST_F(ReportDocuments, ASecondReportReplacesTheFirstAndKeepsOtherFiles) {
  testing::write_text(dir_ / "out" / "notes.txt", "mine");
  ReportOptions options = options_for(dir_);
  options.threshold = 0.9;
  run_report(options);
  EXPECT_EQ(read_text(dir_ / "out" / "notes.txt"), "mine");
  EXPECT_NE(document("summary.txt").find("efficiency threshold 90%"), std::string::npos);
}

TEST(ReportOutput, BadInputWritesNothing) {
  TempDir dir;
  fs::create_directories(dir / "results");
  ReportOptions options = options_for(dir);
  EXPECT_THROW(run_report(options), UsageError);
  EXPECT_FALSE(fs::exists(dir / "out"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);  // results/ alone, no temporary folder
}

TEST(ReportOutput, AnOutputThatIsAFileIsRefused) {
  TempDir dir;
  testing::write_standard_set(dir / "results");
  testing::write_text(dir / "out", "a file");
  EXPECT_THROW(run_report(options_for(dir)), UsageError);
  EXPECT_EQ(read_text(dir / "out"), "a file");
}

TEST(ReportOutput, BillingFromTheOptionOrAClusterProfile) {
  TempDir dir;
  testing::write_standard_set(dir / "results");
  // The shipped profile, read by the one profile reader (it bills 60 BU per GPU-hour and more).
  fs::create_directories(dir / "clusters");
  fs::copy_file(fs::path(SCALEBENCH_SOURCE_DIR) / "configs" / "clusters" / "puhti.json",
                dir / "clusters" / "puhti.json");
  ReportOptions options = options_for(dir);
  options.cluster_profiles = dir / "clusters";
  run_report(options);
  const auto rows = testing::parse_csv(read_text(dir / "out" / "summary.csv"));
  const std::size_t billing =
      std::find(rows[0].begin(), rows[0].end(), "billing_units_per_1000_steps") - rows[0].begin();
  std::size_t priced = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][0] == "puhti V100") {
      EXPECT_FALSE(rows[i][billing].empty());
      ++priced;
    } else {
      EXPECT_TRUE(rows[i][billing].empty());
    }
  }
  EXPECT_EQ(priced, 5u);
  EXPECT_NE(read_text(dir / "out" / "report.html").find("GPU BU per 10⁶ samples"),
            std::string::npos);
  EXPECT_NE(read_text(dir / "out" / "summary.txt").find("GPU BU"), std::string::npos);
}

// The cost sentence starts with a capital on the CPU backend too ("Device-hours", not "device-").
TEST(ReportSummaryText, TheCostSentenceOfACpuCurveStartsWithACapital) {
  TempDir dir;
  testing::FixturePoint cpu;
  cpu.backend = "cpu";
  testing::write_weak_curve(dir / "results", cpu, {{1, 0.0}, {2, 5.0}});
  run_report(options_for(dir));
  const std::string text = read_text(dir / "out" / "summary.txt");
  EXPECT_NE(text.find(". Device-hours per million samples: "), std::string::npos) << text;
  EXPECT_EQ(text.find("device-hours per million"), std::string::npos) << text;
}

}  // namespace
}  // namespace scalebench::reports
