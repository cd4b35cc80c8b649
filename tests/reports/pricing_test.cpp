// The report prices results with every shipped cluster profile (configs/clusters/*.json, read as
// they are): issue 11 found the report reading a billing key no profile has, so it priced nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "records/errors.hpp"
#include "reports/report.hpp"
#include "tests/reports/checks.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;

const fs::path kShippedProfiles = fs::path(SCALEBENCH_SOURCE_DIR) / "configs" / "clusters";

std::vector<fs::path> shipped_profiles() {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(kShippedProfiles))
    if (e.path().extension() == ".json") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The rate a GPU-hour costs, read straight from the JSON (not through the reader under test):
// the GPU rate plus the cores and memory requested per GPU; nothing when the unit is "none".
std::optional<double> expected_rate(const nlohmann::json& profile) {
  const nlohmann::json& b = profile.at("billing");
  if (b.at("unit") == "none") return std::nullopt;
  const nlohmann::json& r = profile.at("resources");
  double rate = b.value("per_gpu_hour", 0.0) +
                b.value("per_core_hour", 0.0) * r.value("cpus_per_gpu", 1.0) +
                b.value("per_gib_hour", 0.0) * r.value("memory_per_gpu_gb", 0.0);
  if (b.value("per_node_hour", 0.0) > 0) {
    rate += b.at("per_node_hour").get<double>() /
            profile.at("node_types").at(0).at("gpus").get<double>();
  }
  return rate > 0 ? std::optional<double>(rate) : std::nullopt;
}

// A weak-scaling curve of `cluster` in dir/results, reported with the profiles of `profiles`.
void report_curve(const TempDir& dir, const std::string& cluster, const fs::path& profiles,
                  const std::vector<std::pair<std::int64_t, double>>& exposed_by_gpus) {
  testing::FixturePoint base;
  base.cluster = cluster;
  base.gpu_model = "GPU";
  testing::write_weak_curve(dir / "results", base, exposed_by_gpus);
  ReportOptions options;
  options.inputs = {dir / "results"};
  options.out = dir / "out";
  options.gnuplot = "/nonexistent/gnuplot";
  options.cluster_profiles = profiles;
  run_report(options);
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name;
  return static_cast<std::size_t>(it - header.begin());
}

TEST(ReportPricing, EveryShippedProfilePricesItsClustersResults) {
  const std::vector<fs::path> profiles = shipped_profiles();
  ASSERT_GE(profiles.size(), 5u);
  std::size_t priced_profiles = 0;
  for (const fs::path& path : profiles) {
    SCOPED_TRACE(path.string());
    std::ifstream in(path);
    const nlohmann::json profile = nlohmann::json::parse(in);
    const std::string name = profile.at("name");
    ASSERT_EQ(name, path.stem().string());

    TempDir dir;
    report_curve(dir, name, kShippedProfiles, {{1, 0.0}, {2, 5.0}, {4, 10.0}});

    const auto rows = testing::parse_csv(read_text(dir / "out" / "summary.csv"));
    ASSERT_EQ(rows.size(), 4u);
    const std::size_t gpus = column(rows[0], "gpus");
    const std::size_t gpu_hours = column(rows[0], "gpu_hours_per_1000_steps");
    const std::size_t billing = column(rows[0], "billing_units_per_1000_steps");
    const std::optional<double> rate = expected_rate(profile);
    for (std::size_t i = 1; i < rows.size(); ++i) {
      SCOPED_TRACE(fmt::format("{} GPUs", rows[i][gpus]));
      if (!rate) {
        EXPECT_EQ(rows[i][billing], "") << name << " bills nothing, so nothing is priced";
        continue;
      }
      ASSERT_FALSE(rows[i][billing].empty()) << name << " has rates but its results were not priced";
      const double hours = std::stod(rows[i][gpu_hours]);
      EXPECT_NEAR(std::stod(rows[i][billing]), hours * *rate, 1e-6 * hours * *rate + 1e-9);
    }
    priced_profiles += rate ? 1 : 0;
  }
  // dgx-h100, lumi, mahti and puhti bill; local, local-slurm and m3 do not.
  EXPECT_GE(priced_profiles, 4u);
}

TEST(ReportPricing, ABrokenProfileIsBadInputNamingItsKey) {
  TempDir dir;
  // The key the report read before issue 11: a profile carrying it is refused, not ignored.
  testing::write_text(dir / "clusters" / "puhti.json",
                      R"({"name": "puhti", "billing": {"units_per_gpu_hour": 60}})");
  try {
    report_curve(dir, "puhti", dir / "clusters", {{1, 0.0}, {2, 5.0}});
    FAIL() << "a profile the reader refuses must stop the report";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("puhti.json"), std::string::npos) << what;
    EXPECT_NE(what.find("\"schema\""), std::string::npos) << "names the first key it lacks: " << what;
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(ReportPricing, AProfileNamedForAnotherClusterIsRefused) {
  TempDir dir;
  fs::create_directories(dir / "clusters");
  fs::copy_file(kShippedProfiles / "mahti.json", dir / "clusters" / "puhti.json");
  try {
    report_curve(dir, "puhti", dir / "clusters", {{1, 0.0}, {2, 5.0}});
    FAIL() << "mahti's rates must not price puhti's results";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("is named 'mahti', not 'puhti'"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(ReportPricing, AClusterNameThatIsAPathPricesNothing) {
  TempDir dir;
  report_curve(dir, "../clusters/puhti", kShippedProfiles, {{1, 0.0}, {2, 5.0}});
  const auto rows = testing::parse_csv(read_text(dir / "out" / "summary.csv"));
  const std::size_t billing = column(rows[0], "billing_units_per_1000_steps");
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][billing], "");
}

// Issue 14, defects 4 and 5: the profile's device unit and billing unit name every document.
class ReportUnits : public ::testing::Test {
 protected:
  // A LUMI-like curve (GCDs, 8 per node) and a Roihu one, priced by the shipped profiles.
  void report(std::optional<double> rate = std::nullopt) {
    testing::FixturePoint lumi;
    lumi.cluster = "lumi";
    lumi.gpu_model = "AMD Instinct MI250X";
    lumi.backend = "hip";
    lumi.devices_per_node = 8;
    lumi.precision = "bf16";
    testing::write_weak_curve(dir_ / "results" / "lumi", lumi, {{1, 0.0}, {2, 5.0}, {8, 10.0}});
    testing::FixturePoint roihu;
    roihu.cluster = "roihu";
    roihu.gpu_model = "GH200";
    roihu.precision = "fp16";
    testing::write_weak_curve(dir_ / "results" / "roihu", roihu, {{1, 0.0}, {4, 5.0}});
    ReportOptions options;
    options.inputs = {dir_ / "results"};
    options.out = dir_ / "out";
    options.gnuplot = "/nonexistent/gnuplot";
    options.cluster_profiles = kShippedProfiles;
    options.billing_units_per_gpu_hour = rate;
    options.job = parse_job("samples=1281167,epochs=90");
    run_report(options);
  }
  std::vector<std::string> csv_row(const std::string& file, const std::string& system,
                                   const std::string& gpus, std::vector<std::string>* header) {
    const auto rows = testing::parse_csv(read_text(dir_ / "out" / file));
    *header = rows.at(0);
    for (const auto& r : rows) {
      if (r.at(column(rows[0], "system")) == system && r.at(column(rows[0], "gpus")) == gpus)
        return r;
    }
    ADD_FAILURE() << "no row " << system << " " << gpus << " in " << file;
    return std::vector<std::string>(rows.at(0).size());
  }
  TempDir dir_;
};

TEST_F(ReportUnits, LumiCountsGcdsAndBillsLumiGpuHoursPerMi250x) {
  report();
  std::vector<std::string> h;
  const auto row = csv_row("summary.csv", "lumi AMD Instinct MI250X", "2", &h);
  EXPECT_EQ(row[column(h, "device_unit")], "GCD");
  EXPECT_EQ(row[column(h, "devices_per_billed_gpu")], "2");
  EXPECT_EQ(row[column(h, "billing_unit")], "LUMI GPU-hours");
  const double gcd_hours = std::stod(row[column(h, "gpu_hours_per_million_samples")]);
  // Two GCDs are one billed GPU: half the GCD-hours, at LUMI's 1 GPU-hour per MI250X-hour.
  EXPECT_NEAR(std::stod(row[column(h, "billed_gpu_hours_per_million_samples")]), gcd_hours / 2,
              1e-7 * gcd_hours);
  EXPECT_NEAR(std::stod(row[column(h, "billing_units_per_million_samples")]), gcd_hours / 2,
              1e-7 * gcd_hours);
  EXPECT_NEAR(std::stod(row[column(h, "samples_per_s_per_billed_gpu")]),
              2 * std::stod(row[column(h, "samples_per_s_per_gpu")]), 1e-6);

  const std::string html = read_text(dir_ / "out" / "report.html");
  for (const char* needle :
       {"<th>GCDs</th>", "<th>Samples/s per GCD</th>", "<th>Samples/s per billed GPU (2 GCDs)</th>",
        "<th>GCD-h per 10⁶ samples</th>", "<th>Billed GPU-h per 10⁶ samples</th>",
        "<th>LUMI GPU-hours per 10⁶ samples</th>"})
    EXPECT_NE(html.find(needle), std::string::npos) << needle;
  const std::string summary = read_text(dir_ / "out" / "summary.txt");
  EXPECT_NE(summary.find("GCD-hours per million samples: "), std::string::npos) << summary;
  EXPECT_NE(summary.find("LUMI GPU-hours)"), std::string::npos) << summary;
  // Defect 7: the summary counts GCDs and names the precision as a proposal does.
  EXPECT_NE(summary.find("ResNet-50 on lumi AMD Instinct MI250X. With ddp in bf16 autocast (AMP), "
                         "64 samples per GCD, weak scaling, it keeps"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("With ddp in fp16 autocast (AMP), 64 samples per GPU"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("up to 8 GCDs (1 node, "), std::string::npos) << summary;
  const std::string tex = read_text(dir_ / "out" / "table.tex");
  EXPECT_NE(tex.find("GCDs & Nodes & Throughput & Per GCD"), std::string::npos) << tex;
  EXPECT_NE(tex.find("2 GCDs are one billed GPU"), std::string::npos) << tex;
  EXPECT_NE(tex.find("Billing in LUMI GPU-hours"), std::string::npos) << tex;
  // The request calculator bills in LUMI's unit too.
  const auto request = csv_row("request.csv", "lumi AMD Instinct MI250X", "8", &h);
  EXPECT_EQ(request[column(h, "device_unit")], "GCD");
  EXPECT_EQ(request[column(h, "billing_unit")], "LUMI GPU-hours");
  EXPECT_NEAR(std::stod(request[column(h, "billing_units")]),
              std::stod(request[column(h, "gpu_hours")]) / 2, 1e-6);
}

TEST_F(ReportUnits, RoihuIsInGpusAndGpuBuWithoutABilledGpuView) {
  report();
  std::vector<std::string> h;
  const auto row = csv_row("summary.csv", "roihu GH200", "4", &h);
  EXPECT_EQ(row[column(h, "device_unit")], "GPU");
  EXPECT_EQ(row[column(h, "billed_gpu_hours_per_million_samples")], "");
  EXPECT_NEAR(std::stod(row[column(h, "billing_units_per_million_samples")]),
              200 * std::stod(row[column(h, "gpu_hours_per_million_samples")]), 1e-6);
  const std::string md = read_text(dir_ / "out" / "report.md");
  EXPECT_NE(md.find("GPU BU per 10⁶ samples"), std::string::npos);
  const std::string tex = read_text(dir_ / "out" / "table.tex");
  EXPECT_NE(tex.find("GPUs & Nodes & Throughput & Per GPU"), std::string::npos) << tex;
  EXPECT_NE(tex.find("Billing in GPU BU"), std::string::npos) << tex;
}

TEST_F(ReportUnits, OneRateForAllIsPerBilledGpuHour) {
  report(10.0);  // 10 units per billed GPU-hour: 5 per GCD-hour on LUMI, 10 per GPU-hour on Roihu
  std::vector<std::string> h;
  const auto lumi = csv_row("summary.csv", "lumi AMD Instinct MI250X", "2", &h);
  EXPECT_EQ(lumi[column(h, "billing_unit")], "billing units");
  EXPECT_NEAR(std::stod(lumi[column(h, "billing_units_per_million_samples")]),
              5 * std::stod(lumi[column(h, "gpu_hours_per_million_samples")]), 1e-6);
  const auto roihu = csv_row("summary.csv", "roihu GH200", "4", &h);
  EXPECT_NEAR(std::stod(roihu[column(h, "billing_units_per_million_samples")]),
              10 * std::stod(roihu[column(h, "gpu_hours_per_million_samples")]), 1e-6);
}

}  // namespace
}  // namespace scalebench::reports
