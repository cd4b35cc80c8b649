// `scalebench run --plan DIR/plan.json [--point K]`: the run options of one planned point.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "harness/run_options.hpp"

namespace scalebench {

// Reads the plan and resolves the point: `point` when given (a global index), otherwise inside a
// Slurm array SLURM_ARRAY_TASK_ID within the job named by SCALEBENCH_JOB (set by the array
// script). Returns the point's options with `out` = its planned result path (made absolute from the
// plan folder) and `cluster` = the profile's name. A missing or invalid point → UsageError.
RunOptions load_planned_run(const std::filesystem::path& plan_json, std::optional<std::int64_t> point);

}  // namespace scalebench
