// JSON mapping, validation, durable atomic writing and the per-point lock of result records.
#include "records/result.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/json_fields.hpp"
#include "records/json_text.hpp"
#include "records/script_safety.hpp"
#include "records/vocabulary.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <string_view>

namespace scalebench {
namespace {

using nlohmann::json;

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// The words communication.check takes: the record's own, so not in the shared vocabulary.
constexpr std::array<std::string_view, 3> kChecks = {"passed", "failed", "skipped"};

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
  // its own). Releases wrote an object; an array is kept too, as the readers before this one did.
  if (const json* options = f.sub("options", false)) {
    if (!options->is_array()) f.object("options");  // refuses a string, a number, a boolean
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
  f.finish();
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
  vocabulary::require_one_of(c.check, "communication.check", kChecks);
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
  f.finish();
  return p;
}

}  // namespace

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
    }
    j["communication"] = {{"exposed_ms", c.exposed_ms},     {"overlap", c.overlap},
                          {"share", c.share},               {"allreduce_ms", c.allreduce_ms},
                          {"algbw_gbps", c.algbw_gbps},     {"busbw_gbps", c.busbw_gbps},
                          {"buckets", buckets},             {"check", c.check}};
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
                     {"slurm", slurm}};
}

void from_json(const json& j, ResultRecord& out) {
  JsonFields f = JsonFields::at_path(j, "");
  ResultRecord r;
  r.schema = f.str("schema");
  if (r.schema != kResultSchema) {
    throw UsageError(fmt::format("schema '{}' is not {}", printable(r.schema), kResultSchema));
  }
  r.status = f.str("status");
  vocabulary::require_one_of(r.status, "status", vocabulary::kStatuses);
  r.error = f.opt_str("error");
  r.point = read_point(f.object("point"));
  if (auto phases = f.opt_object("phases")) {
    r.phases.compute = read_opt_stats(*phases, "compute");
    r.phases.communication = read_opt_stats(*phases, "communication");
    r.phases.full = read_opt_stats(*phases, "full");
    phases->finish();
  }
  r.step = read_opt_stats(f, "step");
  if (auto t = f.opt_object("throughput")) r.throughput = read_throughput(std::move(*t));
  if (auto c = f.opt_object("communication")) r.communication = read_communication(std::move(*c));
  if (auto m = f.opt_object("model")) r.model = read_model(std::move(*m));
  if (auto t = f.opt_object("telemetry")) r.telemetry = read_telemetry(std::move(*t));
  r.layer_class_ms = f.opt_number_map("layer_class_ms");  // absent in records before --layer-times
  if (auto s = f.opt_object("system")) r.system = read_system(std::move(*s));
  if (auto p = f.opt_object("provenance")) r.provenance = read_provenance(std::move(*p));
  f.finish();
  out = std::move(r);
}
std::optional<std::string> output_path_problem(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return "cannot inspect output '" + path.string() + "': " + std::strerror(errno);
  }
  if (S_ISREG(st.st_mode)) return std::nullopt;
  const char* what = S_ISLNK(st.st_mode)    ? "a symbolic link"
                     : S_ISDIR(st.st_mode)  ? "a directory"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  return "output '" + path.string() + "' is " + what +
         "; a result must go to a regular file or a new name (--force replaces regular files only)";
}

namespace {

const char kNotRegular[] = "the output is not a regular file";
const char kAppeared[] = "a record appeared at the output while this run was going";

// Only system calls from here to publish_file_raw: they run in signal handlers too.

// Moves tmp to path without replacing anything: link() fails with EEXIST when path exists.
// Where hard links are not supported, renameat2(RENAME_NOREPLACE) does the same.
int move_no_replace(const char* tmp, const char* path) noexcept {
  if (::link(tmp, path) == 0) {
    ::unlink(tmp);
    return 0;
  }
  const int err = errno;
  if (err != EPERM && err != EOPNOTSUPP && err != ENOSYS && err != EMLINK) return err;
  if (::renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) return 0;
  return errno;
}

}  // namespace

int stage_file_raw(const char* tmp, const char* data, std::size_t size, const char** step) noexcept {
  const char* ignored = nullptr;
  if (!step) step = &ignored;
  const int fd = ::open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *step = "creating the temporary file";
    return errno;
  }
  auto fail = [&](const char* what, int err) {
    ::close(fd);
    ::unlink(tmp);
    *step = what;
    return err;
  };
  std::size_t off = 0;
  while (off < size) {
    const ssize_t n = ::write(fd, data + off, size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("writing", errno);
    if (n == 0) return fail("writing", EIO);
    off += std::size_t(n);
  }
  if (::fsync(fd) != 0) return fail("flushing (fsync)", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp);
    *step = "closing";
    return err;
  }
  return 0;
}

int place_file_raw(const char* tmp, const char* path, bool overwrite, const char** step) noexcept {
  const char* ignored = nullptr;
  if (!step) step = &ignored;
  int err = 0;
  if (overwrite) {
    struct stat st {};
    if (::lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
      ::unlink(tmp);
      *step = kNotRegular;
      return EEXIST;
    }
    if (::rename(tmp, path) != 0) err = errno;
  } else {
    err = move_no_replace(tmp, path);
    if (err == EEXIST) {
      ::unlink(tmp);
      *step = kAppeared;
      return EEXIST;
    }
  }
  if (err != 0) {
    ::unlink(tmp);
    *step = "moving the temporary file into place";
  }
  return err;
}

int sync_folder_raw(const char* dir, const char** step) noexcept {
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = fd < 0 ? errno : (::fsync(fd) == 0 ? 0 : errno);
  if (fd >= 0) ::close(fd);
  // Some file systems cannot fsync a folder; the rename itself has happened.
  if (err == EINVAL || err == EROFS) err = 0;
  if (err != 0 && step) *step = "flushing the folder (fsync)";
  return err;
}

int publish_file_raw(const char* tmp, const char* path, const char* dir, const char* data,
                     std::size_t size, bool overwrite, const char** step) noexcept {
  int err = stage_file_raw(tmp, data, size, step);
  if (err == 0) err = place_file_raw(tmp, path, overwrite, step);
  if (err == 0) err = sync_folder_raw(dir, step);
  return err;
}

namespace {

bool publish(const std::filesystem::path& path, const std::string& text, bool overwrite,
             const std::function<bool()>& may_place) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp;
  const char* step = nullptr;
  int err = EEXIST;
  while (err == EEXIST) {  // a temporary name still in use: take the next one
    tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                 std::to_string(counter++));
    err = stage_file_raw(tmp.c_str(), text.data(), text.size(), &step);
  }
  if (err == 0 && may_place && !may_place()) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (err == 0) err = place_file_raw(tmp.c_str(), path.c_str(), overwrite, &step);
  if (err == 0) err = sync_folder_raw(dir.c_str(), &step);
  if (err == 0) return true;
  std::string why = step;
  if (step == kNotRegular) {
    why = output_path_problem(path).value_or(why);
    throw std::runtime_error("cannot write '" + path.string() + "': " + why);
  }
  if (step == kAppeared) {
    throw std::runtime_error("not writing '" + path.string() + "': " + why +
                             " (another run of this point?); it was not replaced; pass --force "
                             "to replace it");
  }
  throw std::runtime_error("cannot write '" + path.string() + "': " + why + " in '" +
                           dir.string() + "' failed: " + std::strerror(err) +
                           "; nothing was written");
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  publish(path, text, true, nullptr);
}

bool write_result_file(const ResultRecord& record, const std::filesystem::path& path,
                       bool overwrite, const std::function<bool()>& may_place) {
  if (!overwrite && std::filesystem::exists(std::filesystem::symlink_status(path))) {
    throw std::runtime_error("'" + path.string() + "' exists; pass --force to replace it");
  }
  if (const auto problem = output_path_problem(path)) throw std::runtime_error(*problem);
  return publish(path, json(record).dump(2) + "\n", overwrite, may_place);
}

std::filesystem::path PointLock::lock_file(const std::filesystem::path& record) {
  return record.parent_path() / ("." + record.filename().string() + ".lock");
}

namespace {

int ofd_lock(int fd, int cmd, short type, struct flock* out = nullptr) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  const int rc = ::fcntl(fd, cmd, &fl);
  if (out) *out = fl;
  return rc;
}

bool locks_unsupported(int err) { return err == ENOLCK || err == ENOSYS || err == EOPNOTSUPP || err == EINVAL; }

}  // namespace

std::optional<PointLock> PointLock::try_lock(const std::filesystem::path& record) {
  const std::filesystem::path file = lock_file(record);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      throw std::runtime_error("cannot create the lock file '" + file.string() +
                               "': " + std::strerror(errno));
    }
    if (ofd_lock(fd, F_OFD_SETLK, F_WRLCK) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EAGAIN || err == EACCES) return std::nullopt;
      if (locks_unsupported(err)) {
        std::fprintf(stderr,
                     "scalebench: warning: the file system of '%s' does not support locks (%s); "
                     "concurrent runs of this point are not detected\n",
                     file.c_str(), std::strerror(err));
        return PointLock(-1, file);
      }
      throw std::runtime_error("cannot lock '" + file.string() + "': " + std::strerror(err));
    }
    // The holder before us may have removed the file after we opened it: the lock counts only
    // if it is on the file that is at the path now.
    struct stat held {}, now {};
    if (::fstat(fd, &held) == 0 && ::lstat(file.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino) {
      return PointLock(fd, file);
    }
    ::close(fd);
  }
  throw std::runtime_error("cannot lock '" + file.string() + "': it keeps being replaced");
}

PointLock::PointLock(PointLock&& other) noexcept : fd_(other.fd_), file_(std::move(other.file_)) {
  other.fd_ = -1;
  other.file_.clear();
}

PointLock& PointLock::operator=(PointLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    file_ = std::move(other.file_);
    other.fd_ = -1;
    other.file_.clear();
  }
  return *this;
}

PointLock::~PointLock() { release(); }

void PointLock::release() noexcept {
  if (fd_ < 0) return;
  // Removed while still held, so a process that opened it meanwhile sees the path changed.
  ::unlink(file_.c_str());
  ::close(fd_);
  fd_ = -1;
}

bool point_is_locked(const std::filesystem::path& record) {
  const std::filesystem::path file = PointLock::lock_file(record);
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct flock fl {};
  const bool locked = ofd_lock(fd, F_OFD_GETLK, F_WRLCK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  return locked;
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
