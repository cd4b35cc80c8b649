// Batch scripts: the array script of a job shape and the report job's script. Every value that
// enters a script was validated when the profile and the spec were loaded; paths are quoted here.
#include "harness/plan/batch_script.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include "harness/plan/cost.hpp"
#include "harness/plan/plan.hpp"
#include "harness/plan/until_knee.hpp"
#include "records/script_safety.hpp"
#include "records/errors.hpp"

namespace scalebench::plan {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

std::string header(const Plan& plan, const std::string& job_name, const std::string& partition) {
  std::string s = "#!/bin/bash\n";
  s += fmt::format("#SBATCH --job-name=sb-{}\n", job_name);
  if (plan.spec.account) s += fmt::format("#SBATCH --account={}\n", *plan.spec.account);
  s += fmt::format("#SBATCH --partition={}\n", partition);
  const Partition* p = plan.cluster.find_partition(partition);
  if (p && p->licenses) s += fmt::format("#SBATCH --licenses={}\n", *p->licenses);
  return s;
}

// The profile's environment lines (and, for a job on several nodes, its multi-node lines), then
// what every step needs, and only then `set -u`: Lmod 9.2.4's `module` reads unset variables
// (TACC/Lmod#835), and an `export X=...:$X` line may name an unset one.
std::string environment(const Plan& plan, std::int64_t nodes) {
  const ClusterProfile& c = plan.cluster;
  std::string s;
  for (const auto& line : c.environment) s += line + "\n";
  if (nodes > 1)
    for (const auto& line : c.multi_node.environment) s += line + "\n";
  // Since Slurm 22.05 srun no longer inherits --cpus-per-task from the batch job; without this a
  // step's task gets one core (and LUMI's binding masks fall outside the step).
  s += "export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK\n";
  s += "set -u\n";
  return s;
}

std::string gpu_request(const ClusterProfile& c, std::int64_t gpus_per_node) {
  switch (c.gpu_request.style) {
    case GpuRequestStyle::gres:
      if (c.gpu_request.gres_type)
        return fmt::format("#SBATCH --gres=gpu:{}:{}\n", *c.gpu_request.gres_type, gpus_per_node);
      return fmt::format("#SBATCH --gres=gpu:{}\n", gpus_per_node);
    case GpuRequestStyle::gpus_per_node:
      return fmt::format("#SBATCH --gpus-per-node={}\n", gpus_per_node);
    case GpuRequestStyle::none:
      break;
  }
  return "";
}

std::string plan_check() {
  // The scripts refer to plan.json relative to the working directory: scalebench submit passes
  // --chdir=<plan folder>; a hand-run sbatch must be started from the plan folder.
  return "if [ ! -f plan.json ]; then\n"
         "  echo \"scalebench: plan.json not found in $PWD: submit from the plan folder\" >&2\n"
         "  exit 2\n"
         "fi\n";
}

}  // namespace

std::string or_cpu_masks(const std::vector<std::string>& masks) {
  std::string digits;  // least significant first
  for (const auto& m : masks) {
    std::string_view hex = std::string_view(m).substr(2);
    if (digits.size() < hex.size()) digits.resize(hex.size(), '0');
    for (std::size_t i = 0; i < hex.size(); ++i) {
      int v = hex_value(hex[hex.size() - 1 - i]) | hex_value(digits[i]);
      digits[i] = "0123456789abcdef"[v];
    }
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::reverse(digits.begin(), digits.end());
  return "0x" + (digits.empty() ? std::string("0") : digits);
}

std::string array_script(const Plan& plan, const PlannedJob& job) {
  const ClusterProfile& c = plan.cluster;
  const JobShape& sh = job.shape;
  std::string s = header(plan, job.name, sh.partition);
  s += fmt::format("#SBATCH --nodes={}\n", sh.nodes);
  s += fmt::format("#SBATCH --ntasks-per-node={}\n", sh.tasks_per_node);
  s += fmt::format("#SBATCH --cpus-per-task={}\n", sh.cpus_per_task);
  if (sh.memory_per_node_gb) s += fmt::format("#SBATCH --mem={}G\n", *sh.memory_per_node_gb);
  s += gpu_request(c, sh.gpus_per_node);
  if (sh.exclusive) s += "#SBATCH --exclusive\n";
  s += fmt::format("#SBATCH --time={}\n", format_time_limit(job.time_s));
  std::string array = fmt::format("0-{}", job.points.size() - 1);
  if (plan.spec.max_concurrent) array += fmt::format("%{}", *plan.spec.max_concurrent);
  s += fmt::format("#SBATCH --array={}\n", array);
  s += fmt::format("#SBATCH --output={}/%x_%A_%a.out\n", plan.logs_dir);
  s += "\n";
  s += fmt::format("# scalebench sweep on {}: job {} runs {} point(s), one per array task;\n",
                   c.name, job.name, job.points.size());
  s += fmt::format("# task k runs point points[k] of plan.json ({}), each {} task(s) x {} GPU(s).\n",
                   fmt::join(job.points, " "), sh.tasks(), sh.gpus_per_task());
  s += "# This script is only a launcher: `scalebench run --plan` reads the point and writes its\n";
  s += "# result, also when the run fails.\n";
  s += billing_comment(plan, sh, job.time_s);
  if (sh.nodes > 1 && c.multi_node.note) s += fmt::format("# multi-node: {}\n", *c.multi_node.note);
  s += environment(plan, sh.nodes);
  s += plan_check();
  s += fmt::format("export {}={}\n", kJobEnvironmentVariable, job.name);
  std::string launch = "srun";
  for (const auto& a : c.launcher.srun_args) launch += " " + a;
  if (sh.bind_masks) {
    // Masks in local-rank order: the rank that drives GPU k runs on the cores nearest to it.
    std::vector<std::string> masks;
    const auto& all = c.binding->cpu_masks;
    for (std::int64_t t = 0; t < sh.tasks_per_node; ++t) {
      std::vector<std::string> mine(all.begin() + t * sh.gpus_per_task(),
                                    all.begin() + (t + 1) * sh.gpus_per_task());
      masks.push_back(or_cpu_masks(mine));
    }
    launch += fmt::format(" --cpu-bind=mask_cpu:{}", fmt::join(masks, ","));
  }
  s += fmt::format("{} {} run --plan plan.json\n", launch, shell_quote(plan.spec.binary));
  return s;
}

std::string report_script(const Plan& plan) {
  const ClusterProfile& c = plan.cluster;
  const JobShape shape = report_shape(plan);
  std::string s = header(plan, "report", shape.partition);
  s += "#SBATCH --nodes=1\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --cpus-per-task=1\n";
  // Where the partition takes only GPU jobs (Roihu), the report asks for the profile's report_gpus.
  if (shape.gpus_per_node > 0) s += gpu_request(c, shape.gpus_per_node);
  s += fmt::format("#SBATCH --time={}\n", format_time_limit(kReportTimeLimitS));
  s += fmt::format("#SBATCH --output={}/%x_%j.out\n", plan.logs_dir);
  s += "\n";
  s += fmt::format("# scalebench sweep on {}: the report of all {} point(s). scalebench submit\n",
                   c.name, plan.points.size());
  s += "# starts it after every array has ended (--dependency=afterany), failed points included.\n";
  s += billing_comment(plan, shape, kReportTimeLimitS, "the job");
  s += environment(plan, 1);
  s += plan_check();
  std::string skipped;
  if (!plan.waves.empty()) {
    // The points the gates skipped, and why (there is no until_knee.json when no gate ran).
    s += fmt::format("skipped=()\nif [ -f {0} ]; then skipped=(--skipped {0}); fi\n", kUntilKneeFile);
    skipped = " ${skipped[@]+\"${skipped[@]}\"}";  // bash before 4.4 calls an empty array unbound
  }
  // Priced and named by the plan's copy of the profile (its device unit, its billing unit).
  s += fmt::format(
      "{} report {} -o {} --cluster-profiles {}{}{}\n", shell_quote(plan.spec.binary),
      shell_quote(plan.results_dir), shell_quote(plan.report_dir), shell_quote(kClusterProfileDir),
      plan.spec.report_baseline ? " --baseline " + shell_quote(*plan.spec.report_baseline) : "",
      skipped);
  return s;
}

std::string gate_script(const Plan& plan, std::size_t wave) {
  const ClusterProfile& c = plan.cluster;
  const JobShape shape = report_shape(plan);
  const Wave& w = plan.waves.at(wave);
  std::string s = header(plan, fmt::format("gate{}", wave), shape.partition);
  s += "#SBATCH --nodes=1\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --cpus-per-task=1\n";
  if (shape.gpus_per_node > 0) s += gpu_request(c, shape.gpus_per_node);
  s += fmt::format("#SBATCH --time={}\n", format_time_limit(kGateTimeLimitS));
  s += fmt::format("#SBATCH --output={}/%x_%j.out\n", plan.logs_dir);
  s += "\n";
  s += fmt::format("# scalebench sweep on {} until the knee: the gate after wave {} ({} node(s), {} "
                   "point(s)).\n",
                   c.name, wave, w.nodes, w.points.size());
  s += "# scalebench submit starts it when the wave's arrays have ended (--dependency=afterany); the\n";
  s += "# next wave waits for it. It reads the results so far, and for every curve past its knee\n";
  s += fmt::format("# (efficiency below {:g}%, confirmed by {} further count(s) or by the projection of\n"
                   "# the next wave) it cancels the curve's\n",
                   plan.spec.knee_threshold * 100, plan.spec.knee_confirm);
  s += fmt::format("# points in the later waves; why goes to {} and {}.\n", kSweepLogFile, kUntilKneeFile);
  s += billing_comment(plan, shape, kGateTimeLimitS, "the job");
  s += environment(plan, 1);
  s += plan_check();
  s += fmt::format("{} gate plan.json --wave {}\n", shell_quote(plan.spec.binary), wave);
  return s;
}

}  // namespace scalebench::plan
