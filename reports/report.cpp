// Runs a report: load, metrics, figures, documents, publish.
#include "reports/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "records/cluster_profile.hpp"
#include "records/script_safety.hpp"
#include "records/errors.hpp"
#include "reports/documents.hpp"
#include "reports/figures.hpp"
#include "reports/metrics.hpp"
#include "reports/staging.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;

std::vector<InputSpec> input_specs(const ReportOptions& options) {
  std::vector<InputSpec> specs;
  for (const fs::path& p : options.inputs) specs.push_back({p, std::nullopt});
  for (const auto& [label, p] : options.labeled_inputs) specs.push_back({p, label});
  return specs;
}

// DIR/<cluster>.json, read by the one cluster-profile reader (records/): its device unit and
// billing price that cluster's results. A profile that does not parse is bad input (exit 2),
// named with its key. A cluster name from a result that is not a profile name (a path, "..")
// prices nothing.
std::optional<SystemPricing> profile_pricing(const fs::path& dir, const std::string& cluster) {
  if (!is_name(cluster)) return std::nullopt;
  const fs::path path = dir / (cluster + ".json");
  if (!fs::is_regular_file(path)) return std::nullopt;
  const ClusterProfile profile = load_cluster_profile_file(path);
  if (profile.name != cluster)
    throw UsageError(fmt::format("cluster profile {} is named '{}', not '{}': a result's cluster "
                                 "is priced by the profile of that name",
                                 path.string(), printable(profile.name), printable(cluster)));
  SystemPricing pricing;
  pricing.device = profile.device_unit.name;
  pricing.devices_per_billed_gpu = profile.device_unit.per_billed_gpu;
  pricing.per_device_hour = billing_per_gpu_hour(profile);
  if (!profile.billing.unit.empty() && profile.billing.unit != "none")
    pricing.unit = profile.billing.unit;
  return pricing;
}

std::map<std::string, SystemPricing> pricing_by_system(const ReportOptions& options,
                                                       const ResultSet& results) {
  std::map<std::string, SystemPricing> pricing;
  std::map<std::string, std::optional<SystemPricing>> by_cluster;  // each profile read once
  for (const auto& [label, system] : results.systems) {
    if (options.cluster_profiles && system.cluster) {
      auto [it, fresh] = by_cluster.try_emplace(*system.cluster);
      if (fresh) it->second = profile_pricing(*options.cluster_profiles, *system.cluster);
      if (it->second) pricing[label] = *it->second;
    }
    // One rate for every system overrides the profiles' rates (and names no unit of theirs). It
    // is per billed GPU-hour: on LUMI one MI250X, two of its GCD devices.
    if (options.billing_units_per_gpu_hour) {
      SystemPricing& p = pricing[label];
      p.per_device_hour = *options.billing_units_per_gpu_hour / p.devices_per_billed_gpu;
      p.unit = "billing units";
    }
  }
  return pricing;
}

std::map<std::string, std::string> rendered_svgs(const fs::path& dir,
                                                 const std::vector<Figure>& figures) {
  std::map<std::string, std::string> svgs;
  for (const Figure& f : figures) {
    const fs::path svg = dir / (f.name + ".svg");
    if (fs::is_regular_file(svg) && fs::file_size(svg) > 0) svgs[f.name] = read_text(svg);
  }
  return svgs;
}

}  // namespace

ReportSummary run_report(const ReportOptions& options) {
  const ResultSet results = load_results(input_specs(options));
  std::vector<PredictedCurve> projections;
  if (options.prediction) projections = read_prediction_file(*options.prediction);
  std::optional<UntilKneeState> until_knee;
  if (options.skipped) {
    until_knee = read_until_knee_file(*options.skipped);
    // A point the record calls skipped whose result is there ran after all (a gate whose scancel
    // failed): it is measured, so it is not listed as skipped.
    const fs::path plan_dir = options.skipped->parent_path();
    for (CurveDecision& c : until_knee->curves) {
      const std::size_t before = c.skipped.size();
      std::erase_if(c.skipped, [&](const SkippedPoint& p) {
        std::error_code ec;
        return fs::is_regular_file(plan_dir / p.result, ec);
      });
      if (c.skipped.size() != before)
        c.reason += fmt::format(" ({} of the point(s) it skipped ran anyway: their results are measured)",
                                before - c.skipped.size());
    }
  }
  MetricOptions metric_options;
  metric_options.threshold = options.threshold;
  metric_options.min_gain = options.min_gain;
  metric_options.baseline_gpus = options.baseline_gpus;
  metric_options.baseline_full_node = options.baseline_full_node;
  metric_options.pricing = pricing_by_system(options, results);
  std::vector<std::string> grouping_notes;
  const std::vector<GroupMetrics> groups =
      compute_metrics(group_points(results, &grouping_notes), metric_options);
  const std::vector<Figure> figures = build_figures(
      groups, results.busbw_series, FigureOptions{options.threshold, options.formats});

  Staging staging(options.out);
  const fs::path figure_dir = staging.dir() / "figures";
  for (const Figure& f : figures) {
    staging.write("figures/" + f.name + ".dat", f.data);
    staging.write("figures/" + f.name + ".gp", f.script);
  }
  staging.write("figures/render.gp", render_all_script(figures));
  const std::vector<std::string> formats = rendered_formats(options.formats);
  const RenderOutcome render = render_figures(figure_dir, figures, formats, options.gnuplot);

  ReportContent content{
      results,
      groups,
      figures,
      render,
      rendered_svgs(figure_dir, figures),
      options.threshold,
      options.min_gain,
      formats,
      std::any_of(groups.begin(), groups.end(),
                  [](const GroupMetrics& g) { return g.pricing.per_device_hour.has_value(); }),
      std::move(projections),
      grouping_notes,
      std::move(until_knee),
      options.job};
  staging.write("report.html", html_document(content));
  staging.write("report.md", markdown_document(content));
  staging.write("summary.csv", summary_csv(content));
  staging.write("table.tex", latex_table(content));
  staging.write("summary.txt", summary_text(content));
  if (content.job) staging.write("request.csv", request_csv(content));

  ReportSummary summary;
  summary.files_read = results.files_read;
  summary.results = results.points.size();
  summary.schemas = results.schemas;
  for (const PointSample& p : results.points) summary.failed_points += p.status == "ok" ? 0 : 1;
  summary.groups = groups.size();
  summary.figures = figures.size();
  summary.skipped = results.skipped;
  summary.render = render;
  summary.notes = grouping_notes;
  for (const GroupMetrics& g : groups)
    for (const std::string& w : g.warnings) summary.notes.push_back(group_title(g.key) + ": " + w);
  summary.written = staging.publish();
  return summary;
}

std::vector<std::string> warning_lines(const ReportSummary& s, const fs::path& out) {
  std::vector<std::string> lines;
  for (const SkippedFile& f : s.skipped)
    lines.push_back(fmt::format("skipped {}: {}", f.path.string(), f.reason));
  const fs::path figures = out / "figures";
  if (s.figures > 0 && !s.render.gnuplot_found) {
    lines.push_back(fmt::format(
        "gnuplot not found: {} figures not rendered (their data and scripts are in {}); install "
        "gnuplot (Debian: apt-get install gnuplot-nox), then run: cd {} && gnuplot render.gp",
        s.figures, figures.string(), figures.string()));
  }
  for (const std::string& failure : s.render.failures)
    lines.push_back("gnuplot failed on " + failure);
  for (const std::string& note : s.notes) lines.push_back(printable(note));
  return lines;
}

std::string schema_counts(const std::map<std::string, std::size_t>& schemas) {
  std::vector<std::string> parts;
  for (const auto& [schema, n] : schemas) parts.push_back(fmt::format("{} ({})", schema, n));
  return parts.empty() ? std::string("none") : fmt::format("{}", fmt::join(parts, ", "));
}

std::vector<std::string> info_lines(const ReportSummary& s, const fs::path& out) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format(
      "read {} results ({} failed or timed out) from {} files, {} skipped; {} scaling curves",
      s.results, s.failed_points, s.files_read, s.skipped.size(), s.groups));
  lines.push_back("result schemas read: " + schema_counts(s.schemas));
  if (s.render.gnuplot_found)
    lines.push_back(fmt::format("rendered {} of {} figures", s.render.rendered, s.figures));
  lines.push_back(
      fmt::format("wrote {} files to {} (open report.html)", s.written.size(), out.string()));
  return lines;
}

}  // namespace scalebench::reports
