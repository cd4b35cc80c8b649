// table.tex: booktabs tables of the scaling results for a proposal, one per system, each fitting
// an A4 portrait page of a plain article at 10 or 11 pt (tests/reports/latex_compile_test.cpp compiles
// them); a system with many rows is a longtable that breaks across pages.
#include <fmt/format.h>

#include <algorithm>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

// Above this many rows a table is a longtable (a float this long would not fit a page).
constexpr std::size_t kLongTableRows = 30;

// Thousands separated by a thin space, as proposals typeset numbers: 12345 -> 12\,345.
std::string latex_count(double value) {
  std::string digits = fmt::format("{:.0f}", value);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out = digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) out += "\\," + digits.substr(i, 3);
  return out;
}

struct Layout {
  bool billing = false;
  std::string devices = "GPUs";  // the system's device unit: "GCDs" on LUMI
  std::string device = "GPU";
  int columns() const { return billing ? 8 : 7; }
};

std::string count_row(const Layout& layout, const GroupMetrics& g, const CountMetrics& c) {
  if (!c.ok()) {
    return fmt::format("    {} & {} & \\multicolumn{{{}}}{{l}}{{\\emph{{{}}}}} \\\\\n", c.gpus,
                       c.nodes, layout.columns() - 2,
                       c.status == "timeout" ? "timed out" : "failed");
  }
  const bool knee = g.knee && g.knee->gpus == c.gpus;
  const std::string efficiency =
      c.efficiency ? fmt::format("{:.0f}{}", *c.efficiency * 100.0, knee ? "$^\\dagger$" : "")
                   : "--";
  std::string row = fmt::format(
      "    {} & {} & {} & {} & {} & {} & {}", c.gpus, c.nodes,
      c.samples_per_s ? latex_count(*c.samples_per_s) : "--",
      c.samples_per_s_per_gpu ? latex_count(*c.samples_per_s_per_gpu) : "--", efficiency,
      c.exposed_share ? fmt::format("{:.0f}", *c.exposed_share * 100.0) : "--",
      c.gpu_hours_per_million_samples ? number(*c.gpu_hours_per_million_samples, 3) : "--");
  if (layout.billing) {
    row += " & " + (c.billing_units_per_million_samples
                        ? number(*c.billing_units_per_million_samples, 3)
                        : std::string("--"));
  }
  return row + " \\\\\n";
}

// The three header lines; short words so that the table stays narrower than an A4 text block.
std::string header(const Layout& layout) {
  std::string out = fmt::format("    {} & Nodes & Throughput & Per {} & Eff. & Exposed & {}-hours",
                                layout.devices, layout.device, layout.device);
  out += layout.billing ? " & Billing \\\\\n" : " \\\\\n";
  out += "         &       & samples/s & samples/s & \\% & comm. \\% & per $10^6$";
  out += layout.billing ? " & per $10^6$ \\\\\n" : " \\\\\n";
  out += "         &       &  &  &  &  & samples";
  out += layout.billing ? " & samples \\\\\n" : " \\\\\n";
  return out;
}

// The curve's setting, without the system (the caption names it).
std::string curve_heading(const GroupKey& key) {
  const std::string batch = key.scaling == "strong" ? fmt::format("global batch {}", key.batch)
                                                    : fmt::format("batch {} per GPU", key.batch);
  std::string text = fmt::format("{}, {}, {}, {}, {} scaling", workload_title(key.workload),
                                 key.strategy, key.precision, batch, key.scaling);
  if (!key.variant.empty()) text += " (" + key.variant + ")";
  return text;
}

std::string caption(const std::string& system, const ReportContent& report,
                    const GroupMetrics& first, bool billing) {
  std::string units;
  if (first.billed_per_gpu_differs()) {
    units += fmt::format(
        " Counts are {0}s: {1:g} {0}s are one billed GPU, so billed GPU-hours are "
        "the {0}-hours divided by {1:g}.",
        latex_escape(first.unit(1)), first.pricing.devices_per_billed_gpu);
  }
  if (billing)
    units += fmt::format(" Billing in {} per $10^6$ samples.", latex_escape(first.pricing.unit));
  return fmt::format(
      "Data-parallel scaling of synthetic training steps on {}, measured with scalebench. "
      "Efficiency is relative to each curve's baseline {} count $b$ (weak scaling: "
      "$E = b\\,X(n) / (n\\,X(b))$; strong scaling: $E = b\\,t(b) / (n\\,t(n))$); "
      "$\\dagger$ marks the knee (efficiency below {}\\,\\% or a doubling that added less than "
      "{}\\,\\% throughput).{}",
      latex_escape(system), latex_escape(first.unit(1)),
      fmt::format("{:.0f}", report.threshold * 100.0),
      fmt::format("{:.0f}", report.min_gain * 100.0), units);
}

std::string system_table(const std::string& system, const std::vector<const GroupMetrics*>& groups,
                         const ReportContent& report) {
  Layout layout;
  layout.devices = latex_escape(groups.front()->unit(2));
  layout.device = latex_escape(groups.front()->unit(1));
  std::size_t rows = 0;
  for (const GroupMetrics* g : groups) {
    rows += 1 + g->counts.size();
    for (const CountMetrics& c : g->counts) layout.billing |= c.billing_units_per_million_samples.has_value();
  }
  const std::string columns = layout.billing ? "rrrrrrrr" : "rrrrrrr";
  const std::string label = "tab:scalebench-" + slug(system);
  std::string body;
  for (const GroupMetrics* g : groups) {
    body += "    \\midrule\n";
    // A paragraph cell: a long setting wraps instead of widening the table.
    body += fmt::format("    \\multicolumn{{{}}}{{@{{}}p{{0.8\\linewidth}}}}{{\\textit{{{}}}}} \\\\\n",
                        layout.columns(), latex_escape(curve_heading(g->key)));
    for (const CountMetrics& c : g->counts) body += count_row(layout, *g, c);
  }
  const std::string head = header(layout);
  if (rows > kLongTableRows) {
    return fmt::format(
        "{{\\small\n"
        "\\setlength{{\\tabcolsep}}{{4pt}}\n"
        "\\begin{{longtable}}{{{}}}\n"
        "  \\caption{{{}}}\\label{{{}}} \\\\\n"
        "    \\toprule\n{}    \\midrule\n"
        "  \\endfirsthead\n"
        "    \\multicolumn{{{}}}{{l}}{{\\textit{{continued}}}} \\\\\n"
        "    \\toprule\n{}    \\midrule\n"
        "  \\endhead\n"
        "    \\bottomrule\n"
        "  \\endlastfoot\n"
        "{}"
        "\\end{{longtable}}\n"
        "}}\n",
        columns, caption(system, report, *groups.front(), layout.billing), label, head,
        layout.columns(), head, body);
  }
  return fmt::format(
      "\\begin{{table}}[htbp]\n"
      "  \\centering\n"
      "  \\small\n"
      "  \\setlength{{\\tabcolsep}}{{4pt}}\n"
      "  \\caption{{{}}}\n"
      "  \\label{{{}}}\n"
      "  \\begin{{tabular}}{{{}}}\n"
      "    \\toprule\n{}{}"
      "    \\bottomrule\n"
      "  \\end{{tabular}}\n"
      "\\end{{table}}\n",
      caption(system, report, *groups.front(), layout.billing), label, columns, head, body);
}

}  // namespace

std::string latex_table(const ReportContent& report) {
  // Systems in the order they first appear in the documents' workload order.
  std::vector<std::pair<std::string, std::vector<const GroupMetrics*>>> systems;
  for (const auto& [workload, groups] : groups_by_workload(report.groups)) {
    for (const GroupMetrics* g : groups) {
      auto it = std::find_if(systems.begin(), systems.end(),
                             [&](const auto& s) { return s.first == g->key.system; });
      if (it == systems.end()) it = systems.insert(systems.end(), {g->key.system, {}});
      it->second.push_back(g);
    }
  }
  bool any_long = false;
  for (const auto& [system, groups] : systems) {
    std::size_t rows = 0;
    for (const GroupMetrics* g : groups) rows += 1 + g->counts.size();
    any_long |= rows > kLongTableRows;
  }
  std::string out = fmt::format(
      "% scalebench report: scaling results, one table per system. Needs \\usepackage{{booktabs}}"
      "{} in the preamble.\n"
      "% A character pdflatex cannot typeset (in a label: CJK, Cyrillic, ...) is written\n"
      "% \\scalebenchchar{{HEX}}: the character itself under XeLaTeX or LuaLaTeX (with a font that "
      "has it),\n"
      "% U+HEX under pdflatex. Define \\scalebenchchar before this file to choose otherwise.\n"
      "\\providecommand{{\\scalebenchchar}}[1]{{\\ifdefined\\XeTeXversion\\char\"#1\\relax"
      "\\else\\ifdefined\\directlua\\char\"#1\\relax\\else\\texttt{{U+#1}}\\fi\\fi}}\n",
      any_long ? " and \\usepackage{longtable}" : "");
  for (const auto& [system, groups] : systems) {
    out += "\n" + system_table(system, groups, report);
  }
  return out;
}

}  // namespace scalebench::reports
