// report.html: one self-contained, well-formed file with the figures inline as SVG.
#include <fmt/format.h>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

const char* const kStyle = R"(
body { font-family: sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
h1, h2, h3 { font-weight: 600; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { border-bottom: 2px solid #888; }
td.text, th.text { text-align: left; }
tr.failed td { color: #a00; }
tr.knee td { background: #fff3e0; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #444; }
.note { background: #fff8e1; border-left: 4px solid #e6a700; padding: 0.5em 1em; }
code { font-size: 0.9em; }
)";

// gnuplot writes an XML prolog and ids such as gpPt0 into every SVG; inside one HTML page the
// prolog must go and each figure's ids must be its own.
std::string inline_svg(const std::string& svg, const std::string& prefix,
                       const std::string& title) {
  const auto start = svg.find("<svg");
  if (start == std::string::npos) return "";
  std::string out = svg.substr(start);
  const std::string generic_title = "<title>Gnuplot</title>";
  if (const auto at = out.find(generic_title); at != std::string::npos) {
    out.replace(at, generic_title.size(), "<title>" + html_escape(title) + "</title>");
  }
  const std::pair<const char*, std::string> renames[] = {
      {"id='", "id='" + prefix},       {"id=\"", "id=\"" + prefix},
      {"href='#", "href='#" + prefix}, {"href=\"#", "href=\"#" + prefix},
      {"url(#", "url(#" + prefix},
  };
  for (const auto& [from, to] : renames) {
    const std::string needle = from;
    for (auto pos = out.find(needle); pos != std::string::npos;
         pos = out.find(needle, pos + to.size())) {
      out.replace(pos, needle.size(), to);
    }
  }
  return out;
}

std::string figure_html(const ReportContent& report, const Figure& figure, std::size_t index) {
  const auto svg = report.svg_by_figure.find(figure.name);
  std::string body =
      svg == report.svg_by_figure.end()
          ? fmt::format("<p class=\"note\">Figure <code>{}</code> was not rendered.</p>",
                        html_escape(figure.name))
          : inline_svg(svg->second, fmt::format("f{}-", index), figure.caption);
  return fmt::format("<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                     html_escape(figure.name), body, html_escape(figure.caption));
}

std::string figures_html(const ReportContent& report, const std::string& workload,
                         const std::string& kind_prefix) {
  std::string out;
  for (std::size_t i = 0; i < report.figures.size(); ++i) {
    const Figure& f = report.figures[i];
    if (f.workload == workload && f.kind.rfind(kind_prefix, 0) == 0)
      out += figure_html(report, f, i);
  }
  return out;
}

std::string group_table_html(const GroupMetrics& g, const std::vector<TableColumn>& columns) {
  std::string out = "<table>\n<thead><tr>";
  for (const TableColumn& c : columns) out += fmt::format("<th>{}</th>", html_escape(c.header));
  out += "</tr></thead>\n<tbody>\n";
  for (const CountMetrics& count : g.counts) {
    const bool knee = g.knee && g.knee->gpus == count.gpus;
    out += count.ok() ? (knee ? "<tr class=\"knee\">" : "<tr>") : "<tr class=\"failed\">";
    for (const TableColumn& c : columns) {
      const bool text = c.header == "Status";
      out += fmt::format("<td{}>{}</td>", text ? " class=\"text\"" : "",
                         html_escape(c.cell(g, count)));
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string group_html(const ReportContent& report, const GroupMetrics& g,
                       const std::vector<TableColumn>& columns) {
  std::string out = fmt::format("<h3>{}</h3>\n<p>{}</p>\n", html_escape(group_title(g.key)),
                                html_escape(group_sentence(g, report.threshold)));
  out += group_table_html(g, columns);
  for (std::size_t i = 0; i < report.figures.size(); ++i) {
    const Figure& f = report.figures[i];
    if (f.kind == "breakdown" && f.group == g.key) {
      out += figure_html(report, f, i);
    }
  }
  return out;
}

std::string systems_html(const ResultSet& results) {
  std::string out = "<h2 id=\"systems\">Systems</h2>\n";
  for (const auto& [label, system] : results.systems) {
    out += fmt::format("<h3>{}</h3>\n<table>\n", html_escape(label));
    for (const auto& [name, value] : environment_rows(system)) {
      out += fmt::format("<tr><th class=\"text\">{}</th><td class=\"text\">{}</td></tr>\n",
                         html_escape(name), html_escape(value));
    }
    out += "</table>\n";
  }
  return out;
}

std::string inputs_html(const ReportContent& report) {
  const ResultSet& r = report.results;
  std::string out = fmt::format("<p>{}</p>\n", html_escape(inputs_sentence(report)));
  for (const std::string& note : render_notes(report)) {
    out += fmt::format("<p class=\"note\">{}</p>\n", html_escape(note));
  }
  if (!r.skipped.empty()) {
    out += "<details><summary>Skipped files</summary>\n<ul>\n";
    for (const SkippedFile& s : r.skipped) {
      out += fmt::format("<li><code>{}</code>: {}</li>\n", html_escape(s.path.string()),
                         html_escape(s.reason));
    }
    out += "</ul>\n</details>\n";
  }
  return out;
}

}  // namespace

std::string html_document(const ReportContent& report) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      "<title>scalebench report</title>\n<style>{}</style>\n</head>\n<body>\n"
      "<h1>scalebench report</h1>\n",
      kStyle);
  out += inputs_html(report);
  out += "<h2 id=\"summary\">Summary</h2>\n";
  for (const SummaryParagraph& p : summary_paragraphs(report)) {
    out += fmt::format("<p>{}</p>\n", html_escape(p.text));
  }
  for (const auto& [workload, groups] : groups_by_workload(report.groups)) {
    out += fmt::format("<h2 id=\"{}\">{}</h2>\n", slug(workload),
                       html_escape(workload_title(workload)));
    out += figures_html(report, workload, "compare-");
    out += figures_html(report, workload, "efficiency");
    out += figures_html(report, workload, "throughput");
    for (const GroupMetrics* g : groups)
      out += group_html(report, *g, display_columns(*g, report.any_billing));
  }
  if (!report.results.busbw_series.empty()) {
    out += "<h2 id=\"busbw\">All-reduce micro-benchmarks</h2>\n";
    out += figures_html(report, "", "busbw");
  }
  out += request_html(report);
  out += skipped_html(report.until_knee);
  out += projections_html(report.projections);
  out += systems_html(report.results);
  return out + "</body>\n</html>\n";
}

}  // namespace scalebench::reports
