// report.md: the report as Markdown, with the figures linked from figures/.
#include <fmt/format.h>

#include <algorithm>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

// PNG reads best on code-hosting sites; SVG is always rendered.
std::string image_format(const ReportContent& report) {
  const bool png =
      std::find(report.formats.begin(), report.formats.end(), "png") != report.formats.end();
  return png ? "png" : "svg";
}

std::string figure_md(const ReportContent& report, const Figure& f) {
  return fmt::format("![{}](figures/{}.{})\n\n", markdown_escape(f.caption), f.name,
                     image_format(report));
}

std::string figures_md(const ReportContent& report, const std::string& workload,
                       const std::string& kind_prefix) {
  std::string out;
  for (const Figure& f : report.figures) {
    if (f.workload == workload && f.kind.rfind(kind_prefix, 0) == 0) out += figure_md(report, f);
  }
  return out;
}

std::string table_md(const GroupMetrics& g, const std::vector<TableColumn>& columns) {
  std::string header = "|", rule = "|";
  for (const TableColumn& c : columns) {
    header += fmt::format(" {} |", markdown_escape(c.header));
    rule += c.header == "Status" ? " --- |" : " ---: |";
  }
  std::string out = header + "\n" + rule + "\n";
  for (const CountMetrics& count : g.counts) {
    out += "|";
    for (const TableColumn& c : columns)
      out += fmt::format(" {} |", markdown_escape(c.cell(g, count)));
    out += "\n";
  }
  return out + "\n";
}

std::string systems_md(const ResultSet& results) {
  std::string out = "## Systems\n\n";
  for (const auto& [label, system] : results.systems) {
    out += fmt::format("### {}\n\n| | |\n| --- | --- |\n", markdown_escape(label));
    for (const auto& [name, value] : environment_rows(system)) {
      out += fmt::format("| {} | {} |\n", markdown_escape(name), markdown_escape(value));
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string markdown_document(const ReportContent& report) {
  const ResultSet& r = report.results;
  std::string out = "# scalebench report\n\n" + markdown_escape(inputs_sentence(report)) + "\n\n";
  for (const std::string& note : render_notes(report)) out += "> " + markdown_escape(note) + "\n\n";
  for (const SkippedFile& s : r.skipped) {
    out += fmt::format("- skipped `{}`: {}\n", s.path.string(), markdown_escape(s.reason));
  }
  if (!r.skipped.empty()) out += "\n";
  out += "## Summary\n\n";
  for (const SummaryParagraph& p : summary_paragraphs(report))
    out += markdown_escape(p.text) + "\n\n";
  for (const auto& [workload, groups] : groups_by_workload(report.groups)) {
    out += fmt::format("## {}\n\n", markdown_escape(workload_title(workload)));
    out += figures_md(report, workload, "compare-");
    out += figures_md(report, workload, "efficiency");
    out += figures_md(report, workload, "throughput");
    for (const GroupMetrics* g : groups) {
      out += fmt::format("### {}\n\n", markdown_escape(group_title(g->key)));
      out += table_md(*g, display_columns(*g, report.any_billing));
      for (const Figure& f : report.figures) {
        if (f.kind == "breakdown" && f.group == g->key) out += figure_md(report, f);
      }
    }
  }
  if (!r.busbw_series.empty())
    out += "## All-reduce micro-benchmarks\n\n" + figures_md(report, "", "busbw");
  out += request_markdown(report);
  out += skipped_markdown(report.until_knee);
  out += projections_markdown(report.projections);
  return out + systems_md(r);
}

}  // namespace scalebench::reports
