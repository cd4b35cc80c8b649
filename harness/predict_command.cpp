// `scalebench predict`: checks the command line at the edge and hands PredictOptions to reports/.
#include "harness/predict_command.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/report_command.hpp"
#include "records/errors.hpp"
#include "records/numbers.hpp"
#include "records/script_safety.hpp"
#include "reports/predict.hpp"
#include "reports/report.hpp"

namespace scalebench {
namespace {

struct PredictArgs {
  std::vector<std::string> inputs;
  std::optional<std::string> measured_table;
  std::string cluster;
  std::string out;
  std::optional<std::string> gpus;
  std::optional<std::string> max_gpus;
  std::string calibrate = "auto";
  std::string algo = "auto";
  double threshold = 0.8;
  std::string formats = "pdf,png,svg";
  bool beyond_profile = false;
};

std::vector<std::int64_t> parse_counts(const std::string& list) {
  std::vector<std::int64_t> counts;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, comma - start);
    const auto v = parse_whole_number(item);
    if (!v || *v < 1 || *v > 1000000) {
      throw UsageError(fmt::format(
          "--gpus: '{}' is not a GPU count; give a comma-separated list of counts from 1 to "
          "1000000, e.g. 8,16,32",
          printable(item)));
    }
    counts.push_back(*v);
    start = comma + 1;
  }
  return counts;
}

reports::PredictOptions to_options(const PredictArgs& a) {
  reports::PredictOptions o;
  if (a.inputs.empty() && !a.measured_table) {
    throw UsageError("predict: name result folders or files, or give --measured-table FILE.csv");
  }
  if (!a.inputs.empty() && a.measured_table) {
    throw UsageError("predict: give result files or --measured-table, not both");
  }
  if (a.cluster.empty()) throw UsageError("predict: give the cluster with --cluster NAME|FILE");
  if (a.out.empty()) throw UsageError("predict: give the output folder with -o OUT");
  std::error_code ec;
  if (std::filesystem::exists(a.out, ec) && !std::filesystem::is_directory(a.out, ec)) {
    throw UsageError(fmt::format("-o '{}' is a file; give a folder for the prediction", a.out));
  }
  for (const std::string& in : a.inputs) o.inputs.push_back({in, std::nullopt});
  if (a.measured_table) o.measured_table = *a.measured_table;
  o.cluster = a.cluster;
  o.out = a.out;
  if (a.gpus && a.max_gpus) throw UsageError("predict: give --gpus LIST or --max-gpus N, not both");
  if (a.gpus) o.gpus = parse_counts(*a.gpus);
  if (a.max_gpus) {
    const auto v = parse_whole_number(*a.max_gpus);
    if (!v || *v < 2 || *v > 1000000) {
      throw UsageError(
          fmt::format("--max-gpus '{}': give a GPU count from 2 to 1000000", *a.max_gpus));
    }
    o.max_gpus = *v;
  }
  const auto calibration = reports::parse_calibration(a.calibrate);
  if (!calibration) {
    throw UsageError(
        fmt::format("--calibrate '{}': give auto, node, two-node or physics", a.calibrate));
  }
  o.calibrate = *calibration;
  if (a.algo != "auto") {
    const auto algorithm = reports::predict::parse_algorithm(a.algo);
    if (!algorithm)
      throw UsageError(fmt::format("--algo '{}': give auto, ring, tree or hier", a.algo));
    o.algorithm = *algorithm;
  }
  o.threshold = a.threshold;  // checked by reports::project, as every caller of it needs
  o.formats = parse_formats(a.formats);
  o.beyond_profile = a.beyond_profile;
  return o;
}

void run(const PredictArgs& args) {
  const reports::PredictOptions options = to_options(args);
  const reports::PredictSummary s = reports::run_predict(options);
  for (const std::string& w : s.warnings) std::cerr << "scalebench: warning: " << w << '\n';
  if (!s.render.gnuplot_found) {
    std::cerr << "scalebench: warning: gnuplot not found: figures not rendered (their data and "
                 "scripts are in "
              << (options.out / "figures").string() << "; render with: gnuplot render.gp)\n";
  }
  for (const std::string& f : s.render.failures)
    std::cerr << "scalebench: warning: gnuplot failed on " << f << '\n';
  if (!s.schemas.empty())
    std::cout << "result schemas read: " << reports::schema_counts(s.schemas) << '\n';
  std::size_t projected = 0;
  for (const auto& c : s.curves)
    for (const auto& p : c.points) projected += p.measured ? 0 : 1;
  std::cout << fmt::format(
      "projected {} point(s) of {} curve(s) (projected, not measured); wrote {} files to {}\n",
      projected, s.curves.size(), s.written.size(), options.out.string());
  for (const auto& c : s.curves) std::cout << c.text << '\n';
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand(
      "predict",
      "Project data-parallel scaling efficiency past the measured GPU counts from a model "
      "calibrated on the measured node and the cluster profile's network (projected, not "
      "measured)");
  cmd->add_option("inputs", args->inputs, "Result folders (searched recursively) or result files")
      ->type_name("RESULTS");
  cmd->add_option("--measured-table", args->measured_table,
                  "Instead of results: a CSV measured with your own framework, columns "
                  "gpus,nodes,samples_per_s,batch_per_device,model,precision[,parameters]")
      ->type_name("FILE.csv");
  cmd->add_option("--cluster", args->cluster,
                  "Cluster profile: a name (scalebench list clusters) or a JSON file")
      ->type_name("NAME|FILE");
  cmd->add_option("-o,--out", args->out,
                  "Folder for prediction.json, prediction.csv, prediction.txt and figures/")
      ->type_name("OUT");
  cmd->add_option("--gpus", args->gpus,
                  "GPU counts to project, comma-separated (whole nodes past one node)")
      ->type_name("LIST");
  cmd->add_option("--max-gpus", args->max_gpus,
                  "Project node doublings up to this count (default: the profile's largest job, at "
                  "most 1024)")
      ->type_name("N");
  cmd->add_option(
         "--calibrate", args->calibrate,
         "auto (two-node when a 2-node point exists, else node), node, two-node, or physics "
         "(the profile alone, no residual)")
      ->type_name("MODE")
      ->capture_default_str();
  cmd->add_option("--algo", args->algo,
                  "All-reduce algorithm: auto (the fastest the profile lists), ring, tree, hier")
      ->type_name("ALGO")
      ->capture_default_str();
  cmd->add_option("--threshold", args->threshold, "Efficiency the text and figure mark, in (0, 1]")
      ->type_name("F")
      ->capture_default_str();
  cmd->add_option("--formats", args->formats, "Figure formats, comma-separated from pdf, png, svg")
      ->type_name("LIST")
      ->capture_default_str();
  cmd->add_flag("--beyond-profile", args->beyond_profile,
                "Allow GPU counts past what the profile's partitions allow");
  cmd->footer(
      "Every projected point is a model's answer, not a measurement: the files say so, name the "
      "calibration and the assumptions that move the answer most. See docs/predict.md.\n\n"
      "Examples:\n"
      "  scalebench predict results/ --cluster roihu -o prediction/\n"
      "  scalebench predict --measured-table mine.csv --cluster lumi --gpus 16,64,256 -o pred/\n"
      "  scalebench report results/ --prediction prediction/prediction.json -o report/");
  cmd->callback([args] { run(*args); });
}

}  // namespace scalebench
