// Job shapes: how a GPU count and a strategy become nodes, tasks and a partition under a profile's
// rules (the strategy's process layout: one task per GPU, or one task per node driving all its
// GPUs), and what the cluster refuses or rounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "records/cluster_profile.hpp"

namespace scalebench::plan {

// What every task of a job array gets. Points with equal shapes share one array.
struct JobShape {
  std::string partition;
  std::int64_t nodes = 1;
  std::int64_t tasks_per_node = 1;
  std::int64_t gpus_per_node = 1;
  std::int64_t cpus_per_task = 1;
  std::optional<std::int64_t> memory_per_node_gb;
  bool exclusive = false;
  bool bind_masks = false;  // full nodes with a profile binding: srun --cpu-bind=mask_cpu:...

  std::int64_t gpus() const { return nodes * gpus_per_node; }
  std::int64_t tasks() const { return nodes * tasks_per_node; }
  std::int64_t gpus_per_task() const { return gpus_per_node / tasks_per_node; }
  auto operator<=>(const JobShape&) const = default;
};

// The shape for `gpus` GPUs under `strategy` on `partition`, or the reason the partition cannot
// give it (nullopt + reason). An unknown strategy → UsageError naming the valid ones.
std::optional<JobShape> shape_on_partition(const ClusterProfile& c, const Partition& p,
                                           const std::string& strategy, std::int64_t gpus,
                                           std::int64_t time_s, std::string* reason);

struct Placement {
  JobShape shape;
  std::int64_t gpus = 0;            // may differ from the request when rounded
  std::optional<std::string> warning;  // set when rounded
};

// Picks the partition by the profile's rules: `partition` when given, otherwise the first
// automatic partition of the node type that can give the shape. A count no partition can give is
// refused (UsageError with every partition's reason) or, with `round`, moved to the nearest count
// that one can give (ties upward) with a warning.
Placement place(const ClusterProfile& c, const std::string& node_type,
                const std::optional<std::string>& partition, const std::string& strategy,
                std::int64_t gpus, std::int64_t time_s, bool round);

}  // namespace scalebench::plan
