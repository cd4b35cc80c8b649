// The plan: sweep spec × cluster profile → run points grouped into job arrays; plan.json I/O.
#include "harness/plan/plan.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/plan/batch_script.hpp"
#include "records/json_fields.hpp"
#include "records/script_safety.hpp"
#include "records/numbers.hpp"
#include "records/vocabulary.hpp"
#include "records/json_text.hpp"
#include "records/result.hpp"
#include "records/durable_file.hpp"
#include "records/errors.hpp"
#include "records/until_knee.hpp"
#include "workloads/strategies.hpp"

namespace scalebench::plan {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <typename T>
void require_unique(const std::vector<T>& list, std::string_view flag) {
  for (std::size_t i = 0; i < list.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (list[i] == list[j]) throw UsageError(fmt::format("{} names {} twice", flag, list[i]));
}

void check_spec(const SweepSpec& s, const ClusterProfile& c, const WorkloadCatalog& catalog) {
  if (s.workloads.empty()) throw UsageError("plan: --workloads names no workload");
  if (s.strategies.empty()) throw UsageError("plan: --strategies names no strategy");
  if (s.gpus.empty()) throw UsageError("plan: --gpus names no GPU count");
  for (const auto& w : s.workloads) catalog.check(w);
  require_unique(s.workloads, "--workloads");
  for (const auto& st : s.strategies)
    if (!lookup_strategy(st))
      throw UsageError(fmt::format("plan: unknown strategy '{}' (valid: {})", printable(st),
                                   strategy_names()));
  require_unique(s.strategies, "--strategies");
  for (auto g : s.gpus) {
    if (g < 1) throw UsageError(fmt::format("plan: GPU count {} must be at least 1", g));
    if (g > kMaxGpus) throw UsageError(fmt::format("--gpus {}: at most {} GPUs", g, kMaxGpus));
  }
  require_unique(s.gpus, "--gpus");
  if (!vocabulary::is_one_of(s.precision, vocabulary::kPrecisions))
    throw UsageError(fmt::format("plan: unknown precision '{}' (valid: {})", printable(s.precision),
                                 vocabulary::joined(vocabulary::kPrecisions)));
  if (!s.backend.empty() && !vocabulary::is_one_of(s.backend, vocabulary::kBackends))
    throw UsageError(fmt::format("plan: unknown backend '{}' (valid: {})", printable(s.backend),
                                 vocabulary::joined(vocabulary::kBackends)));
  if (s.batch && s.global_batch) throw UsageError("plan: give --batch or --global-batch, not both");
  if (s.batch) require_count("--batch", *s.batch, 1, kMaxBatch, "samples per device");
  if (s.global_batch) require_count("--global-batch", *s.global_batch, 1, kMaxGlobalBatch, "samples");
  require_count("--steps", s.steps, 1, kMaxSteps, "steps");
  require_count("--warmup", s.warmup, 0, kMaxSteps, "steps");
  require_count("--repeat", s.repeat, 1, kMaxRepeat, "runs of each point");
  if (s.image_size) {
    require_count("--image-size", *s.image_size, 1, 1 << 20, "pixels");
    if (catalog.check_image_size)
      for (const auto& w : s.workloads) catalog.check_image_size(w, *s.image_size);
  }
  if (s.max_concurrent) require_count("--max-concurrent", *s.max_concurrent, 1, kMaxConcurrent, "array tasks");
  if (s.account) require_name(*s.account, "--account");
  if (s.partition) require_name(*s.partition, "--partition");
  if (s.node_type) require_name(*s.node_type, "--node-type");
  shell_quote(s.binary);  // refuses control characters
  if (s.report_baseline && *s.report_baseline != "node") {
    const auto n = parse_whole_number(*s.report_baseline);
    if (!n || *n < 1)
      throw UsageError(fmt::format("--report-baseline {}: give a GPU count of 1 or more, or 'node'",
                                   *s.report_baseline));
  }
  parse_time_limit(s.time, "--time");
  if (s.until_knee) {
    if (!(s.knee_threshold > 0 && s.knee_threshold <= 1))
      throw UsageError(fmt::format("--threshold {}: give a fraction in (0, 1], e.g. 0.8", s.knee_threshold));
    require_count("--confirm", s.knee_confirm, 0, 16, "further GPU counts below the threshold");
  }
  if (c.status.retired && !s.allow_retired)
    throw UsageError(fmt::format(
        "plan: cluster {} was retired on {} and runs no jobs{}; --allow-retired plans it anyway "
        "(report still reads its results)",
        c.name, c.status.since,
        c.status.successor ? fmt::format(": plan on {} instead", *c.status.successor) : ""));
  if (c.uses_slurm() && c.account_required && !s.account) {
    // The site bills a project; a script without one is rejected at submission.
    throw UsageError(fmt::format("plan: cluster {} needs --account (the project to bill)", c.name));
  }
  // Last, so that every other mistake is named first (a report-only build leaves it empty).
  if (s.binary.empty())
    throw UsageError("plan: no scalebench to put in the scripts: give --binary PATH, a full "
                     "scalebench build (a report-only build runs no points; SCALEBENCH_RUN_BINARY "
                     "sets its default)");
}

std::string job_name(std::size_t index, const JobShape& s) {
  return fmt::format("j{:02}-n{}-t{}-g{}-{}", index, s.nodes, s.tasks_per_node, s.gpus_per_node,
                     s.partition);
}

PlannedJob new_job(std::size_t index, const JobShape& shape, std::int64_t time_s) {
  PlannedJob job;
  job.name = job_name(index, shape);
  job.script = job.name + ".sbatch";
  job.shape = shape;
  job.time_s = time_s;
  return job;
}

// What the cluster's rules say about the planned jobs: retirement, partitions that need access
// first, per-user job limits (each array task is a job), and the multi-node note.
void add_cluster_warnings(Plan& plan) {
  const ClusterProfile& c = plan.cluster;
  if (c.status.retired)
    plan.warnings.push_back(fmt::format("cluster {} was retired on {}: these scripts are for the "
                                        "record, they will not run there (--allow-retired)",
                                        c.name, c.status.since));
  if (!c.uses_slurm()) return;
  std::map<std::string, std::int64_t> tasks;  // per partition, in name order
  bool multi_node = false;
  for (const auto& job : plan.jobs) {
    tasks[job.shape.partition] += static_cast<std::int64_t>(job.points.size());
    multi_node = multi_node || job.shape.nodes > 1;
  }
  for (const auto& [name, n] : tasks) {
    const Partition* p = c.find_partition(name);
    if (!p) continue;
    if (p->requires_access)
      plan.warnings.push_back(fmt::format("{} point(s) on {} need access to it: {}", n, name,
                                          *p->requires_access));
    if (p->max_jobs_per_user && n > *p->max_jobs_per_user)
      plan.warnings.push_back(fmt::format(
          "{} array tasks on {}, but a user may queue at most {} jobs there and each array task is "
          "one: split the sweep into plans of at most that many points, submitted one after another",
          n, name, *p->max_jobs_per_user));
  }
  if (multi_node && c.multi_node.note)
    plan.warnings.push_back(fmt::format("multi-node jobs on {}: {}", c.name, *c.multi_node.note));
}

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

const PlannedJob& Plan::job(const std::string& name) const {
  for (const auto& j : jobs)
    if (j.name == name) return j;
  throw UsageError(fmt::format("the plan has no job '{}'", name));
}

std::optional<double> expected_seconds(const PlannedPoint& p, const NodeType& node,
                                       const WorkloadCatalog& catalog) {
  auto peak = node.peak_tflops.find(p.precision);
  if (peak == node.peak_tflops.end() || !catalog.forward_flops_per_sample) return std::nullopt;
  std::int64_t per_device = p.global_batch ? *p.global_batch / p.gpus
                                           : p.batch.value_or(catalog.default_batch(p.workload));
  // Forward + backward ≈ 3 × forward FLOPs (backward computes two GEMMs per forward GEMM).
  double step_flops = 3.0 * catalog.forward_flops_per_sample(p.workload, p.image_size) *
                      static_cast<double>(per_device);
  double step_s = step_flops / (peak->second * 1e12 * kAssumedPeakFraction);
  return kAssumedStartupS + 3.0 * static_cast<double>(p.warmup + p.steps) * step_s;
}

void require_count(std::string_view what, std::int64_t value, std::int64_t min, std::int64_t max,
                   std::string_view unit) {
  if (value < min)
    throw UsageError(fmt::format("{} must be {}a positive integer, got {}", what,
                                 min == 0 ? "0 or " : "", value));
  if (value > max) throw UsageError(fmt::format("{} {}: at most {} {}", what, value, max, unit));
}

namespace {

// The jobs by node count (every job has one shape, so one node count), ascending; every wave but
// the last gets a gate script.
std::vector<Wave> make_waves(Plan& plan) {
  std::map<std::int64_t, Wave> by_nodes;
  for (const auto& job : plan.jobs) {
    Wave& w = by_nodes[job.shape.nodes];
    w.nodes = job.shape.nodes;
    w.jobs.push_back(job.name);
    w.points.insert(w.points.end(), job.points.begin(), job.points.end());
  }
  std::vector<Wave> waves;
  for (auto& [nodes, w] : by_nodes) {
    std::sort(w.points.begin(), w.points.end());
    waves.push_back(std::move(w));
  }
  for (std::size_t i = 0; i + 1 < waves.size(); ++i) waves[i].gate_script = fmt::format("gate_{}.sbatch", i);
  if (waves.size() < 2)
    plan.warnings.push_back(fmt::format(
        "--until-knee: every point runs on {} node(s), so the sweep is one wave and no gate "
        "can stop it; add GPU counts past one node",
        waves.empty() ? 1 : waves.front().nodes));
  return waves;
}

}  // namespace

Plan make_plan(const SweepSpec& spec, const ClusterProfile& cluster, const WorkloadCatalog& catalog) {
  check_spec(spec, cluster, catalog);
  Plan plan;
  plan.cluster = cluster;
  plan.spec = spec;
  if (plan.spec.backend.empty()) plan.spec.backend = cluster.backend;
  std::int64_t time_s = parse_time_limit(spec.time, "--time");
  plan.spec.time = format_time_limit(time_s);
  std::string node_type = spec.node_type.value_or(cluster.node_types.front().name);
  const NodeType& node = cluster.node_type(node_type);
  if (spec.partition) {
    const Partition* p = cluster.find_partition(*spec.partition);
    if (p && p->node_type != node_type) node_type = p->node_type;
  }
  const NodeType& used_node = cluster.node_type(node_type);
  (void)node;

  // Placement per strategy and GPU count (independent of the workload).
  std::map<std::string, std::vector<Placement>> placements;
  for (const auto& strategy : spec.strategies) {
    std::set<std::int64_t> seen;
    for (auto g : spec.gpus) {
      Placement pl = place(cluster, node_type, spec.partition, strategy, g, time_s, spec.round);
      if (pl.warning) plan.warnings.push_back(*pl.warning);
      if (!seen.insert(pl.gpus).second) {
        plan.warnings.push_back(fmt::format("{}: {} GPUs appear twice after rounding; planned once",
                                            strategy, pl.gpus));
        continue;
      }
      if (spec.global_batch && *spec.global_batch % pl.gpus != 0)
        throw UsageError(fmt::format("plan: global batch {} does not split evenly over {} GPUs",
                                     *spec.global_batch, pl.gpus));
      placements[strategy].push_back(pl);
    }
  }

  // The gates measure efficiency against the report's baseline, so it must be in the first wave.
  if (spec.until_knee && spec.report_baseline && *spec.report_baseline != "node") {
    const std::int64_t n = *parse_whole_number(*spec.report_baseline);
    for (const auto& [strategy, list] : placements) {
      bool found = false;
      for (const auto& pl : list) found = found || (pl.gpus == n && pl.shape.nodes == 1);
      if (!found)
        throw UsageError(fmt::format("--report-baseline {}: with --until-knee the baseline must be a "
                                     "single-node GPU count of the plan ({} has none of {} GPUs on one node)",
                                     n, strategy, n));
    }
  }

  std::int64_t per_repeat = 0;
  for (const auto& [strategy, list] : placements) per_repeat += static_cast<std::int64_t>(list.size());
  per_repeat *= static_cast<std::int64_t>(spec.workloads.size());
  if (per_repeat * spec.repeat > kMaxPoints)
    throw UsageError(fmt::format("plan: {} points ({} x --repeat {}); a plan holds at most {}: "
                                 "split the sweep into several plans",
                                 per_repeat * spec.repeat, per_repeat, spec.repeat, kMaxPoints));

  // One FLOP count per workload (a layer table is built for it), not one per point.
  std::map<std::string, std::optional<double>> expected_by_key;
  auto expected = [&](const PlannedPoint& p) {
    std::string key = fmt::format("{}/{}/{}/{}", p.workload, p.gpus, p.batch.value_or(0),
                                  p.global_batch.value_or(0));
    auto it = expected_by_key.find(key);
    if (it == expected_by_key.end()) it = expected_by_key.emplace(key, expected_seconds(p, used_node, catalog)).first;
    return it->second;
  };

  // Jobs in order of first use; the points of a shape fill its latest job up to the cluster's
  // MaxArraySize (array indices 0..max-1), then a new job of that shape starts.
  std::vector<JobShape> shapes;
  std::vector<std::size_t> latest_job;  // per shape: index into plan.jobs
  for (const auto& workload : spec.workloads) {
    for (const auto& strategy : spec.strategies) {
      for (const auto& pl : placements[strategy]) {
        for (std::int64_t r = 0; r < spec.repeat; ++r) {
          PlannedPoint p;
          p.index = static_cast<std::int64_t>(plan.points.size());
          p.workload = workload;
          p.strategy = strategy;
          p.backend = plan.spec.backend;
          p.precision = spec.precision;
          p.gpus = pl.gpus;
          p.nodes = pl.shape.nodes;
          p.gpus_per_node = pl.shape.gpus_per_node;
          p.processes = pl.shape.tasks();
          p.devices_per_process = pl.shape.gpus_per_task();
          p.batch = spec.batch;
          p.global_batch = spec.global_batch;
          p.steps = spec.steps;
          p.warmup = spec.warmup;
          p.image_size = spec.image_size;
          p.repeat = r;
          p.result = fmt::format("{}/p{:04}_{}_{}_{}gpu{}.json", plan.results_dir, p.index, workload,
                                 strategy, pl.gpus, spec.repeat > 1 ? fmt::format("_r{}", r) : "");
          p.expected_s = expected(p);
          std::size_t k = 0;
          while (k < shapes.size() && shapes[k] != pl.shape) ++k;
          if (k == shapes.size()) {
            shapes.push_back(pl.shape);
            latest_job.push_back(plan.jobs.size());
            plan.jobs.push_back(new_job(plan.jobs.size(), pl.shape, time_s));
          } else if (static_cast<std::int64_t>(plan.jobs[latest_job[k]].points.size()) >=
                     cluster.max_array_size) {
            latest_job[k] = plan.jobs.size();
            plan.jobs.push_back(new_job(plan.jobs.size(), pl.shape, time_s));
          }
          PlannedJob& job = plan.jobs[latest_job[k]];
          p.job = job.name;
          p.array_index = static_cast<std::int64_t>(job.points.size());
          job.points.push_back(p.index);
          plan.points.push_back(std::move(p));
        }
      }
    }
  }
  if (spec.until_knee) plan.waves = make_waves(plan);
  add_cluster_warnings(plan);
  return plan;
}

json plan_to_json(const Plan& plan) {
  const auto& s = plan.spec;
  json sweep = {
      {"workloads", s.workloads},   {"strategies", s.strategies},
      {"gpus", s.gpus},             {"precision", s.precision},
      {"backend", s.backend},       {"batch", opt(s.batch)},
      {"global_batch", opt(s.global_batch)}, {"steps", s.steps},
      {"warmup", s.warmup},         {"image_size", opt(s.image_size)},
      {"repeat", s.repeat},         {"account", opt(s.account)},
      {"time", s.time},             {"max_concurrent", opt(s.max_concurrent)},
      {"partition", opt(s.partition)}, {"node_type", opt(s.node_type)},
      {"round", s.round},           {"allow_retired", s.allow_retired},
      {"binary", s.binary},
  };
  if (s.report_baseline) sweep["report_baseline"] = *s.report_baseline;
  if (s.until_knee) sweep["until_knee"] = {{"threshold", s.knee_threshold}, {"confirm", s.knee_confirm}};
  json jobs = json::array();
  for (const auto& j : plan.jobs) {
    jobs.push_back({
        {"name", j.name},
        {"script", j.script},
        {"partition", j.shape.partition},
        {"nodes", j.shape.nodes},
        {"tasks_per_node", j.shape.tasks_per_node},
        {"gpus_per_node", j.shape.gpus_per_node},
        {"cpus_per_task", j.shape.cpus_per_task},
        {"memory_per_node_gb", opt(j.shape.memory_per_node_gb)},
        {"exclusive", j.shape.exclusive},
        {"bind_masks", j.shape.bind_masks},
        {"time", format_time_limit(j.time_s)},
        {"points", j.points},
    });
  }
  json points = json::array();
  for (const auto& p : plan.points) {
    points.push_back({
        {"index", p.index},
        {"job", p.job},
        {"array_index", p.array_index},
        {"workload", p.workload},
        {"strategy", p.strategy},
        {"backend", p.backend},
        {"precision", p.precision},
        {"gpus", p.gpus},
        {"nodes", p.nodes},
        {"gpus_per_node", p.gpus_per_node},
        {"processes", p.processes},
        {"devices_per_process", p.devices_per_process},
        {"batch", opt(p.batch)},
        {"global_batch", opt(p.global_batch)},
        {"steps", p.steps},
        {"warmup", p.warmup},
        {"image_size", opt(p.image_size)},
        {"repeat", p.repeat},
        {"result", p.result},
        {"expected_s", p.expected_s ? json(std::round(*p.expected_s * 10) / 10) : json(nullptr)},
    });
  }
  json out = {
      {"schema", plan.schema},
      {"results_dir", plan.results_dir},
      {"logs_dir", plan.logs_dir},
      {"report_dir", plan.report_dir},
      {"report_script", plan.report_script},
      {"sweep", sweep},
      {"warnings", plan.warnings},
      {"jobs", jobs},
      {"points", points},
      {"cluster", plan.cluster.raw},
  };
  if (!plan.waves.empty()) {
    json waves = json::array();
    for (const auto& w : plan.waves)
      waves.push_back({{"nodes", w.nodes},
                       {"jobs", w.jobs},
                       {"points", w.points},
                       {"gate_script", w.gate_script.empty() ? json(nullptr) : json(w.gate_script)}});
    out["waves"] = waves;
  }
  return out;
}

Plan plan_from_json(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("schema") || j.at("schema") != kPlanSchema)
    throw UsageError(fmt::format("{}: not a scalebench plan (\"schema\" must be \"{}\")", where, kPlanSchema));
  JsonFields f(j, where);
  Plan plan;
  f.str("schema");
  plan.results_dir = f.str("results_dir");
  plan.logs_dir = f.str("logs_dir");
  plan.report_dir = f.str("report_dir");
  plan.report_script = f.str("report_script");
  plan.warnings = f.strings("warnings");
  plan.cluster = parse_cluster_profile(*f.sub("cluster", true), where + ": cluster");
  {
    JsonFields s(*f.sub("sweep", true), where + ": sweep");
    auto& sp = plan.spec;
    sp.workloads = s.strings("workloads", true);
    sp.strategies = s.strings("strategies", true);
    sp.gpus = s.integers("gpus");
    sp.precision = s.str("precision");
    sp.backend = s.str("backend");
    sp.batch = s.opt_integer("batch");
    sp.global_batch = s.opt_integer("global_batch");
    sp.steps = s.integer("steps");
    sp.warmup = s.integer("warmup");
    sp.image_size = s.opt_integer("image_size");
    sp.repeat = s.integer("repeat");
    sp.account = s.opt_str("account");
    sp.time = s.str("time");
    sp.max_concurrent = s.opt_integer("max_concurrent");
    sp.partition = s.opt_str("partition");
    sp.node_type = s.opt_str("node_type");
    sp.round = s.boolean("round", false);
    sp.allow_retired = s.boolean("allow_retired", false);
    sp.binary = s.str("binary");
    sp.report_baseline = s.opt_str("report_baseline");
    if (sp.report_baseline && *sp.report_baseline != "node" && !parse_whole_number(*sp.report_baseline))
      throw UsageError(fmt::format("{}: sweep.report_baseline '{}' is not a GPU count or 'node'", where,
                                   printable(*sp.report_baseline)));
    if (auto uk = s.opt_object("until_knee")) {
      sp.until_knee = true;
      sp.knee_threshold = uk->number("threshold");
      sp.knee_confirm = uk->integer("confirm");
      uk->finish();
      if (!(sp.knee_threshold > 0 && sp.knee_threshold <= 1) || sp.knee_confirm < 0)
        throw UsageError(fmt::format("{}: sweep.until_knee: threshold {} and confirm {} are out of range",
                                     where, sp.knee_threshold, sp.knee_confirm));
    }
    s.finish();
  }
  const auto* jobs = f.sub("jobs", true);
  if (!jobs->is_array()) throw UsageError(where + ": \"jobs\" must be a list");
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    JsonFields jf((*jobs)[i], fmt::format("{}: jobs[{}]", where, i));
    PlannedJob job;
    job.name = jf.str("name");
    require_name(job.name, jf.where() + ": name");
    job.script = jf.str("script");
    job.shape.partition = jf.str("partition");
    job.shape.nodes = jf.integer("nodes");
    job.shape.tasks_per_node = jf.integer("tasks_per_node");
    job.shape.gpus_per_node = jf.integer("gpus_per_node");
    job.shape.cpus_per_task = jf.integer("cpus_per_task");
    job.shape.memory_per_node_gb = jf.opt_integer("memory_per_node_gb");
    job.shape.exclusive = jf.boolean("exclusive", false);
    job.shape.bind_masks = jf.boolean("bind_masks", false);
    job.time_s = parse_time_limit(jf.str("time"), jf.where() + ": time");
    job.points = jf.integers("points");
    jf.finish();
    plan.jobs.push_back(std::move(job));
  }
  const auto* points = f.sub("points", true);
  if (!points->is_array()) throw UsageError(where + ": \"points\" must be a list");
  for (std::size_t i = 0; i < points->size(); ++i) {
    JsonFields pf((*points)[i], fmt::format("{}: points[{}]", where, i));
    PlannedPoint p;
    p.index = pf.integer("index");
    if (p.index != static_cast<std::int64_t>(i))
      throw UsageError(fmt::format("{}: points[{}] has index {}", where, i, p.index));
    p.job = pf.str("job");
    p.array_index = pf.integer("array_index");
    p.workload = pf.str("workload");
    p.strategy = pf.str("strategy");
    p.backend = pf.str("backend");
    p.precision = pf.str("precision");
    p.gpus = pf.integer("gpus");
    p.nodes = pf.integer("nodes");
    p.gpus_per_node = pf.integer("gpus_per_node");
    p.processes = pf.integer("processes");
    p.devices_per_process = pf.integer("devices_per_process");
    p.batch = pf.opt_integer("batch");
    p.global_batch = pf.opt_integer("global_batch");
    p.steps = pf.integer("steps");
    p.warmup = pf.integer("warmup");
    p.image_size = pf.opt_integer("image_size");
    p.repeat = pf.integer("repeat");
    p.result = pf.str("result");
    p.expected_s = pf.opt_number("expected_s");
    pf.finish();
    plan.points.push_back(std::move(p));
  }
  for (JsonFields& wf : f.objects("waves")) {
    Wave w;
    w.nodes = wf.integer("nodes");
    w.jobs = wf.strings("jobs", true);
    w.points = wf.integers("points");
    w.gate_script = wf.opt_str("gate_script").value_or("");
    if (!w.gate_script.empty()) require_name(w.gate_script, wf.where() + ": gate_script");
    wf.finish();
    plan.waves.push_back(std::move(w));
  }
  f.finish();
  // The waves of an --until-knee plan hold every point once, each with its own job's node count.
  if (plan.spec.until_knee != !plan.waves.empty())
    throw UsageError(fmt::format("{}: \"waves\" must be given exactly for an until-knee sweep", where));
  {
    std::vector<int> seen(plan.points.size(), 0);
    for (std::size_t i = 0; i < plan.waves.size(); ++i) {
      const Wave& w = plan.waves[i];
      if ((i + 1 < plan.waves.size() ? fmt::format("gate_{}.sbatch", i) : std::string()) != w.gate_script ||
          (i > 0 && w.nodes <= plan.waves[i - 1].nodes))
        throw UsageError(fmt::format("{}: waves[{}] is out of order or its gate script is wrong", where, i));
      std::set<std::string> jobs(w.jobs.begin(), w.jobs.end()), of_points;
      for (auto idx : w.points)
        if (idx >= 0 && idx < static_cast<std::int64_t>(plan.points.size())) of_points.insert(plan.points[idx].job);
      if (jobs.size() != w.jobs.size() || jobs != of_points)
        throw UsageError(fmt::format("{}: waves[{}] lists jobs that are not its points' jobs", where, i));
      for (auto idx : w.points) {
        if (idx < 0 || idx >= static_cast<std::int64_t>(plan.points.size()) || plan.points[idx].nodes != w.nodes)
          throw UsageError(fmt::format("{}: waves[{}] lists point {} inconsistently", where, i, idx));
        ++seen[idx];
      }
    }
    for (std::size_t k = 0; k < seen.size() && !plan.waves.empty(); ++k)
      if (seen[k] != 1) throw UsageError(fmt::format("{}: point {} is in {} waves", where, k, seen[k]));
  }
  // Cross-check jobs and points so a hand-edited plan cannot run the wrong point.
  for (const auto& job : plan.jobs) {
    if (static_cast<std::int64_t>(job.points.size()) > plan.cluster.max_array_size)
      throw UsageError(fmt::format("{}: job {} has {} points, more than the cluster's array size {}",
                                   where, job.name, job.points.size(), plan.cluster.max_array_size));
    for (std::size_t k = 0; k < job.points.size(); ++k) {
      auto idx = job.points[k];
      if (idx < 0 || idx >= static_cast<std::int64_t>(plan.points.size()) ||
          plan.points[idx].job != job.name || plan.points[idx].array_index != static_cast<std::int64_t>(k))
        throw UsageError(fmt::format("{}: job {} lists point {} inconsistently", where, job.name, idx));
    }
  }
  return plan;
}

Plan read_plan(const fs::path& plan_json) {
  if (plan_json.empty()) throw UsageError("give the plan: DIR/plan.json (written by scalebench plan)");
  const json j = read_json_file(plan_json, "plan",
                                fmt::format("{} is a folder; give the plan file in it ({})",
                                            plan_json.string(), (plan_json / "plan.json").string()));
  return plan_from_json(j, plan_json.string());
}

std::vector<fs::path> write_plan(const Plan& plan, const fs::path& dir) {
  std::vector<fs::path> written;
  fs::create_directories(dir);
  fs::create_directories(dir / plan.results_dir);
  fs::create_directories(dir / plan.logs_dir);
  if (plan.cluster.uses_slurm()) {
    for (const auto& job : plan.jobs) {
      auto path = dir / job.script;
      write_file_atomically(path, array_script(plan, job));
      fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
      written.push_back(path);
    }
    for (std::size_t w = 0; w < plan.waves.size(); ++w) {
      if (plan.waves[w].gate_script.empty()) continue;
      auto path = dir / plan.waves[w].gate_script;
      write_file_atomically(path, gate_script(plan, w));
      fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
      written.push_back(path);
    }
    auto report = dir / plan.report_script;
    write_file_atomically(report, report_script(plan));
    written.push_back(report);
  }
  const fs::path profile = dir / kClusterProfileDir / (plan.cluster.name + ".json");
  fs::create_directories(profile.parent_path());
  if (plan.cluster.raw.is_object()) {  // a profile built in code (tests) has no file to copy
    write_file_atomically(profile, plan.cluster.raw.dump(2) + "\n");
    written.push_back(profile);
  }
  // An earlier plan's gate decisions name its points, not these.
  std::error_code ec;
  fs::remove(dir / kUntilKneeFile, ec);
  auto pj = dir / "plan.json";
  write_file_atomically(pj, plan_to_json(plan).dump(2) + "\n");
  written.push_back(pj);
  return written;
}

}  // namespace scalebench::plan
