// The request calculator (report --job): what a stated training job costs at each GPU count, from
// the measured throughput. This is the number a compute-allocation proposal must justify.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/metrics.hpp"

namespace scalebench::reports {

// "epochs=90,samples=1281167": `samples` per epoch (required), `epochs` (default 1).
struct JobSpec {
  double epochs = 1;
  std::int64_t samples = 0;
  double total_samples() const { return epochs * static_cast<double>(samples); }
};

// Throws UsageError naming the part that is wrong and what is allowed.
JobSpec parse_job(const std::string& text);

// One GPU count of one curve: the job's wall time and what it would be billed.
struct RequestRow {
  std::int64_t gpus = 0;
  std::int64_t nodes = 0;
  std::optional<double> efficiency;
  double wall_hours = 0;
  double gpu_hours = 0;
  double node_hours = 0;
  std::optional<double> billing_units;
};

// Every successful count with a throughput, ascending.
std::vector<RequestRow> request_rows(const GroupMetrics& g, const JobSpec& job);

// "90 epochs of 1,281,167 samples (115,305,030 samples)"
std::string job_description(const JobSpec& job);

// "12.3 h" below two days, "3.2 days (77 h)" above.
std::string wall_time_text(double hours);

}  // namespace scalebench::reports
