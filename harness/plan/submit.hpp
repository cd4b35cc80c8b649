// `scalebench submit`: the plan's arrays with `sbatch --parsable`, then the report job that depends
// on all of them; the job ids are recorded in the plan folder (submitted.json). An --until-knee plan
// goes wave by wave: wave 0's arrays, the gate after them (afterany), wave 1's arrays after that
// gate, and so on; the report job waits for every array and gate.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace scalebench::plan {

struct SubmitOptions {
  bool dry_run = false;
  std::string sbatch = "sbatch";  // the program (tests put a stand-in here)
};

struct SubmittedJob {
  std::string name;    // plan job name, or "report"
  std::string job_id;  // Slurm's
  std::vector<std::string> command;
};

struct Submission {
  std::vector<SubmittedJob> arrays;
  std::vector<SubmittedJob> gates;  // --until-knee plans: the gate after each wave but the last
  SubmittedJob report;
  std::string text;  // what was (or, dry run, would be) submitted, for the terminal
};

// Refuses a plan of a profile without Slurm (use `scalebench sweep`). With dry_run nothing is
// run: `text` holds a shell snippet with the exact sbatch lines. Otherwise a failing sbatch stops
// the submission (RunError naming what was already submitted).
Submission submit_plan(const std::filesystem::path& plan_json, const SubmitOptions& options);

// "12345" or "12345;cluster" (sbatch --parsable) → "12345". Throws RunError otherwise.
std::string parse_sbatch_job_id(const std::string& output);

}  // namespace scalebench::plan
