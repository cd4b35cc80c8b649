// table.tex: a booktabs table of the scaling results for a proposal.
#include <fmt/format.h>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

constexpr int kColumns = 7;

// Thousands separated by a thin space, as proposals typeset numbers: 12345 -> 12\,345.
std::string latex_count(double value) {
  std::string digits = fmt::format("{:.0f}", value);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out = digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) out += "\\," + digits.substr(i, 3);
  return out;
}

std::string count_row(const GroupMetrics& g, const CountMetrics& c) {
  if (!c.ok()) {
    return fmt::format("    {} & {} & \\multicolumn{{{}}}{{l}}{{\\emph{{{}}}}} \\\\\n", c.gpus,
                       c.nodes, kColumns - 2,
                       latex_escape(c.status == "timeout" ? "timed out" : "failed"));
  }
  const bool knee = g.knee && g.knee->gpus == c.gpus;
  const std::string efficiency =
      c.efficiency ? fmt::format("{:.0f}{}", *c.efficiency * 100.0, knee ? "$^\\dagger$" : "")
                   : "--";
  return fmt::format("    {} & {} & {} & {} & {} & {} & {} \\\\\n", c.gpus, c.nodes,
                     c.samples_per_s ? latex_count(*c.samples_per_s) : "--",
                     c.samples_per_s_per_gpu ? latex_count(*c.samples_per_s_per_gpu) : "--",
                     efficiency,
                     c.exposed_share ? fmt::format("{:.0f}", *c.exposed_share * 100.0) : "--",
                     c.gpu_hours_per_million_samples ? number(*c.gpu_hours_per_million_samples, 3)
                                                     : "--");
}

}  // namespace

std::string latex_table(const ReportContent& report) {
  std::string out = fmt::format(
      "% scalebench report: scaling results. Needs \\usepackage{{booktabs}} in the preamble.\n"
      "\\begin{{table}}[htbp]\n"
      "  \\centering\n"
      "  \\small\n"
      "  \\begin{{tabular}}{{rrrrrrr}}\n"
      "    \\toprule\n"
      "    GPUs & Nodes & Throughput & Per GPU & Efficiency & Exposed comm. & GPU-hours per \\\\\n"
      "         &       & (samples/s) & (samples/s) & (\\%) & (\\% of step) & $10^6$ samples \\\\\n");
  for (const GroupMetrics& g : report.groups) {
    out += "    \\midrule\n";
    out += fmt::format("    \\multicolumn{{{}}}{{l}}{{\\textit{{{}}}}} \\\\\n", kColumns,
                       latex_escape(group_title(g.key)));
    for (const CountMetrics& c : g.counts) out += count_row(g, c);
  }
  out += fmt::format(
      "    \\bottomrule\n"
      "  \\end{{tabular}}\n"
      "  \\caption{{Data-parallel scaling measured with scalebench. Efficiency is relative to the "
      "baseline GPU count $b$ of each set (weak scaling: $E = b\\,X(n) / (n\\,X(b))$; strong "
      "scaling: $E = b\\,t(b) / (n\\,t(n))$); $\\dagger$ marks the knee (efficiency below {}\\,\\% "
      "or a doubling "
      "that added less than {}\\,\\% throughput).}}\n"
      "  \\label{{tab:scalebench-scaling}}\n"
      "\\end{{table}}\n",
      fmt::format("{:.0f}", report.threshold * 100.0),
      fmt::format("{:.0f}", report.min_gain * 100.0));
  return out;
}

}  // namespace scalebench::reports
