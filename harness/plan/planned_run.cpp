// `scalebench run --plan`: one planned point → RunOptions.
#include "harness/plan/planned_run.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "harness/plan/batch_script.hpp"
#include "harness/plan/plan.hpp"
#include "records/errors.hpp"
#include "records/script_safety.hpp"
#include "workloads/strategies.hpp"

namespace scalebench {
namespace fs = std::filesystem;

namespace {

std::int64_t resolve_point(const plan::Plan& p, std::optional<std::int64_t> point,
                           const fs::path& plan_json) {
  auto n = static_cast<std::int64_t>(p.points.size());
  if (point) {
    if (*point < 0 || *point >= n)
      throw UsageError(fmt::format("--point {} is not in {} (points 0-{})", *point,
                                   plan_json.string(), n - 1));
    return *point;
  }
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (!task)
    throw UsageError(fmt::format("run --plan {}: give --point K (or run inside the plan's job "
                                 "array, which sets SLURM_ARRAY_TASK_ID)",
                                 plan_json.string()));
  std::int64_t k = -1;
  std::string_view t(task);
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), k);
  if (ec != std::errc() || ptr != t.data() + t.size() || k < 0)
    throw UsageError(fmt::format("SLURM_ARRAY_TASK_ID '{}' is not an array index", t));
  const char* job = std::getenv(plan::kJobEnvironmentVariable);
  if (!job)
    throw UsageError(fmt::format("run --plan {} in array task {}: {} is not set (the plan's batch "
                                 "scripts set it; or give --point K)",
                                 plan_json.string(), k, plan::kJobEnvironmentVariable));
  const plan::PlannedJob& j = p.job(job);
  if (k >= static_cast<std::int64_t>(j.points.size()))
    throw UsageError(fmt::format("array task {} is not in job {} of {} (it has {} points)", k, job,
                                 plan_json.string(), j.points.size()));
  return j.points[static_cast<std::size_t>(k)];
}

}  // namespace

RunOptions load_planned_run(const fs::path& plan_json, std::optional<std::int64_t> point) {
  plan::Plan p = plan::read_plan(plan_json);
  std::int64_t index = resolve_point(p, point, plan_json);
  const plan::PlannedPoint& pp = p.points[static_cast<std::size_t>(index)];
  const StrategyInfo* strategy = lookup_strategy(pp.strategy);
  if (!strategy)
    throw UsageError(fmt::format("point {}: unknown strategy '{}' (valid: {})", index,
                                 printable(pp.strategy), strategy_names()));
  if (pp.gpus != pp.processes * pp.devices_per_process)
    throw UsageError(fmt::format("point {}: {} GPUs are not {} processes x {} devices", index,
                                 pp.gpus, pp.processes, pp.devices_per_process));
  RunOptions o;
  o.workload = pp.workload;
  o.strategy = pp.strategy;
  o.backend = pp.backend;
  o.precision = pp.precision;
  o.batch = pp.batch.value_or(0);
  o.global_batch = pp.global_batch;
  o.steps = pp.steps;
  o.warmup = pp.warmup;
  o.image_size = pp.image_size;
  if (strategy->layout == ProcessLayout::per_node) o.devices = pp.devices_per_process;
  fs::path dir = plan_json.parent_path();
  fs::path out = pp.result;
  if (out.is_relative()) out = fs::absolute(dir.empty() ? fs::path(".") : dir) / out;
  o.out = out.lexically_normal().string();
  o.cluster = p.cluster.name;
  // The label stays unset: reports name the system by cluster and GPU model.
  return o;
}

}  // namespace scalebench
