// The system and provenance parts of a result: hosts, devices, library versions, times, Slurm.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/launch.hpp"
#include "records/result.hpp"
#include "kernels/communicator.hpp"
#include "kernels/device.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

std::string utc_now_iso();
// Version, git commit, command line, start time, the Slurm ids and the filtered environment of
// this process (rank 0's is the one recorded).
Provenance make_provenance(const std::string& command_line);
std::optional<SlurmRecord> slurm_from_environment(const Environment& env);

// The variables that change how a run communicates or computes, and nothing else (no secrets,
// no PATH or HOME): names starting with NCCL_, RCCL_, OMP_, OPENBLAS_, UCX_, FI_, MPICH_ or
// OMPI_MCA_, ending in _VISIBLE_DEVICES, and LOADEDMODULES; a name with SECRET, TOKEN, PASSWORD,
// PASSWD, CREDENTIAL or PRECONDITION_TRANSPORTS (Open MPI's job key) in it is dropped even so. Bounded: at most kMaxRecordedVariables (the first
// by name), each value cut to kMaxRecordedValueBytes (marked " [truncated, N bytes]"); names and
// values made valid UTF-8 (an invalid byte becomes U+FFFD), as JSON needs.
inline constexpr std::size_t kMaxRecordedVariables = 256;
inline constexpr std::size_t kMaxRecordedValueBytes = 4096;
bool is_recorded_variable(const std::string& name);
Environment filtered_environment(const Environment& env);

// Collective: every rank contributes its host and device indices; rank 0 gets them all. Also
// records the compiler, the MPI library and the communicator (`versions.communicator`: mpi, nccl,
// rccl or mpi-host-staging; the GPU device adds the NCCL/RCCL library version).
void fill_system(SystemRecord& system, const Device& device, const Communicator& communicator,
                 const MpiWorld& world, const LaunchInfo& launch,
                 const std::vector<std::int64_t>& device_indices);

}  // namespace scalebench
