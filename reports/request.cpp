// The request calculator: a stated job's wall time, GPU-hours, node-hours and billing units.
#include "reports/request.hpp"

#include <fmt/format.h>

#include <cmath>

#include "records/errors.hpp"
#include "records/numbers.hpp"
#include "records/script_safety.hpp"
#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

constexpr const char* kJobForm = "give --job samples=N[,epochs=E], e.g. epochs=90,samples=1281167";

}  // namespace

JobSpec parse_job(const std::string& text) {
  JobSpec job;
  bool have_samples = false, have_epochs = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    start = comma + 1;
    const std::size_t eq = part.find('=');
    const std::string name = part.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (name == "samples") {
      const auto n = parse_whole_number(value);
      if (!n || *n < 1 || have_samples) {
        throw UsageError(
            fmt::format("--job: samples='{}' must be given once, a whole number of "
                        "1 or more (samples per epoch); {}",
                        printable(value), kJobForm));
      }
      job.samples = *n;
      have_samples = true;
    } else if (name == "epochs") {
      char* end = nullptr;
      const double e = value.empty() ? 0.0 : std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(e) || e <= 0 ||
          e > 1e6 || have_epochs) {
        throw UsageError(
            fmt::format("--job: epochs='{}' must be given once, a positive number up to 1e6; {}",
                        printable(value), kJobForm));
      }
      job.epochs = e;
      have_epochs = true;
    } else {
      throw UsageError(
          fmt::format("--job: '{}' is not a job setting (allowed: samples, epochs); {}",
                      printable(part), kJobForm));
    }
  }
  if (!have_samples)
    throw UsageError(fmt::format("--job '{}': no samples=N; {}", printable(text), kJobForm));
  return job;
}

std::vector<RequestRow> request_rows(const GroupMetrics& g, const JobSpec& job) {
  std::vector<RequestRow> rows;
  for (const CountMetrics& c : g.counts) {
    if (!c.ok() || !c.samples_per_s || *c.samples_per_s <= 0) continue;
    RequestRow r;
    r.gpus = c.gpus;
    r.nodes = c.nodes;
    r.efficiency = c.efficiency;
    r.wall_hours = job.total_samples() / *c.samples_per_s / 3600.0;
    r.gpu_hours = r.wall_hours * static_cast<double>(c.gpus);
    r.node_hours = r.wall_hours * static_cast<double>(c.nodes);
    if (c.billing_units_per_million_samples)
      r.billing_units = *c.billing_units_per_million_samples * job.total_samples() / 1e6;
    rows.push_back(r);
  }
  return rows;
}

std::string job_description(const JobSpec& job) {
  return fmt::format("{:g} epoch{} of {} samples ({} samples)", job.epochs,
                     job.epochs == 1 ? "" : "s", grouped(static_cast<double>(job.samples)),
                     grouped(job.total_samples()));
}

std::string wall_time_text(double hours) {
  if (hours < 48) return fmt::format("{} h", number(hours, 3));
  return fmt::format("{} days ({} h)", number(hours / 24.0, 3), number(hours, 3));
}

}  // namespace scalebench::reports

// ---- the documents' request section -----------------------------------------------------------

namespace scalebench::reports {
namespace {

std::vector<std::string> request_headers(const GroupMetrics& g, bool billing) {
  std::vector<std::string> h = {
      g.unit(2), "Nodes", "Efficiency", "Wall time", g.unit(1) + "-hours", "Node-hours"};
  if (billing) h.push_back(g.pricing.per_device_hour ? g.pricing.unit : "Billing units");
  return h;
}

std::vector<std::string> request_cells(const RequestRow& r, bool billing) {
  std::vector<std::string> cells = {std::to_string(r.gpus),
                                    std::to_string(r.nodes),
                                    r.efficiency ? percent(*r.efficiency) : "–",
                                    wall_time_text(r.wall_hours),
                                    number(r.gpu_hours, 4),
                                    number(r.node_hours, 4)};
  if (billing) cells.push_back(r.billing_units ? number(*r.billing_units, 4) : "–");
  return cells;
}

// The largest count that still meets the threshold (else the baseline): the request to make.
const RequestRow* recommended(const std::vector<RequestRow>& rows, const GroupMetrics& g,
                              double threshold) {
  const RequestRow* best = nullptr;
  for (const RequestRow& r : rows) {
    const bool baseline = g.baseline_gpus && *g.baseline_gpus == r.gpus;
    if (baseline || (r.efficiency && *r.efficiency >= threshold)) best = &r;
  }
  return best;
}

std::string intro(const ReportContent& report) {
  return fmt::format(
      "What {} would take at each measured count, from the measured throughput (synthetic "
      "training steps: no data loading, so a real job is at least this long). The recommended "
      "request is the largest count at or above {} efficiency.",
      job_description(*report.job), percent(report.threshold));
}

std::string recommendation(const GroupMetrics& g, const std::vector<RequestRow>& rows,
                           double threshold) {
  const RequestRow* r = recommended(rows, g, threshold);
  if (r == nullptr) return "";
  return fmt::format(
      "{}: at {} {} ({} node{}) {} wall time, {} {}-hours, {} node-hours{}.", group_title(g.key),
      r->gpus, g.unit(r->gpus), r->nodes, r->nodes == 1 ? "" : "s", wall_time_text(r->wall_hours),
      number(r->gpu_hours, 4), g.unit(1), number(r->node_hours, 4),
      r->billing_units ? fmt::format(", {} {}", number(*r->billing_units, 4), g.pricing.unit) : "");
}

}  // namespace

std::string request_html(const ReportContent& report) {
  if (!report.job) return "";
  std::string out = fmt::format("<h2 id=\"request\">Request calculator</h2>\n<p>{}</p>\n",
                                html_escape(intro(report)));
  for (const GroupMetrics& g : report.groups) {
    const std::vector<RequestRow> rows = request_rows(g, *report.job);
    if (rows.empty()) continue;
    out +=
        fmt::format("<h3>{}</h3>\n<p>{}</p>\n<table>\n<thead><tr>", html_escape(group_title(g.key)),
                    html_escape(recommendation(g, rows, report.threshold)));
    for (const std::string& h : request_headers(g, report.any_billing))
      out += fmt::format("<th>{}</th>", html_escape(h));
    out += "</tr></thead>\n<tbody>\n";
    for (const RequestRow& r : rows) {
      out += "<tr>";
      for (const std::string& c : request_cells(r, report.any_billing))
        out += fmt::format("<td>{}</td>", html_escape(c));
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  return out;
}

std::string request_markdown(const ReportContent& report) {
  if (!report.job) return "";
  std::string out = "## Request calculator\n\n" + markdown_escape(intro(report)) + "\n\n";
  for (const GroupMetrics& g : report.groups) {
    const std::vector<RequestRow> rows = request_rows(g, *report.job);
    if (rows.empty()) continue;
    out += fmt::format("### {}\n\n{}\n\n", markdown_escape(group_title(g.key)),
                       markdown_escape(recommendation(g, rows, report.threshold)));
    const std::vector<std::string> headers = request_headers(g, report.any_billing);
    out += "|";
    for (const std::string& h : headers) out += " " + markdown_escape(h) + " |";
    out += "\n|";
    for (std::size_t i = 0; i < headers.size(); ++i) out += " ---: |";
    out += "\n";
    for (const RequestRow& r : rows) {
      out += "|";
      for (const std::string& c : request_cells(r, report.any_billing))
        out += " " + markdown_escape(c) + " |";
      out += "\n";
    }
    out += "\n";
  }
  return out;
}

std::string request_text(const ReportContent& report) {
  if (!report.job) return "";
  std::string out = "Request calculator: " + intro(report) + "\n\n";
  for (const GroupMetrics& g : report.groups) {
    const std::string line = recommendation(g, request_rows(g, *report.job), report.threshold);
    if (!line.empty()) out += line + "\n\n";
  }
  return out;
}

std::string request_csv(const ReportContent& report) {
  std::string out =
      "system,workload,strategy,precision,scaling,batch,variant,gpus,nodes,efficiency,epochs,"
      "samples_per_epoch,wall_hours,gpu_hours,node_hours,billing_units,device_unit,billing_unit\n";
  for (const GroupMetrics& g : report.groups) {
    for (const RequestRow& r : request_rows(g, *report.job)) {
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{:.9g},{},{:.9g},{:.9g},{:.9g},{},{},{}\n",
          csv_field(g.key.system), csv_field(g.key.workload), csv_field(g.key.strategy),
          csv_field(g.key.precision), g.key.scaling, g.key.batch, csv_field(g.key.variant), r.gpus,
          r.nodes, r.efficiency ? fmt::format("{:.9g}", *r.efficiency) : "", report.job->epochs,
          report.job->samples, r.wall_hours, r.gpu_hours, r.node_hours,
          r.billing_units ? fmt::format("{:.9g}", *r.billing_units) : "", csv_field(g.unit(1)),
          g.pricing.per_device_hour ? csv_field(g.pricing.unit) : "");
    }
  }
  return out;
}

}  // namespace scalebench::reports
