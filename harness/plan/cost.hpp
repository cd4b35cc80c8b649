// The cost of a sweep before it is submitted: tasks, device-hours (what Slurm calls GPUs: GCDs on
// LUMI) at the time limit and at the expected run time, the report job, and the cluster's billing
// units for all of them, in the cluster's own words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/plan/job_shape.hpp"

namespace scalebench::plan {

struct Plan;

// The report job's time limit (#SBATCH --time in report.sbatch, and what it is priced at).
inline constexpr std::int64_t kReportTimeLimitS = 15 * 60;

struct SweepCost {
  std::int64_t array_tasks = 0;
  std::int64_t jobs = 0;  // arrays (+1 report job on Slurm)
  double gpu_hours_at_limit = 0;  // device-hours of the array tasks
  double billing_at_limit = 0;
  double report_gpu_hours = 0;  // the report job at its time limit
  double report_billing = 0;
  std::optional<double> gpu_hours_expected;  // nullopt when some point has no estimate
  std::optional<double> billing_expected;
  std::int64_t points_without_estimate = 0;
  double expected_hours = 0;  // sum of the points' estimates (serial run time)
};

// Billing units per hour of a job of this shape, by the profile's linear rates (GPUs, cores,
// memory, nodes).
double billing_per_hour(const Billing& b, const JobShape& shape);
// The shape the report job asks for: one task, one core, the profile's report_gpus on one node.
JobShape report_shape(const Plan& plan);

SweepCost sweep_cost(const Plan& plan);
// "12.00 GPU-hours, 2400.0 GPU BU" / "63.00 GCD-hours, 31.5 LUMI GPU-hours" / "20.00 GPU-hours
// (no billing units)": device-hours and billing units in the cluster's words.
std::string format_amount(const ClusterProfile& cluster, double device_hours, double units);
// Several lines for the terminal, ending with a newline.
std::string format_cost(const Plan& plan, const SweepCost& cost);
// One comment line for a batch script: what one task of this shape costs at its time limit, in
// the cluster's device unit and billing unit ("# billing: ...\n").
// `who` names what is priced: "each task" of an array, "the job" for the report.
std::string billing_comment(const Plan& plan, const JobShape& shape, std::int64_t time_s,
                            std::string_view who = "each task");

}  // namespace scalebench::plan
