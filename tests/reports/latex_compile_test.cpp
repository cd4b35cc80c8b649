// table.tex pastes into a plain A4 article (issue 14, defect 3): pdflatex (Debian's texlive)
// compiles each report's tables at 10 and 11 pt, and the log has no overfull box, no float too
// large for the page and no error. Fixture sets: two systems with billing, twelve curves of one
// system (a longtable), and labels that are long, non-Latin or full of TeX's special characters.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "reports/report.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using testing::FixturePoint;
using testing::read_text;
using testing::TempDir;
using testing::write_text;
using testing::write_weak_curve;

// Runs `timeout 120 pdflatex ...` in `dir` (no shell: the arguments are passed as they are);
// its exit status, or -1 when it could not start.
int pdflatex(const fs::path& dir, const std::string& document) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execlp("timeout", "timeout", "120", "pdflatex", "-interaction=nonstopmode", "-halt-on-error",
           document.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_pdflatex() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    if (access((fs::path(dirs.substr(start, end - start)) / "pdflatex").c_str(), X_OK) == 0)
      return true;
    start = end + 1;
  }
  return false;
}

class LatexCompiles : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_pdflatex()) << "pdflatex not found: install texlive-latex-base and "
                                    "texlive-latex-recommended (scripts/install_deps.sh does)";
  }

  // Reports the results under dir_/results, then compiles table.tex in a plain article at each
  // size; returns table.tex.
  std::string report_and_compile(ReportOptions options) {
    options.out = dir_ / "out";
    options.gnuplot = "/nonexistent/gnuplot";
    run_report(options);
    const std::string table = read_text(dir_ / "out" / "table.tex");
    for (const int points : {10, 11}) {
      const fs::path work = dir_ / fmt::format("tex{}", points);
      fs::create_directories(work);
      fs::copy_file(dir_ / "out" / "table.tex", work / "table.tex");
      write_text(work / "paper.tex",
                 fmt::format("\\documentclass[{}pt,a4paper]{{article}}\n"
                             "\\usepackage{{booktabs}}\n\\usepackage{{longtable}}\n"
                             "\\begin{{document}}\nScaling results.\n\\input{{table.tex}}\n"
                             "\\end{{document}}\n",
                             points));
      const int status = pdflatex(work, "paper.tex");
      const std::string log = fs::exists(work / "paper.log") ? read_text(work / "paper.log") : "";
      EXPECT_EQ(status, 0) << points << " pt: pdflatex failed:\n" << tail(log);
      for (const char* problem : {"Overfull \\hbox", "Overfull \\vbox", "Float too large",
                                  "Unicode character", "Missing character"}) {
        EXPECT_EQ(log.find(problem), std::string::npos)
            << points << " pt: '" << problem << "' in the log:\n"
            << context(log, problem);
      }
      EXPECT_TRUE(fs::exists(work / "paper.pdf")) << points << " pt";
      pages_[points] = page_count(log);
      // LATEX_TEST_KEEP=DIR keeps each PDF there, to look at.
      if (const char* keep = std::getenv("LATEX_TEST_KEEP"); keep && fs::exists(work / "paper.pdf")) {
        const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::copy_file(work / "paper.pdf", fs::path(keep) / fmt::format("{}-{}pt.pdf", name, points),
                      fs::copy_options::overwrite_existing);
      }
    }
    return table;
  }

  static std::string tail(const std::string& log) {
    return log.size() > 3000 ? log.substr(log.size() - 3000) : log;
  }
  static std::string context(const std::string& log, const std::string& needle) {
    const std::size_t at = log.find(needle);
    if (at == std::string::npos) return "";
    return log.substr(at > 200 ? at - 200 : 0, 800);
  }
  static int page_count(const std::string& log) {
    std::smatch m;
    static const std::regex pages(R"(Output written on paper\.pdf \((\d+) pages?)");
    return std::regex_search(log, m, pages) ? std::stoi(m[1].str()) : 0;
  }

  TempDir dir_;
  std::map<int, int> pages_;
};

TEST_F(LatexCompiles, TwoSystemsWithBillingFitTheirPages) {
  testing::write_standard_set(dir_ / "results");
  ReportOptions options;
  options.inputs = {dir_ / "results"};
  options.billing_units_per_gpu_hour = 160.0;
  const std::string table = report_and_compile(options);
  // One table per system, each a float with the billing column.
  EXPECT_NE(table.find("\\label{tab:scalebench-mahti-a100}"), std::string::npos) << table;
  EXPECT_NE(table.find("\\label{tab:scalebench-puhti-v100}"), std::string::npos) << table;
  EXPECT_NE(table.find("\\begin{tabular}{rrrrrrrr}"), std::string::npos) << table;
  EXPECT_EQ(table.find("longtable}"), std::string::npos) << table;
}

TEST_F(LatexCompiles, LumiGcdsPricedByItsProfileFit) {
  FixturePoint lumi;
  lumi.cluster = "lumi";
  lumi.gpu_model = "AMD Instinct MI250X";
  lumi.backend = "hip";
  lumi.devices_per_node = 8;
  write_weak_curve(dir_ / "results", lumi, {{1, 0}, {2, 2}, {8, 5}, {16, 10}, {64, 20}, {512, 50}});
  ReportOptions options;
  options.inputs = {dir_ / "results"};
  options.cluster_profiles = fs::path(SCALEBENCH_SOURCE_DIR) / "configs" / "clusters";
  const std::string table = report_and_compile(options);
  EXPECT_NE(table.find("GCDs & Nodes"), std::string::npos) << table;
  EXPECT_NE(table.find("Billing in LUMI GPU-hours"), std::string::npos) << table;
  EXPECT_NE(table.find("\\begin{tabular}{rrrrrrrr}"), std::string::npos) << table;
}

TEST_F(LatexCompiles, TwelveCurvesOfOneSystemBreakAcrossPagesAsALongtable) {
  FixturePoint base;
  int curves = 0;
  for (const char* workload : {"resnet50", "vit_b16", "mnist_cnn"}) {
    for (const char* strategy : {"ddp", "mirrored"}) {
      for (const char* precision : {"fp32", "bf16"}) {
        FixturePoint p = base;
        p.workload = workload;
        p.strategy = strategy;
        p.precision = precision;
        write_weak_curve(dir_ / "results" / fmt::format("c{}", curves++), p,
                         {{1, 0}, {2, 2}, {4, 5}, {8, 10}, {16, 20}, {32, 50}});
      }
    }
  }
  ASSERT_EQ(curves, 12);
  ReportOptions options;
  options.inputs = {dir_ / "results"};
  const std::string table = report_and_compile(options);
  EXPECT_NE(table.find("\\begin{longtable}{rrrrrrr}"), std::string::npos) << table;
  EXPECT_NE(table.find("\\usepackage{longtable}"), std::string::npos) << table;  // the header says
  EXPECT_EQ(table.find("\\begin{table}"), std::string::npos) << table;
  EXPECT_GE(pages_[10], 2) << "84 rows do not fit one page";
}

TEST_F(LatexCompiles, LongNonLatinAndSpecialLabelsCompile) {
  FixturePoint p;
  const std::string cjk = "東京大学 A100 クラスタ";
  const std::string long_label =
      "A very long system label that someone typed to describe the partition, the node type and "
      "the software stack of the run in one go";
  std::string latin;  // every Latin-1 and Latin Extended-A character pdflatex is given as is
  for (char32_t c = 0xa0; c <= 0x17f; ++c) {
    if (c % 12 == 0) latin += ' ';  // words of 12 letters
    latin += static_cast<char>(0xc0 | (c >> 6));
    latin += static_cast<char>(0x80 | (c & 0x3f));
  }
  const std::string special = R"(50% & $5 #1 a_b {x} ~y ^z \end{document} <p>|)";
  // A path has no space to break at: it breaks after a '/'.
  const std::string path_label =
      "results/roihu/2026-12-04/gh200-ddp-bf16-weak-scaling-sweep/second-attempt/after-the-fix/"
      "nodes-1-2-4-8/ranks";
  const std::vector<std::string> labels = {cjk,     long_label,   "Zürich Łódź " + latin,
                                           special, "Кластер 🚀", path_label};
  ReportOptions options;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const fs::path d = dir_ / "results" / fmt::format("l{}", i);
    write_weak_curve(d, p, {{1, 0}, {2, 2}, {4, 5}});
    options.labeled_inputs.push_back({labels[i], d});
  }
  const std::string table = report_and_compile(options);
  EXPECT_NE(table.find("\\scalebenchchar{6771}"), std::string::npos) << "東 is U+6771";
  EXPECT_NE(table.find("\\scalebenchchar{1F680}"), std::string::npos) << "the rocket";
  EXPECT_NE(table.find("Zürich Łódź"), std::string::npos) << "Latin letters stay as they are";
  EXPECT_NE(table.find("50\\% \\& \\$5 \\#1 a\\_b \\{x\\}"), std::string::npos) << table;
  EXPECT_EQ(table.find("\\end{document}"), std::string::npos) << "a label is never code";
}

}  // namespace
}  // namespace scalebench::reports
