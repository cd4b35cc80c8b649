// The documents of a report, each a function from the report's content to the file's text.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "records/until_knee.hpp"
#include "reports/figures.hpp"
#include "reports/gnuplot.hpp"
#include "reports/loader.hpp"
#include "reports/metrics.hpp"
#include "reports/predict.hpp"
#include "reports/request.hpp"

namespace scalebench::reports {

// Everything the documents show; built once by run_report.
struct ReportContent {
  const ResultSet& results;
  const std::vector<GroupMetrics>& groups;
  const std::vector<Figure>& figures;
  const RenderOutcome& render;
  std::map<std::string, std::string> svg_by_figure;  // rendered SVG text by figure name
  double threshold = 0.8;
  double min_gain = 0.5;
  std::vector<std::string> formats;
  bool any_billing = false;
  // Curves of a prediction (report --prediction): shown apart, never in the measured tables.
  std::vector<PredictedCurve> projections;
  // Where runs were split into separate curves (or one curve mixes commits), and why.
  std::vector<std::string> grouping_notes;
  // What an --until-knee sweep's gates decided (report --skipped): the points never run, and why.
  std::optional<UntilKneeState> until_knee;
  // The job of the request calculator (report --job), when given.
  std::optional<JobSpec> job;
};

std::string html_document(const ReportContent& report);      // report.html
std::string markdown_document(const ReportContent& report);  // report.md
std::string summary_csv(const ReportContent& report);        // summary.csv
std::string latex_table(const ReportContent& report);        // table.tex
std::string summary_text(const ReportContent& report);       // summary.txt

// One short plain-language paragraph per system and workload (summary.txt, and the summaries in
// HTML and Markdown), each pasteable alone: its curves' throughput at the largest efficient scale,
// the knee and its cause, failures, the cost, and a sentence on what was measured.
struct SummaryParagraph {
  std::string system;
  std::string workload;
  std::string text;
};
std::vector<SummaryParagraph> summary_paragraphs(const ReportContent& report);
// The sentence about one group: how far it scales, the knee and its cause, failures, cost.
std::string group_sentence(const GroupMetrics& group, double threshold);

// The per-group table shown by the HTML and Markdown documents (formatted for reading; the CSV
// carries the raw numbers).
struct TableColumn {
  std::string header;
  std::function<std::string(const GroupMetrics&, const CountMetrics&)> cell;
};
// Headers name the system's device unit ("GCDs") and billing unit ("GPU BU per 10⁶ samples"); a
// system whose billed GPU is several devices gets per-billed-GPU throughput and GPU-hours too.
std::vector<TableColumn> display_columns(const GroupMetrics& group, bool with_billing);

// Workloads in the order the documents show them, each with its groups.
std::vector<std::pair<std::string, std::vector<const GroupMetrics*>>> groups_by_workload(
    const std::vector<GroupMetrics>& groups);

// "21 result files read (1 failed or timed out, ...), 0 skipped, 4 scaling curves. Efficiency ..."
std::string inputs_sentence(const ReportContent& report);

// The environment of a system as name/value rows: cluster, GPU, CPU, backend, hosts, versions.
std::vector<std::pair<std::string, std::string>> environment_rows(const SystemInfo& system);

// The "Projected (not measured)" section: one table per curve of its projected points only.
std::string projections_html(const std::vector<PredictedCurve>& curves);
std::string projections_markdown(const std::vector<PredictedCurve>& curves);

// The "Not measured: the sweep stopped at the knee" section, and summary.txt's sentences on it
// (all empty without --skipped).
// The request calculator's section (report --job; empty without it) and request.csv.
std::string request_html(const ReportContent& report);
std::string request_markdown(const ReportContent& report);
std::string request_text(const ReportContent& report);
std::string request_csv(const ReportContent& report);  // only with a job

std::string skipped_html(const std::optional<UntilKneeState>& state);
std::string skipped_markdown(const std::optional<UntilKneeState>& state);
std::string skipped_text(const std::optional<UntilKneeState>& state);

// What to tell the reader about figures that were not rendered; empty when all were.
std::vector<std::string> render_notes(const ReportContent& report);

}  // namespace scalebench::reports
