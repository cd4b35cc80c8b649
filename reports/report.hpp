// The one entry point of reports/: result files in, figures and documents out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reports/gnuplot.hpp"
#include "reports/loader.hpp"
#include "reports/request.hpp"

namespace scalebench::reports {

struct ReportOptions {
  std::vector<std::filesystem::path> inputs;  // result folders (recursive) or files
  std::vector<std::pair<std::string, std::filesystem::path>> labeled_inputs;  // --label NAME=DIR
  std::filesystem::path out;
  double threshold = 0.8;
  double min_gain = 0.5;
  std::optional<std::int64_t> baseline_gpus;
  bool baseline_full_node = false;  // --baseline node
  std::vector<std::string> formats = {"pdf", "png", "svg"};
  std::optional<double> billing_units_per_gpu_hour;       // every system
  std::optional<std::filesystem::path> cluster_profiles;  // folder of <cluster>.json with billing
  std::string gnuplot = "gnuplot";
  std::optional<std::filesystem::path> prediction;  // --prediction OUT/prediction.json
  std::optional<std::filesystem::path> skipped;     // --skipped PLAN/until_knee.json
  std::optional<JobSpec> job;                       // --job: the request calculator
};

struct ReportSummary {
  std::size_t files_read = 0;
  std::size_t results = 0;
  std::size_t failed_points = 0;
  std::size_t groups = 0;
  std::size_t figures = 0;
  std::map<std::string, std::size_t> schemas;  // results read, by schema version
  std::vector<SkippedFile> skipped;
  RenderOutcome render;
  // Curves split because their runs differ (image size, options, version, node layout), curves
  // mixing commits, efficiencies above 105%: one line each, for the command to print.
  std::vector<std::string> notes;
  std::vector<std::filesystem::path> written;  // final paths of every file in OUT
};

// Loads, computes, renders and writes the report. Throws UsageError for bad input (nothing is
// written then); everything goes to a temporary folder first and is moved into `out` at the end.
ReportSummary run_report(const ReportOptions& options);

// What a command prints after a report: warnings (skipped files, figures not rendered and how to
// render them) and information (what was read and written).
std::vector<std::string> warning_lines(const ReportSummary& summary,
                                       const std::filesystem::path& out);
std::vector<std::string> info_lines(const ReportSummary& summary, const std::filesystem::path& out);
// "scalebench.result/1 (4), scalebench.result/2 (8)": which schema versions were read, and how often.
std::string schema_counts(const std::map<std::string, std::size_t>& schemas);

}  // namespace scalebench::reports
