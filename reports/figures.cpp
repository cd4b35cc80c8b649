// Builds each figure's gnuplot data and script: what is plotted, in which colour, with which marks.
#include "reports/figures.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

// Okabe-Ito colours: safe for colour-blind readers and on paper (its yellow is left out).
const char* const kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                "#E69F00", "#56B4E9", "#000000"};
const int kPointTypes[] = {7, 5, 9, 11, 13, 15};

struct Style {
  std::string colour;
  int point_type = 7;
  int dash = 1;
};

struct StrategyStyle {
  const char* strategy;
  Style style;
};

// One colour per strategy in every per-system figure.
const StrategyStyle kStrategyStyles[] = {
    {"ddp", {"#0072B2", 7, 1}},
    {"mirrored", {"#D55E00", 5, 1}},
};

Style strategy_style(const std::string& strategy) {
  for (const StrategyStyle& s : kStrategyStyles) {
    if (strategy == s.strategy) return s.style;
  }
  return {"#009E73", 9, 1};
}

// One colour per system in every figure: systems with results in sorted order, then systems that
// only have micro-benchmarks, so that adding a benchmark file never recolours a system.
class SystemStyles {
 public:
  explicit SystemStyles(const std::vector<GroupMetrics>& groups,
                        const std::vector<BusbwSeries>& busbw) {
    std::set<std::string> with_results;
    for (const GroupMetrics& g : groups) with_results.insert(g.key.system);
    for (const std::string& system : with_results) index_.emplace(system, index_.size());
    for (const BusbwSeries& s : busbw) index_.emplace(s.system, index_.size());
  }
  Style of(const std::string& system) const {
    const std::size_t i = index_.at(system);
    const std::size_t colours = std::size(kPalette);
    return {kPalette[i % colours], kPointTypes[i % std::size(kPointTypes)],
            static_cast<int>(1 + i / colours)};
  }

 private:
  std::map<std::string, std::size_t> index_;
};

struct XY {
  double x = 0;
  double y = 0;
  std::optional<double> ideal;
};

struct LineSeries {
  std::string title;
  Style style;
  std::vector<XY> points;
};

struct Marker {
  double x = 0;
  double y = 0;  // ignored for failures, drawn at the bottom of the plot
  std::string text;
  std::string colour;
};

struct LineFigure {
  Figure figure;  // name, kind, workload and caption; data and script are filled in
  std::string title;
  std::string xlabel;
  std::string ylabel;
  bool log_y = false;  // x is always log2: GPU counts and message sizes double
  std::vector<std::pair<double, std::string>> xtics;
  double y_min = 0;
  double y_max = 1;
  std::optional<double> threshold_pct;
  std::vector<LineSeries> series;
  std::vector<Marker> knees;
  bool knee_text = true;  // label each knee with its count (too crowded when comparing systems)
  std::vector<Marker> failures;
};

}  // namespace

// Whole numbers (GPU counts, bytes) exactly; measurements to 6 significant digits.
std::string data_number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

// Titles have two lines, what and on which system, then the setting: one long line would be
// clipped at the figure's edge. Comments, data headers and captions take them on one line.
std::string one_line(std::string title) {
  for (auto at = title.find('\n'); at != std::string::npos; at = title.find('\n', at)) {
    title.replace(at, 1, ", ");
  }
  return title;
}

std::string script_header(const Figure& figure, const std::string& title,
                          const std::vector<std::string>& formats) {
  return fmt::format(
      "# scalebench report figure: {}\n"
      "# Data: {}.dat. Restyle freely, then re-render in this folder with: gnuplot {}.gp\n"
      "# (only some formats: gnuplot -e 'formats=\"png\"' {}.gp)\n"
      "reset\n"
      "if (!exists(\"formats\")) formats = \"{}\"\n",
      gnuplot_comment(one_line(title)), figure.name, figure.name, figure.name, fmt::join(formats, " "));
}

// Sizes chosen to stay legible when a figure is printed at half a page width.
std::string output_loop(const std::string& name, const std::string& plot) {
  return fmt::format(
      "do for [fmt in formats] {{\n"
      "  if (fmt eq \"pdf\") {{ set terminal pdfcairo size 6in,4in font \"Sans,11\" linewidth 1 "
      "noenhanced }}\n"
      "  if (fmt eq \"png\") {{ set terminal pngcairo size 1200,800 font \"Sans,17\" linewidth 1.6 "
      "noenhanced }}\n"
      "  if (fmt eq \"svg\") {{ set terminal svg size 760,500 font \"Sans,13\" linewidth 1 "
      "noenhanced background rgb \"white\" }}\n"
      "  set output \"{}.\".fmt\n"
      "  {}\n"
      "  unset output\n"
      "}}\n",
      name, plot);
}

std::string common_settings(const std::string& title, const std::string& xlabel,
                            const std::string& ylabel) {
  return fmt::format(
      "set title {}\n"
      "set xlabel {}\n"
      "set ylabel {}\n"
      "set grid back lc rgb \"#dddddd\"\n"
      "set border 3 back\n"
      "set tics nomirror out\n"
      "# The legend sits right of the plot so that it never covers data.\n"
      "set key outside right top vertical Left reverse spacing 1.3\n",
      gnuplot_string(title), gnuplot_string(xlabel), gnuplot_string(ylabel));
}

namespace {

std::string tics_command(const std::vector<std::pair<double, std::string>>& tics) {
  std::vector<std::string> parts;
  for (const auto& [at, label] : tics)
    parts.push_back(fmt::format("{} {}", gnuplot_string(label), data_number(at)));
  return fmt::format("set xtics ({})\n", fmt::join(parts, ", "));
}

// A log axis labelled at 1, 2 and 5 times each power of ten: decades alone leave a short range
// with one or two labels.
std::string log_tics_command(double lo, double hi) {
  std::vector<std::string> tics;
  const int first = static_cast<int>(std::floor(std::log10(lo)));
  const int last = static_cast<int>(std::ceil(std::log10(hi)));
  for (int decade = first; decade <= last; ++decade) {
    for (const double m : {1.0, 2.0, 5.0}) {
      const double at = m * std::pow(10.0, decade);
      if (at < lo || at > hi) continue;
      const std::string label = at >= 1 ? fmt::format("{:.0f}", at) : fmt::format("{:g}", at);
      tics.push_back(fmt::format("\"{}\" {}", label, data_number(at)));
    }
  }
  return fmt::format("set ytics ({})\nset mytics 10\n", fmt::join(tics, ", "));
}

std::string line_data(const LineFigure& f) {
  std::string out = fmt::format("# {}\n# columns: x y{}\n", gnuplot_comment(one_line(f.title)),
                                f.figure.kind == "throughput" ? " ideal" : "");
  for (const LineSeries& s : f.series) {
    out += fmt::format("# {}\n", gnuplot_comment(s.title));
    for (const XY& p : s.points) {
      out += fmt::format("{} {}", data_number(p.x), data_number(p.y));
      if (p.ideal) out += fmt::format(" {}", data_number(*p.ideal));
      out += '\n';
    }
    out += "\n\n";
  }
  return out;
}

// Several marks at one GPU count share one text, in neutral grey; the circles and crosses keep
// their line's colour (crosses are stacked so that none hides another).
std::string marker_commands(const LineFigure& f) {
  std::map<double, int> knees_at, failures_at;
  for (const Marker& k : f.knees) ++knees_at[k.x];
  for (const Marker& m : f.failures) ++failures_at[m.x];
  std::string out;
  std::map<double, double> lowest_knee;
  for (const Marker& k : f.knees) {
    const auto [at, fresh] = lowest_knee.emplace(k.x, k.y);
    if (!fresh) at->second = std::min(at->second, k.y);
  }
  std::set<double> texted_at;
  for (const Marker& k : f.knees) {
    const bool shared = knees_at[k.x] > 1;
    const bool texted = f.knee_text && k.y == lowest_knee[k.x] && texted_at.insert(k.x).second;
    const std::string text_colour = shared ? "#333333" : k.colour;
    // Below and left of the knee is clear: the curve arrives from above left and leaves to the
    // lower right. Near the left edge the text goes right instead.
    const bool near_left_edge = f.xtics.size() > 1 && k.x <= f.xtics[1].first;
    out += fmt::format(
        "set label {} at first {}, first {} {} point pt 6 ps 3 lw 2 lc rgb \"{}\" "
        "tc rgb \"{}\" offset {},-1.4 front\n",
        gnuplot_string(texted ? k.text : ""), data_number(k.x), data_number(k.y),
        near_left_edge ? "left" : "right", k.colour, text_colour, near_left_edge ? "1.2" : "-1.2");
  }
  std::map<double, int> stacked;
  for (const Marker& m : f.failures) {
    const int level = stacked[m.x]++;
    const bool top = level + 1 == failures_at[m.x];
    const std::string text_colour = failures_at[m.x] > 1 ? "#333333" : m.colour;
    out += fmt::format(
        "set label {} at first {}, graph {} center point pt 2 ps 2 lw 2 lc rgb \"{}\" "
        "tc rgb \"{}\" offset 0,1.3 front\n",
        gnuplot_string(top ? m.text : ""), data_number(m.x), data_number(0.05 + 0.05 * level),
        m.colour, text_colour);
  }
  return out;
}

std::string line_plot_command(const LineFigure& f) {
  std::vector<std::string> parts;
  const std::string data = gnuplot_string(f.figure.name + ".dat");
  bool ideal_titled = false;
  for (std::size_t i = 0; i < f.series.size(); ++i) {
    const LineSeries& s = f.series[i];
    parts.push_back(fmt::format(
        "{} index {} using 1:2 with linespoints lw 2 dt {} pt {} ps 1.3 lc rgb \"{}\" title {}",
        i == 0 ? data : "\"\"", i, s.style.dash, s.style.point_type, s.style.colour,
        gnuplot_string(s.title)));
    const bool has_ideal = !s.points.empty() && s.points.front().ideal;
    if (has_ideal) {
      parts.push_back(fmt::format("\"\" index {} using 1:3 with lines lw 1.5 dt 2 lc rgb \"{}\" {}",
                                  i, s.style.colour,
                                  ideal_titled ? "notitle" : "title \"ideal scaling (dashed)\""));
      ideal_titled = true;
    }
  }
  if (f.threshold_pct) {
    parts.push_back(fmt::format(
        "{} with lines lw 1.5 dt 3 lc rgb \"#555555\" title {}", data_number(*f.threshold_pct),
        gnuplot_string(fmt::format("threshold {:.0f}%", *f.threshold_pct))));
  }
  if (!f.knees.empty())
    parts.push_back("NaN with points pt 6 ps 2 lw 2 lc rgb \"#333333\" title \"knee\"");
  if (!f.failures.empty()) {
    parts.push_back(
        "NaN with points pt 2 ps 2 lw 2 lc rgb \"#333333\" title \"failed or timed out\"");
  }
  return "plot " + fmt::format("{}", fmt::join(parts, ", \\\n       "));
}

Figure finish_line_figure(LineFigure f, const std::vector<std::string>& formats) {
  std::string script = script_header(f.figure, f.title, formats);
  script += common_settings(f.title, f.xlabel, f.ylabel);
  script += "set logscale x 2\n";
  script += fmt::format("set xrange [{}:{}]\n", data_number(f.xtics.front().first / 1.4),
                        data_number(f.xtics.back().first * 1.4));
  script += tics_command(f.xtics);
  if (f.log_y) script += "set logscale y 10\n" + log_tics_command(f.y_min, f.y_max);
  script += "set samples 2\n";  // the threshold is a constant: two samples draw it
  script += fmt::format("set yrange [{}:{}]\n", data_number(f.y_min), data_number(f.y_max));
  script += marker_commands(f);
  script += output_loop(f.figure.name, line_plot_command(f));
  f.figure.data = line_data(f);
  f.figure.script = std::move(script);
  return std::move(f.figure);
}

std::vector<std::pair<double, std::string>> count_tics(const std::set<std::int64_t>& counts) {
  std::vector<std::pair<double, std::string>> tics;
  for (const std::int64_t n : counts) tics.emplace_back(static_cast<double>(n), std::to_string(n));
  return tics;
}

// Distinct settings can share a slug ("Mahti A100" and "mahti-a100"): number the later ones.
std::string unique_stem(const std::string& stem, std::set<std::string>& used) {
  std::string name = stem;
  for (int i = 2; used.count(name) > 0; ++i) name = fmt::format("{}-{}", stem, i);
  used.insert(name);
  return name;
}

// Groups that share a plot: one line each.
struct Panel {
  std::string title;
  std::string name_stem;
  std::string workload;
  std::vector<const GroupMetrics*> groups;
};

using LineValue = std::optional<double> (*)(const CountMetrics&);

std::optional<double> efficiency_pct(const CountMetrics& c) {
  return c.efficiency ? std::optional<double>(*c.efficiency * 100.0) : std::nullopt;
}
std::optional<double> throughput(const CountMetrics& c) { return c.samples_per_s; }
std::optional<double> throughput_per_gpu(const CountMetrics& c) { return c.samples_per_s_per_gpu; }

struct LineRequest {
  std::string kind;
  std::string ylabel;
  LineValue value;
  bool log_y = false;
  bool ideal = false;      // add the ideal-scaling column (throughput)
  bool threshold = false;  // draw the threshold and mark knees (efficiency)
  bool knee_text = true;   // write "knee: N GPUs" beside each knee
};

std::optional<double> ideal_throughput(const GroupMetrics& g, const CountMetrics& c) {
  if (!g.baseline_gpus) return std::nullopt;
  const CountMetrics& base = *g.at(*g.baseline_gpus);
  if (!base.samples_per_s) return std::nullopt;
  return *base.samples_per_s * static_cast<double>(c.gpus) / static_cast<double>(base.gpus);
}

void set_y_range(LineFigure& f, const LineRequest& request, double threshold) {
  double lo = 0;
  double hi = 0;
  bool any = false;
  for (const LineSeries& s : f.series) {
    for (const XY& p : s.points) {
      for (const double y : {p.y, p.ideal.value_or(p.y)}) {
        lo = any ? std::min(lo, y) : y;
        hi = any ? std::max(hi, y) : y;
        any = true;
      }
    }
  }
  if (request.threshold) {
    f.y_min = 0;
    f.y_max = std::max(110.0, hi * 1.1);
    f.threshold_pct = threshold * 100.0;
  } else if (request.log_y) {
    f.y_min = lo / 1.5;
    f.y_max = hi * 1.5;
  } else {
    f.y_min = 0;
    f.y_max = hi > 0 ? hi * 1.15 : 1.0;
  }
}

// None when no line has a point to draw (e.g. results without throughput).
std::optional<Figure> line_figure(const Panel& panel, const LineRequest& request,
                                  const FigureOptions& options,
                                  const std::function<Style(const GroupMetrics&)>& style_of,
                                  const std::function<std::string(const GroupMetrics&)>& title_of) {
  LineFigure f;
  f.figure.name = request.kind + "-" + panel.name_stem;
  f.figure.kind = request.kind;
  f.figure.workload = panel.workload;
  f.title = panel.title;
  const GroupMetrics& first = *panel.groups.front();
  f.xlabel = "Number of " + first.unit(2);
  f.ylabel = request.ylabel;
  f.log_y = request.log_y;
  f.knee_text = request.knee_text;
  std::set<std::int64_t> counts;
  for (const GroupMetrics* g : panel.groups) {
    LineSeries series{title_of(*g), style_of(*g), {}};
    for (const CountMetrics& c : g->counts) {
      counts.insert(c.gpus);
      if (!c.ok()) {
        f.failures.push_back({static_cast<double>(c.gpus), 0, c.status, series.style.colour});
        continue;
      }
      const std::optional<double> y = request.value(c);
      if (!y || (request.log_y && *y <= 0)) continue;
      series.points.push_back({static_cast<double>(c.gpus), *y,
                               request.ideal ? ideal_throughput(*g, c) : std::nullopt});
    }
    if (request.threshold && g->knee) {
      const CountMetrics& k = *g->at(g->knee->gpus);
      if (k.efficiency) {
        f.knees.push_back({static_cast<double>(k.gpus), *k.efficiency * 100.0,
                           fmt::format("knee: {} {}", k.gpus, g->unit(k.gpus)),
                           series.style.colour});
      }
    }
    if (!series.points.empty()) f.series.push_back(std::move(series));
  }
  if (f.series.empty()) return std::nullopt;
  f.xtics = count_tics(counts);
  set_y_range(f, request, options.threshold);
  return finish_line_figure(std::move(f), rendered_formats(options.formats));
}

// Per system and workload setting: every strategy in one plot.
std::vector<Panel> system_panels(const std::vector<GroupMetrics>& groups) {
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::int64_t,
                      std::string>,
           Panel>
      panels;
  for (const GroupMetrics& g : groups) {
    const GroupKey& k = g.key;
    Panel& p = panels[{k.system, k.workload, k.precision, k.scaling, k.batch, k.variant}];
    if (p.groups.empty()) {
      p.title = fmt::format("{} on {}\n{}", workload_title(k.workload), k.system,
                            group_setting(k, g.unit(1)));
      p.name_stem = slug(fmt::format("{} {} {} b{} {} {}", k.system, k.workload, k.precision,
                                     k.batch, k.scaling, k.variant));
      p.workload = k.workload;
    }
    p.groups.push_back(&g);
  }
  std::vector<Panel> out;
  std::set<std::string> stems;
  for (auto& [key, panel] : panels) {
    panel.name_stem = unique_stem(panel.name_stem, stems);
    out.push_back(std::move(panel));
  }
  return out;
}

// Per workload, strategy, precision and scaling: every system that measured it.
std::vector<Panel> comparison_panels(const std::vector<GroupMetrics>& groups) {
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Panel> panels;
  for (const GroupMetrics& g : groups) {
    const GroupKey& k = g.key;
    Panel& p = panels[{k.workload, k.strategy, k.precision, k.scaling}];
    if (p.groups.empty()) {
      p.title = fmt::format("{} with {}: systems compared\n{}, {} scaling",
                            workload_title(k.workload), k.strategy, k.precision, k.scaling);
      p.name_stem =
          slug(fmt::format("{} {} {} {}", k.workload, k.strategy, k.precision, k.scaling));
      p.workload = k.workload;
    }
    p.groups.push_back(&g);
  }
  std::vector<Panel> out;
  std::set<std::string> stems;
  for (auto& [key, panel] : panels) {
    std::set<std::string> systems;
    for (const GroupMetrics* g : panel.groups) systems.insert(g->key.system);
    if (systems.size() < 2) continue;
    panel.name_stem = unique_stem(panel.name_stem, stems);
    out.push_back(std::move(panel));
  }
  return out;
}

std::string comparison_line_title(const GroupMetrics& g, const Panel& panel) {
  std::set<std::int64_t> batches;
  for (const GroupMetrics* other : panel.groups) batches.insert(other->key.batch);
  std::string title = g.key.system;
  if (batches.size() > 1) title += fmt::format(", batch {}", g.key.batch);
  if (!g.key.variant.empty()) title += ", " + g.key.variant;
  return title;
}

// Stacked bars per GPU count: compute, exposed communication, and what phases do not explain.
Figure breakdown_figure(const GroupMetrics& g, const FigureOptions& options,
                        std::set<std::string>& used_stems) {
  Figure figure;
  figure.name =
      "breakdown-" +
      unique_stem(slug(fmt::format("{} {} {} {} b{} {}", g.key.system, g.key.workload,
                                   g.key.strategy, g.key.precision, g.key.batch, g.key.scaling)),
                  used_stems);
  figure.kind = "breakdown";
  figure.workload = g.key.workload;
  figure.group = g.key;
  figure.caption = fmt::format(
      "Median step time of {} by {} count, split into compute and exposed (not overlapped) "
      "communication.",
      group_title(g.key), g.unit(1));
  const std::string title =
      fmt::format("Step time of {} with {} on {}\n{}", workload_title(g.key.workload),
                  g.key.strategy, g.key.system, group_setting(g.key, g.unit(1)));
  figure.data =
      fmt::format("# {}\n# columns: gpus compute_ms exposed_communication_ms unattributed_ms\n",
                  gnuplot_comment(one_line(title)));
  std::string labels;
  bool any_unattributed = false;
  double max_ms = 0;
  for (std::size_t i = 0; i < g.counts.size(); ++i) {
    const CountMetrics& c = g.counts[i];
    double compute = 0, exposed = 0, rest = 0;
    if (c.ok() && c.step_ms) {
      compute = c.compute_ms.value_or(0);
      exposed = c.exposed_ms.value_or(0);
      rest = std::max(0.0, *c.step_ms - compute - exposed);
      if (rest > 1e-6 * *c.step_ms) any_unattributed = true;
      max_ms = std::max(max_ms, compute + exposed + rest);
    } else if (!c.ok()) {
      labels +=
          fmt::format("set label {} at first {}, graph 0.05 center tc rgb \"#333333\" front\n",
                      gnuplot_string(c.status), i);
    }
    figure.data += fmt::format("{} {} {} {}\n", c.gpus, data_number(compute), data_number(exposed),
                               data_number(rest));
  }
  std::string script = script_header(figure, title, rendered_formats(options.formats));
  script += common_settings(title, "Number of " + g.unit(2), "Step time (ms)");
  script +=
      "set style data histograms\n"
      "set style histogram rowstacked\n"
      "set style fill solid 0.85 border lc rgb \"#333333\"\n"
      "set boxwidth 0.6\n"
      "set xtics scale 0\n";
  script += fmt::format("set yrange [0:{}]\n", data_number(max_ms > 0 ? max_ms * 1.15 : 1.0));
  script += labels;
  const std::string data = gnuplot_string(figure.name + ".dat");
  std::string plot = fmt::format(
      "plot {} using 2:xtic(1) lc rgb \"#56B4E9\" title \"compute\", \\\n"
      "       \"\" using 3 lc rgb \"#D55E00\" title \"exposed communication\"",
      data);
  if (any_unattributed)
    plot += ", \\\n       \"\" using 4 lc rgb \"#BBBBBB\" title \"not split into phases\"";
  script += output_loop(figure.name, plot);
  figure.script = std::move(script);
  return figure;
}

std::vector<std::pair<double, std::string>> byte_tics(const std::vector<BusbwSeries>& series) {
  double lo = 0, hi = 0;
  bool any = false;
  for (const BusbwSeries& s : series) {
    for (const BusbwPoint& p : s.points) {
      lo = any ? std::min(lo, p.bytes) : p.bytes;
      hi = any ? std::max(hi, p.bytes) : p.bytes;
      any = true;
    }
  }
  const int first = static_cast<int>(std::floor(std::log2(lo)));
  const int last = static_cast<int>(std::ceil(std::log2(hi)));
  const int step = std::max(1, (last - first + 7) / 8);  // at most about 8 labels
  std::vector<std::pair<double, std::string>> tics;
  for (int e = first; e <= last; e += step)
    tics.emplace_back(std::ldexp(1.0, e), bytes_text(std::ldexp(1.0, e)));
  return tics;
}

Figure busbw_figure(const std::vector<BusbwSeries>& busbw, const SystemStyles& styles,
                    const FigureOptions& options) {
  LineFigure f;
  f.figure.name = "busbw-message-size";
  f.figure.kind = "busbw";
  f.figure.caption = "All-reduce bus bandwidth by message size from the micro-benchmark results.";
  f.title = "All-reduce bus bandwidth by message size";
  f.xlabel = "Message size (bytes)";
  f.ylabel = "Bus bandwidth (GB/s)";
  double hi = 0;
  for (const BusbwSeries& s : busbw) {
    LineSeries line{s.name, styles.of(s.system), {}};
    for (const BusbwPoint& p : s.points) {
      line.points.push_back({p.bytes, p.busbw_gbps, std::nullopt});
      hi = std::max(hi, p.busbw_gbps);
    }
    f.series.push_back(std::move(line));
  }
  f.xtics = byte_tics(busbw);
  f.y_min = 0;
  f.y_max = hi > 0 ? hi * 1.15 : 1.0;
  return finish_line_figure(std::move(f), rendered_formats(options.formats));
}

std::string panel_caption(const std::string& what, const Panel& panel, double threshold) {
  std::string caption = fmt::format("{}: {}.", what, one_line(panel.title));
  if (what.find("efficiency") != std::string::npos) {
    caption +=
        fmt::format(" Dotted line: the {} threshold; circles mark the knee.", percent(threshold));
  }
  return caption;
}

}  // namespace

std::vector<std::string> rendered_formats(const std::vector<std::string>& requested) {
  std::vector<std::string> formats = requested;
  if (std::find(formats.begin(), formats.end(), "svg") == formats.end()) formats.push_back("svg");
  return formats;
}

std::vector<Figure> build_figures(const std::vector<GroupMetrics>& groups,
                                  const std::vector<BusbwSeries>& busbw,
                                  const FigureOptions& options) {
  const LineRequest efficiency{"efficiency", "Scaling efficiency (%)", efficiency_pct, false, false,
                               true};
  const LineRequest total{"throughput", "Throughput (samples/s)", throughput, true, true, false};
  const LineRequest per_gpu{"compare-throughput-per-gpu",
                            "Throughput per GPU (samples/s)",
                            throughput_per_gpu,
                            false,
                            false,
                            false};
  const LineRequest compare_efficiency{
      "compare-efficiency", "Scaling efficiency (%)", efficiency_pct, false, false, true, false};
  const SystemStyles system_styles(groups, busbw);

  auto by_strategy = [](const GroupMetrics& g) { return strategy_style(g.key.strategy); };
  auto strategy_title = [](const GroupMetrics& g) { return g.key.strategy; };
  std::vector<Figure> figures;
  auto add = [&](std::optional<Figure> figure, std::string caption) {
    if (!figure) return;
    figure->caption = std::move(caption);
    figures.push_back(std::move(*figure));
  };
  for (const Panel& panel : system_panels(groups)) {
    add(line_figure(panel, efficiency, options, by_strategy, strategy_title),
        panel_caption("Scaling efficiency", panel, options.threshold));
    add(line_figure(panel, total, options, by_strategy, strategy_title),
        panel_caption("Throughput, with ideal scaling dashed", panel, options.threshold));
  }
  std::set<std::string> breakdown_stems;
  for (const GroupMetrics& g : groups) {
    if (g.baseline_gpus) figures.push_back(breakdown_figure(g, options, breakdown_stems));
  }
  for (const Panel& panel : comparison_panels(groups)) {
    auto by_system = [&](const GroupMetrics& g) { return system_styles.of(g.key.system); };
    auto system_title = [&](const GroupMetrics& g) { return comparison_line_title(g, panel); };
    add(line_figure(panel, per_gpu, options, by_system, system_title),
        panel_caption("Throughput per GPU", panel, options.threshold));
    add(line_figure(panel, compare_efficiency, options, by_system, system_title),
        panel_caption("Scaling efficiency", panel, options.threshold));
  }
  if (!busbw.empty()) figures.push_back(busbw_figure(busbw, system_styles, options));
  return figures;
}

std::string render_all_script(const std::vector<Figure>& figures) {
  std::string out =
      "# Renders every figure of this report: gnuplot render.gp (in this folder).\n"
      "# Only some formats: gnuplot -e 'formats=\"png\"' render.gp\n";
  for (const Figure& f : figures) out += fmt::format("load {}\n", gnuplot_string(f.name + ".gp"));
  return out;
}

}  // namespace scalebench::reports
