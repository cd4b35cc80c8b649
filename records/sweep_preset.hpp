// Sweep presets (configs/sweeps/*.json): defaults for `plan`'s options, each one optional. The
// format is read strictly here (keys, types, strategy and precision words, the time limit); the
// planner applies its own ranges when it merges a preset with the command line. See docs/slurm.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scalebench {

struct SweepPreset {
  std::string where;  // "sweep preset NAME", for the planner's messages
  std::optional<std::string> description;
  std::vector<std::string> workloads;   // empty: not given
  std::vector<std::string> strategies;  // empty: not given
  std::optional<std::vector<std::int64_t>> gpus;
  std::optional<std::string> precision;
  std::optional<std::int64_t> batch, global_batch, steps, warmup, image_size, repeat;
  std::optional<std::string> time;  // a Slurm time limit, checked by parse_time_limit
};

// Throws UsageError naming `where` and the key.
SweepPreset parse_sweep_preset(const nlohmann::json& j, const std::string& where);
// NAME → the first sweeps/NAME.json beside a folder of the cluster search path; a value with '/'
// or ending in ".json" is a path. Throws UsageError when there is none.
std::filesystem::path find_sweep_preset(const std::string& name_or_path);
SweepPreset load_sweep_preset(const std::string& name_or_path);

}  // namespace scalebench
