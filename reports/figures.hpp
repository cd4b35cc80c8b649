// The figures of a report as gnuplot data and script files, kept beside the images they render.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/loader.hpp"
#include "reports/metrics.hpp"

namespace scalebench::reports {

struct Figure {
  std::string name;  // file stem in figures/: NAME.dat, NAME.gp, NAME.svg ...
  std::string kind;  // "efficiency", "throughput", "breakdown", "busbw", "compare-efficiency", ...
  std::string workload;           // the workload it shows; empty for the busbw figure
  std::string caption;            // one sentence for the documents
  std::optional<GroupKey> group;  // the one group a breakdown figure shows
  std::string data;               // text of NAME.dat
  std::string script;             // text of NAME.gp
};

struct FigureOptions {
  double threshold = 0.8;
  std::vector<std::string> formats = {"pdf", "png", "svg"};  // svg is always added (HTML embeds it)
};

// Per system and workload: efficiency and throughput (one line per strategy); per group: the
// step-time breakdown; per workload and strategy measured on several systems: per-GPU throughput
// and efficiency overlaid; busbw by message size when micro-benchmarks were given.
std::vector<Figure> build_figures(const std::vector<GroupMetrics>& groups,
                                  const std::vector<BusbwSeries>& busbw,
                                  const FigureOptions& options);

// render.gp: loads every figure script, to re-render them all with `gnuplot render.gp`.
std::string render_all_script(const std::vector<Figure>& figures);

// Pieces every figure script shares (the predict figures use them too): a number as gnuplot data;
// a title on one line; the script's header comment and `formats` default; the loop that writes
// each format; title, axis labels, grid and legend.
std::string data_number(double v);
std::string one_line(std::string title);
std::string script_header(const Figure& figure, const std::string& title,
                          const std::vector<std::string>& formats);
std::string output_loop(const std::string& name, const std::string& plot);
std::string common_settings(const std::string& title, const std::string& xlabel,
                            const std::string& ylabel);

// The formats a script renders: the requested ones plus svg.
std::vector<std::string> rendered_formats(const std::vector<std::string>& requested);

}  // namespace scalebench::reports
