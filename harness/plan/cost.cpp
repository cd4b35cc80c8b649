// The cost of a sweep: GPU-hours and billing units at the time limit and at the expected time.
#include "harness/plan/cost.hpp"

#include <fmt/format.h>

#include "harness/plan/plan.hpp"

namespace scalebench::plan {
namespace {

// Billing units per hour of one point's allocation, by the profile's linear formula
// (GPUs, cores, memory and nodes, as CSC's and LUMI's billing pages define it).
double units_per_hour(const Billing& b, const PlannedJob& job) {
  const JobShape& s = job.shape;
  double cores = static_cast<double>(s.tasks() * s.cpus_per_task);
  double mem_gib = s.memory_per_node_gb ? static_cast<double>(*s.memory_per_node_gb * s.nodes) : 0.0;
  return b.per_gpu_hour * static_cast<double>(s.gpus()) + b.per_core_hour * cores +
         b.per_gib_hour * mem_gib + b.per_node_hour * static_cast<double>(s.nodes);
}

}  // namespace

SweepCost sweep_cost(const Plan& plan) {
  SweepCost c;
  c.jobs = static_cast<std::int64_t>(plan.jobs.size()) + (plan.cluster.uses_slurm() ? 1 : 0);
  double gpu_h_expected = 0, bill_expected = 0;
  for (const auto& p : plan.points) {
    const PlannedJob& job = plan.job(p.job);
    double limit_h = static_cast<double>(job.time_s) / 3600.0;
    double rate = units_per_hour(plan.cluster.billing, job);
    ++c.array_tasks;
    c.gpu_hours_at_limit += static_cast<double>(p.gpus) * limit_h;
    c.billing_at_limit += rate * limit_h;
    if (p.expected_s) {
      double h = *p.expected_s / 3600.0;
      c.expected_hours += h;
      gpu_h_expected += static_cast<double>(p.gpus) * h;
      bill_expected += rate * h;
    } else {
      ++c.points_without_estimate;
    }
  }
  if (c.points_without_estimate == 0) {
    c.gpu_hours_expected = gpu_h_expected;
    c.billing_expected = bill_expected;
  }
  return c;
}

std::string format_cost(const Plan& plan, const SweepCost& c) {
  const Billing& b = plan.cluster.billing;
  std::string s;
  if (plan.cluster.uses_slurm())
    s += fmt::format("sweep on {}: {} points in {} job array(s) + 1 report job, {} array task(s)\n",
                     plan.cluster.name, plan.points.size(), plan.jobs.size(), c.array_tasks);
  else
    s += fmt::format("sweep on {}: {} points, run one after another by `scalebench sweep`\n",
                     plan.cluster.name, plan.points.size());
  s += fmt::format("  at the time limit ({} per point): {:.2f} GPU-hours, {:.1f} {}\n", plan.spec.time,
                   c.gpu_hours_at_limit, c.billing_at_limit, b.unit);
  if (c.gpu_hours_expected) {
    s += fmt::format("  at the expected run time:       {:.2f} GPU-hours, {:.1f} {}\n",
                     *c.gpu_hours_expected, *c.billing_expected, b.unit);
    s += fmt::format("    (estimate: {:.0f} s start-up + 3 phases x (warm-up + steps) at {:.0f}% of "
                     "the GPU's peak; serial sum {:.2f} h)\n",
                     kAssumedStartupS, kAssumedPeakFraction * 100, c.expected_hours);
  } else {
    s += fmt::format("  at the expected run time:       unknown ({} point(s) have no estimate: the "
                     "profile gives no peak for {})\n",
                     c.points_without_estimate, plan.spec.precision);
  }
  if (b.note) s += fmt::format("  billing: {}\n", *b.note);
  return s;
}

}  // namespace scalebench::plan
