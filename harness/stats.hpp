// Step-time statistics over measured steps.
#pragma once

#include <vector>

#include "records/result.hpp"

namespace scalebench {

// Median, 5th and 95th percentiles (linear interpolation between order statistics), mean,
// sample standard deviation, min, max and count. Throws std::invalid_argument when empty.
StepStats compute_stats(std::vector<double> step_ms);

// Percentile q in [0, 1] of sorted values, linear interpolation (numpy's default).
double percentile_sorted(const std::vector<double>& sorted, double q);

}  // namespace scalebench
