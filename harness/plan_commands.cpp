// The sweep commands: plan, submit, sweep and list clusters (command line → harness/plan/).
#include "harness/plan_commands.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/plan/cluster_profile.hpp"
#include "harness/plan/cost.hpp"
#include "harness/plan/json_fields.hpp"
#include "harness/plan/plan.hpp"
#include "harness/plan/submit.hpp"
#include "harness/plan/sweep_runner.hpp"
#include "harness/result/json_text.hpp"
#include "kernels/errors.hpp"
#include "workloads/workload.hpp"

namespace scalebench {
namespace fs = std::filesystem;
using plan::SweepSpec;

namespace {

plan::WorkloadCatalog workload_catalog() {
  plan::WorkloadCatalog c;
  c.check = [](const std::string& name) { find_workload(name); };
  c.default_batch = [](const std::string& name) { return find_workload(name).default_batch; };
  c.forward_flops_per_sample = [](const std::string& name, std::optional<std::int64_t> image) {
    const WorkloadInfo& info = find_workload(name);
    return build_model(info, 1, image.value_or(info.default_image_size)).forward_flops();
  };
  return c;
}

fs::path this_program() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("scalebench") : p;
}

// configs/sweeps/NAME.json (or a path): defaults for the options not given on the command line.
nlohmann::json find_preset(const std::string& name_or_path) {
  fs::path path = name_or_path;
  if (name_or_path.find('/') == std::string::npos && !name_or_path.ends_with(".json")) {
    path.clear();
    for (const auto& dir : plan::cluster_search_path()) {
      auto candidate = dir.parent_path() / "sweeps" / (name_or_path + ".json");
      if (fs::exists(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) throw UsageError(fmt::format("no sweep preset '{}' in configs/sweeps", name_or_path));
  }
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read sweep preset {}", path.string()));
  try {
    return parse_json_stream(in, path.string());
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
  }
}

struct PlanArgs {
  std::string cluster;
  std::string out;
  std::string preset;
  bool force = false;
  SweepSpec spec;
  std::int64_t batch = 0, global_batch = 0, image_size = 0, max_concurrent = 0;
  std::string account, partition, node_type;
};

void apply_preset(PlanArgs& a, CLI::App& cmd) {
  if (a.preset.empty()) return;
  auto j = find_preset(a.preset);
  plan::JsonFields f(j, "sweep preset " + a.preset);
  f.opt_str("description");
  auto given = [&](const char* opt) { return cmd.count(opt) > 0; };
  if (auto v = f.strings("workloads"); !v.empty() && !given("--workloads")) a.spec.workloads = v;
  if (auto v = f.strings("strategies"); !v.empty() && !given("--strategies")) a.spec.strategies = v;
  if (f.has("gpus") && !given("--gpus")) a.spec.gpus = f.integers("gpus");
  else f.sub("gpus", false);
  if (auto v = f.opt_str("precision"); v && !given("--precision")) a.spec.precision = *v;
  if (auto v = f.opt_integer("batch"); v && !given("--batch") && !given("--global-batch")) a.batch = *v;
  if (auto v = f.opt_integer("global_batch"); v && !given("--batch") && !given("--global-batch")) a.global_batch = *v;
  if (auto v = f.opt_integer("steps"); v && !given("--steps")) a.spec.steps = *v;
  if (auto v = f.opt_integer("warmup"); v && !given("--warmup")) a.spec.warmup = *v;
  if (auto v = f.opt_integer("image_size"); v && !given("--image-size")) a.image_size = *v;
  if (auto v = f.opt_integer("repeat"); v && !given("--repeat")) a.spec.repeat = *v;
  if (auto v = f.opt_str("time"); v && !given("--time")) a.spec.time = *v;
  f.finish();
}

void run_plan(PlanArgs& a, CLI::App& cmd) {
  apply_preset(a, cmd);
  if (a.spec.workloads.empty()) throw UsageError("plan: --workloads is required (or a --preset naming them)");
  if (a.spec.gpus.empty()) throw UsageError("plan: --gpus is required (or a --preset naming them)");
  if (a.batch > 0) a.spec.batch = a.batch;
  if (a.global_batch > 0) a.spec.global_batch = a.global_batch;
  if (a.image_size > 0) a.spec.image_size = a.image_size;
  if (a.max_concurrent > 0) a.spec.max_concurrent = a.max_concurrent;
  if (!a.account.empty()) a.spec.account = a.account;
  if (!a.partition.empty()) a.spec.partition = a.partition;
  if (!a.node_type.empty()) a.spec.node_type = a.node_type;
  if (a.spec.binary.empty()) a.spec.binary = this_program().string();

  plan::ClusterProfile cluster = plan::find_cluster_profile(a.cluster);
  plan::Plan p = plan::make_plan(a.spec, cluster, workload_catalog());
  fs::path dir = a.out;
  if (fs::exists(dir / "plan.json") && !a.force)
    throw UsageError(fmt::format("{} already holds a plan: choose another folder or add --force "
                                 "(results already there are kept)",
                                 dir.string()));
  for (const auto& w : p.warnings) std::cerr << "warning: " << w << "\n";
  std::cout << plan::format_cost(p, plan::sweep_cost(p));
  auto files = plan::write_plan(p, dir);
  for (const auto& job : p.jobs) {
    if (!cluster.uses_slurm()) break;
    const auto& s = job.shape;
    std::cout << fmt::format("  {}: {} task(s), each {} node(s) x {} task(s) x {} GPU(s), partition {}\n",
                             job.name, job.points.size(), s.nodes, s.tasks_per_node, s.gpus_per_task(),
                             s.partition);
  }
  std::cout << fmt::format("wrote {} file(s) to {}\n", files.size(), dir.string());
  fs::path pj = dir / "plan.json";
  if (cluster.uses_slurm())
    std::cout << fmt::format("next: scalebench submit {}   (or --dry-run to see the sbatch lines)\n", pj.string());
  else
    std::cout << fmt::format("next: scalebench sweep {}\n", pj.string());
}

}  // namespace

void add_plan_commands(CLI::App& app) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* plan_cmd = app.add_subcommand(
      "plan", "Expand a sweep for a cluster into plan.json and one batch script per job shape");
  plan_cmd->add_option("--cluster", args->cluster, "Cluster profile name or path to a profile JSON")->required();
  plan_cmd->add_option("--workloads", args->spec.workloads, "Workloads, comma separated")->delimiter(',');
  plan_cmd->add_option("--strategies", args->spec.strategies, "Strategies: ddp, mirrored (default both)")
      ->delimiter(',');
  plan_cmd->add_option("--gpus", args->spec.gpus, "GPU counts, comma separated (e.g. 1,2,4,8,16)")->delimiter(',');
  plan_cmd->add_option("--precision", args->spec.precision, "fp32, tf32, bf16 or fp16");
  auto* batch = plan_cmd->add_option("--batch", args->batch, "Per-device batch (weak scaling)");
  auto* global = plan_cmd->add_option("--global-batch", args->global_batch, "Global batch (strong scaling)");
  batch->excludes(global);
  plan_cmd->add_option("--steps", args->spec.steps, "Measured steps per phase");
  plan_cmd->add_option("--warmup", args->spec.warmup, "Warm-up steps per phase");
  plan_cmd->add_option("--image-size", args->image_size, "Image size in pixels (default: the workload's)");
  plan_cmd->add_option("--backend", args->spec.backend, "cpu, cuda or hip (default: the profile's)");
  plan_cmd->add_option("--repeat", args->spec.repeat, "Runs of each point");
  plan_cmd->add_option("--account", args->account, "Project to bill (#SBATCH --account)");
  plan_cmd->add_option("--time", args->spec.time, "Time limit of each array task, [D-]HH:MM:SS");
  plan_cmd->add_option("--max-concurrent", args->max_concurrent, "Array tasks running at once (--array=0-N%K)");
  plan_cmd->add_option("--partition", args->partition, "Use this partition instead of the profile's rules");
  plan_cmd->add_option("--node-type", args->node_type, "Node type of the profile (default: its first)");
  plan_cmd->add_flag("--round", args->spec.round, "Round GPU counts the cluster cannot give, with a warning");
  plan_cmd->add_option("--binary", args->spec.binary, "scalebench the scripts run (default: this program)");
  plan_cmd->add_option("--preset", args->preset, "Sweep preset (configs/sweeps/NAME.json or a path)");
  plan_cmd->add_flag("--force", args->force, "Write over an existing plan in the folder");
  plan_cmd->add_option("-o,--out", args->out, "Plan folder")->required();
  plan_cmd->callback([args, plan_cmd] { run_plan(*args, *plan_cmd); });

  auto submit_plan_path = std::make_shared<std::string>();
  auto submit_opts = std::make_shared<plan::SubmitOptions>();
  CLI::App* submit_cmd = app.add_subcommand(
      "submit", "Submit a plan's job arrays and a report job that runs after all of them");
  submit_cmd->add_option("plan", *submit_plan_path, "DIR/plan.json")->required();
  submit_cmd->add_flag("--dry-run", submit_opts->dry_run, "Print the exact sbatch command lines, submit nothing");
  submit_cmd->add_option("--sbatch", submit_opts->sbatch, "The sbatch program");
  submit_cmd->callback([submit_plan_path, submit_opts] {
    auto sub = plan::submit_plan(*submit_plan_path, *submit_opts);
    std::cout << sub.text;
  });

  auto sweep_plan_path = std::make_shared<std::string>();
  auto sweep_opts = std::make_shared<plan::SweepOptions>();
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "Run every point of a plan on this machine without Slurm (mpirun for multi-process points)");
  sweep_cmd->add_option("plan", *sweep_plan_path, "DIR/plan.json")->required();
  sweep_cmd->add_flag("--force", sweep_opts->force, "Rerun points whose result exists");
  sweep_cmd->add_option("--mpirun", sweep_opts->mpirun, "The mpirun program");
  sweep_cmd->callback([sweep_plan_path, sweep_opts] {
    auto sum = plan::run_sweep(*sweep_plan_path, *sweep_opts, std::cout);
    if (sum.failed > 0)
      throw RunError(fmt::format("{} of {} point(s) failed; their logs are in the plan's logs/",
                                 sum.failed, sum.ran));
  });
}

void add_list_clusters(CLI::App& list_cmd) {
  auto json_out = std::make_shared<bool>(false);
  CLI::App* clusters = list_cmd.add_subcommand("clusters", "Cluster profiles (configs/clusters and your own)");
  clusters->add_flag("--json", *json_out, "Print the profiles as JSON");
  clusters->callback([json_out] {
    auto profiles = plan::list_cluster_profiles();
    if (*json_out) {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& c : profiles) all.push_back(c.raw);
      std::cout << all.dump(2) << "\n";
      return;
    }
    for (const auto& c : profiles) {
      std::cout << fmt::format("{:<11} {}\n", c.name, c.description);
      for (const auto& n : c.node_types)
        std::cout << fmt::format("{:<11}   node {}: {} x {} ({:g} GB), {} cores, {:g} GB\n", "", n.name,
                                 n.gpus, n.gpu_model, n.gpu_memory_gb, n.cpu_cores, n.memory_gb);
      std::vector<std::string> parts;
      for (const auto& p : c.partitions) {
        std::string s = p.name;
        if (p.max_nodes) s += fmt::format(" <={}n", *p.max_nodes);
        if (p.max_gpus) s += fmt::format(" <={}g", *p.max_gpus);
        if (p.whole_nodes) s += " whole";
        if (!p.auto_select) s += " manual";
        parts.push_back(s);
      }
      std::cout << fmt::format("{:<11}   {}: {}; backend {}; billing {}\n", "",
                               c.uses_slurm() ? "partitions" : "no Slurm", fmt::join(parts, ", "),
                               c.backend, c.billing.unit);
    }
    std::cout << fmt::format("search path: {}\n", [] {
      std::string s;
      for (const auto& d : plan::cluster_search_path()) s += (s.empty() ? "" : ":") + d.string();
      return s;
    }());
  });
}

}  // namespace scalebench
