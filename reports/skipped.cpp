// The "Not measured: the sweep stopped at the knee" section of report.html, report.md and
// summary.txt (report --skipped until_knee.json, from an --until-knee sweep's gates).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

std::vector<std::string> headers(const UntilKneeState& s) {
  return {"workload", "strategy", s.unit, "nodes", "wave", "projected efficiency (band p5-p95)"};
}

std::vector<std::string> row(const CurveDecision& c, const SkippedPoint& p) {
  return {c.workload,
          c.strategy,
          fmt::format("{}", p.gpus),
          fmt::format("{}", p.nodes),
          fmt::format("{}", p.wave),
          p.projected
              ? fmt::format("{} ({}-{}), projected, not measured", percent(p.projected->central),
                            percent(p.projected->low), percent(p.projected->high))
              : std::string("-")};
}

std::string intro(const UntilKneeState& s) {
  return fmt::format(
      "The sweep ran in waves by node count (plan --until-knee) and a gate after each wave stopped "
      "the curves whose efficiency fell below {} (confirmed by {} further count{}), so the points "
      "below were never run. Projected values come from the gate's projection (scalebench "
      "predict's "
      "model) and are not measured.",
      percent(s.threshold), s.confirm, s.confirm == 1 ? "" : "s");
}

std::string stop_sentence(const CurveDecision& c) {
  return fmt::format("{} {}: stopped after wave {}: {}.", c.workload, c.strategy,
                     c.stopped_after_wave.value_or(0), c.reason);
}

bool any_skipped(const UntilKneeState& s) {
  for (const CurveDecision& c : s.curves)
    if (!c.skipped.empty()) return true;
  return false;
}

}  // namespace

std::string skipped_html(const std::optional<UntilKneeState>& state) {
  if (!state) return "";
  std::string out = fmt::format(
      "<h2 id=\"skipped\">Not measured: the sweep stopped at the knee</h2>\n<p>{}</p>\n<ul>\n",
      html_escape(intro(*state)));
  for (const CurveDecision& c : state->curves)
    out +=
        fmt::format("<li>{}</li>\n",
                    html_escape(c.state == "stopped" ? stop_sentence(c)
                                                     : fmt::format("{} {}: {}: {}.", c.workload,
                                                                   c.strategy, c.state, c.reason)));
  out += "</ul>\n";
  if (!any_skipped(*state)) return out;
  out += "<table>\n<thead><tr>";
  for (const std::string& h : headers(*state)) out += fmt::format("<th>{}</th>", html_escape(h));
  out += "</tr></thead>\n<tbody>\n";
  for (const CurveDecision& c : state->curves)
    for (const SkippedPoint& p : c.skipped) {
      out += "<tr class=\"skipped\">";
      for (const std::string& cell : row(c, p))
        out += fmt::format("<td>{}</td>", html_escape(cell));
      out += "</tr>\n";
    }
  return out + "</tbody>\n</table>\n";
}

std::string skipped_markdown(const std::optional<UntilKneeState>& state) {
  if (!state) return "";
  std::string out = fmt::format("## Not measured: the sweep stopped at the knee\n\n{}\n\n",
                                markdown_escape(intro(*state)));
  for (const CurveDecision& c : state->curves)
    out += fmt::format("- {}\n", markdown_escape(c.state == "stopped"
                                                     ? stop_sentence(c)
                                                     : fmt::format("{} {}: {}: {}.", c.workload,
                                                                   c.strategy, c.state, c.reason)));
  out += "\n";
  if (!any_skipped(*state)) return out;
  out += "|";
  for (const std::string& h : headers(*state)) out += fmt::format(" {} |", markdown_escape(h));
  out += "\n|";
  for (std::size_t i = 0; i < headers(*state).size(); ++i) out += " --- |";
  out += "\n";
  for (const CurveDecision& c : state->curves)
    for (const SkippedPoint& p : c.skipped) {
      out += "|";
      for (const std::string& cell : row(c, p)) out += fmt::format(" {} |", markdown_escape(cell));
      out += "\n";
    }
  return out + "\n";
}

std::string skipped_text(const std::optional<UntilKneeState>& state) {
  if (!state) return "";
  std::string out;
  for (const CurveDecision& c : state->curves) {
    if (c.state != "stopped") continue;
    out += fmt::format("{} It skipped {} point(s) of the plan (at", stop_sentence(c),
                       c.skipped.size());
    for (const SkippedPoint& p : c.skipped) out += fmt::format(" {}", p.gpus);
    out += fmt::format(" {}).\n\n", state->unit);
  }
  if (out.empty()) return "";
  return "The sweep stopped at the knee (plan --until-knee):\n\n" + out;
}

}  // namespace scalebench::reports
