// The measured run loop: set up one point, warm up, measure the three phases, check the
// all-reduce, and return the record. It never formats or writes files.
#pragma once

#include <optional>
#include <string>

#include "harness/launch.hpp"
#include "records/result.hpp"
#include "harness/run_options.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace scalebench {

// Faults injected by the multi-rank tests (hidden option --inject-fault MODE@RANK).
struct FaultInjection {
  std::string mode;  // "", "exit", "hang", "stop" (SIGSTOP itself), "kill" (SIGKILL), "corrupt"
  int rank = -1;
  std::string phase = "full";  // where exit/hang/stop/kill strike: "compute", "communication", "full"
};

// A run point with every default filled in and every value validated; throws UsageError.
struct ResolvedRun {
  RunOptions options;
  std::string backend;
  int local_devices = 1;  // devices this process drives
  std::int64_t image_size = 0;
  std::int64_t batch_per_device = 0;
};

// Validation that needs no MPI (done before MPI starts, identically on every rank); world_size
// is the number of processes (for --global-batch).
ResolvedRun resolve_run(const RunOptions& options, int world_size);

// The record's point and provenance, filled before anything runs, so that a failure still
// leaves a complete description of what was attempted.
ResultRecord initial_record(const ResolvedRun& run, const LaunchInfo& launch);

// Runs the point on every rank. Rank 0's return value is the complete record; other ranks'
// records are partial. Throws RunError/TimeoutError on failure.
void run_point(const ResolvedRun& run, MpiWorld& world, const LaunchInfo& launch,
               const FaultInjection& fault, ResultRecord& record);

}  // namespace scalebench
