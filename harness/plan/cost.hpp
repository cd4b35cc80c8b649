// The cost of a sweep before it is submitted: tasks, GPU-hours at the time limit and at the
// expected run time, and the cluster's billing units for both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace scalebench::plan {

struct Plan;

struct SweepCost {
  std::int64_t array_tasks = 0;
  std::int64_t jobs = 0;  // arrays (+1 report job on Slurm)
  double gpu_hours_at_limit = 0;
  double billing_at_limit = 0;
  std::optional<double> gpu_hours_expected;  // nullopt when some point has no estimate
  std::optional<double> billing_expected;
  std::int64_t points_without_estimate = 0;
  double expected_hours = 0;  // sum of the points' estimates (serial run time)
};

SweepCost sweep_cost(const Plan& plan);
// Several lines for the terminal, ending with a newline.
std::string format_cost(const Plan& plan, const SweepCost& cost);

}  // namespace scalebench::plan
