// summary.txt: plain-language paragraphs a researcher can paste into a proposal.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>

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

// "ddp in fp16 autocast (AMP), 64 samples per GPU, weak scaling", then the baseline where it is
// a full node; a clause that ends before the verb (callers add the comma).
std::string setting(const GroupMetrics& g) {
  GroupKey key = g.key;
  key.precision = precision_title(key.precision);
  std::string s = fmt::format("{} in {}", g.key.strategy, group_setting(key, g.unit(1)));
  if (g.baseline_full_node && g.baseline_gpus) {
    s += fmt::format(", relative to {} {} on one node", *g.baseline_gpus, g.unit(*g.baseline_gpus));
  }
  return s;
}

// "ResNet-50 on mahti A100 with ddp in fp32, ..., weak scaling": a sentence's subject (callers
// add the comma before the verb).
std::string subject(const GroupMetrics& g) {
  return fmt::format("{} on {} with {}", workload_title(g.key.workload), g.key.system, setting(g));
}

// "12,345 images/s" at a count.
std::string rate_at(const GroupMetrics& g, const CountMetrics& c) {
  return c.samples_per_s ? ", " + rate_text(*c.samples_per_s, g.key.workload) : "";
}

std::string knee_clause(const GroupMetrics& g, const Knee& knee, double threshold) {
  const CountMetrics& at = *g.at(knee.gpus);
  const CountMetrics* good = last_good(g, knee.gpus, threshold);
  std::string text;
  if (good != nullptr && good->gpus > *g.baseline_gpus) {
    text = fmt::format(" keeps {} efficiency up to {} {} ({}{});", percent(*good->efficiency),
                       good->gpus, g.unit(good->gpus), nodes_text(good->nodes), rate_at(g, *good));
  } else if (const CountMetrics* base = g.at(*g.baseline_gpus); base != nullptr) {
    text = fmt::format(" runs {} at {} {} ({});",
                       rate_text(base->samples_per_s.value_or(0), g.key.workload), base->gpus,
                       g.unit(base->gpus), nodes_text(base->nodes));
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
      " keeps at least {} efficiency (threshold {}) up to {} {} ({}{}), the largest count "
      "measured.",
      percent(lowest), percent(threshold), largest->gpus, g.unit(largest->gpus),
      nodes_text(largest->nodes), rate_at(g, *largest));
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

// The cost of 10^6 samples at the baseline and at the largest count that met the threshold (every
// count is in the tables and summary.csv).
std::string cost_clause(const GroupMetrics& g, double threshold) {
  const CountMetrics* base = g.baseline_gpus ? g.at(*g.baseline_gpus) : nullptr;
  const std::int64_t below = g.knee ? g.knee->gpus : std::numeric_limits<std::int64_t>::max();
  const CountMetrics* good = last_good(g, below, threshold);
  std::vector<const CountMetrics*> shown = {base};
  if (good != nullptr && good != base) shown.push_back(good);
  std::vector<std::string> parts;
  for (const CountMetrics* c : shown) {
    if (c == nullptr || !c->gpu_hours_per_million_samples) continue;
    std::string part = fmt::format("{} at {} {}", number(*c->gpu_hours_per_million_samples, 3),
                                   c->gpus, g.unit(c->gpus));
    if (c->billing_units_per_million_samples) {
      part +=
          fmt::format(" ({} {})", number(*c->billing_units_per_million_samples, 3), g.pricing.unit);
    }
    parts.push_back(part);
  }
  if (parts.empty()) return "";
  std::string unit = g.unit(1);  // a sentence of its own: "Device-hours", "GCD-hours"
  unit[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])));
  return fmt::format(" {}-hours per million samples: {}.", unit, fmt::join(parts, ", "));
}

std::string warnings_clause(const GroupMetrics& g) {
  std::string text;
  for (const std::string& w : g.warnings) text += " " + w;
  return text;
}

// Everything a sentence says after its subject.
std::string findings(const GroupMetrics& g, double threshold) {
  if (!g.baseline_gpus) return ": no point succeeded." + failures_clause(g);
  const std::string scaling =
      g.knee ? knee_clause(g, *g.knee, threshold) : no_knee_clause(g, threshold);
  return scaling + failures_clause(g) + warnings_clause(g) + cost_clause(g, threshold);
}

// What every number of a report is; each paragraph ends with it, so that it stands alone.
constexpr const char* kMeasuredSentence =
    "Measured with scalebench: synthetic training steps of the model's real layer shapes on random "
    "data, with no data loading and no framework.";

}  // namespace

std::string group_sentence(const GroupMetrics& g, double threshold) {
  // "ResNet-50 on ... with ..., keeps ...", or "ResNet-50 on ... with ...: no point succeeded."
  return subject(g) + (g.baseline_gpus ? "," : "") + findings(g, threshold);
}

std::vector<SummaryParagraph> summary_paragraphs(const ReportContent& report) {
  std::map<std::pair<std::string, std::string>, std::vector<const GroupMetrics*>> by;
  for (const GroupMetrics& g : report.groups) by[{g.key.system, g.key.workload}].push_back(&g);
  std::vector<SummaryParagraph> paragraphs;
  for (const auto& [key, groups] : by) {
    const auto& [system, workload] = key;
    std::string text = fmt::format("{} on {}.", workload_title(workload), system);
    for (const GroupMetrics* g : groups) {
      // "With ddp in fp32, ..., it keeps ...", or "With ddp in fp32, ...: no point succeeded."
      text += " With " + setting(*g) + (g->baseline_gpus ? ", it" : "") +
              findings(*g, report.threshold);
    }
    paragraphs.push_back({system, workload, text + " " + kMeasuredSentence});
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
  for (const SummaryParagraph& p : summary_paragraphs(report)) out += p.text + "\n\n";
  out += request_text(report);
  out += skipped_text(report.until_knee);
  return out;
}

}  // namespace scalebench::reports
