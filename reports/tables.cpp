// What the HTML and Markdown documents share: tables, workload order, input summary, notes.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

using Cell = std::function<std::string(const GroupMetrics&, const CountMetrics&)>;

// An optional number, "–" when missing; failed counts show nothing but their status.
Cell value_cell(std::optional<double> CountMetrics::*field, int digits) {
  return [field, digits](const GroupMetrics&, const CountMetrics& c) {
    return c.ok() ? number_or(c.*field, "–", digits) : "";
  };
}

Cell percent_cell(std::optional<double> CountMetrics::*field) {
  return [field](const GroupMetrics&, const CountMetrics& c) {
    return c.ok() && c.*field ? percent(*(c.*field)) : std::string();
  };
}

std::string status_cell(const GroupMetrics&, const CountMetrics& c) {
  if (!c.ok()) return c.error.empty() ? c.status : fmt::format("{}: {}", c.status, c.error);
  if (c.failed > 0) return fmt::format("ok ({} runs, {} failed)", c.repeats + c.failed, c.failed);
  return c.repeats > 1 ? fmt::format("ok ({} runs)", c.repeats) : "ok";
}

std::string step_cell(const GroupMetrics&, const CountMetrics& c) {
  if (!c.ok() || !c.step_ms) return "";
  if (!c.step_p5_ms || !c.step_p95_ms) return number(*c.step_ms, 4);
  return fmt::format("{} ({}–{})", number(*c.step_ms, 4), number(*c.step_p5_ms, 4),
                     number(*c.step_p95_ms, 4));
}

std::string efficiency_cell(const GroupMetrics& g, const CountMetrics& c) {
  if (!c.ok() || !c.efficiency) return "";
  const bool knee = g.knee && g.knee->gpus == c.gpus;
  const bool baseline = g.baseline_gpus && *g.baseline_gpus == c.gpus;
  return percent(*c.efficiency) + (knee ? " (knee)" : baseline ? " (baseline)" : "");
}

std::string speedup_cell(const GroupMetrics&, const CountMetrics& c) {
  return c.ok() && c.speedup ? fmt::format("{:.2f}x", *c.speedup) : "";
}

std::string gain_cell(const GroupMetrics&, const CountMetrics& c) {
  return c.ok() && c.doubling_gain ? fmt::format("{:+.0f}%", *c.doubling_gain * 100.0) : "";
}

}  // namespace

std::vector<TableColumn> display_columns(const GroupMetrics& g, bool with_billing) {
  const std::string per = "per " + g.unit(1);
  std::vector<TableColumn> columns = {
      {g.unit(2),
       [](const GroupMetrics&, const CountMetrics& c) { return std::to_string(c.gpus); }},
      {"Nodes", [](const GroupMetrics&, const CountMetrics& c) { return std::to_string(c.nodes); }},
      {"Status", status_cell},
      {"Step ms (p5–p95)", step_cell},
      {"Compute ms", value_cell(&CountMetrics::compute_ms, 4)},
      {"Exposed comm. ms", value_cell(&CountMetrics::exposed_ms, 3)},
      {"Exposed share", percent_cell(&CountMetrics::exposed_share)},
      {"Overlap", percent_cell(&CountMetrics::overlap)},
      {"Busbw GB/s", value_cell(&CountMetrics::busbw_gbps, 3)},
      {"Samples/s", value_cell(&CountMetrics::samples_per_s, 4)},
      {"Samples/s " + per, value_cell(&CountMetrics::samples_per_s_per_gpu, 4)},
  };
  if (g.billed_per_gpu_differs()) {
    columns.push_back({fmt::format("Samples/s per billed GPU ({:g} {})",
                                   g.pricing.devices_per_billed_gpu, g.unit(2)),
                       value_cell(&CountMetrics::samples_per_s_per_billed_gpu, 4)});
  }
  columns.push_back({"Speedup", speedup_cell});
  columns.push_back({"Efficiency", efficiency_cell});
  columns.push_back({"Gain of last doubling", gain_cell});
  columns.push_back({g.unit(1) + "-h per 10⁶ samples",
                     value_cell(&CountMetrics::gpu_hours_per_million_samples, 3)});
  if (g.billed_per_gpu_differs()) {
    columns.push_back({"Billed GPU-h per 10⁶ samples",
                       value_cell(&CountMetrics::billed_gpu_hours_per_million_samples, 3)});
  }
  if (with_billing) {
    columns.push_back({g.pricing.unit + " per 10⁶ samples",
                       value_cell(&CountMetrics::billing_units_per_million_samples, 3)});
  }
  return columns;
}

std::vector<std::pair<std::string, std::vector<const GroupMetrics*>>> groups_by_workload(
    const std::vector<GroupMetrics>& groups) {
  std::map<std::string, std::vector<const GroupMetrics*>> by_workload;
  for (const GroupMetrics& g : groups) by_workload[g.key.workload].push_back(&g);
  return {by_workload.begin(), by_workload.end()};
}

std::string inputs_sentence(const ReportContent& report) {
  const ResultSet& r = report.results;
  const auto failed = std::count_if(r.points.begin(), r.points.end(),
                                    [](const PointSample& p) { return p.status != "ok"; });
  std::vector<std::string> schemas;
  for (const auto& [schema, n] : r.schemas) schemas.push_back(fmt::format("{} {}", n, schema));
  return fmt::format(
      "{} result files read ({} failed or timed out, shown as such; {}), {} skipped, {} scaling "
      "curves. Efficiency threshold {}; a doubling that adds less than {} throughput also marks "
      "the knee.",
      r.points.size(), failed, fmt::join(schemas, ", "), r.skipped.size(), report.groups.size(),
      percent(report.threshold), percent(report.min_gain));
}

std::vector<std::pair<std::string, std::string>> environment_rows(const SystemInfo& s) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Cluster", s.cluster.value_or("–")},
      {"GPU", s.gpu_model.empty() ? "–" : s.gpu_model},
  };
  if (s.device_memory_bytes) {
    rows.emplace_back("Device memory", bytes_text(static_cast<double>(*s.device_memory_bytes)));
  }
  rows.emplace_back("CPU", s.cpu_model);
  rows.emplace_back("Backend", s.backend);
  rows.emplace_back("Hosts", fmt::format("{}{}", fmt::join(s.hostnames, ", "),
                                         s.hostnames.size() >= kMaxHostnames ? ", …" : ""));
  for (const auto& [name, version] : s.versions) rows.emplace_back(name, version);
  rows.emplace_back("scalebench", s.scalebench_version);
  rows.emplace_back("Result files", std::to_string(s.result_files));
  return rows;
}

std::vector<std::string> render_notes(const ReportContent& report) {
  std::vector<std::string> notes = report.grouping_notes;
  if (report.figures.empty()) return notes;
  if (!report.render.gnuplot_found) {
    notes.push_back(
        "gnuplot was not found, so the figures were not rendered. Their data and scripts are in "
        "figures/; install gnuplot (Debian: apt-get install gnuplot-nox) and run "
        "\"cd figures && gnuplot render.gp\".");
    return notes;
  }
  for (const std::string& failure : report.render.failures) {
    notes.push_back("gnuplot could not render " + failure);
  }
  return notes;
}

}  // namespace scalebench::reports
