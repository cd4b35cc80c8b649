// Figures: what each script plots (threshold, knee, failures, ideal line, colours), and rendering
// to non-empty PDF, PNG and SVG when gnuplot is present.
#include "reports/figures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "reports/gnuplot.hpp"
#include "reports/report.hpp"
#include "tests/reports/checks.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class ReportFigures : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_standard_set(dir_.path());
    set_ = load_results({{dir_.path(), std::nullopt}});
    groups_ = compute_metrics(group_points(set_), {});
    figures_ = build_figures(groups_, {}, {});
  }
  const Figure& named(const std::string& name) const {
    for (const Figure& f : figures_) {
      if (f.name == name) return f;
    }
    throw std::runtime_error("no figure " + name);
  }
  static bool has(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
  }

  TempDir dir_;
  ResultSet set_;
  std::vector<GroupMetrics> groups_;
  std::vector<Figure> figures_;
};

TEST_F(ReportFigures, OneSetPerSystemSettingBreakdownsAndComparisons) {
  std::vector<std::string> names;
  for (const Figure& f : figures_) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  const std::vector<std::string> expected = {
      "breakdown-mahti-a100-resnet50-ddp-fp32-b1024-strong",
      "breakdown-mahti-a100-resnet50-ddp-fp32-b64-weak",
      "breakdown-mahti-a100-resnet50-mirrored-fp32-b64-weak",
      "breakdown-puhti-v100-resnet50-ddp-fp32-b64-weak",
      "compare-efficiency-resnet50-ddp-fp32-weak",
      "compare-throughput-per-gpu-resnet50-ddp-fp32-weak",
      "efficiency-mahti-a100-resnet50-fp32-b1024-strong",
      "efficiency-mahti-a100-resnet50-fp32-b64-weak",
      "efficiency-puhti-v100-resnet50-fp32-b64-weak",
      "throughput-mahti-a100-resnet50-fp32-b1024-strong",
      "throughput-mahti-a100-resnet50-fp32-b64-weak",
      "throughput-puhti-v100-resnet50-fp32-b64-weak",
  };
  EXPECT_EQ(names, expected);
}

TEST_F(ReportFigures, EfficiencyHasLog2AxisThresholdKneeAndFailureMarks) {
  const Figure& f = named("efficiency-mahti-a100-resnet50-fp32-b64-weak");
  EXPECT_TRUE(has(f.script, "set logscale x 2"));
  EXPECT_TRUE(has(f.script, "set xlabel 'Number of GPUs'"));
  EXPECT_TRUE(has(f.script, "set ylabel 'Scaling efficiency (%)'"));
  EXPECT_TRUE(has(f.script, "80 with lines")) << f.script;
  EXPECT_TRUE(has(f.script, "title 'threshold 80%'"));
  EXPECT_TRUE(has(f.script, "set label 'knee: 32 GPUs' at first 32, first 66.6667")) << f.script;
  EXPECT_TRUE(has(f.script, "set label 'knee: 8 GPUs' at first 8, first 76.9231")) << f.script;
  EXPECT_TRUE(has(f.script, "set label 'failed' at first 64, graph 0.05")) << f.script;
  EXPECT_TRUE(has(f.script, "'64' 64"));
  EXPECT_TRUE(has(f.script, "set key outside right"));  // the legend never covers data
  // One line per strategy, in the strategy's colour.
  EXPECT_TRUE(has(f.script, "lc rgb \"#0072B2\" title 'ddp'"));
  EXPECT_TRUE(has(f.script, "lc rgb \"#D55E00\" title 'mirrored'"));
  EXPECT_TRUE(has(f.data, "\n16 83.3333\n")) << f.data;
  EXPECT_TRUE(has(f.data, "# mirrored\n1 100\n2 92.5926\n"));
  EXPECT_EQ(f.workload, "resnet50");
}

TEST_F(ReportFigures, ThroughputCarriesTheIdealScalingLine) {
  const Figure& f = named("throughput-mahti-a100-resnet50-fp32-b64-weak");
  EXPECT_TRUE(has(f.data, "\n16 8533.33 10240\n")) << f.data;
  EXPECT_TRUE(has(f.script, "using 1:3 with lines lw 1.5 dt 2"));
  EXPECT_TRUE(has(f.script, "ideal scaling"));
  EXPECT_TRUE(has(f.script, "set ylabel 'Throughput (samples/s)'"));
  EXPECT_TRUE(has(f.script, "set logscale y"));
}

TEST_F(ReportFigures, BreakdownStacksComputeAndExposedCommunication) {
  const Figure& f = named("breakdown-mahti-a100-resnet50-ddp-fp32-b64-weak");
  EXPECT_TRUE(has(f.data, "\n32 100 50 0\n")) << f.data;
  EXPECT_TRUE(has(f.data, "\n64 0 0 0\n"));
  EXPECT_TRUE(has(f.script, "rowstacked"));
  EXPECT_TRUE(has(f.script, "set ylabel 'Step time (ms)'"));
  EXPECT_TRUE(has(f.script, "title \"exposed communication\""));
  EXPECT_TRUE(has(f.script, "set label 'failed' at first 6, graph 0.05"));  // 7th bar
  EXPECT_FALSE(has(f.script, "not split into phases"));
}

TEST_F(ReportFigures, ComparisonsColourBySystem) {
  const Figure& f = named("compare-efficiency-resnet50-ddp-fp32-weak");
  EXPECT_TRUE(has(f.script, "lc rgb \"#0072B2\" title 'mahti A100'")) << f.script;
  EXPECT_TRUE(has(f.script, "lc rgb \"#D55E00\" title 'puhti V100'"));
  const Figure& t = named("compare-throughput-per-gpu-resnet50-ddp-fp32-weak");
  EXPECT_TRUE(has(t.script, "set ylabel 'Throughput per GPU (samples/s)'"));
  EXPECT_TRUE(has(t.data, "# puhti V100\n1 426.667\n")) << t.data;
}

TEST_F(ReportFigures, BusbwByMessageSizeWhenMicroBenchmarksArePresent) {
  const std::vector<BusbwSeries> busbw = {{"mahti BM_AllReduce",
                                           "mahti A100",
                                           "a.json",
                                           {{1024, 0.5}, {1048576, 40}, {268435456, 180}}}};
  const std::vector<Figure> figures = build_figures(groups_, busbw, {});
  const auto it = std::find_if(figures.begin(), figures.end(),
                               [](const Figure& f) { return f.kind == "busbw"; });
  ASSERT_NE(it, figures.end());
  EXPECT_TRUE(has(it->script, "set xlabel 'Message size (bytes)'"));
  EXPECT_TRUE(has(it->script, "set ylabel 'Bus bandwidth (GB/s)'"));
  EXPECT_TRUE(has(it->script, "'1 KiB' 1024"));
  EXPECT_TRUE(
      has(it->script, "lc rgb \"#0072B2\" title 'mahti BM_AllReduce'"));  // mahti's colour
  EXPECT_TRUE(has(it->data, "\n1048576 40\n")) << it->data;
}

TEST_F(ReportFigures, RenderAllLoadsEveryScript) {
  const std::string all = render_all_script(figures_);
  for (const Figure& f : figures_) EXPECT_TRUE(has(all, "load '" + f.name + ".gp'")) << f.name;
}

bool starts_with_bytes(const fs::path& path, const std::string& magic) {
  const std::string text = testing::read_text(path);
  return text.compare(0, magic.size(), magic) == 0;
}

TEST(ReportRendering, FiguresComeOutAsNonEmptyPdfPngAndSvg) {
  if (!find_program("gnuplot")) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  testing::write_standard_set(dir / "results");
  testing::write_text(dir / "results" / "allreduce.json", R"({"context": {"host_name": "g1101"},
    "benchmarks": [{"name": "BM_AllReduce/1024", "bytes": 1024, "busbw_gbps": 0.6},
                   {"name": "BM_AllReduce/1048576", "bytes": 1048576, "busbw_gbps": 40},
                   {"name": "BM_AllReduce/67108864", "bytes": 67108864, "busbw_gbps": 170}]})");
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  const ReportSummary summary = run_report(options);
  EXPECT_EQ(summary.render.failures, std::vector<std::string>{});
  EXPECT_EQ(summary.figures, 13u);
  EXPECT_EQ(summary.render.rendered, 13u);
  std::set<std::string> stems;
  for (const auto& e : fs::directory_iterator(dir / "out" / "figures")) {
    if (e.path().extension() == ".gp" && e.path().stem() != "render")
      stems.insert(e.path().stem().string());
  }
  ASSERT_EQ(stems.size(), 13u);
  for (const std::string& stem : stems) {
    const fs::path base = dir / "out" / "figures" / stem;
    EXPECT_TRUE(starts_with_bytes(base.string() + ".pdf", "%PDF")) << stem;
    EXPECT_TRUE(starts_with_bytes(base.string() + ".png", "\x89PNG")) << stem;
    EXPECT_GT(fs::file_size(base.string() + ".png"), 10000u) << stem;
    EXPECT_NE(testing::read_text(base.string() + ".svg").find("<svg"), std::string::npos) << stem;
  }
  // report.html embeds every figure inline, stays well-formed, and each figure's ids are its own.
  const std::string html = testing::read_text(dir / "out" / "report.html");
  EXPECT_EQ(testing::xml_problem(html), "");
  std::size_t svgs = 0;
  for (auto pos = html.find("<svg"); pos != std::string::npos; pos = html.find("<svg", pos + 1))
    ++svgs;
  EXPECT_EQ(svgs, 13u);
  const std::vector<std::string> ids = testing::id_values(html);
  const std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_EQ(html.find("not rendered"), std::string::npos);
}

TEST(ReportRendering, OnlyTheRequestedFormatsPlusSvg) {
  if (!find_program("gnuplot")) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  testing::write_weak_curve(dir / "results", testing::FixturePoint{}, {{1, 0}, {2, 3}});
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  options.formats = {"png"};
  run_report(options);
  EXPECT_TRUE(
      fs::exists(dir / "out" / "figures" / "efficiency-mahti-a100-resnet50-fp32-b64-weak.png"));
  EXPECT_TRUE(
      fs::exists(dir / "out" / "figures" / "efficiency-mahti-a100-resnet50-fp32-b64-weak.svg"));
  EXPECT_FALSE(
      fs::exists(dir / "out" / "figures" / "efficiency-mahti-a100-resnet50-fp32-b64-weak.pdf"));
}

}  // namespace
}  // namespace scalebench::reports
