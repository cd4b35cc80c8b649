// Step-time statistics.
#include "harness/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace scalebench {

double percentile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("percentile of no values");
  const double pos = q * double(sorted.size() - 1);
  const std::size_t lo = std::size_t(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - double(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

StepStats compute_stats(std::vector<double> step_ms) {
  if (step_ms.empty()) throw std::invalid_argument("statistics of no steps");
  std::sort(step_ms.begin(), step_ms.end());
  StepStats s;
  s.count = std::int64_t(step_ms.size());
  s.median_ms = percentile_sorted(step_ms, 0.5);
  s.p5_ms = percentile_sorted(step_ms, 0.05);
  s.p95_ms = percentile_sorted(step_ms, 0.95);
  s.min_ms = step_ms.front();
  s.max_ms = step_ms.back();
  s.mean_ms = std::accumulate(step_ms.begin(), step_ms.end(), 0.0) / double(s.count);
  if (s.count > 1) {
    double sq = 0;
    for (double v : step_ms) sq += (v - s.mean_ms) * (v - s.mean_ms);
    s.stdev_ms = std::sqrt(sq / double(s.count - 1));
  }
  return s;
}

}  // namespace scalebench
