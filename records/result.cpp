// JSON mapping, validation, durable atomic writing and the per-point lock of result records.
#include "records/result.hpp"

#include "records/json_text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>

namespace scalebench {
namespace {

using nlohmann::json;

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// nlohmann turns a float into an integer with a plain cast, undefined behaviour out of range
// (1e300): such a number is refused, naming the key. Found by fuzz/result_reader_fuzz.cpp.
std::int64_t to_int(const json& v, const char* key) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(d > -9.2e18 && d < 9.2e18)) {
      throw std::runtime_error(std::string("'") + key + "' is out of range: " + v.dump());
    }
  }
  return v.get<std::int64_t>();
}

// j.value(key, fallback) for integers, range-checked as to_int.
std::int64_t int_or(const json& j, const char* key, std::int64_t fallback) {
  if (!j.is_object()) {
    throw std::runtime_error(std::string("cannot read '") + key + "' from a " + j.type_name());
  }
  const auto it = j.find(key);
  return it == j.end() ? fallback : to_int(*it, key);
}

std::vector<std::int64_t> ints_or_empty(const json& j, const char* key) {
  std::vector<std::int64_t> out;
  if (!j.is_object()) {
    throw std::runtime_error(std::string("cannot read '") + key + "' from a " + j.type_name());
  }
  const auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array()) throw std::runtime_error(std::string("'") + key + "' is not an array");
  for (const json& v : *it) out.push_back(to_int(v, key));
  return out;
}

template <typename T>
void get_opt(const json& j, const char* key, std::optional<T>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    out = to_int(*it, key);
  } else {
    out = it->template get<T>();
  }
}

// Required key: names the key when it is missing.
const json& need(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) throw std::runtime_error(std::string("missing key '") + key + "'");
  return *it;
}

}  // namespace

void to_json(json& j, const StepStats& v) {
  j = json{{"median_ms", v.median_ms}, {"p5_ms", v.p5_ms}, {"p95_ms", v.p95_ms},
           {"mean_ms", v.mean_ms},     {"stdev_ms", v.stdev_ms}, {"min_ms", v.min_ms},
           {"max_ms", v.max_ms},       {"count", v.count}};
}

void from_json(const json& j, StepStats& v) {
  v.median_ms = need(j, "median_ms").get<double>();
  v.p5_ms = need(j, "p5_ms").get<double>();
  v.p95_ms = need(j, "p95_ms").get<double>();
  v.mean_ms = need(j, "mean_ms").get<double>();
  v.stdev_ms = need(j, "stdev_ms").get<double>();
  v.min_ms = j.value("min_ms", v.p5_ms);
  v.max_ms = j.value("max_ms", v.p95_ms);
  v.count = to_int(need(j, "count"), "count");
}

static json opt_stats(const std::optional<StepStats>& s) { return s ? json(*s) : json(nullptr); }

static void get_stats(const json& j, const char* key, std::optional<StepStats>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
  } else {
    StepStats s;
    from_json(*it, s);
    out = s;
  }
}

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

void from_json(const json& j, ResultRecord& r) {
  if (!j.is_object()) throw std::runtime_error("not a JSON object");
  const auto schema_it = j.find("schema");
  if (schema_it == j.end() || !schema_it->is_string()) {
    throw std::runtime_error("no 'schema' string: not a scalebench result");
  }
  r.schema = schema_it->get<std::string>();
  if (r.schema != kResultSchema) {
    throw std::runtime_error("schema '" + r.schema + "' is not " + kResultSchema);
  }
  r.status = need(j, "status").get<std::string>();
  if (r.status != "ok" && r.status != "failed" && r.status != "timeout") {
    throw std::runtime_error("status '" + r.status + "' is not one of ok, failed, timeout");
  }
  get_opt(j, "error", r.error);

  const json& p = need(j, "point");
  RunPoint& pt = r.point;
  pt.workload = need(p, "workload").get<std::string>();
  pt.strategy = need(p, "strategy").get<std::string>();
  pt.backend = need(p, "backend").get<std::string>();
  pt.precision = need(p, "precision").get<std::string>();
  pt.batch_per_device = to_int(need(p, "batch_per_device"), "batch_per_device");
  pt.global_batch = int_or(p, "global_batch", pt.batch_per_device);
  pt.scaling = p.value("scaling", std::string("weak"));
  if (pt.scaling != "weak" && pt.scaling != "strong") {
    throw std::runtime_error("point.scaling '" + pt.scaling + "' is not weak or strong");
  }
  pt.devices = to_int(need(p, "devices"), "devices");
  pt.nodes = to_int(need(p, "nodes"), "nodes");
  pt.devices_per_node = int_or(p, "devices_per_node", pt.devices);
  pt.world_size = int_or(p, "world_size", 1);
  pt.image_size = int_or(p, "image_size", 0);
  pt.steps = int_or(p, "steps", 0);
  pt.warmup = int_or(p, "warmup", 0);
  pt.options = p.value("options", json::object());
  get_opt(p, "cluster", pt.cluster);
  get_opt(p, "label", pt.label);

  if (const auto ph = j.find("phases"); ph != j.end() && ph->is_object()) {
    get_stats(*ph, "compute", r.phases.compute);
    get_stats(*ph, "communication", r.phases.communication);
    get_stats(*ph, "full", r.phases.full);
  }
  get_stats(j, "step", r.step);
  if (const auto t = j.find("throughput"); t != j.end() && !t->is_null()) {
    r.throughput = Throughput{need(*t, "samples_per_s").get<double>(),
                              need(*t, "samples_per_s_per_device").get<double>()};
  }
  if (const auto c = j.find("communication"); c != j.end() && !c->is_null()) {
    CommunicationRecord cr;
    cr.exposed_ms = need(*c, "exposed_ms").get<double>();
    cr.overlap = need(*c, "overlap").get<double>();
    cr.share = need(*c, "share").get<double>();
    cr.allreduce_ms = c->value("allreduce_ms", 0.0);
    cr.algbw_gbps = c->value("algbw_gbps", 0.0);
    cr.busbw_gbps = c->value("busbw_gbps", 0.0);
    cr.check = c->value("check", std::string("skipped"));
    for (const json& b : c->value("buckets", json::array())) {
      cr.buckets.push_back(BucketRecord{to_int(need(b, "index"), "index"),
                                        to_int(need(b, "bytes"), "bytes"),
                                        int_or(b, "tensors", 0),
                                        need(b, "time_ms").get<double>(),
                                        need(b, "algbw_gbps").get<double>(),
                                        need(b, "busbw_gbps").get<double>()});
    }
    r.communication = cr;
  }
  if (const auto m = j.find("model"); m != j.end() && m->is_object()) {
    r.model.parameters = int_or(*m, "parameters", 0);
    r.model.forward_flops_per_sample = m->value("forward_flops_per_sample", 0.0);
    r.model.layers = int_or(*m, "layers", 0);
    r.model.gradient_bytes = int_or(*m, "gradient_bytes", 0);
  }
  if (const auto t = j.find("telemetry"); t != j.end() && t->is_object()) {
    Telemetry tel;
    get_opt(*t, "mean_power_w", tel.mean_power_w);
    get_opt(*t, "energy_per_sample_j", tel.energy_per_sample_j);
    get_opt(*t, "peak_memory_bytes", tel.peak_memory_bytes);
    get_opt(*t, "mean_utilization", tel.mean_utilization);
    get_opt(*t, "mean_sm_clock_mhz", tel.mean_sm_clock_mhz);
    r.telemetry = tel;
  }
  if (const auto lc = j.find("layer_class_ms"); lc != j.end() && lc->is_object()) {
    r.layer_class_ms = lc->get<std::map<std::string, double>>();
  }
  if (const auto s = j.find("system"); s != j.end() && s->is_object()) {
    r.system.hostname = s->value("hostname", std::string());
    r.system.cpu_model = s->value("cpu_model", std::string());
    get_opt(*s, "gpu_model", r.system.gpu_model);
    get_opt(*s, "device_memory_bytes", r.system.device_memory_bytes);
    r.system.versions = s->value("versions", std::map<std::string, std::string>{});
    for (const json& rk : s->value("ranks", json::array())) {
      r.system.ranks.push_back(RankRecord{int_or(rk, "rank", 0),
                                          rk.value("host", std::string()),
                                          ints_or_empty(rk, "devices")});
    }
  }
  if (const auto pv = j.find("provenance"); pv != j.end() && pv->is_object()) {
    r.provenance.scalebench_version = pv->value("scalebench_version", std::string());
    r.provenance.git_commit = pv->value("git_commit", std::string());
    r.provenance.command_line = pv->value("command_line", std::string());
    r.provenance.start_time = pv->value("start_time", std::string());
    r.provenance.end_time = pv->value("end_time", std::string());
    if (const auto sl = pv->find("slurm"); sl != pv->end() && sl->is_object()) {
      SlurmRecord s;
      get_opt(*sl, "job_id", s.job_id);
      get_opt(*sl, "array_job_id", s.array_job_id);
      get_opt(*sl, "array_task_id", s.array_task_id);
      get_opt(*sl, "nodelist", s.nodelist);
      r.provenance.slurm = s;
    }
  }
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
