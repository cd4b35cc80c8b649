// System and provenance facts for result records.
#include "harness/system_info.hpp"

#include <cctype>
#include <chrono>
#include <ctime>
#include <sstream>

#include <fmt/format.h>

#include "harness/build_info.hpp"
#include "kernels/cpu/cpu_device.hpp"

namespace scalebench {

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<SlurmRecord> slurm_from_environment(const Environment& env) {
  auto get = [&](const char* key) -> std::optional<std::string> {
    const auto it = env.find(key);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  SlurmRecord s{get("SLURM_JOB_ID"), get("SLURM_ARRAY_JOB_ID"), get("SLURM_ARRAY_TASK_ID"),
                get("SLURM_JOB_NODELIST")};
  if (!s.job_id && !s.array_job_id) return std::nullopt;
  return s;
}

namespace {

// `text` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD (nlohmann's
// dump throws on invalid UTF-8, and then no record could be written).
std::string valid_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    std::size_t n = 0;  // continuation bytes
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (c < 0x80) {
      out += char(c);
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) low = 0xA0;   // no overlong forms
      if (c == 0xED) high = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    }
    bool ok = n > 0 && i + n < text.size();  // all n continuation bytes are there
    if (ok) ok = byte(i + 1) >= low && byte(i + 1) <= high;
    for (std::size_t k = 2; ok && k <= n; ++k) ok = byte(i + k) >= 0x80 && byte(i + k) <= 0xBF;
    if (ok) {
      out.append(text, i, n + 1);
      i += n + 1;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

bool is_recorded_variable(const std::string& name) {
  static const char* const kPrefixes[] = {"NCCL_", "RCCL_",  "OMP_",   "OPENBLAS_",
                                          "UCX_",  "FI_",    "MPICH_", "OMPI_MCA_"};
  // PRECONDITION_TRANSPORTS: the job key Open MPI makes for PSM/OFI job isolation.
  static const char* const kSecretWords[] = {"SECRET",     "TOKEN",      "PASSWORD",
                                             "PASSWD",     "CREDENTIAL", "PRECONDITION_TRANSPORTS"};
  bool wanted = name == "LOADEDMODULES";
  for (const char* p : kPrefixes) wanted = wanted || name.starts_with(p);
  wanted = wanted || (name.ends_with("_VISIBLE_DEVICES") && name.size() > 16);
  if (!wanted) return false;
  std::string upper = name;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  for (const char* w : kSecretWords) {
    if (upper.find(w) != std::string::npos) return false;
  }
  return true;
}

Environment filtered_environment(const Environment& env) {
  Environment kept;
  for (const auto& [name, value] : env) {  // a std::map: in name order
    if (kept.size() == kMaxRecordedVariables) break;
    if (!is_recorded_variable(name)) continue;
    std::string v = valid_utf8(value);
    if (v.size() > kMaxRecordedValueBytes) {
      std::size_t cut = kMaxRecordedValueBytes;
      while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;  // whole characters
      v = fmt::format("{} [truncated, {} bytes]", v.substr(0, cut), value.size());
    }
    kept.emplace(valid_utf8(name), std::move(v));
  }
  return kept;
}

Provenance make_provenance(const std::string& command_line) {
  const Environment env = process_environment();
  Provenance p;
  p.scalebench_version = build_info().version;
  p.git_commit = build_info().git_commit;
  p.command_line = command_line;
  p.start_time = utc_now_iso();
  p.slurm = slurm_from_environment(env);
  p.environment = filtered_environment(env);
  return p;
}

void fill_system(SystemRecord& system, const Device& device, const Communicator& communicator,
                 const MpiWorld& world, const LaunchInfo& launch,
                 const std::vector<std::int64_t>& device_indices) {
  const DeviceInfo info = device.info();
  system.hostname = launch.host;
  system.cpu_model = cpu_model_name();  // GPU runs record the host CPU too
  if (info.backend != "cpu") {
    system.gpu_model = info.model;
    system.device_memory_bytes = info.memory_bytes;
  }
  system.versions = info.versions;
  system.versions["mpi"] = world.library_version();
  system.versions["compiler"] = build_info().compiler;
  system.versions["communicator"] = communicator.name();
  system.versions["backend"] = info.backend;

  std::string mine = fmt::format("{}", launch.host);
  for (std::int64_t d : device_indices) mine += fmt::format(",{}", d);
  const auto all = world.gather_strings(mine);
  system.ranks.clear();
  for (std::size_t r = 0; r < all.size(); ++r) {
    RankRecord rk;
    rk.rank = std::int64_t(r);
    std::stringstream ss(all[r]);
    std::string field;
    std::getline(ss, rk.host, ',');
    while (std::getline(ss, field, ',')) rk.devices.push_back(std::stoll(field));
    system.ranks.push_back(rk);
  }
}

}  // namespace scalebench
