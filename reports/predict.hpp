// `scalebench predict`: measured curves (result files or a table measured elsewhere) and a
// cluster profile in, projected efficiency past the measured scale out, with a band
// (docs/predict.md). Reads files only, like `report`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/cluster_profile.hpp"
#include "reports/gnuplot.hpp"
#include "reports/loader.hpp"
#include "reports/predict_model.hpp"

namespace scalebench::reports {

inline constexpr const char* kPredictionSchema = "scalebench.prediction/1";

enum class Calibration { automatic, node, two_node, physics };
std::string_view to_string(Calibration c);
std::optional<Calibration> parse_calibration(std::string_view text);

struct PredictOptions {
  std::vector<InputSpec> inputs;                        // result files or folders
  std::optional<std::filesystem::path> measured_table;  // --measured-table FILE.csv instead
  std::string cluster;                                  // profile name or file
  std::optional<ClusterProfile> profile;                // instead of loading `cluster` (a plan's own)
  std::filesystem::path out;
  std::vector<std::int64_t> gpus;        // counts to project; empty: doublings of the node
  std::optional<std::int64_t> max_gpus;  // the default doublings up to this count
  Calibration calibrate = Calibration::automatic;
  std::optional<predict::Algorithm> algorithm;  // nullopt: auto, as NCCL chooses
  double threshold = 0.8;
  bool beyond_profile = false;  // allow counts past the profile's partitions
  std::vector<std::string> formats = {"pdf", "png", "svg"};
  std::string gnuplot = "gnuplot";
  int draws = 400;  // Monte Carlo draws of the band
};

// One point of a curve, measured or projected.
struct PredictedPoint {
  std::int64_t gpus = 0;
  std::int64_t nodes = 0;
  bool measured = false;
  double efficiency = 0, low = 0, high = 0;
  double step_ms = 0;
  double samples_per_s = 0;
  std::string dominant;  // the largest loss term against the baseline ("" when measured)
};

// A profile or measured value the projection used, with where it came from.
struct UsedValue {
  std::string name;
  double value = 0;
  std::string unit;
  std::string basis;   // "measured", "fitted", "published", "assumed"
  std::string source;  // the profile's source id, the result file, or why assumed
};

struct PredictedCurve {
  nlohmann::json keys;  // workload or model, strategy, precision, batch_per_device, system
  std::string title;    // one line for captions and the text
  std::string slug;     // file stem
  std::string devices_word = "GPUs";  // "devices" for the CPU backend
  Calibration calibration = Calibration::node;
  nlohmann::json fitted;  // the fitted values and the full-node fit residual
  std::vector<UsedValue> values;
  std::vector<std::string> assumptions;  // the ones that move the answer most, first
  std::int64_t baseline_gpus = 1;
  std::int64_t last_measured_gpus = 1;
  std::vector<PredictedPoint> points;  // ascending GPU count
  std::string text;                    // the curve's paragraph
};

struct PredictSummary {
  std::string cluster;  // the profile's name
  std::vector<PredictedCurve> curves;
  std::vector<std::string> warnings;  // groups that could not be projected, and why
  std::map<std::string, std::size_t> schemas;
  RenderOutcome render;
  std::vector<std::filesystem::path> written;
};

// Projects every curve and writes OUT/prediction.json, prediction.csv, prediction.txt and one
// figure per curve. Throws UsageError (exit 2, nothing written) for bad input: a group without a
// full-node point names the run to add; a profile without inter-node facts names the fields.
PredictSummary run_predict(const PredictOptions& options);

// The curves alone (no files written), for the tests and the adaptive sweep.
PredictSummary project(const PredictOptions& options);

// prediction.json of `summary` (schema scalebench.prediction/1, docs/predict.md).
nlohmann::json prediction_json(const PredictSummary& summary, const PredictOptions& options);

// One row of a measured table (--measured-table): a throughput measured with the user's own
// framework.
struct MeasuredRow {
  std::int64_t gpus = 0, nodes = 0, batch_per_device = 0;
  double samples_per_s = 0;
  std::string model, precision;
  std::optional<std::int64_t> parameters;
  int line = 0;
};
// The CSV text of a measured table: a header naming gpus, nodes, samples_per_s,
// batch_per_device, model, precision (any order) and optionally parameters, then one row a line
// (quotes as RFC 4180). Throws UsageError naming `where` and the line: a missing or unknown
// column, a count or size that is not a whole number in range, a second row for one model,
// precision, GPU count and node count, no rows.
std::vector<MeasuredRow> parse_measured_table(std::string_view text, const std::string& where);

// Parameters of scalebench's own workloads, for a measured table that names one (nullopt for
// another model, which must give its own).
std::optional<std::int64_t> known_model_parameters(std::string_view model);

// Reading a prediction back (report --prediction): the curves and their points. Throws UsageError
// naming the file and field.
std::vector<PredictedCurve> read_prediction_file(const std::filesystem::path& path);

}  // namespace scalebench::reports
