// Recursive loading of result files: skipping bad files with a reason (the record checks are
// records/result.cpp's), schema versions, grouping.
#include "reports/loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include <algorithm>
#include <fstream>
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

std::string system_label(const ResultRecord& r, const std::optional<std::string>& input_label) {
  if (input_label) return *input_label;
  if (r.point.label && !r.point.label->empty()) return *r.point.label;
  const std::string model = device_model(r);
  const std::string where = r.point.cluster ? *r.point.cluster : r.system.hostname;
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

PointGroups group_points(const ResultSet& results) {
  PointGroups groups;
  for (const PointSample& p : results.points) {
    const std::int64_t batch =
        p.scaling == vocabulary::kStrong ? p.global_batch : p.batch_per_device;
    groups[GroupKey{p.system, p.workload, p.strategy, p.precision, p.scaling, batch}].push_back(&p);
  }
  return groups;
}

}  // namespace scalebench::reports
