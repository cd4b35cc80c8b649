// The plan (plan.json, schema scalebench.plan/1): a sweep spec expanded under a cluster profile
// into run points, each with its index, job shape and expected result path, grouped into one job
// array per shape. plan.json is the single source of truth of a sweep (DESIGN.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/cluster_profile.hpp"
#include "records/vocabulary.hpp"
#include "harness/plan/job_shape.hpp"

namespace scalebench::plan {

inline constexpr const char* kPlanSchema = "scalebench.plan/1";

// What a sweep may ask for: more is refused (a typo such as --repeat 1000000 would otherwise
// write a plan of millions of points). The batch limits are far past any device's memory.
inline constexpr std::int64_t kMaxRepeat = 1000;
inline constexpr std::int64_t kMaxPoints = 10000;
inline constexpr std::int64_t kMaxGpus = 1 << 20;
inline constexpr std::int64_t kMaxBatch = 1 << 20;         // per device
inline constexpr std::int64_t kMaxGlobalBatch = 1 << 30;
inline constexpr std::int64_t kMaxSteps = 1000000;         // measured steps, and warm-up steps
inline constexpr std::int64_t kMaxConcurrent = 1000000;

// Refuses `value` outside [min, max] (min is 0 or 1) with a one-line UsageError naming `what`
// (a flag such as "--repeat" or a preset key) and `unit` ("runs of each point").
void require_count(std::string_view what, std::int64_t value, std::int64_t min, std::int64_t max,
                   std::string_view unit);

// What `scalebench plan` was asked for.
struct SweepSpec {
  std::vector<std::string> workloads;
  std::vector<std::string> strategies{vocabulary::kStrategies.begin(), vocabulary::kStrategies.end()};
  std::vector<std::int64_t> gpus;
  std::string precision = "fp32";
  std::string backend;  // empty: the profile's
  std::optional<std::int64_t> batch;         // per device (weak scaling)
  std::optional<std::int64_t> global_batch;  // strong scaling
  std::int64_t steps = 20;
  std::int64_t warmup = 5;
  std::optional<std::int64_t> image_size;
  std::int64_t repeat = 1;
  std::optional<std::string> account;
  std::string time = "00:30:00";  // per array task
  std::optional<std::int64_t> max_concurrent;
  std::optional<std::string> partition;
  std::optional<std::string> node_type;  // default: the profile's first
  bool round = false;
  bool allow_retired = false;  // plan on a retired cluster (with a warning) instead of refusing
  // The report job's --baseline: a GPU count or "node" (one full node); none: the report's default.
  std::optional<std::string> report_baseline;
  std::string binary;  // the scalebench the scripts run (absolute path or a name on PATH)
  // --until-knee: run in waves by node count and stop each curve past its knee
  // (harness/plan/until_knee.hpp): the efficiency threshold and the further counts that confirm.
  bool until_knee = false;
  double knee_threshold = 0.8;
  std::int64_t knee_confirm = 1;
};

// What the plan needs to know about workloads; the command line fills it from workloads/ (tests
// give a fixed one), so this library does not link the workloads.
struct WorkloadCatalog {
  std::function<void(const std::string&)> check;  // throws UsageError for an unknown workload
  std::function<std::int64_t(const std::string&)> default_batch;
  // Forward FLOPs of one sample at an image size (nullopt: the workload's default).
  std::function<double(const std::string&, std::optional<std::int64_t>)> forward_flops_per_sample;
  // Throws UsageError when the workload does not allow the image size (optional).
  std::function<void(const std::string&, std::int64_t)> check_image_size;
};

struct PlannedPoint {
  std::int64_t index = 0;
  std::string job;  // the job array it belongs to
  std::int64_t array_index = 0;
  std::string workload;
  std::string strategy;
  std::string backend;
  std::string precision;
  std::int64_t gpus = 0;
  std::int64_t nodes = 1;
  std::int64_t gpus_per_node = 1;
  std::int64_t processes = 1;            // MPI ranks / Slurm tasks
  std::int64_t devices_per_process = 1;  // mirrored: all GPUs of a node
  std::optional<std::int64_t> batch;
  std::optional<std::int64_t> global_batch;
  std::int64_t steps = 0;
  std::int64_t warmup = 0;
  std::optional<std::int64_t> image_size;
  std::int64_t repeat = 0;
  std::string result;  // relative to the plan folder
  std::optional<double> expected_s;
};

struct PlannedJob {
  std::string name;    // also SCALEBENCH_JOB in its script
  std::string script;  // file name in the plan folder
  JobShape shape;
  std::int64_t time_s = 0;
  std::vector<std::int64_t> points;  // array index k runs points[k]
};

// A wave of an --until-knee plan: the jobs of one node count; every wave but the last ends in a
// gate job that decides whether the curves go on.
struct Wave {
  std::int64_t nodes = 1;
  std::vector<std::string> jobs;
  std::vector<std::int64_t> points;  // ascending
  std::string gate_script;          // empty for the last wave
};

// The plan's copy of its cluster profile (PLAN/cluster/<name>.json): the report job prices the
// results with it (report --cluster-profiles cluster), whatever the profile search path holds then.
inline constexpr const char* kClusterProfileDir = "cluster";

struct Plan {
  std::string schema = kPlanSchema;
  ClusterProfile cluster;
  SweepSpec spec;
  std::vector<PlannedJob> jobs;
  std::vector<PlannedPoint> points;
  std::vector<std::string> warnings;  // roundings and dropped duplicates
  std::string results_dir = "results";
  std::string logs_dir = "logs";
  std::string report_dir = "report";
  std::string report_script = "report.sbatch";
  std::vector<Wave> waves;  // --until-knee only, by ascending node count

  const PlannedJob& job(const std::string& name) const;
};

// Expands and validates a sweep (UsageError on any refusal). Points of one job shape share one
// job array, split into several arrays of at most the cluster's max_array_size tasks.
Plan make_plan(const SweepSpec& spec, const ClusterProfile& cluster, const WorkloadCatalog& catalog);

nlohmann::json plan_to_json(const Plan& plan);
Plan plan_from_json(const nlohmann::json& j, const std::string& where);
Plan read_plan(const std::filesystem::path& plan_json);

// Writes plan.json, the batch scripts (Slurm profiles) and the results/ and logs/ folders.
// Returns the files written.
std::vector<std::filesystem::path> write_plan(const Plan& plan, const std::filesystem::path& dir);

// Rough run time of one point: start-up plus (warm-up + measured steps) × 3 phases of a step at
// kAssumedPeakFraction of the GPU's dense peak for the precision (nullopt without a peak figure).
// No per-model constant: the FLOPs come from the workload's layer table.
inline constexpr double kAssumedPeakFraction = 0.4;
inline constexpr double kAssumedStartupS = 30.0;
std::optional<double> expected_seconds(const PlannedPoint& p, const NodeType& node,
                                       const WorkloadCatalog& catalog);

}  // namespace scalebench::plan
