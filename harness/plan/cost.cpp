// The cost of a sweep: device-hours and billing units at the time limit and at the expected time,
// the report job included, worded in the profile's device unit (GPU or GCD) and billing unit.
#include "harness/plan/cost.hpp"

#include <fmt/format.h>

#include "harness/plan/plan.hpp"
#include "records/script_safety.hpp"

namespace scalebench::plan {
namespace {

bool billed(const Billing& b) { return b.unit != "none"; }

// "GPU-hours", or "GCD-hours" where Slurm's GPUs are GCDs.
std::string device_hours(const ClusterProfile& c) { return c.device_unit.name + "-hours"; }

}  // namespace

std::string format_amount(const ClusterProfile& c, double dev_h, double units) {
  if (!billed(c.billing)) return fmt::format("{:.2f} {} (no billing units)", dev_h, device_hours(c));
  return fmt::format("{:.2f} {}, {:.1f} {}", dev_h, device_hours(c), units, c.billing.unit);
}

double billing_per_hour(const Billing& b, const JobShape& s) {
  double cores = static_cast<double>(s.tasks() * s.cpus_per_task);
  double mem_gib = s.memory_per_node_gb ? static_cast<double>(*s.memory_per_node_gb * s.nodes) : 0.0;
  double nodes = s.gpus_per_node > 0 ? static_cast<double>(s.nodes) : 0.0;
  return b.per_gpu_hour * static_cast<double>(s.gpus()) + b.per_core_hour * cores +
         b.per_gib_hour * mem_gib + b.per_node_hour * nodes;
}

JobShape report_shape(const Plan& plan) {
  const ClusterProfile& c = plan.cluster;
  JobShape s;
  s.partition = c.report_partition ? *c.report_partition
                : plan.jobs.empty()  ? c.partitions.front().name
                                     : plan.jobs.front().shape.partition;
  s.nodes = 1;
  s.tasks_per_node = 1;
  s.gpus_per_node = c.report_gpus;
  s.cpus_per_task = 1;
  return s;
}

SweepCost sweep_cost(const Plan& plan) {
  SweepCost c;
  c.jobs = static_cast<std::int64_t>(plan.jobs.size()) + (plan.cluster.uses_slurm() ? 1 : 0);
  double gpu_h_expected = 0, bill_expected = 0;
  for (const auto& p : plan.points) {
    const PlannedJob& job = plan.job(p.job);
    double limit_h = static_cast<double>(job.time_s) / 3600.0;
    double rate = billing_per_hour(plan.cluster.billing, job.shape);
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
  if (plan.cluster.uses_slurm()) {
    JobShape r = report_shape(plan);
    double h = static_cast<double>(kReportTimeLimitS) / 3600.0;
    c.report_gpu_hours = static_cast<double>(r.gpus()) * h;
    c.report_billing = billing_per_hour(plan.cluster.billing, r) * h;
  }
  if (c.points_without_estimate == 0) {
    c.gpu_hours_expected = gpu_h_expected;
    c.billing_expected = bill_expected;
  }
  return c;
}

std::string format_cost(const Plan& plan, const SweepCost& c) {
  const ClusterProfile& cl = plan.cluster;
  const Billing& b = cl.billing;
  std::string s;
  if (cl.uses_slurm())
    s += fmt::format("sweep on {}: {} points in {} job array(s) + 1 report job, {} array task(s)\n",
                     cl.name, plan.points.size(), plan.jobs.size(), c.array_tasks);
  else
    s += fmt::format("sweep on {}: {} points, run one after another by `scalebench sweep`\n",
                     cl.name, plan.points.size());
  s += fmt::format("  at the time limit ({} per point): {}\n", plan.spec.time,
                   format_amount(cl, c.gpu_hours_at_limit, c.billing_at_limit));
  if (cl.uses_slurm()) {
    JobShape r = report_shape(plan);
    std::string what = fmt::format("report job (at most {} on {}, 1 core, {} {}{})",
                                   format_time_limit(kReportTimeLimitS), r.partition, r.gpus(),
                                   cl.device_unit.name, r.gpus() == 1 ? "" : "s");
    if (billed(b) && c.report_billing == 0)
      s += fmt::format("  {}: {:g} core-hours, billed outside the {} (from a CPU allocation)\n",
                       what, static_cast<double>(kReportTimeLimitS) / 3600.0, b.unit);
    else
      s += fmt::format("  {}: {}\n", what, format_amount(cl, c.report_gpu_hours, c.report_billing));
    s += fmt::format("  total at the time limit: {}\n",
                     format_amount(cl, c.gpu_hours_at_limit + c.report_gpu_hours,
                            c.billing_at_limit + c.report_billing));
  }
  if (c.gpu_hours_expected) {
    s += fmt::format("  at the expected run time (array tasks): {}\n",
                     format_amount(cl, *c.gpu_hours_expected, *c.billing_expected));
    s += fmt::format("    (estimate: {:.0f} s start-up + 3 phases x (warm-up + steps) at {:.0f}% of "
                     "the GPU's peak; serial sum {:.2f} h)\n",
                     kAssumedStartupS, kAssumedPeakFraction * 100, c.expected_hours);
  } else {
    s += fmt::format("  at the expected run time (array tasks): unknown ({} point(s) have no estimate: the "
                     "profile gives no peak for {})\n",
                     c.points_without_estimate, plan.spec.precision);
  }
  if (cl.device_unit.per_billed_gpu != 1)
    s += fmt::format("  {}: Slurm's GPUs here are {}s, {:g} to one billed GPU\n", cl.name,
                     cl.device_unit.name, cl.device_unit.per_billed_gpu);
  if (b.note) s += fmt::format("  billing: {}\n", *b.note);
  return s;
}

std::string billing_comment(const Plan& plan, const JobShape& shape, std::int64_t time_s,
                            std::string_view who) {
  const ClusterProfile& c = plan.cluster;
  double h = static_cast<double>(time_s) / 3600.0;
  std::int64_t n = shape.gpus();
  std::string held = fmt::format("{:g} h x {} {}{} = {:.2f} {}", h, n, c.device_unit.name,
                                 n == 1 ? "" : "s", h * static_cast<double>(n), device_hours(c));
  if (!billed(c.billing))
    return fmt::format("# billing: none on {} (fair share); {} holds at most {}\n", c.name, who, held);
  double units = billing_per_hour(c.billing, shape) * h;
  return fmt::format("# billing: {} at most {} = {:.1f} {}\n", who, held, units, c.billing.unit);
}

}  // namespace scalebench::plan
