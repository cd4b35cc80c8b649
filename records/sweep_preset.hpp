// Sweep presets (configs/sweeps/*.json, installed as share/scalebench/sweeps): defaults for `plan`'s options, each one optional. The
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
// Where presets are looked up by name, in order (records/search_path.hpp): $SCALEBENCH_SWEEPS
// (':'-separated folders), ~/.config/scalebench/sweeps, the installed share/scalebench/sweeps found
// from the binary's own location — or, for a binary running in its build tree, instead the source
// tree's configs/sweeps.
std::vector<std::filesystem::path> sweep_search_path();
// NAME → the first NAME.json on the search path; a value with '/' or ending in ".json" is a path.
// Throws UsageError naming the presets it knows and the folders it looked in when there is none.
std::filesystem::path find_sweep_preset(const std::string& name_or_path);
// The names of the presets on the search path (NAME of each NAME.json), sorted, each once.
std::vector<std::string> sweep_preset_names();
SweepPreset load_sweep_preset(const std::string& name_or_path);

}  // namespace scalebench
