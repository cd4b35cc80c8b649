// Batch scripts: one Slurm array script per job shape and the report job's script. The scripts are
// launchers only: every task runs `scalebench run --plan plan.json`, which reads its point.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace scalebench::plan {

struct Plan;
struct PlannedJob;

// The environment variable an array script sets to name its job; `run --plan` reads it together
// with SLURM_ARRAY_TASK_ID to find the point.
inline constexpr const char* kJobEnvironmentVariable = "SCALEBENCH_JOB";

std::string array_script(const Plan& plan, const PlannedJob& job);
std::string report_script(const Plan& plan);
// The gate job after wave `wave` of an --until-knee plan: `scalebench gate plan.json --wave K`.
std::string gate_script(const Plan& plan, std::size_t wave);

// Bitwise OR of hexadecimal CPU masks ("0xfe", "0xfe00" → "0xfefe"): the mask of a task that
// drives several GPUs.
std::string or_cpu_masks(const std::vector<std::string>& masks);

}  // namespace scalebench::plan
