// Recursive loading of result files: skipping bad files with a reason (the record checks are
// records/result.cpp's), schema versions, grouping.
#include "reports/loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "records/json_text.hpp"
#include "records/result.hpp"
#include "records/errors.hpp"
#include "records/vocabulary.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kResultSchemaPrefix = "scalebench.result/";
constexpr std::string_view kCpu = vocabulary::kBackends[0];  // its system is named by its CPU
static_assert(kCpu == "cpu");

// What one file turned out to be.
struct FileOutcome {
  enum class Kind { result, microbench, skipped, other_schema } kind = Kind::skipped;
  PointSample point;
  SystemInfo system;
  std::vector<BusbwSeries> series;
  std::string reason;  // skipped: why; other_schema: the schema string; result: its schema
  // A record whose label came from its cluster alone: it names no device model (a failure
  // record written before the run detected one). See adopt_cluster_labels.
  std::optional<std::string> cluster_without_model;
};

struct FoundFile {
  fs::path path;
  std::size_t input = 0;  // index into the inputs
};

// nlohmann messages start with "[json.exception.parse_error.101] "; the reader needs the rest.
std::string without_exception_tag(const std::string& what) {
  if (what.rfind("[json.exception.", 0) == 0) {
    const auto end = what.find("] ");
    if (end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

std::optional<double> median_of(const std::optional<StepStats>& s) {
  return s ? std::optional<double>(s->median_ms) : std::nullopt;
}

std::string device_model(const ResultRecord& r) {
  return r.point.backend != kCpu && r.system.gpu_model ? *r.system.gpu_model : r.system.cpu_model;
}

// A system is its cluster and device model, never a host: a hand-run sweep's jobs land on
// different hosts, and one curve must not become one "system" per host. Two machines with the
// same device model outside a plan are told apart with --label.
std::string system_label(const ResultRecord& r, const std::optional<std::string>& input_label) {
  if (input_label) return *input_label;
  if (r.point.label && !r.point.label->empty()) return *r.point.label;
  const std::string model = device_model(r);
  const std::string where = r.point.cluster.value_or("");
  if (model.empty()) return where.empty() ? "unknown system" : where;
  return where.empty() ? model : where + " " + model;
}

PointSample to_sample(const ResultRecord& r, const fs::path& path, const std::string& system) {
  PointSample s;
  s.path = path;
  s.system = system;
  s.workload = r.point.workload;
  s.strategy = r.point.strategy;
  s.precision = r.point.precision;
  s.scaling = r.point.scaling;
  s.backend = r.point.backend;
  s.batch_per_device = r.point.batch_per_device;
  s.global_batch = r.point.global_batch;
  s.devices = r.point.devices;
  s.nodes = r.point.nodes;
  s.devices_per_node = r.point.devices_per_node;
  s.image_size = r.point.image_size;
  s.steps = r.point.steps;
  // nlohmann objects are ordered by key, so the dump is a canonical text. devices_per_process is
  // mirrored's devices per node, which the GPU count sets: not a setting of the curve.
  json options = r.point.options;
  if (options.is_object()) options.erase("devices_per_process");
  s.options = options.dump();
  s.scalebench_version = r.provenance.scalebench_version;
  s.git_commit = r.provenance.git_commit;
  s.status = r.status;
  s.error = r.error.value_or("");
  const std::optional<StepStats>& full = r.phases.full ? r.phases.full : r.step;
  s.step_ms = median_of(full);
  if (full) {
    s.step_p5_ms = full->p5_ms;
    s.step_p95_ms = full->p95_ms;
  }
  s.compute_ms = median_of(r.phases.compute);
  if (r.communication) {
    s.exposed_ms = r.communication->exposed_ms;
    s.exposed_share = r.communication->share;
    s.overlap = r.communication->overlap;
    s.allreduce_ms = r.communication->allreduce_ms;
    s.busbw_gbps = r.communication->busbw_gbps;
  }
  if (r.throughput) s.samples_per_s = r.throughput->samples_per_s;
  return s;
}

SystemInfo to_system_info(const ResultRecord& r, const std::string& label) {
  SystemInfo info;
  info.label = label;
  info.cluster = r.point.cluster;
  info.gpu_model = r.point.backend == kCpu ? "" : r.system.gpu_model.value_or("");
  info.cpu_model = r.system.cpu_model;
  info.backend = r.point.backend;
  info.device_memory_bytes = r.system.device_memory_bytes;
  info.versions = r.system.versions;
  info.scalebench_version = r.provenance.scalebench_version;
  if (!r.system.hostname.empty()) info.hostnames.insert(r.system.hostname);
  for (const RankRecord& rank : r.system.ranks) {
    if (info.hostnames.size() >= kMaxHostnames) break;
    if (!rank.host.empty()) info.hostnames.insert(rank.host);
  }
  info.result_files = 1;
  return info;
}

FileOutcome skipped(std::string reason) {
  FileOutcome out;
  out.kind = FileOutcome::Kind::skipped;
  out.reason = std::move(reason);
  return out;
}

FileOutcome read_result(const json& doc, const fs::path& path,
                        const std::optional<std::string>& label) {
  ResultRecord record;
  try {
    from_json(doc, record);  // every check of a record, naming the JSON path of the problem
  } catch (const std::exception& e) {
    return skipped("invalid result: " + without_exception_tag(e.what()));
  }
  FileOutcome out;
  out.kind = FileOutcome::Kind::result;
  out.reason = record.schema;
  const std::string system = system_label(record, label);
  out.point = to_sample(record, path, system);
  out.system = to_system_info(record, system);
  if (!label && !(record.point.label && !record.point.label->empty()) && record.point.cluster &&
      device_model(record).empty()) {
    out.cluster_without_model = *record.point.cluster;
  }
  return out;
}

FileOutcome classify(const fs::path& path, const std::optional<std::string>& label) {
  json doc;
  try {
    doc = parse_json_text(read_text(path), path.string());
  } catch (const json::parse_error& e) {
    return skipped("malformed JSON: " + without_exception_tag(e.what()));
  } catch (const std::exception& e) {
    return skipped(e.what());
  }
  const auto schema = doc.is_object() ? doc.find("schema") : doc.end();
  if (schema != doc.end() && schema->is_string()) {
    const std::string name = schema->get<std::string>();
    if (readable_result_schema(name)) return read_result(doc, path, label);
    if (name.rfind(kResultSchemaPrefix, 0) == 0) {
      FileOutcome out;
      out.kind = FileOutcome::Kind::other_schema;
      out.reason = name;
      return out;
    }
    return skipped(fmt::format("schema '{}' is not a scalebench result", name));
  }
  if (is_google_benchmark_output(doc)) {
    FileOutcome out;
    out.series = read_busbw_series(doc, path, label.value_or(""));
    if (out.series.empty()) {
      return skipped("Google Benchmark output without bytes and busbw_gbps counters");
    }
    out.kind = FileOutcome::Kind::microbench;
    return out;
  }
  return skipped("not a scalebench result: no 'schema' key");
}

// Whatever a file holds, it ends as an outcome: nothing may escape a reading thread.
FileOutcome read_one(const fs::path& path, const std::optional<std::string>& label) {
  try {
    return classify(path, label);
  } catch (const std::exception& e) {
    return skipped(without_exception_tag(e.what()));
  }
}

std::vector<FoundFile> find_files(const std::vector<InputSpec>& inputs) {
  std::vector<FoundFile> files;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const fs::path& path = inputs[i].path;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      throw UsageError(fmt::format("input '{}' does not exist", path.string()));
    }
    if (!fs::is_directory(status)) {
      files.push_back({path, i});
      continue;
    }
    std::vector<fs::path> found;
    const auto options = fs::directory_options::skip_permission_denied;
    for (auto it = fs::recursive_directory_iterator(path, options, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".json") found.push_back(it->path());
    }
    if (ec)
      throw UsageError(fmt::format("cannot read folder '{}': {}", path.string(), ec.message()));
    std::sort(found.begin(), found.end());
    for (fs::path& f : found) files.push_back({std::move(f), i});
  }
  return files;
}

// Parsing dominates; the files are independent, so read them on a few threads.
std::vector<FileOutcome> read_all(const std::vector<FoundFile>& files,
                                  const std::vector<InputSpec>& inputs) {
  std::vector<FileOutcome> outcomes(files.size());
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < files.size(); i += threads) {
      outcomes[i] = read_one(files[i].path, inputs[files[i].input].label);
    }
  };
  std::vector<std::jthread> pool;
  for (std::size_t t = 1; t < threads && t < files.size(); ++t) pool.emplace_back(work, t);
  work(0);
  return outcomes;
}

void merge_system(std::map<std::string, SystemInfo>& systems, SystemInfo&& info) {
  auto [it, inserted] = systems.try_emplace(info.label, std::move(info));
  if (inserted) return;
  SystemInfo& known = it->second;
  known.result_files += 1;
  for (const std::string& host : info.hostnames) {
    if (known.hostnames.size() >= kMaxHostnames) break;
    known.hostnames.insert(host);
  }
}

// Schema versions this build cannot read: refused, naming what was readable beside them.
void check_schema_versions(const std::map<std::string, std::pair<std::size_t, fs::path>>& others,
                           std::size_t ours, const fs::path& our_example) {
  if (others.empty()) return;
  std::vector<std::string> parts;
  for (const auto& [schema, seen] : others) {
    parts.push_back(
        fmt::format("{} file(s) use {} (e.g. '{}')", seen.first, schema, seen.second.string()));
  }
  const std::string readable = fmt::format("{} and {}", kResultSchemaV1, kResultSchema);
  if (ours > 0) {
    throw UsageError(fmt::format(
        "{}, which this scalebench cannot read, beside {} readable result(s) (e.g. '{}'); it reads "
        "{}",
        fmt::join(parts, " and "), ours, our_example.string(), readable));
  }
  throw UsageError(fmt::format("{}; this scalebench reads {} only", fmt::join(parts, " and "), readable));
}

// A folder named on the command line must hold results (a typo otherwise goes unnoticed); a named
// file that is malformed is skipped and reported like any other.
void check_every_folder_has_results(const std::vector<InputSpec>& inputs,
                                    const std::vector<std::size_t>& found_per_input,
                                    const ResultSet& set) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (found_per_input[i] > 0 || !fs::is_directory(inputs[i].path)) continue;
    const std::string why = set.skipped.empty()
                                ? "no *.json files in it"
                                : fmt::format("{} file(s) skipped, see above", set.skipped.size());
    throw UsageError(
        fmt::format("no scalebench results in folder '{}' ({})", inputs[i].path.string(), why));
  }
}

}  // namespace

// One read of the whole file: reading 10,000 files char by char costs more than parsing them.
std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot open the file");
  std::string text(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) throw std::runtime_error("cannot read the file");
  return text;
}

// A run that failed before it detected its devices (a failure record staged at start-up, written
// when a signal ended the run) is labelled by its cluster alone, and would be a curve of its own
// beside the cluster's successful points: it joins them when its cluster's results name exactly
// one system.
void adopt_cluster_labels(std::vector<FileOutcome>& outcomes) {
  std::map<std::string, std::set<std::string>> labels;  // cluster -> labels with a device model
  for (const FileOutcome& o : outcomes) {
    if (o.kind == FileOutcome::Kind::result && !o.cluster_without_model && o.system.cluster)
      labels[*o.system.cluster].insert(o.point.system);
  }
  for (FileOutcome& o : outcomes) {
    if (o.kind != FileOutcome::Kind::result || !o.cluster_without_model) continue;
    const auto it = labels.find(*o.cluster_without_model);
    if (it == labels.end() || it->second.size() != 1) continue;
    o.point.system = *it->second.begin();
    o.system.label = o.point.system;
  }
}

ResultSet load_results(const std::vector<InputSpec>& inputs) {
  if (inputs.empty()) throw UsageError("no input: name result folders or files");
  const std::vector<FoundFile> files = find_files(inputs);
  std::vector<FileOutcome> outcomes = read_all(files, inputs);
  adopt_cluster_labels(outcomes);

  ResultSet set;
  set.files_read = files.size();
  std::vector<std::size_t> found_per_input(inputs.size(), 0);
  std::map<std::string, std::pair<std::size_t, fs::path>> other_schemas;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    FileOutcome& out = outcomes[i];
    switch (out.kind) {
      case FileOutcome::Kind::result:
        set.points.push_back(std::move(out.point));
        ++set.schemas[out.reason];
        merge_system(set.systems, std::move(out.system));
        ++found_per_input[files[i].input];
        break;
      case FileOutcome::Kind::microbench:
        for (BusbwSeries& s : out.series) set.busbw_series.push_back(std::move(s));
        ++found_per_input[files[i].input];
        break;
      case FileOutcome::Kind::other_schema: {
        auto& seen = other_schemas.try_emplace(out.reason, 0, files[i].path).first->second;
        ++seen.first;
        ++found_per_input[files[i].input];
        break;
      }
      case FileOutcome::Kind::skipped:
        set.skipped.push_back({files[i].path, std::move(out.reason)});
        break;
    }
  }
  outcomes.clear();
  check_schema_versions(other_schemas, set.points.size(),
                        set.points.empty() ? fs::path() : set.points.front().path);
  check_every_folder_has_results(inputs, found_per_input, set);
  if (set.points.empty()) {
    throw UsageError(fmt::format("no scalebench results among {} file(s) ({} skipped{})",
                                 files.size(), set.skipped.size(),
                                 set.busbw_series.empty() ? "" : ", the rest micro-benchmarks"));
  }
  return set;
}

namespace {

// The first six keys: what a reader calls "the same curve" before looking at the settings.
GroupKey base_key(const PointSample& p) {
  const std::int64_t batch =
      p.scaling == vocabulary::kStrong ? p.global_batch : p.batch_per_device;
  GroupKey key;
  key.system = p.system;
  key.workload = p.workload;
  key.strategy = p.strategy;
  key.precision = p.precision;
  key.scaling = p.scaling;
  key.batch = batch;
  return key;
}

std::string base_name(const GroupKey& k) {
  return fmt::format("{} {} {} batch {} ({} scaling) on {}", k.workload, k.strategy, k.precision,
                     k.batch, k.scaling, k.system);
}

// {"bucket_mb":25,"overlap":true} -> "bucket_mb=25, overlap=true"
std::string options_text(const std::string& compact) {
  const json doc = json::parse(compact, nullptr, false);
  if (!doc.is_object() || doc.empty()) return "no options";
  std::vector<std::string> parts;
  for (const auto& [name, value] : doc.items())
    parts.push_back(name + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
  return fmt::format("{}", fmt::join(parts, ", "));
}

// Splits one base curve by node layout where a GPU count was measured with two node counts (or
// the multi-node points use two layouts): each layout gets the single-node points that fit its
// node. Otherwise one curve, keyed by its multi-node layout (0 when single-node only).
void split_by_layout(GroupKey key, const std::vector<const PointSample*>& points,
                     PointGroups& out) {
  std::set<std::int64_t> layouts;
  std::map<std::int64_t, std::set<std::int64_t>> nodes_by_count;
  std::int64_t largest_single = 0;
  for (const PointSample* p : points) {
    nodes_by_count[p->devices].insert(p->nodes);
    if (p->nodes > 1) layouts.insert(p->devices_per_node);
    else largest_single = std::max(largest_single, p->devices);
  }
  const bool conflict = std::any_of(nodes_by_count.begin(), nodes_by_count.end(),
                                    [](const auto& e) { return e.second.size() > 1; });
  if (layouts.size() <= 1 && !conflict) {
    key.devices_per_node = layouts.empty() ? 0 : *layouts.begin();
    out[key] = points;
    return;
  }
  if (largest_single > *layouts.rbegin()) layouts.insert(largest_single);
  for (const std::int64_t layout : layouts) {
    key.devices_per_node = layout;
    std::vector<const PointSample*>& curve = out[key];
    for (const PointSample* p : points) {
      if (p->nodes > 1 ? p->devices_per_node == layout : p->devices <= layout)
        curve.push_back(p);
    }
  }
}

struct Dimension {
  const char* what;  // "image size"
  std::function<std::string(const GroupKey&)> value;
};

// What tells the curves of one base curve apart, for titles and the note that says so.
void name_variants(const GroupKey& base, PointGroups& curves, const std::string& device,
                   std::vector<std::string>* notes, PointGroups& out) {
  const Dimension dimensions[] = {
      {"image size", [](const GroupKey& k) { return fmt::format("image {} px", k.image_size); }},
      {"steps", [](const GroupKey& k) { return fmt::format("{} steps", k.steps); }},
      {"strategy options", [](const GroupKey& k) { return options_text(k.options); }},
      {"scalebench version",
       [](const GroupKey& k) { return fmt::format("scalebench {}", k.scalebench_version); }},
      {"node layout",
       [&device](const GroupKey& k) {
         return k.devices_per_node == 0 ? std::string("one node")
                                        : fmt::format("{} {}s per node", k.devices_per_node, device);
       }},
  };
  // The layout tells curves apart only where it was split on: a curve of single-node points
  // beside another setting's multi-node curve differs in that setting, not in its layout.
  auto same_but_layout = [&curves] {
    for (const auto& [a, pa] : curves)
      for (const auto& [b, pb] : curves)
        if (a.devices_per_node != b.devices_per_node && a.image_size == b.image_size &&
            a.steps == b.steps && a.options == b.options &&
            a.scalebench_version == b.scalebench_version)
          return true;
    return false;
  };
  std::vector<const Dimension*> differing;
  std::vector<std::string> described;
  for (const Dimension& d : dimensions) {
    std::set<std::string> values;
    for (const auto& [key, points] : curves) values.insert(d.value(key));
    if (values.size() < 2) continue;
    if (&d == &dimensions[4] && !same_but_layout()) continue;
    differing.push_back(&d);
    described.push_back(fmt::format("{} ({})", d.what, fmt::join(values, "; ")));
  }
  if (notes != nullptr && curves.size() > 1) {
    notes->push_back(fmt::format(
        "{}: its runs differ in {}, so they are not repeats of one another: shown as {} separate "
        "curves",
        base_name(base), fmt::join(described, " and "), curves.size()));
  }
  for (auto& [key, points] : curves) {
    GroupKey named = key;
    std::vector<std::string> parts;
    if (curves.size() > 1)
      for (const Dimension* d : differing) parts.push_back(d->value(key));
    named.variant = fmt::format("{}", fmt::join(parts, ", "));
    if (notes != nullptr) {
      std::set<std::string> commits;
      for (const PointSample* p : points)
        if (!p->git_commit.empty()) commits.insert(p->git_commit);
      if (commits.size() > 1) {
        notes->push_back(fmt::format(
            "{}{}: its runs come from {} commits of scalebench {} ({}); check that none changed "
            "what a step does",
            base_name(base), named.variant.empty() ? "" : " [" + named.variant + "]",
            commits.size(), key.scalebench_version, fmt::join(commits, ", ")));
      }
    }
    out[named] = std::move(points);
  }
}

}  // namespace

PointGroups group_points(const ResultSet& results, std::vector<std::string>* notes) {
  std::map<GroupKey, std::map<GroupKey, std::vector<const PointSample*>>> by_base;
  for (const PointSample& p : results.points) {
    const GroupKey base = base_key(p);
    GroupKey key = base;
    key.image_size = p.image_size;
    key.steps = p.steps;
    key.options = p.options;
    key.scalebench_version = p.scalebench_version;
    by_base[base][key].push_back(&p);
  }
  PointGroups groups;
  for (const auto& [base, settings] : by_base) {
    PointGroups curves;
    for (const auto& [key, points] : settings) split_by_layout(key, points, curves);
    const bool cpu = settings.begin()->second.front()->backend == kCpu;
    name_variants(base, curves, cpu ? "device" : "GPU", notes, groups);
  }
  return groups;
}

}  // namespace scalebench::reports
