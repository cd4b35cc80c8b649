// The data-parallel strategies scalebench knows, as one explicit table: how each lays out its
// processes and which of its options a result records. Device-free, so that the planner and a
// report-only build can use it.
//
// A strategy is two things: this row (what the planner, the run's set-up and the result record
// need to know) and its file (ddp.cpp, mirrored.cpp: how its gradients travel, a
// make_<name>(model, options) returning a StrategyConfig). The builders need the model's
// parameter tensors and so the device side; data_parallel.cpp maps each row's name to its
// builder (make_strategy), and a test checks that every row here has one there.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace scalebench {

// per_device: one process per device (ddp). per_node: one process per node driving all of the
// node's devices (mirrored).
enum class ProcessLayout { per_device, per_node };

// Every strategy option a run may be given, whichever strategy uses it (RunOptions makes one).
struct StrategyOptions {
  double bucket_mb = 25.0;        // ddp bucket cap
  double first_bucket_mb = 1.0;   // ddp first bucket cap
  bool overlap = true;            // ddp: all-reduce during backward
  std::int64_t packs = 1;         // mirrored: gradient packs
  bool graph = false;             // GPU: the step's compute captured in a graph
  std::int64_t devices_per_process = 1;
};

struct StrategyInfo {
  std::string_view name;  // one of vocabulary::kStrategies
  ProcessLayout layout;
  std::string_view description;
  // The options this strategy uses, as a result's point.options records them.
  nlohmann::json (*recorded_options)(const StrategyOptions& options);
};

std::span<const StrategyInfo> strategies();
std::string strategy_names();  // "ddp, mirrored"
// The row named `name`, or nullptr.
const StrategyInfo* lookup_strategy(std::string_view name);
// The row named `name`; UsageError "unknown strategy 'X' (valid: ddp, mirrored)" otherwise.
const StrategyInfo& find_strategy(std::string_view name);

}  // namespace scalebench
