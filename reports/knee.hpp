// The knee of a scaling curve: where adding GPUs stops paying off, and why, in words.
#pragma once

#include <optional>
#include <string>

#include "reports/metrics.hpp"

namespace scalebench::reports {

// The smallest GPU count above the baseline whose efficiency is below `threshold`, or whose
// doubling from half as many GPUs gained less than `min_gain` of throughput.
std::optional<Knee> find_knee(const GroupMetrics& group, double threshold, double min_gain);

// Why the step grew at `at` compared with the baseline: the larger of the excess exposed
// communication and the excess compute time, in words.
std::string knee_cause(const GroupMetrics& group, const CountMetrics& at);

}  // namespace scalebench::reports
