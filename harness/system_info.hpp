// The system and provenance parts of a result: hosts, devices, library versions, times, Slurm.
#pragma once

#include <string>
#include <vector>

#include "harness/launch.hpp"
#include "records/result.hpp"
#include "kernels/device.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

std::string utc_now_iso();
// Version, git commit, command line, start time and the Slurm ids of this process.
Provenance make_provenance(const std::string& command_line);
std::optional<SlurmRecord> slurm_from_environment(const Environment& env);
// Collective: every rank contributes its host and device indices; rank 0 gets them all.
void fill_system(SystemRecord& system, const Device& device, const MpiWorld& world,
                 const LaunchInfo& launch, const std::vector<std::int64_t>& device_indices);

}  // namespace scalebench
