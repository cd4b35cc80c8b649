// `scalebench sweep`: every point of a plan on this machine, without Slurm (mpirun for
// multi-process points), skipping points whose valid result exists, with a progress display.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace scalebench::plan {

// How long an interrupted point has to end (write its record) before it is killed.
inline constexpr std::chrono::seconds kSignalGrace{10};

struct SweepOptions {
  bool force = false;                 // rerun points whose result exists
  std::filesystem::path binary;       // the scalebench to run (default: this program)
  // Without `binary`: run the plan's scalebench instead of this program (a report-only build,
  // which runs no points itself). Refused when that is this program.
  bool binary_from_plan = false;
  std::string mpirun = "mpirun";
  std::optional<bool> terminal;       // progress style; default: whether `out` is a terminal
  std::chrono::seconds signal_grace = kSignalGrace;
};

struct SweepSummary {
  std::int64_t points = 0;
  std::int64_t ran = 0;
  std::int64_t skipped = 0;
  std::int64_t failed = 0;
  std::int64_t invalid = 0;            // result files that were not valid records: run again
  std::int64_t running_elsewhere = 0;  // skipped: another run holds the point's lock
  std::int64_t past_knee = 0;          // skipped: an --until-knee gate stopped its curve
  double device_seconds = 0;           // wall time x devices of the points run
  int interrupted_by = 0;              // SIGINT or SIGTERM that stopped the sweep (0: none)
  std::optional<std::int64_t> interrupted_point;  // the point that was running then
};

// Runs the points in plan order (an --until-knee plan: wave by wave, the gate after each wave but
// the last, in-process, skipping the points of the curves it stops: harness/plan/until_knee.hpp); each point's output goes to logs/point_K.log in the plan folder.
// A point that fails (or passes the plan's time limit) is counted and the sweep goes on. A result
// file that is not a valid record (empty, truncated, another schema) does not count as done: it is
// moved aside (NAME.invalid) and the point runs again. A point whose lock another run holds
// (point_is_locked) is skipped as running elsewhere.
// SIGINT and SIGTERM during the sweep are passed on to the running point (its process group),
// which gets kSignalGrace to end before SIGKILL; no further point starts and the summary says
// which point was interrupted (the caller exits 128 + signal).
SweepSummary run_sweep(const std::filesystem::path& plan_json, const SweepOptions& options,
                       std::ostream& out);

}  // namespace scalebench::plan
