// Scaling metrics per group and GPU count (formulas in docs/report.md).
#include "reports/metrics.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>
#include <functional>

#include "records/errors.hpp"
#include "reports/knee.hpp"
#include "reports/median.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

using Field = std::optional<double> PointSample::*;

std::optional<double> median_field(const std::vector<const PointSample*>& ok, Field field) {
  std::vector<double> values;
  for (const PointSample* p : ok) {
    if (p->*field) values.push_back(*(p->*field));
  }
  if (values.empty()) return std::nullopt;
  return median(std::move(values));
}

std::optional<double> extreme_field(const std::vector<const PointSample*>& ok, Field field,
                                    const std::function<bool(double, double)>& better) {
  std::optional<double> best;
  for (const PointSample* p : ok) {
    if (p->*field && (!best || better(*(p->*field), *best))) best = p->*field;
  }
  return best;
}

std::string describe(const GroupKey& key) {
  return fmt::format("{} {} {} batch {} ({} scaling) on {}", key.workload, key.strategy,
                     key.precision, key.batch, key.scaling, key.system);
}

std::int64_t pick_baseline(const GroupMetrics& group, const MetricOptions& options) {
  const std::optional<std::int64_t>& wanted = options.baseline_gpus;
  std::vector<std::int64_t> ok_counts;
  std::optional<std::int64_t> full_node;
  for (const CountMetrics& c : group.counts) {
    if (c.ok()) ok_counts.push_back(c.gpus);
    if (c.ok() && c.nodes == 1) full_node = c.gpus;  // counts ascend: the largest one-node count
  }
  if (options.baseline_full_node) {
    if (full_node) return *full_node;
    throw UsageError(fmt::format(
        "--baseline node: {} has no successful single-node point (its successful GPU counts are "
        "{}); measure one full node or give --baseline N",
        describe(group.key), fmt::join(ok_counts, ", ")));
  }
  if (!wanted) return ok_counts.front();
  if (std::find(ok_counts.begin(), ok_counts.end(), *wanted) != ok_counts.end()) return *wanted;
  throw UsageError(fmt::format(
      "--baseline {}: {} has no successful {}-GPU point; its successful GPU counts are {}", *wanted,
      describe(group.key), *wanted, fmt::join(ok_counts, ", ")));
}

// Speedup over the baseline: throughput ratio for weak scaling, step-time ratio for strong
// scaling (the global batch is fixed, so time to process it is what shrinks).
std::optional<double> speedup_over(const GroupMetrics& group, const CountMetrics& base,
                                   const CountMetrics& c) {
  if (group.key.scaling == "strong") {
    if (!base.step_ms || !c.step_ms || *c.step_ms <= 0) return std::nullopt;
    return *base.step_ms / *c.step_ms;
  }
  if (!base.samples_per_s || !c.samples_per_s || *base.samples_per_s <= 0) return std::nullopt;
  return *c.samples_per_s / *base.samples_per_s;
}

std::optional<double> doubling_gain(const GroupMetrics& group, const CountMetrics& c) {
  if (c.gpus % 2 != 0) return std::nullopt;
  const CountMetrics* half = group.at(c.gpus / 2);
  if (half == nullptr || !half->ok() || !half->samples_per_s || !c.samples_per_s ||
      *half->samples_per_s <= 0) {
    return std::nullopt;
  }
  return *c.samples_per_s / *half->samples_per_s - 1.0;
}

void add_costs(CountMetrics& c, const SystemPricing& pricing) {
  const std::optional<double>& rate = pricing.per_device_hour;
  if (c.step_ms) {
    // n devices busy for 1,000 steps of step_ms each.
    c.gpu_hours_per_1000_steps = static_cast<double>(c.gpus) * *c.step_ms / 3600.0;
    if (rate) c.billing_units_per_1000_steps = *c.gpu_hours_per_1000_steps * *rate;
  }
  if (c.samples_per_s && *c.samples_per_s > 0) {
    // 10^6 samples take 10^6 / X seconds of the whole allocation.
    const double hours = 1e6 / *c.samples_per_s / 3600.0;
    c.gpu_hours_per_million_samples = static_cast<double>(c.gpus) * hours;
    c.node_hours_per_million_samples = static_cast<double>(c.nodes) * hours;
    if (rate) c.billing_units_per_million_samples = *c.gpu_hours_per_million_samples * *rate;
    if (pricing.devices_per_billed_gpu != 1.0) {
      c.billed_gpu_hours_per_million_samples =
          *c.gpu_hours_per_million_samples / pricing.devices_per_billed_gpu;
      if (c.samples_per_s_per_gpu)
        c.samples_per_s_per_billed_gpu = *c.samples_per_s_per_gpu * pricing.devices_per_billed_gpu;
    }
  }
}

// Why an efficiency can be above 100%: the likely cause from the data, for the warning.
std::string superlinear_warning(const GroupMetrics& g, const CountMetrics& base,
                                const CountMetrics& c) {
  std::string cause;
  if (g.key.scaling == "strong" && c.batch_per_device < base.batch_per_device) {
    cause = fmt::format(
        "under strong scaling the per-{} batch fell from {} to {}, and a smaller batch can run "
        "faster per sample (it fits the caches)",
        g.unit(1), base.batch_per_device, c.batch_per_device);
  } else if (base.compute_ms && c.compute_ms && *c.compute_ms < 0.95 * *base.compute_ms) {
    cause = fmt::format(
        "its compute-only step ({} ms) is shorter than the baseline's ({} ms), which does the "
        "same work per {}: the baseline ran slower (a shared, throttled or differently clocked "
        "device, or another node)",
        number(*c.compute_ms, 3), number(*base.compute_ms, 3), g.unit(1));
  } else {
    cause = fmt::format("its throughput per {} is above the baseline's; check that the baseline "
                        "run was not disturbed",
                        g.unit(1));
  }
  return fmt::format("Efficiency {} at {} {} is above {}: {}.", percent(*c.efficiency), c.gpus,
                     g.unit(c.gpus), percent(kSuperlinear), cause);
}

GroupMetrics group_metrics(const GroupKey& key, const std::vector<const PointSample*>& points,
                           const MetricOptions& options) {
  GroupMetrics group;
  group.key = key;
  group.backend = points.front()->backend;
  std::map<std::int64_t, std::vector<const PointSample*>> by_count;
  for (const PointSample* p : points) by_count[p->devices].push_back(p);
  for (const auto& [gpus, repeats] : by_count) group.counts.push_back(combine_repeats(repeats));

  if (const auto pricing = options.pricing.find(key.system); pricing != options.pricing.end())
    group.pricing = pricing->second;
  for (CountMetrics& c : group.counts) add_costs(c, group.pricing);
  const bool any_ok = std::any_of(group.counts.begin(), group.counts.end(),
                                  [](const CountMetrics& c) { return c.ok(); });
  if (!any_ok) return group;
  group.baseline_gpus = pick_baseline(group, options);
  group.baseline_full_node = options.baseline_full_node;
  const CountMetrics& base = *group.at(*group.baseline_gpus);
  for (CountMetrics& c : group.counts) {
    if (!c.ok()) continue;
    c.speedup = speedup_over(group, base, c);
    if (c.speedup)
      c.efficiency = *c.speedup * static_cast<double>(base.gpus) / static_cast<double>(c.gpus);
    c.doubling_gain = doubling_gain(group, c);
    if (c.efficiency && *c.efficiency > kSuperlinear)
      group.warnings.push_back(superlinear_warning(group, base, c));
  }
  group.knee = find_knee(group, options.threshold, options.min_gain);
  return group;
}

}  // namespace

const CountMetrics* GroupMetrics::at(std::int64_t gpus) const {
  for (const CountMetrics& c : counts) {
    if (c.gpus == gpus) return &c;
  }
  return nullptr;
}

std::string GroupMetrics::unit(std::int64_t count) const {
  const std::string noun = backend == "cpu" ? "device" : pricing.device;
  return count == 1 ? noun : noun + "s";
}

CountMetrics combine_repeats(const std::vector<const PointSample*>& repeats) {
  CountMetrics c;
  const PointSample& first = *repeats.front();
  c.gpus = first.devices;
  c.nodes = first.nodes;
  c.batch_per_device = first.batch_per_device;
  c.global_batch = first.global_batch;
  std::vector<const PointSample*> ok;
  for (const PointSample* p : repeats) {
    if (p->status == "ok") {
      ok.push_back(p);
      continue;
    }
    ++c.failed;
    if (c.status.empty()) c.status = p->status;
    if (c.error.empty()) c.error = p->error;
  }
  c.repeats = static_cast<int>(ok.size());
  if (ok.empty()) return c;
  c.status = "ok";
  c.nodes = ok.front()->nodes;
  c.step_ms = median_field(ok, &PointSample::step_ms);
  c.step_p5_ms = extreme_field(ok, &PointSample::step_p5_ms, std::less<double>());
  c.step_p95_ms = extreme_field(ok, &PointSample::step_p95_ms, std::greater<double>());
  c.compute_ms = median_field(ok, &PointSample::compute_ms);
  c.exposed_ms = median_field(ok, &PointSample::exposed_ms);
  c.exposed_share = median_field(ok, &PointSample::exposed_share);
  c.overlap = median_field(ok, &PointSample::overlap);
  c.allreduce_ms = median_field(ok, &PointSample::allreduce_ms);
  c.busbw_gbps = median_field(ok, &PointSample::busbw_gbps);
  c.samples_per_s = median_field(ok, &PointSample::samples_per_s);
  if (!c.samples_per_s && c.step_ms && *c.step_ms > 0) {
    c.samples_per_s = static_cast<double>(c.global_batch) * 1000.0 / *c.step_ms;
  }
  if (c.samples_per_s) c.samples_per_s_per_gpu = *c.samples_per_s / static_cast<double>(c.gpus);
  // One process moves nothing: a bus bandwidth of 0 there is "not applicable", not a rate.
  if (c.busbw_gbps && *c.busbw_gbps == 0.0 && c.gpus == 1) c.busbw_gbps.reset();
  return c;
}

std::vector<GroupMetrics> compute_metrics(const PointGroups& groups, const MetricOptions& options) {
  std::vector<GroupMetrics> out;
  out.reserve(groups.size());
  for (const auto& [key, points] : groups) out.push_back(group_metrics(key, points, options));
  return out;
}

}  // namespace scalebench::reports
