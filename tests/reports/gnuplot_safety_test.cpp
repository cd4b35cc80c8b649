// Data never runs as code in gnuplot: every string a result or a micro-benchmark file carries
// (label, cluster, GPU and CPU model, hostname, workload, precision, benchmark name) reaches the
// figure scripts only as a literal, and the scripts render.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fmt/format.h>

#include "reports/gnuplot.hpp"
#include "reports/report.hpp"
#include "reports/text.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using testing::FixturePoint;
using testing::TempDir;

TEST(GnuplotString, SingleQuotedPiecesWithQuotesAndLineBreaksAsConstants) {
  EXPECT_EQ(gnuplot_string("A100"), "'A100'");
  EXPECT_EQ(gnuplot_string("it's"), "'it'.\"'\".'s'");
  EXPECT_EQ(gnuplot_string("''"), "\"'\".\"'\"");
  EXPECT_EQ(gnuplot_string(""), "''");
  EXPECT_EQ(gnuplot_string("a `id` $(id) \"q\" \\ @m"), "'a `id` $(id) \"q\" \\ @m'");
  EXPECT_EQ(gnuplot_string("line 1\nline 2"), "'line 1'.\"\\n\".'line 2'");
  EXPECT_EQ(gnuplot_string("cr\rtab\tnul"), "'cr tab nul'");
}

TEST(GnuplotComment, StaysOneLineWithoutATrailingBackslash) {
  EXPECT_EQ(gnuplot_comment("ResNet-50 on A100"), "ResNet-50 on A100");
  EXPECT_EQ(gnuplot_comment("a\nplot x\rb"), "a plot x b");
  EXPECT_EQ(gnuplot_comment("ends with \\"), "ends with");
  EXPECT_EQ(gnuplot_comment("ends with \\ \\\\  "), "ends with");
}

// Each payload would create `marker` if gnuplot executed any part of it.
std::vector<std::string> payloads(const fs::path& marker) {
  const std::string m = marker.string();
  return {
      fmt::format("A100 `touch {}-1`", m),
      fmt::format("A100 $(touch {}-2)", m),
      fmt::format("x' . system(\"touch {}-3\") . 'y", m),
      fmt::format("x\" . system(\"touch {}-4\") . \"y", m),
      fmt::format("x\\\" . system(\"touch {}-5\") . \\\"y \\", m),
      fmt::format("x\nsystem(\"touch {}-6\")\n", m),
      fmt::format("x\\\nsystem(\"touch {}-7\")", m),
      fmt::format("x\rsystem(\"touch {}-8\")", m),
      fmt::format("@cmd `touch {}-9` ''`", m),
      fmt::format("x'\n!touch {}-10\n'", m),
  };
}

// One weak-scaling curve (1, 2 GPUs) per payload and per field. The fixture names its files
// after the point, so the strings are set in the records after they are written.
void write_hostile_set(const fs::path& dir, const std::vector<std::string>& strings) {
  using Setter = void (*)(ResultRecord&, const std::string&);
  const Setter fields[] = {
      [](ResultRecord& r, const std::string& s) { r.point.label = s; },
      [](ResultRecord& r, const std::string& s) { r.point.cluster = s; },
      [](ResultRecord& r, const std::string& s) { r.system.gpu_model = s; },
      [](ResultRecord& r, const std::string& s) {  // hostname and CPU model name the system
        r.point.cluster.reset();
        r.point.backend = "cpu";
        r.system.gpu_model.reset();
        r.system.hostname = s;
        r.system.cpu_model = s;
      },
      [](ResultRecord& r, const std::string& s) { r.point.workload = s; },
      [](ResultRecord& r, const std::string& s) { r.point.precision = s; },
  };
  int n = 0;
  for (const std::string& s : strings) {
    for (const Setter set : fields) {
      const fs::path sub = dir / fmt::format("set{}", n++);
      testing::write_weak_curve(sub, FixturePoint{}, {{1, 0}, {2, 3}});
      for (const auto& entry : fs::directory_iterator(sub)) {
        ResultRecord r = read_result_file(entry.path());
        set(r, s);
        write_result_file(r, entry.path(), true);
      }
    }
    const nlohmann::json bench = {
        {"context", {{"host_name", s}}},
        {"benchmarks",
         {{{"name", s + "/1024"}, {"bytes", 1024}, {"busbw_gbps", 0.5}},
          {{"name", s + "/1048576"}, {"bytes", 1048576}, {"busbw_gbps", 40}}}}};
    testing::write_text(dir / fmt::format("bench{}.json", n), bench.dump());
  }
}

// The whole report of dir/results into dir/out, PNG (and the SVG always rendered).
ReportSummary report_png(const TempDir& dir) {
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  options.formats = {"png"};
  return run_report(options);
}

std::vector<fs::path> markers_in(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().rfind("PWNED-", 0) == 0) found.push_back(e.path());
  }
  return found;
}

TEST(GnuplotSafety, HostileStringsInEveryFieldRunNothingAndStillRender) {
  // gnuplot is one of scalebench's dependencies (scripts/install_deps.sh): this test must run.
  ASSERT_TRUE(find_program("gnuplot")) << "gnuplot is not installed";
  TempDir dir;
  const fs::path marker = dir / "PWNED";
  write_hostile_set(dir / "results", payloads(marker));
  const ReportSummary summary = report_png(dir);
  EXPECT_EQ(summary.render.failures, std::vector<std::string>{});
  EXPECT_GT(summary.figures, 50u);
  EXPECT_EQ(summary.render.rendered, summary.figures);
  EXPECT_EQ(markers_in(dir.path()), std::vector<fs::path>{});

  // The user's own re-render of every figure, as the scripts' comments tell them to.
  const std::string command =
      fmt::format("cd '{}' && gnuplot render.gp >/dev/null 2>&1", (dir / "out" / "figures").string());
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(markers_in(dir.path()), std::vector<fs::path>{});
}

TEST(GnuplotSafety, LongLabelsGiveBoundedDistinctFileNames) {
  ASSERT_TRUE(find_program("gnuplot")) << "gnuplot is not installed";
  TempDir dir;
  const std::string long_a(300, 'a');
  FixturePoint a, b;
  a.label = long_a + " one";
  b.label = long_a + " two";
  testing::write_weak_curve(dir / "results" / "a", a, {{1, 0}, {2, 3}});
  testing::write_weak_curve(dir / "results" / "b", b, {{1, 0}, {2, 3}});
  const ReportSummary summary = report_png(dir);
  EXPECT_EQ(summary.render.failures, std::vector<std::string>{});
  EXPECT_EQ(summary.render.rendered, summary.figures);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "out" / "figures")) {
    EXPECT_LE(e.path().filename().string().size(), 160u) << e.path();
    names.insert(e.path().filename().string());
  }
  EXPECT_TRUE(names.count("render.gp"));
  EXPECT_NE(slug(a.label.value()), slug(b.label.value()));
  EXPECT_LE(slug(a.label.value()).size(), kMaxSlugChars);
}

}  // namespace
}  // namespace scalebench::reports
