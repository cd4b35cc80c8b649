// The result record (schema scalebench.result/2; /1 is still read): one JSON file per run point.
// See docs/results.md.
// records/ depends on nlohmann-json and fmt alone, so reports/ reads results on a login node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/durable_file.hpp"

namespace scalebench {

inline constexpr const char* kResultSchema = "scalebench.result/2";  // what a run writes
// /1 (0.2.0 and before) lacks the fields `predict` calibrates on: the compute parts, bucket ready
// times and per-rank step statistics. Everything /1 holds, /2 holds with the same meaning.
inline constexpr const char* kResultSchemaV1 = "scalebench.result/1";
// Whether this build reads records of schema `name` (scalebench.result/1 and /2).
bool readable_result_schema(const std::string& name);

// Step-time statistics over the measured steps (milliseconds).
struct StepStats {
  double median_ms = 0;
  double p5_ms = 0;
  double p95_ms = 0;
  double mean_ms = 0;
  double stdev_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  std::int64_t count = 0;
};

struct RunPoint {
  std::string workload;
  std::string strategy;  // vocabulary::kStrategies
  std::string backend;   // "cpu", "cuda", "hip"
  std::string precision;
  std::int64_t batch_per_device = 0;
  std::int64_t global_batch = 0;
  std::string scaling = "weak";  // "weak": per-device batch fixed; "strong": global batch fixed
  std::int64_t devices = 1;      // devices in the whole run
  std::int64_t nodes = 1;
  std::int64_t devices_per_node = 1;
  std::int64_t world_size = 1;  // processes
  std::int64_t image_size = 0;
  std::int64_t steps = 0;
  std::int64_t warmup = 0;
  nlohmann::json options = nlohmann::json::object();  // strategy options (bucket_mb, overlap, ...)
  std::optional<std::string> cluster;                 // profile name when planned
  std::optional<std::string> label;
};

struct BucketRecord {
  std::int64_t index = 0;
  std::int64_t bytes = 0;
  std::int64_t tensors = 0;
  double time_ms = 0;
  double algbw_gbps = 0;
  double busbw_gbps = 0;
  // Median over the compute-only phase of the time from backward's start until this bucket's
  // last gradient was computed (/2; absent in /1 and where the step ran several replicas).
  std::optional<double> ready_ms;
};

struct CommunicationRecord {
  double exposed_ms = 0;  // full - compute (median), never below 0
  double overlap = 0;     // 1 - exposed / communication, in [0, 1]
  double share = 0;       // exposed / full: the part of the step that is communication
  double allreduce_ms = 0;     // median of the communication-only phase
  double algbw_gbps = 0;       // whole gradient: bytes / allreduce time
  double busbw_gbps = 0;       // algbw * 2(n-1)/n (nccl-tests doc/PERFORMANCE.md)
  std::vector<BucketRecord> buckets;
  std::string check = "skipped";  // "passed", "failed", "skipped"
  // The all-reduce algorithm: "ring" (the MPI communicator's reduce-scatter + all-gather),
  // "nccl-auto"/"rccl-auto" (the library's tuner), "nccl:<NCCL_ALGO>"; absent in older records.
  std::optional<std::string> algorithm;
};

struct Throughput {
  double samples_per_s = 0;
  double samples_per_s_per_device = 0;
};

struct ModelRecord {
  std::int64_t parameters = 0;
  double forward_flops_per_sample = 0;  // at the run's image size
  std::int64_t layers = 0;
  std::int64_t gradient_bytes = 0;
};

struct RankRecord {
  std::int64_t rank = 0;
  std::string host;
  std::vector<std::int64_t> devices;  // device indices this rank drives
};

struct SystemRecord {
  std::string hostname;
  std::string cpu_model;
  std::optional<std::string> gpu_model;
  std::optional<std::int64_t> device_memory_bytes;
  std::map<std::string, std::string> versions;
  std::vector<RankRecord> ranks;
};

struct SlurmRecord {
  std::optional<std::string> job_id;
  std::optional<std::string> array_job_id;
  std::optional<std::string> array_task_id;
  std::optional<std::string> nodelist;
};

struct Provenance {
  std::string scalebench_version;
  std::string git_commit;
  std::string command_line;
  std::string start_time;  // ISO 8601 UTC
  std::string end_time;
  std::optional<SlurmRecord> slurm;
  // Rank 0's variables that change communication or compute (NCCL_*, OMP_*, UCX_*, ...;
  // filtered_environment in harness/system_info.hpp), by name. Empty in records of 0.2.0 and before.
  std::map<std::string, std::string> environment;
};

struct Telemetry {
  std::optional<double> mean_power_w;
  std::optional<double> energy_per_sample_j;
  std::optional<std::int64_t> peak_memory_bytes;
  std::optional<double> mean_utilization;
  std::optional<double> mean_sm_clock_mhz;
};

// The compute-only phase by part: the medians over its steps of forward, backward and the
// optimizer, each the slowest rank's (/2).
struct ComputeParts {
  double forward_ms = 0;
  double backward_ms = 0;
  double optimizer_ms = 0;
};

struct Phases {
  std::optional<ComputeParts> compute_parts;
  std::optional<StepStats> compute;
  std::optional<StepStats> communication;
  std::optional<StepStats> full;
};

// The full-step phase rank by rank (/2): a step's time is the slowest rank's, and how much
// slower the slowest of N ranks is grows with N when each rank has noise of its own.
struct RankStepStats {
  std::int64_t rank = 0;
  double median_ms = 0;
  double p95_ms = 0;
  double stdev_ms = 0;
};

struct RankSteps {
  std::vector<RankStepStats> ranks;
  // The idiosyncratic spread: the sample standard deviation of every rank's step time minus
  // that step's median over the ranks (0 with one rank).
  double idiosyncratic_stdev_ms = 0;
  // With `run --samples`: samples_ms[rank][step], each rank's own time of every measured step.
  std::optional<std::vector<std::vector<double>>> samples_ms;
};

struct ResultRecord {
  std::string schema = kResultSchema;
  std::string status = "ok";  // vocabulary::kStatuses: "ok", "failed", "timeout"
  std::optional<std::string> error;
  RunPoint point;
  Phases phases;
  std::optional<StepStats> step;  // the full-step phase, repeated at top level for convenience
  std::optional<Throughput> throughput;
  std::optional<CommunicationRecord> communication;
  ModelRecord model;
  std::optional<Telemetry> telemetry;
  // Compute time of one step by layer class (ms), from a profiled step after the phases
  // (`run --layer-times`); each piece is timed to completion, so the sum exceeds the step.
  std::optional<std::map<std::string, double>> layer_class_ms;
  std::optional<RankSteps> rank_steps;  // /2
  SystemRecord system;
  Provenance provenance;
};

void to_json(nlohmann::json& j, const StepStats& v);
void from_json(const nlohmann::json& j, StepStats& v);
void to_json(nlohmann::json& j, const ResultRecord& v);
// The one strict reader of records (docs/results.md, "Reading"): every field read with its type,
// the fields older records lack given today's defaults, any other key refused, and every check a
// reader of records needs: the schema string; status, point.strategy, point.scaling and
// communication.check from their word lists; point.devices and point.nodes at least 1; a batch
// size. Throws UsageError (a std::runtime_error) naming the JSON path of the first problem, e.g.
// `point.batch_per_device: expected an integer, got "8"`; `v` is unchanged then.
void from_json(const nlohmann::json& j, ResultRecord& v);

// Writes a record durably and atomically (see write_file_atomically). Without `overwrite` the
// final step is link() (or renameat2 RENAME_NOREPLACE), so a record that appeared meanwhile is
// never replaced: that throws. With `overwrite` only a regular file is replaced. Throws
// std::runtime_error with a one-line reason; on any failure nothing is left at `path` that was not
// there before, and no temporary file remains. `may_place`, when given, runs once the record is
// staged (written and fsynced) and just before it is moved into place; when it returns false the
// record is dropped and write_result_file returns false (the run's signal handler took over).
bool write_result_file(const ResultRecord& record, const std::filesystem::path& path,
                       bool overwrite, const std::function<bool()>& may_place = nullptr);
// Reads a record as from_json does. Throws std::runtime_error when the file cannot be read,
// nlohmann::json::parse_error (naming the file) when it is not JSON or too deep or too large.
ResultRecord read_result_file(const std::filesystem::path& path);

}  // namespace scalebench
