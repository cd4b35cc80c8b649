// Where this process sits in the job: MPI ranks, cross-checked with Slurm and the MPI launcher's
// own variables, and which device each rank drives.
#pragma once

#include <map>
#include <string>

#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

struct LaunchInfo {
  int rank = 0;
  int size = 1;
  int local_rank = 0;
  int local_size = 1;
  int nodes = 1;
  std::string launcher;  // "srun", "mpirun", "mpiexec", "none"
  std::string host;
};

using Environment = std::map<std::string, std::string>;
Environment process_environment();

// Reads the launcher from the environment and checks it against what MPI says. A mismatch
// (e.g. srun without PMI support: every process believes it is rank 0 of 1) throws UsageError
// with the fix.
LaunchInfo detect_launch(const MpiWorld& world, const Environment& env);
// Pure form for tests.
LaunchInfo check_launch(int rank, int size, int local_rank, int local_size, int nodes,
                        const Environment& env);

// Where this process sits as the launcher says, read before MPI starts (so that a watchdog of
// MPI start-up knows whether this process is rank 0 and how many ranks to expect). rank from
// OMPI_COMM_WORLD_RANK, PMIX_RANK, SLURM_PROCID (inside an srun step) or PMI_RANK; size from
// OMPI_COMM_WORLD_SIZE, SLURM_STEP_NUM_TASKS/SLURM_NTASKS (inside a step) or PMI_SIZE. Without a
// launcher: rank 0 of 1. MPI's own answer, checked by detect_launch, is the one that counts.
struct LaunchGuess {
  int rank = 0;
  int size = 1;
};
LaunchGuess launch_from_environment(const Environment& env);

// ddp: the device of a rank is its local rank among the devices visible to it. Throws
// UsageError when a node has more ranks than visible devices.
int device_for_rank(const LaunchInfo& launch, int visible_devices, const std::string& backend);

std::string host_name();

}  // namespace scalebench
