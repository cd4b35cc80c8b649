// The sweep commands: plan, submit, sweep and list clusters (command line → harness/plan/).
#include "harness/plan_commands.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)
#include <nlohmann/json.hpp>

#include "records/cluster_profile.hpp"
#include "harness/plan/cost.hpp"
#include "harness/plan/plan.hpp"
#include "harness/plan/process.hpp"
#include "records/numbers.hpp"
#include "records/script_safety.hpp"
#include "records/sweep_preset.hpp"
#include "harness/plan/submit.hpp"
#include "harness/plan/sweep_runner.hpp"
#include "harness/plan/until_knee.hpp"
#include "reports/loader.hpp"
#include "records/json_text.hpp"
#include "records/errors.hpp"
#include "workloads/strategies.hpp"
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
  c.check_image_size = [](const std::string& name, std::int64_t image) {
    build_model(find_workload(name), 1, image);  // throws UsageError naming what is allowed
  };
  return c;
}

std::string workload_names() {
  std::vector<std::string> names;
  for (const WorkloadInfo& w : workloads()) names.emplace_back(w.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// A whole decimal number as a flag's value ("12"; not "", "1e3", "2.5", "0x10" or " 3").
std::int64_t parse_integer(std::string_view flag, const std::string& text) {
  return require_whole_number(flag, text);
}

// "a,b" "c" → a, b, c: the values of a repeatable, comma-separated option; an empty entry
// ("a,,b", "") is refused, not dropped.
std::vector<std::string> split_list(std::string_view flag, const std::vector<std::string>& given,
                                    std::string_view allowed) {
  std::vector<std::string> out;
  for (const auto& g : given) {
    std::size_t i = 0;
    while (true) {
      std::size_t j = std::min(g.find(',', i), g.size());
      if (j == i)
        throw UsageError(fmt::format("{}: an empty entry in '{}' ({})", flag, printable(g), allowed));
      out.push_back(g.substr(i, j - i));
      if (j == g.size()) break;
      i = j + 1;
    }
  }
  return out;
}

fs::path this_program() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("scalebench") : p;
}

// The command line as given (numbers and lists as text, so that every bad value is refused
// here with the flag's name) and the preset; run_plan turns it into a SweepSpec.
#if defined(__aarch64__)
constexpr std::string_view kThisArch = "aarch64";
#elif defined(__x86_64__)
constexpr std::string_view kThisArch = "x86_64";
#else
constexpr std::string_view kThisArch = "another architecture";
#endif

struct PlanArgs {
  std::string cluster;
  std::string out;
  std::string preset;
  bool force = false;
  SweepSpec spec;
  std::vector<std::string> workloads, strategies, gpus;
  std::string batch, global_batch, steps, warmup, image_size, repeat, max_concurrent;
  std::string account, partition, node_type, binary, report_baseline;
  std::string confirm;
  std::vector<std::string> predict_from;  // --predict-from: results to estimate the adaptive cost
};

// configs/sweeps/NAME.json (or a path, read by records/sweep_preset): defaults for the options not
// given on the command line, in the planner's ranges.
void apply_preset(PlanArgs& a, CLI::App& cmd) {
  if (cmd.count("--preset") == 0) return;
  const SweepPreset preset = load_sweep_preset(a.preset);
  auto given = [&](const char* opt) { return cmd.count(opt) > 0; };
  auto count = [&](const char* key, const std::optional<std::int64_t>& v, std::int64_t min,
                   std::int64_t max, const char* unit) {
    if (v) plan::require_count(fmt::format("{}: \"{}\"", preset.where, key), *v, min, max, unit);
    return v;
  };
  if (!preset.workloads.empty() && !given("--workloads")) a.spec.workloads = preset.workloads;
  if (!preset.strategies.empty() && !given("--strategies")) a.spec.strategies = preset.strategies;
  if (preset.gpus && !given("--gpus")) a.spec.gpus = *preset.gpus;
  if (preset.precision && !given("--precision")) a.spec.precision = *preset.precision;
  const bool batch_given = given("--batch") || given("--global-batch");
  if (auto v = count("batch", preset.batch, 1, plan::kMaxBatch, "samples per device"); v && !batch_given)
    a.spec.batch = *v;
  if (auto v = count("global_batch", preset.global_batch, 1, plan::kMaxGlobalBatch, "samples");
      v && !batch_given)
    a.spec.global_batch = *v;
  if (auto v = count("steps", preset.steps, 1, plan::kMaxSteps, "steps"); v && !given("--steps"))
    a.spec.steps = *v;
  if (auto v = count("warmup", preset.warmup, 0, plan::kMaxSteps, "steps"); v && !given("--warmup"))
    a.spec.warmup = *v;
  if (auto v = count("image_size", preset.image_size, 1, 1 << 20, "pixels"); v && !given("--image-size"))
    a.spec.image_size = *v;
  if (auto v = count("repeat", preset.repeat, 1, plan::kMaxRepeat, "runs of each point"); v && !given("--repeat"))
    a.spec.repeat = *v;
  if (preset.time && !given("--time")) a.spec.time = *preset.time;
}

// The options given on the command line, checked one by one (UsageError naming the flag).
void apply_command_line(PlanArgs& a, CLI::App& cmd) {
  auto given = [&](const char* opt) { return cmd.count(opt) > 0; };
  if (a.cluster.empty())
    throw UsageError("--cluster: give a profile name (scalebench list clusters) or a path to a profile JSON");
  if (given("--workloads"))
    a.spec.workloads = split_list("--workloads", a.workloads, "valid: " + workload_names());
  if (given("--strategies")) a.spec.strategies = split_list("--strategies", a.strategies, "valid: " + strategy_names());
  if (given("--gpus")) {
    a.spec.gpus.clear();
    for (const auto& g : split_list("--gpus", a.gpus, "GPU counts, e.g. 1,2,4,8"))
      a.spec.gpus.push_back(parse_integer("--gpus", g));
  }
  if (given("--batch")) a.spec.batch = parse_integer("--batch", a.batch);
  if (given("--global-batch")) a.spec.global_batch = parse_integer("--global-batch", a.global_batch);
  if (given("--steps")) a.spec.steps = parse_integer("--steps", a.steps);
  if (given("--warmup")) a.spec.warmup = parse_integer("--warmup", a.warmup);
  if (given("--image-size")) a.spec.image_size = parse_integer("--image-size", a.image_size);
  if (given("--repeat")) a.spec.repeat = parse_integer("--repeat", a.repeat);
  if (given("--max-concurrent")) a.spec.max_concurrent = parse_integer("--max-concurrent", a.max_concurrent);
  if (given("--backend") && a.spec.backend.empty())
    throw UsageError("plan: unknown backend '' (valid: cpu, cuda, hip)");
  if (given("--account")) a.spec.account = a.account;
  if (given("--partition")) a.spec.partition = a.partition;
  if (given("--node-type")) a.spec.node_type = a.node_type;
  if (given("--report-baseline")) a.spec.report_baseline = a.report_baseline;
  for (const char* opt : {"--threshold", "--confirm", "--predict-from"})
    if (given(opt) && !a.spec.until_knee)
      throw UsageError(fmt::format("{} needs --until-knee (it sets when the adaptive sweep stops)", opt));
  if (given("--confirm")) a.spec.knee_confirm = parse_integer("--confirm", a.confirm);
  std::vector<reports::InputSpec> predict_from;
  for (const auto& f : a.predict_from) {
    std::error_code ec;
    if (!fs::exists(f, ec))
      throw UsageError(fmt::format("--predict-from '{}' does not exist; give result files or folders",
                                   printable(f)));
    predict_from.push_back({f, std::nullopt});
  }
  // They must hold results (load_results names what is wrong otherwise).
  if (!predict_from.empty()) {
    try {
      (void)reports::load_results(predict_from);
    } catch (const UsageError& e) {
      throw UsageError(fmt::format("--predict-from: {}", e.what()));
    }
  }
#ifdef SCALEBENCH_REPORT_ONLY
  // This build runs no points: $SCALEBENCH_RUN_BINARY names the full build a login node's plans
  // run when --binary is not given (checked as --binary is).
  if (!given("--binary")) {
    if (const char* env = std::getenv("SCALEBENCH_RUN_BINARY"); env && *env) a.binary = env;
  }
  if (given("--binary") || !a.binary.empty()) {
#else
  if (given("--binary")) {
#endif
    if (a.binary.empty())
      throw UsageError("--binary: give the scalebench the scripts run (a path, or a name on the "
                       "compute nodes' PATH); default: this program");
    if (a.binary.find('/') != std::string::npos) {
      // A path must be this machine's program (the batch scripts run in the plan folder, so a
      // relative path is made absolute).
      if (!plan::find_program(a.binary))
        throw UsageError(fmt::format("--binary '{}' is not an executable file", printable(a.binary)));
      a.binary = fs::absolute(a.binary).lexically_normal().string();
    }
    a.spec.binary = a.binary;
  }
  if (a.out.empty()) throw UsageError("-o: give a folder for the plan");
  std::error_code ec;
  if (fs::exists(a.out, ec) && !fs::is_directory(a.out, ec))
    throw UsageError(fmt::format("-o '{}' is a file; give a folder for the plan", a.out));
}

void run_plan(PlanArgs& a, CLI::App& cmd) {
  apply_preset(a, cmd);
  apply_command_line(a, cmd);
  if (a.spec.workloads.empty()) throw UsageError("plan: --workloads is required (or a --preset naming them)");
  if (a.spec.gpus.empty()) throw UsageError("plan: --gpus is required (or a --preset naming them)");
#ifndef SCALEBENCH_REPORT_ONLY
  // A report-only build runs no points: its plans need --binary (make_plan says so).
  if (a.spec.binary.empty()) a.spec.binary = this_program().string();
#endif

  ClusterProfile cluster = find_cluster_profile(a.cluster);
  plan::Plan p = plan::make_plan(a.spec, cluster, workload_catalog());
  fs::path dir = a.out;
  if (fs::exists(dir / "plan.json") && !a.force)
    throw UsageError(fmt::format("{} already holds a plan: choose another folder or add --force "
                                 "(results already there are kept)",
                                 dir.string()));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UsageError(fmt::format("-o '{}': cannot create the folder: {}", dir.string(), ec.message()));
  for (const auto& w : p.warnings) std::cerr << "warning: " << w << "\n";
  if (cluster.arch != kThisArch && cluster.uses_slurm())
    std::cerr << fmt::format("warning: {}'s compute nodes are {} and this scalebench is {}: the scripts "
                             "need a scalebench built for {}{}\n",
                             cluster.name, cluster.arch, kThisArch, cluster.arch,
                             cluster.login_node ? " (build and plan on " + *cluster.login_node + ")" : "");
  for (const char* opt : {"--account", "--max-concurrent"})
    if (cmd.count(opt) > 0 && !cluster.uses_slurm())
      std::cerr << fmt::format("warning: {} has no effect: cluster {} has no Slurm\n", opt, cluster.name);
  std::cout << plan::format_cost(p, plan::sweep_cost(p));
  if (!p.waves.empty()) {
    std::vector<fs::path> from(a.predict_from.begin(), a.predict_from.end());
    std::cout << plan::format_until_knee_cost(p, from);
  }
  auto files = plan::write_plan(p, dir);
  for (const auto& job : p.jobs) {
    if (!cluster.uses_slurm()) break;
    const auto& s = job.shape;
    std::cout << fmt::format("  {}: {} task(s), each {} node(s) x {} task(s) x {} GPU(s), partition {}\n",
                             job.name, job.points.size(), s.nodes, s.tasks_per_node, s.gpus_per_task(),
                             s.partition);
  }
  if (cluster.uses_slurm() && p.jobs.size() > 1) {
    std::int64_t split = 0;
    for (const auto& job : p.jobs) split += static_cast<std::int64_t>(job.points.size()) == cluster.max_array_size;
    if (split > 0)
      std::cout << fmt::format("  (arrays hold at most {} tasks, the cluster's MaxArraySize: larger "
                               "shapes are split)\n",
                               cluster.max_array_size);
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
  plan_cmd->add_option("--workloads", args->workloads, "Workloads, comma separated")->type_name("LIST");
  plan_cmd->add_option("--strategies", args->strategies, "Strategies: ddp, mirrored (default both)")
      ->type_name("LIST");
  plan_cmd->add_option("--gpus", args->gpus, "GPU counts, comma separated (e.g. 1,2,4,8,16)")->type_name("LIST");
  plan_cmd->add_option("--precision", args->spec.precision, "fp32, tf32, bf16 or fp16");
  auto* batch = plan_cmd->add_option("--batch", args->batch, "Per-device batch (weak scaling)")->type_name("N");
  auto* global = plan_cmd->add_option("--global-batch", args->global_batch, "Global batch (strong scaling)")
                     ->type_name("N");
  batch->excludes(global);
  plan_cmd->add_option("--steps", args->steps, "Measured steps per phase (default 20)")->type_name("N");
  plan_cmd->add_option("--warmup", args->warmup, "Warm-up steps per phase (default 5)")->type_name("N");
  plan_cmd->add_option("--image-size", args->image_size, "Image size in pixels (default: the workload's)")
      ->type_name("PX");
  plan_cmd->add_option("--backend", args->spec.backend, "cpu, cuda or hip (default: the profile's)");
  plan_cmd->add_option("--repeat", args->repeat,
                       fmt::format("Runs of each point (default 1, at most {})", plan::kMaxRepeat))
      ->type_name("N");
  plan_cmd->add_option("--account", args->account, "Project to bill (#SBATCH --account; Slurm only)");
  plan_cmd->add_option("--time", args->spec.time, "Time limit of each array task, [D-]HH:MM:SS");
  plan_cmd->add_option("--max-concurrent", args->max_concurrent,
                       "Array tasks running at once (--array=0-N%K; Slurm only)")
      ->type_name("K");
  plan_cmd->add_option("--partition", args->partition, "Use this partition instead of the profile's rules");
  plan_cmd->add_option("--node-type", args->node_type, "Node type of the profile (default: its first)");
  plan_cmd->add_option("--report-baseline", args->report_baseline,
                       "The report job's --baseline: a GPU count, or 'node' for one full node "
                       "(default: each curve's smallest count)")
      ->type_name("N|node");
  plan_cmd->add_flag("--round", args->spec.round, "Round GPU counts the cluster cannot give, with a warning");
  plan_cmd->add_option("--binary", args->binary, "scalebench the scripts run (default: this program)");
  plan_cmd->add_option("--preset", args->preset, "Sweep preset (configs/sweeps/NAME.json or a path)");
  plan_cmd->add_flag("--force", args->force, "Write over an existing plan in the folder");
  plan_cmd->add_flag("--allow-retired", args->spec.allow_retired,
                     "Plan on a cluster whose profile says it is retired (to reproduce past scripts)");
  plan_cmd->add_flag("--until-knee", args->spec.until_knee,
                     "Run in waves by node count and stop each curve past its knee (gate jobs)");
  plan_cmd->add_option("--threshold", args->spec.knee_threshold,
                       "--until-knee: the efficiency below which a curve is past its knee (default 0.8)")
      ->type_name("F");
  plan_cmd->add_option("--confirm", args->confirm,
                       "--until-knee: further counts below the threshold that confirm the knee (default 1)")
      ->type_name("N");
  plan_cmd->add_option("--predict-from", args->predict_from,
                       "--until-knee: results of one full node to estimate where the sweep stops")
      ->type_name("PATH");
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

  auto gate_plan_path = std::make_shared<std::string>();
  auto gate_wave = std::make_shared<std::string>();
  auto gate_scancel = std::make_shared<std::string>("scancel");
  CLI::App* gate_cmd = app.add_subcommand(
      "gate", "After a wave of an --until-knee sweep: stop the curves past their knee (the gate job runs it)");
  gate_cmd->add_option("plan", *gate_plan_path, "DIR/plan.json")->required();
  gate_cmd->add_option("--wave", *gate_wave, "The wave that has ended (0 is the single-node wave)")
      ->type_name("K")
      ->required();
  gate_cmd->add_option("--scancel", *gate_scancel, "The scancel program (Slurm plans)");
  gate_cmd->callback([gate_plan_path, gate_wave, gate_scancel] {
    const std::int64_t wave = parse_integer("--wave", *gate_wave);
    plan::Plan p = plan::read_plan(*gate_plan_path);
    fs::path dir = fs::absolute(*gate_plan_path).parent_path().lexically_normal();
    if (p.cluster.uses_slurm()) plan::require_program("--scancel", *gate_scancel);
    plan::GateOutcome outcome = plan::run_gate(p, dir, wave);
    std::cout << outcome.log;
    if (!p.cluster.uses_slurm()) return;
    try {
      std::cout << plan::cancel_skipped(p, dir, wave, outcome, *gate_scancel);
    } catch (const RunError& e) {
      // The record says these points are skipped; say in the log that they may run after all
      // (the report then lists a skipped point whose result exists as run anyway).
      std::ofstream(dir / plan::kSweepLogFile, std::ios::app)
          << "  WARNING: the skipped points were not cancelled and may still run: " << printable(e.what())
          << "\n";
      throw;
    }
  });

  auto sweep_plan_path = std::make_shared<std::string>();
  auto sweep_opts = std::make_shared<plan::SweepOptions>();
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "Run every point of a plan on this machine without Slurm (mpirun for multi-process points)");
  sweep_cmd->add_option("plan", *sweep_plan_path, "DIR/plan.json")->required();
  sweep_cmd->add_flag("--force", sweep_opts->force, "Rerun points whose result exists");
  sweep_cmd->add_option("--mpirun", sweep_opts->mpirun, "The mpirun program");
  sweep_cmd->callback([sweep_plan_path, sweep_opts] {
#ifdef SCALEBENCH_REPORT_ONLY
    sweep_opts->binary_from_plan = true;  // this build runs no points: the plan's scalebench does
#endif
    auto sum = plan::run_sweep(*sweep_plan_path, *sweep_opts, std::cout);
    if (sum.interrupted_by != 0) {
      // main prints nothing for CLI::RuntimeError: the one line is ours, the status 128 + signal.
      std::string at = sum.interrupted_point ? fmt::format("point {} was interrupted", *sum.interrupted_point)
                                             : std::string("no point was running");
      std::fprintf(stderr, "scalebench: sweep stopped by %s: %s; the points after it did not start\n",
                   sum.interrupted_by == SIGINT ? "SIGINT" : "SIGTERM", at.c_str());
      throw CLI::RuntimeError(128 + sum.interrupted_by);
    }
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
    auto profiles = list_cluster_profiles();
    if (*json_out) {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& c : profiles) all.push_back(c.raw);
      std::cout << all.dump(2) << "\n";
      return;
    }
    for (const auto& c : profiles) {
      std::cout << fmt::format("{:<11} {}\n", c.name, c.description);
      std::string status = "active";
      if (c.status.retired)
        status = fmt::format("retired {}{}", c.status.since,
                             c.status.successor ? ", successor " + *c.status.successor : "");
      std::int64_t per_node = c.node_types.front().gpus;
      std::cout << fmt::format("{:<11}   status {}; {} {}{} per node; billing unit {}; {}\n", "", status,
                               per_node, c.device_unit.name, per_node == 1 ? "" : "s", c.billing.unit,
                               c.arch);
      for (const auto& n : c.node_types)
        std::cout << fmt::format("{:<11}   node {}: {} x {} ({:g} GB), {} cores, {:g} GB\n", "", n.name,
                                 n.gpus, n.gpu_model, n.gpu_memory_gb, n.cpu_cores, n.memory_gb);
      std::vector<std::string> parts;
      for (const auto& p : c.partitions) {
        std::string s = p.name;
        if (p.min_gpus > 1) s += fmt::format(" >={}g", p.min_gpus);
        if (p.max_nodes) s += fmt::format(" <={}n", *p.max_nodes);
        if (p.max_gpus) s += fmt::format(" <={}g", *p.max_gpus);
        if (p.whole_nodes) s += " whole";
        if (!p.auto_select) s += " manual";
        if (p.requires_access) s += " gated";
        parts.push_back(s);
      }
      std::cout << fmt::format("{:<11}   {}: {}; backend {}\n", "",
                               c.uses_slurm() ? "partitions" : "no Slurm", fmt::join(parts, ", "),
                               c.backend);
    }
    std::cout << fmt::format("search path: {}\n", [] {
      std::string s;
      for (const auto& d : cluster_search_path()) s += (s.empty() ? "" : ":") + d.string();
      return s;
    }());
  });
}

}  // namespace scalebench
