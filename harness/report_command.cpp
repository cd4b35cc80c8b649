// `scalebench report`: checks the command line at the edge and hands a ReportOptions to reports/.
#include "harness/report_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "records/errors.hpp"
#include "records/numbers.hpp"
#include "reports/report.hpp"
#include "records/script_safety.hpp"

namespace scalebench {
namespace {

// The command line as given; checked and converted by to_options.
struct ReportArgs {
  std::vector<std::string> inputs;
  std::string out;
  std::vector<std::string> labels;
  double threshold = 0.8;
  double min_gain = 0.5;
  std::optional<std::string> baseline;  // text: CLI11 saturates an out-of-range integer
  std::string formats = "pdf,png,svg";
  std::optional<double> billing_units_per_gpu_hour;
  std::optional<std::string> cluster_profiles;
  std::optional<std::string> prediction;
  std::optional<std::string> skipped;
  std::optional<std::string> job;
};

const char* const kFormats[] = {"pdf", "png", "svg"};

}  // namespace

std::vector<std::string> parse_formats(const std::string& list) {
  std::vector<std::string> formats;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string format = list.substr(start, comma - start);
    if (std::find(std::begin(kFormats), std::end(kFormats), format) == std::end(kFormats)) {
      throw UsageError(
          fmt::format("--formats: '{}' is not a figure format; use a comma-separated "
                      "list of pdf, png, svg",
                      format));
    }
    if (std::find(formats.begin(), formats.end(), format) != formats.end()) {
      throw UsageError(fmt::format("--formats names {} twice; give each of pdf, png, svg at most once",
                                   format));
    }
    formats.push_back(format);
    start = comma + 1;
  }
  return formats;
}

namespace {

std::pair<std::string, std::filesystem::path> parse_label(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError(
        fmt::format("--label '{}': give NAME=DIR, e.g. --label A100=results/mahti", text));
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void check_fraction(const char* flag, double value) {
  if (!(value > 0.0 && value <= 1.0)) {
    throw UsageError(fmt::format("{} {}: give a fraction in (0, 1], e.g. 0.8", flag, value));
  }
}

// --baseline N (a GPU count) or --baseline node (one full node).
void parse_baseline(const std::string& text, reports::ReportOptions& options) {
  if (text == "node") {
    options.baseline_full_node = true;
    return;
  }
  const auto v = parse_whole_number(text);
  if (!v || *v < 1) {
    throw UsageError(fmt::format(
        "--baseline {}: give a GPU count of 1 or more, or 'node' (one full node)", text));
  }
  options.baseline_gpus = *v;
}

// Each input once: a folder given twice (or inside another one given) would count its results
// twice. `how` says how the path was given ("results", "--label A=results").
void check_inputs(const reports::ReportOptions& options) {
  std::vector<std::pair<std::filesystem::path, std::string>> seen;
  auto add = [&](const std::filesystem::path& p, const std::string& how) {
    if (p.empty()) throw UsageError("report: an empty input path; name result folders or files");
    std::error_code ec;
    std::filesystem::path canon = std::filesystem::weakly_canonical(p, ec);
    if (ec) canon = std::filesystem::absolute(p).lexically_normal();
    for (const auto& [other, other_how] : seen) {
      auto inside = [](const std::filesystem::path& a, const std::filesystem::path& b) {
        auto [i, j] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
        return i == b.end();  // a is b or below it
      };
      if (canon == other) {
        throw UsageError(fmt::format("report: {}: {} is given twice (also as {})", how,
                                     p.string(), other_how));
      }
      if (inside(canon, other) || inside(other, canon)) {
        throw UsageError(fmt::format("report: {} and {} overlap (one holds the other); give each "
                                     "result folder once",
                                     how, other_how));
      }
    }
    seen.emplace_back(canon, how);
  };
  for (const auto& p : options.inputs) add(p, p.string());
  for (const auto& [label, p] : options.labeled_inputs) add(p, fmt::format("--label {}={}", label, p.string()));
}

reports::ReportOptions to_options(const ReportArgs& args) {
  if (args.inputs.empty() && args.labels.empty()) {
    throw UsageError("report: name at least one result folder or file (or --label NAME=DIR)");
  }
  if (args.out.empty()) throw UsageError("report: give the output folder with -o OUT");
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec) && !std::filesystem::is_directory(args.out, ec)) {
    throw UsageError(fmt::format("-o '{}' is a file; give a folder for the report", args.out));
  }
  check_fraction("--threshold", args.threshold);
  check_fraction("--min-gain", args.min_gain);
  if (args.billing_units_per_gpu_hour && !(*args.billing_units_per_gpu_hour > 0.0 &&
                                           std::isfinite(*args.billing_units_per_gpu_hour))) {
    throw UsageError(fmt::format("--billing-units-per-gpu-hour {}: give a positive number",
                                 *args.billing_units_per_gpu_hour));
  }
  reports::ReportOptions options;
  options.inputs.assign(args.inputs.begin(), args.inputs.end());
  for (const std::string& label : args.labels) options.labeled_inputs.push_back(parse_label(label));
  check_inputs(options);
  options.out = args.out;
  options.threshold = args.threshold;
  options.min_gain = args.min_gain;
  if (args.baseline) parse_baseline(*args.baseline, options);
  options.formats = parse_formats(args.formats);
  options.billing_units_per_gpu_hour = args.billing_units_per_gpu_hour;
  if (args.cluster_profiles) {
    if (args.cluster_profiles->empty())
      throw UsageError("--cluster-profiles: give a folder of cluster profiles (<cluster>.json)");
    if (!std::filesystem::is_directory(*args.cluster_profiles)) {
      throw UsageError(
          fmt::format("--cluster-profiles '{}' is not a folder", *args.cluster_profiles));
    }
    options.cluster_profiles = *args.cluster_profiles;
  }
  if (args.prediction) {
    if (!std::filesystem::is_regular_file(*args.prediction)) {
      throw UsageError(fmt::format(
          "--prediction '{}' is not a file; give the prediction.json `scalebench predict` wrote",
          *args.prediction));
    }
    options.prediction = *args.prediction;
  }
  if (args.skipped) {
    if (!std::filesystem::is_regular_file(*args.skipped)) {
      throw UsageError(fmt::format(
          "--skipped '{}' is not a file; give the until_knee.json an --until-knee sweep wrote in its "
          "plan folder",
          printable(*args.skipped)));
    }
    options.skipped = *args.skipped;
  }
  if (args.job) options.job = reports::parse_job(*args.job);
  return options;
}

void run(const ReportArgs& args) {
  const reports::ReportOptions options = to_options(args);
  const reports::ReportSummary summary = reports::run_report(options);
  for (const std::string& line : reports::warning_lines(summary, options.out)) {
    std::cerr << "scalebench: warning: " << line << '\n';
  }
  for (const std::string& line : reports::info_lines(summary, options.out))
    std::cout << line << '\n';
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Turn result files into scaling metrics (throughput, speedup, efficiency, exposed "
      "communication, the knee), figures and documents; several systems are compared");
  cmd->add_option("inputs", args->inputs,
                  "Result folders (searched recursively for *.json) or result files; Google "
                  "Benchmark JSON with bytes and busbw_gbps counters adds a busbw figure")
      ->type_name("DIR_OR_FILE");
  cmd->add_option("-o,--out", args->out,
                  "Folder for the report (created if missing; files of an earlier report there are "
                  "replaced, other files stay)")
      ->type_name("OUT");
  cmd->add_option("--label", args->labels,
                  "Name the system of every result under DIR (repeatable), e.g. "
                  "--label A100=results/mahti; default: cluster and GPU model")
      ->type_name("NAME=DIR")
      ->allow_extra_args(false);  // one NAME=DIR per --label: a folder after it is an input
  cmd->add_option("--threshold", args->threshold,
                  "Scaling efficiency below which the knee is marked, in (0, 1]")
      ->type_name("F")
      ->capture_default_str();
  cmd->add_option("--baseline", args->baseline,
                  "GPU count that speedup and efficiency are relative to; every curve must have "
                  "it (default: each curve's smallest successful count); 'node': each curve's "
                  "largest successful single-node count (one full node)")
      ->type_name("N|node");
  cmd->add_option("--formats", args->formats,
                  "Figure formats, comma-separated from pdf, png, svg (svg is always rendered: "
                  "report.html embeds it)")
      ->type_name("LIST")
      ->capture_default_str();
  cmd->add_option("--min-gain", args->min_gain,
                  "A doubling of GPUs that adds less than this fraction of throughput also marks "
                  "the knee, in (0, 1]")
      ->type_name("F")
      ->capture_default_str();
  cmd->add_option("--billing-units-per-gpu-hour", args->billing_units_per_gpu_hour,
                  "What one GPU-hour costs in your allocation's billing units; adds the cost of "
                  "1,000 steps at each GPU count")
      ->type_name("X");
  cmd->add_option("--cluster-profiles", args->cluster_profiles,
                  "Folder of cluster profiles (<cluster>.json, e.g. configs/clusters); a profile's "
                  "billing rates price that cluster's results")
      ->type_name("DIR");
  cmd->add_option("--prediction", args->prediction,
                  "A prediction.json from `scalebench predict`: its projected points are shown "
                  "apart, as \"Projected (not measured)\", never in the measured tables")
      ->type_name("FILE");
  cmd->add_option("--skipped", args->skipped,
                  "An --until-knee sweep's until_knee.json: lists the points its gates skipped past "
                  "the knee, and why")
      ->type_name("FILE");
  cmd->add_option("--job", args->job,
                  "The request calculator: for a stated job, e.g. epochs=90,samples=1281167 "
                  "(samples per epoch), the wall time, GPU-hours, node-hours and billing units at "
                  "each GPU count (request.csv and a section of each document)")
      ->type_name("samples=N[,epochs=E]");
  cmd->footer(
      "Writes OUT/report.html (self-contained), report.md, summary.csv, table.tex (booktabs), "
      "summary.txt, and figures/ with each figure's gnuplot data and script beside its "
      "PDF/PNG/SVG. Without gnuplot everything but the images is written; render later with "
      "`cd OUT/figures && gnuplot render.gp`. See docs/report.md.\n\n"
      "Examples:\n"
      "  scalebench report results/ -o report/\n"
      "  scalebench report --label V100=puhti/ --label A100=mahti/ -o compare/ --formats pdf,png");
  cmd->callback([args] { run(*args); });
}

}  // namespace scalebench
