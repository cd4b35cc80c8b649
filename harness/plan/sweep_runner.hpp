// `scalebench sweep`: every point of a plan on this machine, without Slurm (mpirun for
// multi-process points), skipping points whose result exists, with a progress display.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace scalebench::plan {

struct SweepOptions {
  bool force = false;                 // rerun points whose result exists
  std::filesystem::path binary;       // the scalebench to run (default: this program)
  std::string mpirun = "mpirun";
  std::optional<bool> terminal;       // progress style; default: whether `out` is a terminal
};

struct SweepSummary {
  std::int64_t points = 0;
  std::int64_t ran = 0;
  std::int64_t skipped = 0;
  std::int64_t failed = 0;
};

// Runs the points in plan order; each point's output goes to logs/point_K.log in the plan folder.
// A point that fails (or passes the plan's time limit) is counted and the sweep goes on.
SweepSummary run_sweep(const std::filesystem::path& plan_json, const SweepOptions& options,
                       std::ostream& out);

}  // namespace scalebench::plan
