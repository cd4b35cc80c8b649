// The "Projected (not measured)" section of report.html and report.md (report --prediction).
#include <fmt/format.h>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

const char* const kHeaders[] = {"GPUs",          "nodes",   "efficiency (projected)",
                                "band (p5-p95)", "step ms", "samples/s",
                                "largest loss"};

std::vector<std::string> row(const PredictedPoint& p) {
  return {fmt::format("{}", p.gpus),
          fmt::format("{}", p.nodes),
          percent(p.efficiency),
          fmt::format("{}-{}", percent(p.low), percent(p.high)),
          number(p.step_ms),
          number(p.samples_per_s),
          p.dominant};
}

constexpr const char* kIntro =
    "These points come from `scalebench predict`: a model calibrated on the measured points, "
    "projected, not measured. They are not in the tables, figures, knees or summaries above.";

}  // namespace

std::string projections_html(const std::vector<PredictedCurve>& curves) {
  if (curves.empty()) return "";
  std::string out = fmt::format("<h2 id=\"projected\">Projected (not measured)</h2>\n<p>{}</p>\n",
                                html_escape(kIntro));
  for (const PredictedCurve& c : curves) {
    out += fmt::format("<h3>{} (projected, not measured)</h3>\n<p>{}</p>\n<table>\n<thead><tr>",
                       html_escape(c.title), html_escape(c.text));
    for (const char* h : kHeaders) out += fmt::format("<th>{}</th>", html_escape(h));
    out += "</tr></thead>\n<tbody>\n";
    for (const PredictedPoint& p : c.points) {
      if (p.measured) continue;
      out += "<tr class=\"projected\">";
      for (const std::string& cell : row(p)) out += fmt::format("<td>{}</td>", html_escape(cell));
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  return out;
}

std::string projections_markdown(const std::vector<PredictedCurve>& curves) {
  if (curves.empty()) return "";
  std::string out = fmt::format("## Projected (not measured)\n\n{}\n\n", markdown_escape(kIntro));
  for (const PredictedCurve& c : curves) {
    out += fmt::format("### {} (projected, not measured)\n\n{}\n\n|", markdown_escape(c.title),
                       markdown_escape(c.text));
    for (const char* h : kHeaders) out += fmt::format(" {} |", h);
    out += "\n|";
    for (std::size_t i = 0; i < std::size(kHeaders); ++i) out += " --- |";
    out += "\n";
    for (const PredictedPoint& p : c.points) {
      if (p.measured) continue;
      out += "|";
      for (const std::string& cell : row(p)) out += fmt::format(" {} |", markdown_escape(cell));
      out += "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace scalebench::reports
