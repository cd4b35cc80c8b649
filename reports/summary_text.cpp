// summary.txt: plain-language paragraphs a researcher can paste into a proposal.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

std::string nodes_text(std::int64_t nodes) {
  return fmt::format("{} node{}", nodes, nodes == 1 ? "" : "s");
}

// The largest ok count below the knee that still met the threshold.
const CountMetrics* last_good(const GroupMetrics& g, std::int64_t below, double threshold) {
  const CountMetrics* good = nullptr;
  for (const CountMetrics& c : g.counts) {
    if (c.gpus < below && c.ok() && c.efficiency && *c.efficiency >= threshold) good = &c;
  }
  return good;
}

// "because it is communication-bound: ..." reads well; other causes follow a semicolon.
std::string because(const std::string& cause) {
  if (cause.rfind("communication-bound", 0) == 0 || cause.rfind("compute-bound", 0) == 0) {
    return " because it is " + cause;
  }
  return "; " + cause;
}

std::string subject(const GroupMetrics& g) {
  std::string s = fmt::format("{} with {} ({}) on {}", workload_title(g.key.workload),
                              g.key.strategy, group_setting(g.key, g.unit(1)), g.key.system);
  if (g.baseline_full_node && g.baseline_gpus) {
    s += fmt::format(", relative to {} {} on one node,", *g.baseline_gpus,
                     g.unit(*g.baseline_gpus));
  }
  return s;
}

std::string knee_clause(const GroupMetrics& g, const Knee& knee, double threshold) {
  const CountMetrics& at = *g.at(knee.gpus);
  const CountMetrics* good = last_good(g, knee.gpus, threshold);
  std::string text;
  if (good != nullptr && good->gpus > *g.baseline_gpus) {
    text = fmt::format(" keeps {} efficiency up to {} {} ({});", percent(*good->efficiency),
                       good->gpus, g.unit(good->gpus), nodes_text(good->nodes));
  }
  if (knee.rule == Knee::Rule::efficiency) {
    text += fmt::format(" at {} {} ({}) efficiency falls below {} ({})", at.gpus, g.unit(at.gpus),
                        nodes_text(at.nodes), percent(threshold), percent(*at.efficiency));
  } else {
    text += fmt::format(" beyond {} {} adding {} stops paying off: {}", at.gpus / 2,
                        g.unit(at.gpus / 2), g.unit(2), knee.reason);
  }
  return text + because(knee.cause) + ".";
}

std::string no_knee_clause(const GroupMetrics& g, double threshold) {
  const CountMetrics* largest = nullptr;
  double lowest = 1.0;
  for (const CountMetrics& c : g.counts) {
    if (!c.ok() || !c.efficiency) continue;
    largest = &c;
    lowest = std::min(lowest, *c.efficiency);
  }
  if (largest == nullptr || largest->gpus == *g.baseline_gpus) {
    return fmt::format(" was measured successfully at {} {} only, so no scaling can be stated.",
                       *g.baseline_gpus, g.unit(*g.baseline_gpus));
  }
  return fmt::format(
      " keeps at least {} efficiency (threshold {}) up to {} {} ({}), the largest count measured.",
      percent(lowest), percent(threshold), largest->gpus, g.unit(largest->gpus),
      nodes_text(largest->nodes));
}

std::string failures_clause(const GroupMetrics& g) {
  std::string text;
  for (const CountMetrics& c : g.counts) {
    if (c.failed == 0) continue;
    const std::string what =
        c.ok() ? fmt::format("{} of {} runs", c.failed, c.failed + c.repeats) : "the run";
    const std::string verb = c.status == "timeout" ? "timed out" : "failed";
    text +=
        fmt::format(" At {} {} {} {}{}.", c.gpus, g.unit(c.gpus), what, c.ok() ? "failed" : verb,
                    c.error.empty() ? "" : fmt::format(" ({})", c.error));
  }
  return text;
}

std::string cost_clause(const GroupMetrics& g) {
  std::vector<std::string> parts;
  for (const CountMetrics& c : g.counts) {
    if (!c.gpu_hours_per_million_samples) continue;
    std::string part =
        fmt::format("{} at {}", number(*c.gpu_hours_per_million_samples, 3), c.gpus);
    if (c.billing_units_per_million_samples) {
      part +=
          fmt::format(" ({} {})", number(*c.billing_units_per_million_samples, 3), g.pricing.unit);
    }
    parts.push_back(part);
  }
  if (parts.empty()) return "";
  return fmt::format(" {}-hours per million samples by {} count: {}.", g.unit(1), g.unit(1),
                     fmt::join(parts, ", "));
}

std::string warnings_clause(const GroupMetrics& g) {
  std::string text;
  for (const std::string& w : g.warnings) text += " " + w;
  return text;
}

}  // namespace

std::string group_sentence(const GroupMetrics& g, double threshold) {
  if (!g.baseline_gpus) {
    return fmt::format("{}: no point succeeded.{}", subject(g), failures_clause(g));
  }
  const std::string scaling =
      g.knee ? knee_clause(g, *g.knee, threshold) : no_knee_clause(g, threshold);
  return subject(g) + scaling + failures_clause(g) + warnings_clause(g) + cost_clause(g);
}

std::vector<WorkloadParagraph> workload_paragraphs(const ReportContent& report) {
  std::vector<WorkloadParagraph> paragraphs;
  for (const auto& [workload, groups] : groups_by_workload(report.groups)) {
    std::vector<std::string> sentences;
    for (const GroupMetrics* g : groups) sentences.push_back(group_sentence(*g, report.threshold));
    paragraphs.push_back({workload, fmt::format("{}", fmt::join(sentences, " "))});
  }
  return paragraphs;
}

std::string summary_text(const ReportContent& report) {
  std::string out = fmt::format(
      "Scaling summary (scalebench report): efficiency threshold {}, {} result files{}.\n\n",
      percent(report.threshold), report.results.points.size(),
      report.results.skipped.empty()
          ? ""
          : fmt::format(", {} files skipped", report.results.skipped.size()));
  for (const std::string& note : report.grouping_notes) out += "Note: " + note + ".\n\n";
  for (const WorkloadParagraph& p : workload_paragraphs(report)) out += p.text + "\n\n";
  out += request_text(report);
  out += skipped_text(report.until_knee);
  return out;
}

}  // namespace scalebench::reports
