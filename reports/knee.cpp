// The knee of a scaling curve and its cause in words (rule in docs/report.md).
#include "reports/knee.hpp"

#include <fmt/format.h>

#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

const CountMetrics* previous_ok(const GroupMetrics& group, const CountMetrics& at) {
  const CountMetrics* previous = nullptr;
  for (const CountMetrics& c : group.counts) {
    if (c.gpus < at.gpus && c.ok()) previous = &c;
  }
  return previous;
}

// Leaving the node is the usual reason all-reduce slows down; say so when it happens here.
std::string node_context(const GroupMetrics& group, const CountMetrics& at) {
  const CountMetrics* previous = previous_ok(group, at);
  if (previous == nullptr || previous->nodes >= at.nodes) return "";
  if (previous->nodes == 1) return fmt::format(", the first count that spans {} nodes", at.nodes);
  return fmt::format(", across {} nodes instead of {}", at.nodes, previous->nodes);
}

std::optional<double> exposed_share(const CountMetrics& at) {
  if (at.exposed_share) return at.exposed_share;
  if (at.exposed_ms && at.step_ms && *at.step_ms > 0) return *at.exposed_ms / *at.step_ms;
  return std::nullopt;
}

std::string communication_cause(const GroupMetrics& group, const CountMetrics& at) {
  const std::optional<double> share = exposed_share(at);
  std::string text =
      share ? fmt::format("communication-bound: {} of the step is exposed all-reduce at {} {}",
                          percent(*share), at.gpus, group.unit(at.gpus))
            : fmt::format("communication-bound at {} {}", at.gpus, group.unit(at.gpus));
  if (at.busbw_gbps && *at.busbw_gbps > 0) {
    text += fmt::format(" (all-reduce bus bandwidth {} GB/s)", number(*at.busbw_gbps, 3));
  }
  return text + node_context(group, at);
}

std::string compute_cause(const GroupMetrics& group, const CountMetrics& base,
                          const CountMetrics& at, double ideal_scale) {
  const double ratio = *at.compute_ms / (*base.compute_ms * ideal_scale);
  if (group.key.scaling == "strong") {
    return fmt::format(
        "compute-bound: with {} samples per {} the compute phase takes {:.2f}x its ideal share "
        "of the {}-{} time (too little work per {})",
        at.batch_per_device, group.unit(1), ratio, base.gpus, group.unit(1), group.unit(1));
  }
  return fmt::format(
      "compute-bound: the compute phase takes {:.2f}x as long at {} {} as at {} {} (the slowest "
      "rank sets the step){}",
      ratio, at.gpus, group.unit(at.gpus), base.gpus, group.unit(base.gpus),
      node_context(group, at));
}

std::string step_growth(const GroupMetrics& group, const CountMetrics& base,
                        const CountMetrics& at) {
  if (!base.step_ms || !at.step_ms) return "the results carry no step timings to say why";
  return fmt::format(
      "the step takes {} ms at {} {} against {} ms at {} {}; the results carry no phase timings "
      "to say why",
      number(*at.step_ms, 3), at.gpus, group.unit(at.gpus), number(*base.step_ms, 3), base.gpus,
      group.unit(base.gpus));
}

}  // namespace

std::string knee_cause(const GroupMetrics& group, const CountMetrics& at) {
  const CountMetrics& base = *group.at(*group.baseline_gpus);
  // Strong scaling: ideally every phase shrinks with the GPU count; weak: it stays as it was.
  const double ideal_scale = group.key.scaling == "strong"
                                 ? static_cast<double>(base.gpus) / static_cast<double>(at.gpus)
                                 : 1.0;
  if (base.compute_ms && base.exposed_ms && at.compute_ms && at.exposed_ms &&
      *base.compute_ms > 0) {
    const double excess_compute_ms = *at.compute_ms - *base.compute_ms * ideal_scale;
    const double excess_exposed_ms = *at.exposed_ms - *base.exposed_ms * ideal_scale;
    if (excess_exposed_ms >= excess_compute_ms) return communication_cause(group, at);
    return compute_cause(group, base, at, ideal_scale);
  }
  if (exposed_share(at)) return communication_cause(group, at);
  return step_growth(group, base, at);
}

std::optional<Knee> find_knee(const GroupMetrics& group, double threshold, double min_gain) {
  if (!group.baseline_gpus) return std::nullopt;
  for (const CountMetrics& c : group.counts) {
    if (!c.ok() || c.gpus <= *group.baseline_gpus) continue;
    if (c.efficiency && *c.efficiency < threshold) {
      return Knee{c.gpus, Knee::Rule::efficiency,
                  fmt::format("efficiency {} is below the {} threshold", percent(*c.efficiency),
                              percent(threshold)),
                  knee_cause(group, c)};
    }
    if (c.doubling_gain && *c.doubling_gain < min_gain) {
      return Knee{c.gpus, Knee::Rule::gain,
                  fmt::format("doubling from {} to {} {} added only {} throughput (less than {})",
                              c.gpus / 2, c.gpus, group.unit(c.gpus), percent(*c.doubling_gain),
                              percent(min_gain)),
                  knee_cause(group, c)};
    }
  }
  return std::nullopt;
}

}  // namespace scalebench::reports
