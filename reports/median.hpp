// The median used wherever repeats are combined.
#pragma once

#include <algorithm>
#include <vector>

namespace scalebench::reports {

// The middle value, or the mean of the two middle values; `values` must not be empty.
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace scalebench::reports
