// Launch environment detection and cross-checks (Slurm, Open MPI, MPICH/Hydra).
#include "harness/launch.hpp"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/numbers.hpp"

extern char** environ;

namespace scalebench {
namespace {

std::optional<int> env_int(const Environment& env, const char* key) {
  const auto it = env.find(key);
  if (it == env.end()) return std::nullopt;
  const auto v = parse_whole_number(it->second);
  if (!v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max())
    return std::nullopt;
  return int(*v);
}

void expect(std::optional<int> value, int actual, const char* var, const char* what,
            const char* fix) {
  if (value && *value != actual) {
    throw UsageError(fmt::format("launch mismatch: {}={} but MPI reports {} {}; {}", var, *value,
                                 what, actual, fix));
  }
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

LaunchInfo check_launch(int rank, int size, int local_rank, int local_size, int nodes,
                        const Environment& env) {
  LaunchInfo info{rank, size, local_rank, local_size, nodes, "none", host_name()};
  if (env.count("OMPI_COMM_WORLD_RANK")) {
    info.launcher = "mpirun";
    const char* fix = "the MPI library does not match the mpirun that started it";
    expect(env_int(env, "OMPI_COMM_WORLD_RANK"), rank, "OMPI_COMM_WORLD_RANK", "rank", fix);
    expect(env_int(env, "OMPI_COMM_WORLD_SIZE"), size, "OMPI_COMM_WORLD_SIZE", "world size", fix);
    expect(env_int(env, "OMPI_COMM_WORLD_LOCAL_RANK"), local_rank, "OMPI_COMM_WORLD_LOCAL_RANK",
           "local rank", fix);
  } else if (env.count("PMI_RANK") && !env.count("SLURM_STEP_ID")) {
    info.launcher = "mpiexec";
    const char* fix = "the MPI library does not match the mpiexec that started it";
    expect(env_int(env, "PMI_RANK"), rank, "PMI_RANK", "rank", fix);
    expect(env_int(env, "PMI_SIZE"), size, "PMI_SIZE", "world size", fix);
  } else if (env.count("SLURM_STEP_ID") && env.count("SLURM_PROCID")) {
    info.launcher = "srun";
    const char* fix =
        "srun did not start the ranks through MPI's process manager: use srun --mpi=pmix (or "
        "pmi2), or launch with mpirun inside the allocation";
    expect(env_int(env, "SLURM_PROCID"), rank, "SLURM_PROCID", "rank", fix);
    const auto tasks = env_int(env, "SLURM_STEP_NUM_TASKS") ? env_int(env, "SLURM_STEP_NUM_TASKS")
                                                            : env_int(env, "SLURM_NTASKS");
    expect(tasks, size, "SLURM_STEP_NUM_TASKS", "world size", fix);
    expect(env_int(env, "SLURM_LOCALID"), local_rank, "SLURM_LOCALID", "local rank", fix);
  }
  return info;
}

LaunchGuess launch_from_environment(const Environment& env) {
  LaunchGuess g;
  const bool in_step = env.count("SLURM_STEP_ID") > 0;
  auto first = [&](std::initializer_list<const char*> keys) -> std::optional<int> {
    for (const char* k : keys) {
      if (std::string(k).rfind("SLURM_", 0) == 0 && !in_step) continue;
      if (const auto v = env_int(env, k)) return v;
    }
    return std::nullopt;
  };
  if (const auto r = first({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID", "PMI_RANK"})) {
    g.rank = std::max(0, *r);
  }
  if (const auto n = first({"OMPI_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "PMI_SIZE"})) {
    g.size = std::max(1, *n);
  }
  return g;
}

LaunchInfo detect_launch(const MpiWorld& world, const Environment& env) {
  return check_launch(world.rank(), world.size(), world.local_rank(), world.local_size(),
                      world.nodes(), env);
}

int device_for_rank(const LaunchInfo& launch, int visible_devices, const std::string& backend) {
  if (backend == "cpu") return 0;
  if (visible_devices <= 0) {
    throw UsageError(fmt::format("no {} device is visible to rank {} on {}", backend, launch.rank,
                                 launch.host));
  }
  // Per-task binding (srun --gpus-per-task=1, or a wrapper setting CUDA/ROCR_VISIBLE_DEVICES per
  // rank as in LUMI's guide) leaves each rank exactly one visible device.
  if (visible_devices == 1) return 0;
  if (launch.local_size > visible_devices) {
    throw UsageError(fmt::format(
        "{} ranks on {} but only {} {} devices are visible: ddp runs one rank per device "
        "(request one GPU per task, or fewer tasks per node)",
        launch.local_size, launch.host, visible_devices, backend));
  }
  return launch.local_rank;
}

}  // namespace scalebench
