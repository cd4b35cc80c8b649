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

// ddp: the device of a rank is its local rank among the devices visible to it. Throws
// UsageError when a node has more ranks than visible devices.
int device_for_rank(const LaunchInfo& launch, int visible_devices, const std::string& backend);

std::string host_name();

}  // namespace scalebench
