// until_knee.json (schema scalebench.until-knee/1): what the gate of an adaptive sweep (plan
// --until-knee) decided after each wave, and which points it skipped and why. The gate writes it
// in the plan folder; `report --skipped` reads it. docs/slurm.md "Stopping at the knee" has the
// fields.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scalebench {

inline constexpr const char* kUntilKneeSchema = "scalebench.until-knee/1";
inline constexpr const char* kUntilKneeFile = "until_knee.json";

// A projected efficiency (central, and the band's p5 and p95 edges).
struct ProjectedEfficiency {
  double central = 0, low = 0, high = 0;
};

// A point of the plan the sweep did not run.
struct SkippedPoint {
  std::int64_t point = 0;  // the plan's point index
  std::int64_t gpus = 0;
  std::int64_t nodes = 0;
  std::int64_t wave = 0;
  std::string result;  // where its result would have been (relative to the plan folder)
  std::optional<ProjectedEfficiency> projected;
};

// One curve of the sweep: a workload under a strategy.
struct CurveDecision {
  std::string workload;
  std::string strategy;
  std::string state;  // "running" (later waves go on), "stopped" (at the knee, or a failed wave),
                      // "complete" (every wave ran)
  std::optional<std::int64_t> stopped_after_wave;
  std::string reason;  // one sentence, for sweep.log and the report
  std::vector<SkippedPoint> skipped;
};

struct WaveRecord {
  std::int64_t wave = 0;
  std::int64_t nodes = 0;
  std::string decided_at;  // UTC, ISO 8601
  std::int64_t points = 0;
  std::int64_t ok = 0;
  std::vector<std::string> failed;  // "p0004: the error" per point without an ok result
};

struct UntilKneeState {
  std::string schema = kUntilKneeSchema;
  double threshold = 0.8;
  std::int64_t confirm = 1;
  std::string unit = "GPUs";      // what the counts count: "GPUs", or "devices" (the CPU backend)
  std::vector<WaveRecord> waves;  // the waves decided so far, in order
  std::vector<CurveDecision> curves;
};

nlohmann::json to_json(const UntilKneeState& s);
// Strict: throws UsageError naming `where` and the field.
UntilKneeState until_knee_from_json(const nlohmann::json& j, const std::string& where);
UntilKneeState read_until_knee_file(const std::filesystem::path& path);

}  // namespace scalebench
