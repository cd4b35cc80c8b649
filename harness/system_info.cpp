// System and provenance facts for result records.
#include "harness/system_info.hpp"

#include <chrono>
#include <ctime>
#include <sstream>

#include <fmt/format.h>

#include "harness/version.hpp"
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

Provenance make_provenance(const std::string& command_line) {
  Provenance p;
  p.scalebench_version = kScalebenchVersion;
  p.git_commit = kScalebenchGitCommit;
  p.command_line = command_line;
  p.start_time = utc_now_iso();
  p.slurm = slurm_from_environment(process_environment());
  return p;
}

void fill_system(SystemRecord& system, const Device& device, const MpiWorld& world,
                 const LaunchInfo& launch, const std::vector<std::int64_t>& device_indices) {
  const DeviceInfo info = device.info();
  system.hostname = launch.host;
  system.cpu_model = cpu_model_name();  // GPU runs record the host CPU too
  if (info.backend != "cpu") {
    system.gpu_model = info.model;
    system.device_memory_bytes = info.memory_bytes;
  }
  system.versions = info.versions;
  system.versions["mpi"] = world.library_version();
  system.versions["compiler"] = fmt::format("{} {}", SCALEBENCH_COMPILER_ID, __VERSION__);
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
