// The measured fields of a result record from a run's raw phase timings.
#include "records/measurements.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

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

double bus_factor(std::int64_t participants) {
  return 2.0 * double(participants - 1) / double(participants);
}

namespace {

// Gigabytes per second of `bytes` moved in `ms`; 0 when no time was measured.
double gbps(double bytes, double ms) { return ms > 0 ? bytes / (ms * 1e-3) / 1e9 : 0.0; }

}  // namespace

std::vector<double> phase_from_buckets(const std::vector<BucketTiming>& buckets) {
  if (buckets.empty()) return {};
  std::vector<double> phase(buckets.front().step_ms.size(), 0.0);
  for (const BucketTiming& b : buckets) {
    if (b.step_ms.size() != phase.size()) {
      throw std::invalid_argument(fmt::format("bucket {} has {} steps where bucket {} has {}",
                                              b.index, b.step_ms.size(), buckets.front().index,
                                              phase.size()));
    }
    for (std::size_t s = 0; s < phase.size(); ++s) phase[s] += b.step_ms[s];
  }
  return phase;
}

RankSteps rank_step_stats(const std::vector<std::vector<double>>& full_by_rank, bool keep_samples) {
  if (full_by_rank.empty() || full_by_rank.front().empty()) {
    throw std::invalid_argument("rank statistics of no steps");
  }
  const std::size_t steps = full_by_rank.front().size();
  RankSteps out;
  for (std::size_t r = 0; r < full_by_rank.size(); ++r) {
    if (full_by_rank[r].size() != steps) {
      throw std::invalid_argument(fmt::format("rank {} has {} steps where rank 0 has {}", r,
                                              full_by_rank[r].size(), steps));
    }
    const StepStats s = compute_stats(full_by_rank[r]);
    out.ranks.push_back({std::int64_t(r), s.median_ms, s.p95_ms, s.stdev_ms});
  }
  std::vector<double> deviations;
  if (full_by_rank.size() > 1) {
    for (std::size_t step = 0; step < steps; ++step) {
      std::vector<double> at(full_by_rank.size());
      for (std::size_t r = 0; r < at.size(); ++r) at[r] = full_by_rank[r][step];
      std::sort(at.begin(), at.end());
      const double median = percentile_sorted(at, 0.5);
      for (const auto& rank : full_by_rank) deviations.push_back(rank[step] - median);
    }
  }
  if (deviations.size() > 1) out.idiosyncratic_stdev_ms = compute_stats(deviations).stdev_ms;
  if (keep_samples) out.samples_ms = full_by_rank;
  return out;
}

namespace {

double median_of(const std::vector<double>& v) { return compute_stats(v).median_ms; }

}  // namespace

MeasuredFields measure_run(const RunMeasurements& in) {
  if (in.participants < 1) {
    throw std::invalid_argument(fmt::format("measurements with {} participants", in.participants));
  }
  if (in.devices < 1) {
    throw std::invalid_argument(fmt::format("measurements with {} devices", in.devices));
  }
  MeasuredFields m;
  m.compute = compute_stats(in.compute_ms);
  m.communication_phase = compute_stats(in.communication_ms);
  m.full = compute_stats(in.full_ms);
  const double full = m.full.median_ms;
  const double compute = m.compute.median_ms;
  const double allreduce = m.communication_phase.median_ms;

  // A step of no measurable time has no throughput (0, not inf: JSON has no infinity and the
  // reader would refuse the record).
  const double samples_per_s = full > 0 ? double(in.global_batch) / (full / 1e3) : 0.0;
  m.throughput = Throughput{samples_per_s, samples_per_s / double(in.devices)};

  const double factor = bus_factor(in.participants);
  CommunicationRecord& c = m.communication;
  c.exposed_ms = std::max(0.0, full - compute);
  c.allreduce_ms = allreduce;
  c.overlap = allreduce > 0 ? std::clamp(1.0 - c.exposed_ms / allreduce, 0.0, 1.0) : 1.0;
  c.share = full > 0 ? c.exposed_ms / full : 0.0;
  c.algbw_gbps = gbps(in.gradient_bytes, allreduce);
  c.busbw_gbps = c.algbw_gbps * factor;
  for (const BucketTiming& t : in.buckets) {
    BucketRecord b;
    b.index = t.index;
    b.bytes = t.bytes;
    b.tensors = t.tensors;
    b.time_ms = compute_stats(t.step_ms).median_ms;
    b.algbw_gbps = gbps(double(b.bytes), b.time_ms);
    b.busbw_gbps = b.algbw_gbps * factor;
    if (!t.ready_ms.empty()) b.ready_ms = median_of(t.ready_ms);
    c.buckets.push_back(b);
  }
  if (!in.forward_ms.empty() && !in.backward_ms.empty() && !in.optimizer_ms.empty()) {
    m.compute_parts = ComputeParts{median_of(in.forward_ms), median_of(in.backward_ms),
                                   median_of(in.optimizer_ms)};
  }
  if (!in.full_by_rank.empty()) m.rank_steps = rank_step_stats(in.full_by_rank, in.keep_samples);
  return m;
}

void put_measurements(const MeasuredFields& fields, ResultRecord& record) {
  record.phases.compute = fields.compute;
  record.phases.communication = fields.communication_phase;
  record.phases.full = fields.full;
  record.step = fields.full;
  record.throughput = fields.throughput;
  record.communication = fields.communication;
  record.phases.compute_parts = fields.compute_parts;
  record.rank_steps = fields.rank_steps;
}

}  // namespace scalebench
