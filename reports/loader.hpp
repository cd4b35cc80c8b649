// Finding, reading and checking result files, and grouping their points into scaling curves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reports/microbench.hpp"

namespace scalebench::reports {

// One input as the user named it: a result file, a micro-benchmark file or a folder searched
// recursively for *.json. A label names the system of every result found under it.
struct InputSpec {
  std::filesystem::path path;
  std::optional<std::string> label;
};

// One result file reduced to what a report uses (memory stays proportional to the file count).
struct PointSample {
  std::filesystem::path path;
  std::string system;  // the system label (see system_label)
  std::string workload;
  std::string strategy;
  std::string precision;
  std::string scaling;  // "weak" or "strong"
  std::string backend;
  std::int64_t batch_per_device = 0;
  std::int64_t global_batch = 0;
  std::int64_t devices = 1;
  std::int64_t nodes = 1;
  std::int64_t devices_per_node = 1;
  // What else changes the step, so that points differing in it are never repeats of each other.
  std::int64_t image_size = 0;
  std::int64_t steps = 0;
  std::string options;  // the strategy options as compact JSON (bucket_mb, overlap, graphs, ...)
  std::string scalebench_version;
  std::string git_commit;
  std::string status;  // "ok", "failed", "timeout"
  std::string error;   // empty when the run gave none
  // Measurements of an ok point; any may be missing in an older or partial record.
  std::optional<double> step_ms;  // median full step
  std::optional<double> step_p5_ms;
  std::optional<double> step_p95_ms;
  std::optional<double> compute_ms;  // median of the compute-only phase
  std::optional<double> exposed_ms;  // full - compute
  std::optional<double> exposed_share;
  std::optional<double> overlap;
  std::optional<double> allreduce_ms;
  std::optional<double> busbw_gbps;
  std::optional<double> samples_per_s;
};

// The environment of one system, taken from its results (the first one read, plus every host).
struct SystemInfo {
  std::string label;
  std::optional<std::string> cluster;
  std::string gpu_model;  // empty for the CPU backend
  std::string cpu_model;
  std::string backend;
  std::optional<std::int64_t> device_memory_bytes;
  std::map<std::string, std::string> versions;
  std::string scalebench_version;
  std::set<std::string> hostnames;  // at most kMaxHostnames kept
  std::size_t result_files = 0;
};
inline constexpr std::size_t kMaxHostnames = 16;

struct SkippedFile {
  std::filesystem::path path;
  std::string reason;
};

struct ResultSet {
  std::vector<PointSample> points;
  std::map<std::string, SystemInfo> systems;  // by label
  std::vector<BusbwSeries> busbw_series;      // from micro-benchmark files, may be empty
  std::vector<SkippedFile> skipped;
  std::size_t files_read = 0;
  std::map<std::string, std::size_t> schemas;  // results read, by schema version
};

// The whole content of a file; throws std::runtime_error when it cannot be read.
std::string read_text(const std::filesystem::path& path);

// Reads every input. Malformed, truncated and foreign files, and records the strict reader
// refuses (from_json, records/result.hpp: a wrong type, a missing or unknown key, a bad value) are
// skipped with their path and reason; the reason names the JSON path ("invalid result:
// point.devices: expected an integer, got \"four\""). Throws UsageError for a missing input, an
// input with no results, or a result schema version this build cannot read (it reads
// scalebench.result/1 and /2, also mixed: /2 only adds fields).
ResultSet load_results(const std::vector<InputSpec>& inputs);

// A scaling curve: the points that differ only in their GPU count.
struct GroupKey {
  std::string system;
  std::string workload;
  std::string strategy;
  std::string precision;
  std::string scaling;
  std::int64_t batch = 0;  // per device for weak scaling, global for strong scaling
  // Everything else that changes the step: points that differ in it are separate curves.
  std::int64_t image_size = 0;
  std::int64_t steps = 0;
  std::string options;             // strategy options, compact JSON
  std::string scalebench_version;  // docs/gpu.md: results of different versions are not compared
  // The GPUs per node of the curve's multi-node points (0: the curve is single-node). Where one
  // GPU count was measured on one node and on several (8 GPUs on 1 node and on 2 x 4), each
  // layout is a curve of its own, and both share the single-node points that fit their node.
  std::int64_t devices_per_node = 0;
  // What tells this curve from another with the same first six keys ("image 64 px", "4 GPUs per
  // node", "scalebench 0.1.0"); empty when no other curve shares them.
  std::string variant;
  auto operator<=>(const GroupKey&) const = default;
};

using PointGroups = std::map<GroupKey, std::vector<const PointSample*>>;

// Groups by system, workload, strategy, precision, scaling, batch, image size, steps, strategy
// options, scalebench version and node layout. The pointers refer into `results`, which must
// outlive the groups. Where runs that share the first six keys were split on the others, one
// note per split says so and why ("... differ in image size (64, 224 px): 2 curves") in `notes`,
// when given.
PointGroups group_points(const ResultSet& results, std::vector<std::string>* notes = nullptr);

}  // namespace scalebench::reports
