// JSON mapping and the strict reading of result records (writing: records/durable_file).
#include "records/result.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/json_fields.hpp"
#include "records/json_text.hpp"
#include "records/script_safety.hpp"
#include "records/vocabulary.hpp"


#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace scalebench {
namespace {

using nlohmann::json;

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}


// Each reader below takes the reader of its object, reads every field it knows with its type,
// applies the defaults of the fields older records lack, and refuses any other key (finish).

StepStats read_stats(JsonFields f) {
  StepStats v;
  v.median_ms = f.number("median_ms");
  v.p5_ms = f.number("p5_ms");
  v.p95_ms = f.number("p95_ms");
  v.mean_ms = f.number("mean_ms");
  v.stdev_ms = f.number("stdev_ms");
  v.min_ms = f.opt_number("min_ms").value_or(v.p5_ms);
  v.max_ms = f.opt_number("max_ms").value_or(v.p95_ms);
  v.count = f.integer("count");
  f.finish();
  return v;
}

std::optional<StepStats> read_opt_stats(JsonFields& parent, const std::string& key) {
  if (auto f = parent.opt_object(key)) return read_stats(std::move(*f));
  return std::nullopt;
}

// The point, with the checks every reader of records needs: a known strategy and scaling, at
// least one device and node, a batch size.
RunPoint read_point(JsonFields f) {
  RunPoint p;
  p.workload = f.str("workload");
  p.strategy = f.str("strategy");
  vocabulary::require_one_of(p.strategy, "point.strategy", vocabulary::kStrategies);
  p.backend = f.str("backend");
  p.precision = f.str("precision");
  p.batch_per_device = f.integer("batch_per_device");
  p.global_batch = f.opt_integer("global_batch").value_or(p.batch_per_device);
  p.scaling = f.opt_str("scaling").value_or(std::string(vocabulary::kWeak));
  vocabulary::require_one_of(p.scaling, "point.scaling", vocabulary::kScalings);
  p.devices = f.integer("devices");
  p.nodes = f.integer("nodes");
  p.devices_per_node = f.opt_integer("devices_per_node").value_or(p.devices);
  p.world_size = f.opt_integer("world_size").value_or(1);
  p.image_size = f.opt_integer("image_size").value_or(0);
  p.steps = f.opt_integer("steps").value_or(0);
  p.warmup = f.opt_integer("warmup").value_or(0);
  // The strategy's settings are kept as written, not checked key by key (each strategy writes
  // its own, workloads/strategies.cpp); every release wrote an object.
  if (const json* options = f.sub("options", false)) {
    f.object("options");  // refuses an array, a string, a number, a boolean
    p.options = *options;
  }
  p.cluster = f.opt_str("cluster");
  p.label = f.opt_str("label");
  f.finish();
  if (p.devices < 1) throw UsageError(fmt::format("point.devices: {} is below 1", p.devices));
  if (p.nodes < 1) throw UsageError(fmt::format("point.nodes: {} is below 1", p.nodes));
  if (p.batch_per_device < 1 && p.global_batch < 1) {
    throw UsageError(fmt::format(
        "point.batch_per_device: the point has no batch size (batch_per_device {}, global_batch {})",
        p.batch_per_device, p.global_batch));
  }
  return p;
}

Throughput read_throughput(JsonFields f) {
  Throughput t{f.number("samples_per_s"), f.number("samples_per_s_per_device")};
  f.finish();
  return t;
}

BucketRecord read_bucket(JsonFields f) {
  BucketRecord b;
  b.index = f.integer("index");
  b.bytes = f.integer("bytes");
  b.tensors = f.opt_integer("tensors").value_or(0);
  b.time_ms = f.number("time_ms");
  b.algbw_gbps = f.number("algbw_gbps");
  b.busbw_gbps = f.number("busbw_gbps");
  b.ready_ms = f.opt_number("ready_ms");
  f.finish();
  if (b.ready_ms && *b.ready_ms < 0)
    throw UsageError(fmt::format("{}.ready_ms: {} is below 0", f.where(), *b.ready_ms));
  return b;
}

CommunicationRecord read_communication(JsonFields f) {
  CommunicationRecord c;
  c.exposed_ms = f.number("exposed_ms");
  c.overlap = f.number("overlap");
  c.share = f.number("share");
  c.allreduce_ms = f.opt_number("allreduce_ms").value_or(0.0);
  c.algbw_gbps = f.opt_number("algbw_gbps").value_or(0.0);
  c.busbw_gbps = f.opt_number("busbw_gbps").value_or(0.0);
  for (JsonFields& b : f.objects("buckets")) c.buckets.push_back(read_bucket(std::move(b)));
  c.check = f.opt_str("check").value_or(c.check);
  vocabulary::require_one_of(c.check, "communication.check", vocabulary::kChecks);
  c.algorithm = f.opt_str("algorithm");
  f.finish();
  return c;
}

ModelRecord read_model(JsonFields f) {
  ModelRecord m;
  m.parameters = f.opt_integer("parameters").value_or(0);
  m.forward_flops_per_sample = f.opt_number("forward_flops_per_sample").value_or(0.0);
  m.layers = f.opt_integer("layers").value_or(0);
  m.gradient_bytes = f.opt_integer("gradient_bytes").value_or(0);
  f.finish();
  return m;
}

Telemetry read_telemetry(JsonFields f) {
  Telemetry t;
  t.mean_power_w = f.opt_number("mean_power_w");
  t.energy_per_sample_j = f.opt_number("energy_per_sample_j");
  t.peak_memory_bytes = f.opt_integer("peak_memory_bytes");
  t.mean_utilization = f.opt_number("mean_utilization");
  t.mean_sm_clock_mhz = f.opt_number("mean_sm_clock_mhz");
  f.finish();
  return t;
}

ComputeParts read_compute_parts(JsonFields f) {
  ComputeParts c;
  c.forward_ms = f.number("forward_ms");
  c.backward_ms = f.number("backward_ms");
  c.optimizer_ms = f.number("optimizer_ms");
  f.finish();
  if (c.forward_ms < 0 || c.backward_ms < 0 || c.optimizer_ms < 0)
    throw UsageError("phases.compute_parts: a part below 0 ms");
  return c;
}

RankSteps read_rank_steps(JsonFields f) {
  RankSteps r;
  for (JsonFields& rk : f.objects("ranks")) {
    RankStepStats s;
    s.rank = rk.integer("rank");
    s.median_ms = rk.number("median_ms");
    s.p95_ms = rk.number("p95_ms");
    s.stdev_ms = rk.number("stdev_ms");
    rk.finish();
    r.ranks.push_back(s);
  }
  r.idiosyncratic_stdev_ms = f.number("idiosyncratic_stdev_ms");
  if (r.idiosyncratic_stdev_ms < 0)
    throw UsageError(fmt::format("rank_steps.idiosyncratic_stdev_ms: {} is below 0", r.idiosyncratic_stdev_ms));
  if (const json* samples = f.sub("samples_ms", false); samples && !samples->is_null()) {
    if (!samples->is_array()) throw UsageError("rank_steps.samples_ms: expected an array of arrays");
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < samples->size(); ++i) {
      const json& row = (*samples)[i];
      if (!row.is_array()) {
        throw UsageError(fmt::format("rank_steps.samples_ms[{}]: expected an array of numbers", i));
      }
      std::vector<double>& out = rows.emplace_back();
      for (const json& v : row) {
        if (!v.is_number()) {
          throw UsageError(fmt::format("rank_steps.samples_ms[{}]: expected numbers, got {}", i,
                                       printable(v.dump())));
        }
        out.push_back(v.get<double>());
      }
    }
    r.samples_ms = std::move(rows);
  }
  f.finish();
  return r;
}

SystemRecord read_system(JsonFields f) {
  SystemRecord s;
  s.hostname = f.opt_str("hostname").value_or("");
  s.cpu_model = f.opt_str("cpu_model").value_or("");
  s.gpu_model = f.opt_str("gpu_model");
  s.device_memory_bytes = f.opt_integer("device_memory_bytes");
  s.versions = f.string_map("versions");
  for (JsonFields& rk : f.objects("ranks")) {
    RankRecord rank;
    rank.rank = rk.opt_integer("rank").value_or(0);
    rank.host = rk.opt_str("host").value_or("");
    rank.devices = rk.integers("devices", false);
    rk.finish();
    s.ranks.push_back(std::move(rank));
  }
  f.finish();
  return s;
}

SlurmRecord read_slurm(JsonFields f) {
  SlurmRecord s;
  s.job_id = f.opt_str("job_id");
  s.array_job_id = f.opt_str("array_job_id");
  s.array_task_id = f.opt_str("array_task_id");
  s.nodelist = f.opt_str("nodelist");
  f.finish();
  return s;
}

Provenance read_provenance(JsonFields f) {
  Provenance p;
  p.scalebench_version = f.opt_str("scalebench_version").value_or("");
  p.git_commit = f.opt_str("git_commit").value_or("");
  p.command_line = f.opt_str("command_line").value_or("");
  p.start_time = f.opt_str("start_time").value_or("");
  p.end_time = f.opt_str("end_time").value_or("");
  if (auto slurm = f.opt_object("slurm")) p.slurm = read_slurm(std::move(*slurm));
  p.environment = f.string_map("environment");  // absent in records of 0.2.0 and before
  f.finish();
  return p;
}

}  // namespace

bool readable_result_schema(const std::string& name) {
  return name == kResultSchema || name == kResultSchemaV1;
}

void to_json(json& j, const StepStats& v) {
  j = json{{"median_ms", v.median_ms}, {"p5_ms", v.p5_ms}, {"p95_ms", v.p95_ms},
           {"mean_ms", v.mean_ms},     {"stdev_ms", v.stdev_ms}, {"min_ms", v.min_ms},
           {"max_ms", v.max_ms},       {"count", v.count}};
}

void from_json(const json& j, StepStats& v) {
  v = read_stats(JsonFields::at_path(j, ""));
}

static json opt_stats(const std::optional<StepStats>& s) { return s ? json(*s) : json(nullptr); }

void to_json(json& j, const ResultRecord& r) {
  const RunPoint& p = r.point;
  j = json::object();
  j["schema"] = r.schema;
  j["status"] = r.status;
  j["error"] = opt(r.error);
  j["point"] = {{"workload", p.workload},
                {"strategy", p.strategy},
                {"backend", p.backend},
                {"precision", p.precision},
                {"batch_per_device", p.batch_per_device},
                {"global_batch", p.global_batch},
                {"scaling", p.scaling},
                {"devices", p.devices},
                {"nodes", p.nodes},
                {"devices_per_node", p.devices_per_node},
                {"world_size", p.world_size},
                {"image_size", p.image_size},
                {"steps", p.steps},
                {"warmup", p.warmup},
                {"options", p.options},
                {"cluster", opt(p.cluster)},
                {"label", opt(p.label)}};
  j["phases"] = {{"compute", opt_stats(r.phases.compute)},
                 {"communication", opt_stats(r.phases.communication)},
                 {"full", opt_stats(r.phases.full)}};
  if (const auto& c = r.phases.compute_parts) {
    j["phases"]["compute_parts"] = {{"forward_ms", c->forward_ms},
                                    {"backward_ms", c->backward_ms},
                                    {"optimizer_ms", c->optimizer_ms}};
  }
  j["step"] = opt_stats(r.step);
  if (r.throughput) {
    j["throughput"] = {{"samples_per_s", r.throughput->samples_per_s},
                       {"samples_per_s_per_device", r.throughput->samples_per_s_per_device}};
  } else {
    j["throughput"] = nullptr;
  }
  if (r.communication) {
    const CommunicationRecord& c = *r.communication;
    json buckets = json::array();
    for (const BucketRecord& b : c.buckets) {
      buckets.push_back({{"index", b.index},
                         {"bytes", b.bytes},
                         {"tensors", b.tensors},
                         {"time_ms", b.time_ms},
                         {"algbw_gbps", b.algbw_gbps},
                         {"busbw_gbps", b.busbw_gbps}});
      if (b.ready_ms) buckets.back()["ready_ms"] = *b.ready_ms;
    }
    j["communication"] = {{"exposed_ms", c.exposed_ms},     {"overlap", c.overlap},
                          {"share", c.share},               {"allreduce_ms", c.allreduce_ms},
                          {"algbw_gbps", c.algbw_gbps},     {"busbw_gbps", c.busbw_gbps},
                          {"buckets", buckets},             {"check", c.check}};
    if (c.algorithm) j["communication"]["algorithm"] = *c.algorithm;
  } else {
    j["communication"] = nullptr;
  }
  j["model"] = {{"parameters", r.model.parameters},
                {"forward_flops_per_sample", r.model.forward_flops_per_sample},
                {"layers", r.model.layers},
                {"gradient_bytes", r.model.gradient_bytes}};
  if (r.telemetry) {
    const Telemetry& t = *r.telemetry;
    j["telemetry"] = {{"mean_power_w", opt(t.mean_power_w)},
                      {"energy_per_sample_j", opt(t.energy_per_sample_j)},
                      {"peak_memory_bytes", opt(t.peak_memory_bytes)},
                      {"mean_utilization", opt(t.mean_utilization)},
                      {"mean_sm_clock_mhz", opt(t.mean_sm_clock_mhz)}};
  } else {
    j["telemetry"] = nullptr;
  }
  j["layer_class_ms"] = r.layer_class_ms ? json(*r.layer_class_ms) : json(nullptr);
  if (r.rank_steps) {
    json per_rank = json::array();
    for (const RankStepStats& s : r.rank_steps->ranks) {
      per_rank.push_back({{"rank", s.rank},
                          {"median_ms", s.median_ms},
                          {"p95_ms", s.p95_ms},
                          {"stdev_ms", s.stdev_ms}});
    }
    j["rank_steps"] = {{"ranks", per_rank},
                       {"idiosyncratic_stdev_ms", r.rank_steps->idiosyncratic_stdev_ms},
                       {"samples_ms", r.rank_steps->samples_ms ? json(*r.rank_steps->samples_ms)
                                                               : json(nullptr)}};
  }
  json ranks = json::array();
  for (const RankRecord& rk : r.system.ranks) {
    ranks.push_back({{"rank", rk.rank}, {"host", rk.host}, {"devices", rk.devices}});
  }
  j["system"] = {{"hostname", r.system.hostname},
                 {"cpu_model", r.system.cpu_model},
                 {"gpu_model", opt(r.system.gpu_model)},
                 {"device_memory_bytes", opt(r.system.device_memory_bytes)},
                 {"versions", r.system.versions},
                 {"ranks", ranks}};
  json slurm = nullptr;
  if (r.provenance.slurm) {
    const SlurmRecord& s = *r.provenance.slurm;
    slurm = {{"job_id", opt(s.job_id)},
             {"array_job_id", opt(s.array_job_id)},
             {"array_task_id", opt(s.array_task_id)},
             {"nodelist", opt(s.nodelist)}};
  }
  j["provenance"] = {{"scalebench_version", r.provenance.scalebench_version},
                     {"git_commit", r.provenance.git_commit},
                     {"command_line", r.provenance.command_line},
                     {"start_time", r.provenance.start_time},
                     {"end_time", r.provenance.end_time},
                     {"slurm", slurm},
                     {"environment", r.provenance.environment}};
}

void from_json(const json& j, ResultRecord& out) {
  JsonFields f = JsonFields::at_path(j, "");
  ResultRecord r;
  r.schema = f.str("schema");
  if (!readable_result_schema(r.schema)) {
    throw UsageError(fmt::format("schema '{}' is not {} or {}", printable(r.schema), kResultSchemaV1,
                                 kResultSchema));
  }
  r.status = f.str("status");
  vocabulary::require_one_of(r.status, "status", vocabulary::kStatuses);
  r.error = f.opt_str("error");
  r.point = read_point(f.object("point"));
  if (auto phases = f.opt_object("phases")) {
    r.phases.compute = read_opt_stats(*phases, "compute");
    r.phases.communication = read_opt_stats(*phases, "communication");
    r.phases.full = read_opt_stats(*phases, "full");
    if (auto c = phases->opt_object("compute_parts")) r.phases.compute_parts = read_compute_parts(std::move(*c));
    phases->finish();
  }
  r.step = read_opt_stats(f, "step");
  if (auto t = f.opt_object("throughput")) r.throughput = read_throughput(std::move(*t));
  if (auto c = f.opt_object("communication")) r.communication = read_communication(std::move(*c));
  if (auto m = f.opt_object("model")) r.model = read_model(std::move(*m));
  if (auto t = f.opt_object("telemetry")) r.telemetry = read_telemetry(std::move(*t));
  r.layer_class_ms = f.opt_number_map("layer_class_ms");  // absent in records before --layer-times
  if (auto rs = f.opt_object("rank_steps")) r.rank_steps = read_rank_steps(std::move(*rs));
  if (auto s = f.opt_object("system")) r.system = read_system(std::move(*s));
  if (auto p = f.opt_object("provenance")) r.provenance = read_provenance(std::move(*p));
  f.finish();
  out = std::move(r);
}

bool write_result_file(const ResultRecord& record, const std::filesystem::path& path,
                       bool overwrite, const std::function<bool()>& may_place) {
  if (!overwrite && std::filesystem::exists(std::filesystem::symlink_status(path))) {
    throw std::runtime_error("'" + path.string() + "' exists; pass --force to replace it");
  }
  if (const auto problem = output_path_problem(path)) throw std::runtime_error(*problem);
  return publish_file(path, json(record).dump(2) + "\n", overwrite, may_place);
}

ResultRecord read_result_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path.string() + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json j = parse_json_text(buffer.str(), path.string());
  ResultRecord r;
  from_json(j, r);
  return r;
}

}  // namespace scalebench
