// `scalebench submit`: arrays, then the dependent report job; ids recorded in submitted.json.
#include "harness/plan/submit.hpp"

#include <cctype>
#include <chrono>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)
#include <nlohmann/json.hpp>

#include "harness/plan/plan.hpp"
#include "harness/plan/process.hpp"
#include "records/script_safety.hpp"
#include "records/json_text.hpp"
#include "records/result.hpp"
#include "records/durable_file.hpp"
#include "records/errors.hpp"

namespace scalebench::plan {
namespace fs = std::filesystem;

std::string parse_sbatch_job_id(const std::string& output) {
  std::string s = output;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (auto nl = s.rfind('\n'); nl != std::string::npos) s = s.substr(nl + 1);  // last line
  std::string id = s.substr(0, s.find(';'));
  bool ok = !id.empty();
  for (char c : id) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  if (!ok) throw RunError(fmt::format("sbatch printed no job id: '{}'", output));
  return id;
}

namespace {

std::string utc_now() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// sbatch answers within seconds; two minutes bound a hung controller.
ProcessOptions sbatch_options() {
  ProcessOptions o;
  o.capture_stdout = true;
  o.timeout = std::chrono::seconds(120);
  return o;
}

}  // namespace

Submission submit_plan(const fs::path& plan_json, const SubmitOptions& options) {
  Plan plan = read_plan(plan_json);
  if (!plan.cluster.uses_slurm())
    throw UsageError(fmt::format("cluster {} has no Slurm: run the plan with `scalebench sweep {}`",
                                 plan.cluster.name, plan_json.string()));
  fs::path dir = fs::absolute(plan_json).parent_path().lexically_normal();
  for (const auto& job : plan.jobs)
    if (!fs::exists(dir / job.script))
      throw UsageError(fmt::format("{} is missing: write the plan again", (dir / job.script).string()));
  for (const auto& wave : plan.waves)
    if (!wave.gate_script.empty() && !fs::exists(dir / wave.gate_script))
      throw UsageError(fmt::format("{} is missing: write the plan again", (dir / wave.gate_script).string()));
  // Before anything is submitted: a missing sbatch would otherwise fail half way. A dry run only
  // prints the lines (it may run where Slurm is not installed).
  if (options.dry_run) {
    if (options.sbatch.empty()) require_program("--sbatch", options.sbatch);
  } else {
    require_program("--sbatch", options.sbatch);
  }
  fs::create_directories(dir / plan.logs_dir);
  std::string chdir = "--chdir=" + dir.string();

  Submission sub;
  std::string& text = sub.text;
  std::vector<std::string> variables;  // every array's and gate's id (or, dry run, its variable)
  int next_var = 0;
  // One sbatch: its id (dry run: the shell variable that will hold it). `after` are the ids it
  // waits for (afterany).
  auto submit_one = [&](SubmittedJob& sj, const std::string& script, const std::vector<std::string>& after,
                        const std::string& what) {
    sj.command = {options.sbatch, "--parsable", chdir};
    if (!after.empty()) sj.command.push_back(fmt::format("--dependency=afterany:{}", fmt::join(after, ":")));
    sj.command.push_back((dir / script).string());
    if (options.dry_run) {
      std::string var = fmt::format("j{}", next_var++);
      // --parsable prints "id" or "id;cluster": keep the id. The dependency names the variables
      // of the lines above, unquoted, so that the snippet runs as it is.
      std::string line;
      for (std::size_t k = 0; k < sj.command.size(); ++k)
        line += (k ? " " : "") + (sj.command[k].starts_with("--dependency=") ? sj.command[k] : shell_quote(sj.command[k]));
      text += fmt::format("{0}=$({1})\n{0}=${{{0}%%;*}}\n", var, line);
      return "$" + var;
    }
    auto r = run_process(sj.command, sbatch_options());
    if (r.exit_code != 0 || r.timed_out)
      throw RunError(fmt::format("{} failed (exit {}); already submitted: [{}]",
                                 command_line(sj.command), r.exit_code, fmt::join(variables, " ")));
    sj.job_id = parse_sbatch_job_id(r.output);
    text += fmt::format("submitted {}: job {}\n", what, sj.job_id);
    return sj.job_id;
  };
  auto submit_array = [&](const PlannedJob& job, const std::vector<std::string>& after) {
    SubmittedJob sj;
    sj.name = job.name;
    variables.push_back(submit_one(sj, job.script, after,
                                   fmt::format("{} ({} task(s), {})", job.name, job.points.size(), job.script)));
    sub.arrays.push_back(std::move(sj));
  };
  if (plan.waves.empty()) {
    for (const auto& job : plan.jobs) submit_array(job, {});
  } else {
    // --until-knee: wave by wave; each wave's arrays wait for the gate of the wave before, and the
    // gate after a wave waits for all of its arrays (afterany: failed tasks included).
    std::vector<std::string> gate;  // the previous wave's gate
    for (std::size_t w = 0; w < plan.waves.size(); ++w) {
      const Wave& wave = plan.waves[w];
      std::vector<std::string> arrays;
      for (const auto& name : wave.jobs) {
        submit_array(plan.job(name), gate);
        arrays.push_back(variables.back());
      }
      if (wave.gate_script.empty()) break;
      SubmittedJob sj;
      sj.name = fmt::format("gate{}", w);
      std::string id = submit_one(sj, wave.gate_script, arrays,
                                  fmt::format("the gate after wave {} ({} node(s))", w, wave.nodes));
      variables.push_back(id);
      gate = {id};
      sub.gates.push_back(std::move(sj));
    }
  }
  sub.report.name = "report";
  std::string report_id = submit_one(sub.report, plan.report_script, variables,
                                     "the report job (after all arrays end)");
  if (options.dry_run) return sub;
  (void)report_id;

  nlohmann::json record = {{"submitted_at", utc_now()}, {"plan", plan_json.filename().string()}};
  nlohmann::json arrays = nlohmann::json::array();
  for (const auto& a : sub.arrays) arrays.push_back({{"job", a.name}, {"job_id", a.job_id}});
  record["arrays"] = arrays;
  if (!plan.waves.empty()) {
    nlohmann::json gates = nlohmann::json::array();
    for (std::size_t w = 0; w < sub.gates.size(); ++w)
      gates.push_back({{"wave", w}, {"job_id", sub.gates[w].job_id}});
    record["gates"] = gates;
  }
  record["report_job_id"] = sub.report.job_id;
  // Append to earlier submissions of the same plan (a resubmission keeps the history).
  nlohmann::json all = nlohmann::json::array();
  fs::path rec = dir / "submitted.json";
  if (fs::exists(rec)) {
    try {
      std::ifstream in(rec);
      all = parse_json_stream(in, rec.string());
      if (!all.is_array()) all = nlohmann::json::array();
    } catch (const nlohmann::json::exception&) {
      all = nlohmann::json::array();
    }
  }
  all.push_back(record);
  write_file_atomically(rec, all.dump(2) + "\n");
  text += fmt::format("job ids recorded in {}\n", rec.string());
  return sub;
}

}  // namespace scalebench::plan
