// The adaptive sweep (plan --until-knee): a plan's points in waves by node count (every single-node
// shape first, then 2 nodes, 4, ...), and the gate that after each wave reads the results so far
// and stops the curves past the knee, so the later waves never spend the allocation on them.
// `submit` chains wave -> gate -> next wave with Slurm dependencies; `sweep` runs the same gate
// in-process. The decisions go to until_knee.json (records/until_knee.hpp) and sweep.log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "records/until_knee.hpp"

namespace scalebench::plan {

struct Plan;

// A gate job's time limit (#SBATCH --time in gate_K.sbatch, and what it is priced at).
inline constexpr std::int64_t kGateTimeLimitS = 10 * 60;
inline constexpr const char* kSweepLogFile = "sweep.log";
// Draws of the projection band a gate computes (fewer than `predict`'s 400: it only needs the
// band's upper edge at the next wave).
inline constexpr int kGateDraws = 200;
// How long a gate waits for `submit` to record the job ids it cancels (submitted.json).
inline constexpr int kGateWaitForSubmissionS = 120;

// One measured GPU count of a curve, in ascending order of GPUs.
struct MeasuredCount {
  std::int64_t gpus = 0;
  std::int64_t nodes = 1;
  double efficiency = 0;
};

// The next wave's projection for a curve: the band's highest upper edge over its counts.
struct NextWaveProjection {
  std::int64_t gpus = 0;  // the count with the highest upper edge
  std::int64_t nodes = 0;
  ProjectedEfficiency efficiency;
};

struct Verdict {
  bool stop = false;
  std::string reason;  // one sentence either way
};

// The gate's rule for one curve (docs/slurm.md "Stopping at the knee"), from its measured counts
// above the baseline:
//  - stop when the last confirm + 1 measured counts are all below `threshold` (the knee and
//    `confirm` further counts; confirm 0 stops at the first count below); a count back above the
//    threshold resets the knee;
//  - stop when the projection of the next wave has its band's upper edge below the threshold,
//    whatever `confirm` says (it confirms a measured knee, or foresees one). A projection counts
//    only once some count past one node was measured: a node alone says nothing measured about
//    the link between nodes.
// `unit` names the devices ("GPUs", "devices").
Verdict judge_curve(const std::vector<MeasuredCount>& above_baseline,
                    const std::optional<NextWaveProjection>& next, double threshold,
                    std::int64_t confirm, const std::string& unit);

struct GateOutcome {
  UntilKneeState state;
  std::vector<std::int64_t> newly_skipped;  // plan point indices stopped by this gate
  bool nothing_left = false;                // no later wave has a point to run
  std::string log;                          // the lines appended to sweep.log
};

// Decides every running curve after wave `wave` from the results in the plan folder: writes
// until_knee.json, appends to sweep.log and returns what to skip. A curve whose points of this
// wave all failed is stopped, saying so (the next, larger wave would most likely fail the same
// way). Throws UsageError when the plan is not an --until-knee plan or has no such wave.
GateOutcome run_gate(const Plan& plan, const std::filesystem::path& dir, std::int64_t wave);

// On Slurm (the gate job): scancel the array tasks of `outcome.newly_skipped` and, when nothing is
// left, the later gates, by the job ids `submit` recorded (waiting up to
// kGateWaitForSubmissionS for them). Returns the lines to log; throws RunError when scancel fails.
std::string cancel_skipped(const Plan& plan, const std::filesystem::path& dir, std::int64_t wave,
                           const GateOutcome& outcome, const std::string& scancel);

// The plan's points a saved until_knee.json says to skip (empty when there is none).
std::vector<std::int64_t> skipped_points(const std::filesystem::path& dir);

// Several lines for `plan`: the naive sweep's cost against the adaptive sweep's worst case and
// its expected cost (from `predict` on `predict_from` when it holds a full-node result of a curve,
// else the cost if it stops after each wave). Ends with a newline.
std::string format_until_knee_cost(const Plan& plan,
                                   const std::vector<std::filesystem::path>& predict_from);

}  // namespace scalebench::plan
