// Sweep presets: strict reading and lookup by name on their search path.
#include "records/sweep_preset.hpp"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include "records/errors.hpp"
#include "records/json_fields.hpp"
#include "records/json_text.hpp"
#include "records/search_path.hpp"
#include "records/script_safety.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {

namespace fs = std::filesystem;

SweepPreset parse_sweep_preset(const nlohmann::json& j, const std::string& where) {
  JsonFields f(j, where);
  SweepPreset p;
  p.where = where;
  p.description = f.opt_str("description");
  p.workloads = f.strings("workloads");
  for (const std::string& w : p.workloads) require_name(w, where + ": workload");
  p.strategies = f.strings("strategies");
  for (const std::string& s : p.strategies)
    vocabulary::require_one_of(s, where + ": strategy", vocabulary::kStrategies);
  if (f.has("gpus")) p.gpus = f.integers("gpus");
  else f.sub("gpus", false);
  p.precision = f.opt_str("precision");
  if (p.precision) vocabulary::require_one_of(*p.precision, where + ": precision", vocabulary::kPrecisions);
  p.batch = f.opt_integer("batch");
  p.global_batch = f.opt_integer("global_batch");
  p.steps = f.opt_integer("steps");
  p.warmup = f.opt_integer("warmup");
  p.image_size = f.opt_integer("image_size");
  p.repeat = f.opt_integer("repeat");
  p.time = f.opt_str("time");
  if (p.time) (void)parse_time_limit(*p.time, where + ": \"time\"");
  f.finish();
  return p;
}

std::vector<fs::path> sweep_search_path() { return data_search_path("sweeps", "SCALEBENCH_SWEEPS"); }

fs::path find_sweep_preset(const std::string& name_or_path) {
  if (name_or_path.empty())
    throw UsageError("--preset: give a preset name (configs/sweeps/NAME.json) or a path to one");
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json"))
    return name_or_path;
  require_name(name_or_path, "--preset");
  const std::vector<fs::path> dirs = sweep_search_path();
  for (const fs::path& dir : dirs) {
    const fs::path candidate = dir / (name_or_path + ".json");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  const std::vector<std::string> names = sweep_preset_names();
  throw UsageError(fmt::format("no sweep preset '{}' (known: {}; looked in {})", name_or_path,
                               names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")),
                               joined_folders(dirs)));
}

std::vector<std::string> sweep_preset_names() {
  std::set<std::string> names;
  for (const fs::path& dir : sweep_search_path()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::error_code file_ec;
      if (e.path().extension() == ".json" && e.is_regular_file(file_ec)) names.insert(e.path().stem().string());
    }
  }
  return {names.begin(), names.end()};
}

SweepPreset load_sweep_preset(const std::string& name_or_path) {
  const fs::path path = find_sweep_preset(name_or_path);
  const nlohmann::json j = read_json_file(
      path, "sweep preset",
      fmt::format("sweep preset {} is a folder; give a preset JSON file", path.string()));
  return parse_sweep_preset(j, "sweep preset " + name_or_path);
}

}  // namespace scalebench
