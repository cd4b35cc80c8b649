// Everything that defines one run point, as given on the command line or read from a plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "workloads/strategies.hpp"

namespace scalebench {

struct RunOptions {
  std::string workload;
  std::string strategy = "ddp";  // a row of strategies() (workloads/strategies.hpp)
  std::string backend;           // empty: the best backend built and present
  std::string precision = "fp32";
  std::int64_t batch = 0;                    // per-device batch (weak scaling); 0: workload default
  std::optional<std::int64_t> global_batch;  // strong scaling: split over all devices
  std::int64_t steps = 20;
  std::int64_t warmup = 5;
  std::optional<std::int64_t> image_size;  // default: the workload's
  std::optional<std::int64_t> devices;     // mirrored: devices this process drives (default all)
  double bucket_mb = 25.0;                 // ddp bucket cap
  double first_bucket_mb = 1.0;            // ddp first bucket cap
  bool overlap = true;                     // ddp: overlap all-reduce with backward
  std::int64_t packs = 1;                  // mirrored: gradient packs
  bool graph = false;                      // GPU: capture the step's compute in a graph
  bool layer_times = false;                // time one extra step by layer class
  bool samples = false;                    // record every rank's time of every full step
  double timeout_s = 300.0;                // no collective waits longer than this
  std::string out;                         // result file path
  bool force = false;                      // replace an existing result file
  std::optional<std::string> cluster;      // set when run from a plan
  std::optional<std::string> label;
  std::string command_line;                // for provenance

  // The strategy's options, for the strategy's builder and the record (`devices_per_process`:
  // the devices this process drives, as the run resolved them).
  StrategyOptions strategy_options(std::int64_t devices_per_process) const {
    return {.bucket_mb = bucket_mb,
            .first_bucket_mb = first_bucket_mb,
            .overlap = overlap,
            .packs = packs,
            .graph = graph,
            .devices_per_process = devices_per_process};
  }
};

}  // namespace scalebench
