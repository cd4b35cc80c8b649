// Job shapes: GPU count + strategy → nodes, tasks, partition, by the profile's rules (the
// strategy's process layout from workloads/strategies.hpp).
#include "harness/plan/job_shape.hpp"

#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include "records/script_safety.hpp"
#include "records/errors.hpp"
#include "workloads/strategies.hpp"

namespace scalebench::plan {

std::optional<JobShape> shape_on_partition(const ClusterProfile& c, const Partition& p,
                                           const std::string& strategy, std::int64_t gpus,
                                           std::int64_t time_s, std::string* reason) {
  const NodeType& node = c.node_type(p.node_type);
  auto refuse = [&](std::string why) -> std::optional<JobShape> {
    if (reason) *reason = fmt::format("{}: {}", p.name, why);
    return std::nullopt;
  };
  if (gpus < 1) return refuse("needs at least 1 GPU");
  if (gpus < p.min_gpus) return refuse(fmt::format("needs at least {} GPUs per job", p.min_gpus));
  JobShape s;
  s.partition = p.name;
  if (gpus <= node.gpus) {
    s.nodes = 1;
    s.gpus_per_node = gpus;
  } else {
    if (gpus % node.gpus != 0)
      return refuse(fmt::format("{} GPUs do not fill whole nodes of {}", gpus, node.gpus));
    s.nodes = gpus / node.gpus;
    s.gpus_per_node = node.gpus;
  }
  bool full_nodes = s.gpus_per_node == node.gpus;
  if (p.whole_nodes && !full_nodes)
    return refuse(fmt::format("allocates whole nodes of {} GPUs", node.gpus));
  if (s.nodes < p.min_nodes) return refuse(fmt::format("needs at least {} nodes", p.min_nodes));
  if (p.max_nodes && s.nodes > *p.max_nodes)
    return refuse(fmt::format("{} nodes needed, at most {} allowed", s.nodes, *p.max_nodes));
  if (p.max_gpus && gpus > *p.max_gpus)
    return refuse(fmt::format("at most {} GPUs per job", *p.max_gpus));
  if (p.max_time_s && time_s > *p.max_time_s)
    return refuse(fmt::format("time limit {} exceeds its {}", format_time_limit(time_s),
                              format_time_limit(*p.max_time_s)));
  switch (find_strategy(strategy).layout) {
    case ProcessLayout::per_device: s.tasks_per_node = s.gpus_per_node; break;
    case ProcessLayout::per_node: s.tasks_per_node = 1; break;
  }
  s.cpus_per_task = c.resources.cpus_per_gpu * s.gpus_per_task();
  if (c.resources.memory_per_gpu_gb) {
    double gb = *c.resources.memory_per_gpu_gb * static_cast<double>(s.gpus_per_node);
    s.memory_per_node_gb = static_cast<std::int64_t>(gb + 0.5);
  }
  s.exclusive = full_nodes && c.resources.exclusive_full_nodes;
  s.bind_masks = full_nodes && c.binding.has_value();
  return s;
}

Placement place(const ClusterProfile& c, const std::string& node_type,
                const std::optional<std::string>& partition, const std::string& strategy,
                std::int64_t gpus, std::int64_t time_s, bool round) {
  std::vector<const Partition*> candidates;
  if (partition) {
    const Partition* p = c.find_partition(*partition);
    if (!p) {
      std::vector<std::string> names;
      for (const auto& q : c.partitions) names.push_back(q.name);
      throw UsageError(fmt::format("cluster {} has no partition '{}' (it has {})", c.name,
                                   *partition, fmt::join(names, ", ")));
    }
    candidates.push_back(p);
  } else {
    for (const auto& p : c.partitions)
      if (p.auto_select && p.node_type == node_type) candidates.push_back(&p);
    if (candidates.empty())
      throw UsageError(fmt::format("cluster {} has no automatic partition for node type {}",
                                   c.name, node_type));
  }
  // A time limit no candidate allows is not a GPU-count problem: say so before rounding counts.
  bool any_time = false;
  std::vector<std::string> limits;
  for (const Partition* p : candidates) {
    if (!p->max_time_s || time_s <= *p->max_time_s) any_time = true;
    else limits.push_back(fmt::format("{} allows {}", p->name, format_time_limit(*p->max_time_s)));
  }
  if (!any_time)
    throw UsageError(fmt::format("--time {} exceeds the time limit of every partition it could use "
                                 "on {}: {}",
                                 format_time_limit(time_s), c.name, fmt::join(limits, ", ")));
  auto try_count = [&](std::int64_t n, std::vector<std::string>* reasons) -> std::optional<JobShape> {
    for (const Partition* p : candidates) {
      std::string why;
      if (auto s = shape_on_partition(c, *p, strategy, n, time_s, &why)) return s;
      if (reasons) reasons->push_back(why);
    }
    return std::nullopt;
  };
  std::vector<std::string> reasons;
  if (auto s = try_count(gpus, &reasons)) return Placement{*s, gpus, std::nullopt};
  std::string why = fmt::format("{} GPUs ({}) on {}: {}", gpus, strategy, c.name, fmt::join(reasons, "; "));
  if (!round) throw UsageError(why + " (--round picks the nearest count the cluster can give)");
  // Nearest feasible count, ties upward: search outwards from the request.
  std::int64_t limit = std::max<std::int64_t>(gpus * 2, 64);
  for (std::int64_t d = 1; d <= limit; ++d) {
    for (std::int64_t n : {gpus + d, gpus - d}) {
      if (n < 1) continue;
      if (auto s = try_count(n, nullptr))
        return Placement{*s, n, fmt::format("rounded {} GPUs to {}: {}", gpus, n, why)};
    }
  }
  throw UsageError(why + " (and no nearby count fits)");
}

}  // namespace scalebench::plan
