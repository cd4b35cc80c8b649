// Scaling metrics per group and GPU count: throughput, speedup, efficiency, communication, cost.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/loader.hpp"

namespace scalebench::reports {

// How a system's devices are named and billed: from its cluster profile (report
// --cluster-profiles), or every system at --billing-units-per-gpu-hour.
struct SystemPricing {
  std::string device = "GPU";             // the profile's device unit: "GPU", or "GCD" on LUMI
  double devices_per_billed_gpu = 1;      // LUMI: 2 GCDs (one MI250X) are one billed GPU
  std::optional<double> per_device_hour;  // billing units per device-hour; none: not priced
  std::string unit = "billing units";     // what they are called: "GPU BU", "LUMI GPU-hours"
};

struct MetricOptions {
  double threshold = 0.8;  // efficiency below this marks the knee
  double min_gain = 0.5;  // a doubling that adds less than this fraction of throughput marks it too
  std::optional<std::int64_t> baseline_gpus;  // default: the smallest GPU count with an ok point
  // Instead: each curve's largest successful single-node count (one full node), so that scaling
  // across nodes is measured against the node and not against one device (--baseline node).
  bool baseline_full_node = false;
  std::map<std::string, SystemPricing> pricing;  // by system label, where known
};

// One GPU count of one group; repeats combined (median of medians).
struct CountMetrics {
  std::int64_t gpus = 0;
  std::int64_t nodes = 0;
  std::int64_t batch_per_device = 0;
  std::int64_t global_batch = 0;
  int repeats = 0;                    // successful runs combined here
  int failed = 0;                     // failed or timed-out runs
  std::string status;                 // "ok" when a repeat succeeded, else "failed" or "timeout"
  std::string error;                  // the first failure's error, empty when none
  std::optional<double> step_ms;      // median of the repeats' median full step
  std::optional<double> step_p5_ms;   // spread: lowest p5 over the repeats
  std::optional<double> step_p95_ms;  // spread: highest p95 over the repeats
  std::optional<double> compute_ms;
  std::optional<double> exposed_ms;
  std::optional<double> exposed_share;  // exposed communication / full step
  std::optional<double> overlap;
  std::optional<double> allreduce_ms;
  std::optional<double> busbw_gbps;
  std::optional<double> samples_per_s;  // global
  std::optional<double> samples_per_s_per_gpu;
  std::optional<double> speedup;        // over the baseline count
  std::optional<double> efficiency;     // speedup * baseline / gpus
  std::optional<double> doubling_gain;  // X(n) / X(n/2) - 1; ideal 1
  std::optional<double> gpu_hours_per_1000_steps;
  std::optional<double> billing_units_per_1000_steps;
  // What a proposal is asked for: the cost of a fixed amount of work. Under weak scaling a step
  // does n times the work at n GPUs, so the cost of 1,000 steps grows with n while the cost of
  // the samples barely moves.
  std::optional<double> gpu_hours_per_million_samples;
  std::optional<double> node_hours_per_million_samples;
  std::optional<double> billing_units_per_million_samples;
  // Where a billed GPU is several devices (LUMI: one MI250X is 2 GCDs): the same cost and
  // throughput per billed GPU, so that half an MI250X is not compared with a whole A100.
  std::optional<double> billed_gpu_hours_per_million_samples;
  std::optional<double> samples_per_s_per_billed_gpu;
  bool ok() const { return repeats > 0; }
};

// An efficiency above this is worth a warning: scaling data-parallel training cannot beat
// linear by much unless the baseline was slow or the points do not measure the same step.
inline constexpr double kSuperlinear = 1.05;

struct Knee {
  enum class Rule { efficiency, gain };
  std::int64_t gpus = 0;
  Rule rule = Rule::efficiency;
  std::string reason;  // "efficiency 72% is below 80%"
  std::string cause;   // "communication-bound: 46% of the step is exposed all-reduce at 16 GPUs"
};

struct GroupMetrics {
  GroupKey key;
  std::string backend;
  std::optional<std::int64_t> baseline_gpus;  // none when no count succeeded
  bool baseline_full_node = false;            // the baseline is one full node (--baseline node)
  std::vector<CountMetrics> counts;           // ascending GPU count, failed counts included
  std::optional<Knee> knee;
  // Numbers a reader should not take at face value: an efficiency above kSuperlinear, with its
  // likely cause. One sentence each.
  std::vector<std::string> warnings;
  // The system's device unit and billing (its profile's, or the defaults: GPU, not priced).
  SystemPricing pricing;
  const CountMetrics* at(std::int64_t gpus) const;
  // "GPU"/"GPUs", the profile's unit ("GCD"/"GCDs"), or "device"/"devices" for the CPU backend.
  std::string unit(std::int64_t count) const;
  // "GPU-hours", "GCD-hours" or "device-hours".
  std::string device_hours() const { return unit(1) + "-hours"; }
  bool billed_per_gpu_differs() const { return pricing.devices_per_billed_gpu != 1.0; }
};

// Throws UsageError when options.baseline_gpus is not an ok count of some group, or (with
// baseline_full_node) a group has no successful single-node count.
std::vector<GroupMetrics> compute_metrics(const PointGroups& groups, const MetricOptions& options);

// Combines the repeats of one GPU count (exposed for tests).
CountMetrics combine_repeats(const std::vector<const PointSample*>& repeats);

}  // namespace scalebench::reports
