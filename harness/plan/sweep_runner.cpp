// `scalebench sweep`: a plan's points run one after another on this machine.
#include "harness/plan/sweep_runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <optional>
#include <utility>
#include <ostream>

#include <fmt/format.h>

#include "harness/plan/plan.hpp"
#include "harness/plan/process.hpp"
#include "harness/plan/until_knee.hpp"
#include "records/result.hpp"
#include "records/errors.hpp"
#include "records/script_safety.hpp"

namespace scalebench::plan {
namespace fs = std::filesystem;

namespace {

std::string clock_text(double seconds) {
  auto s = static_cast<std::int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

std::string describe(const PlannedPoint& p) {
  return fmt::format("p{:04} {} {} {} GPU{}", p.index, p.workload, p.strategy, p.gpus,
                     p.gpus == 1 ? "" : "s");
}

std::string last_lines(const fs::path& log, int n) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string out;
  for (std::size_t i = lines.size() > static_cast<std::size_t>(n) ? lines.size() - n : 0; i < lines.size(); ++i)
    out += "    " + lines[i] + "\n";
  return out;
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

// SIGINT and SIGTERM while a sweep runs: the handler only notes them; the loop passes them on.
SignalState g_signals;

void note_signal(int sig) {
  g_signals.signal = sig;
  g_signals.count = g_signals.count + 1;
}

class SignalGuard {
 public:
  SignalGuard() {
    g_signals.signal = 0;
    g_signals.count = 0;
    struct sigaction sa {};
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: waits return early
    // A signal the sweep was started with ignored stays ignored (a shell ignores SIGINT for
    // background jobs of a script), as the points then inherit it.
    for (auto [sig, old] : {std::pair{SIGINT, &old_int_}, std::pair{SIGTERM, &old_term_}}) {
      sigaction(sig, nullptr, old);
      if (old->sa_handler != SIG_IGN) sigaction(sig, &sa, nullptr);
    }
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// Why an existing result file does not count as done (nullopt: it is a valid record).
std::optional<std::string> invalid_record(const fs::path& result) {
  try {
    read_result_file(result);
    return std::nullopt;
  } catch (const std::exception& e) {
    std::string why = e.what();
    for (char& c : why)
      if (c == '\n' || c == '\r') c = ' ';
    if (why.size() > 200) why = why.substr(0, 200) + "...";
    return why;
  }
}

}  // namespace

SweepSummary run_sweep(const fs::path& plan_json, const SweepOptions& options, std::ostream& out) {
  Plan plan = read_plan(plan_json);
  bool needs_mpirun = false;
  for (const auto& p : plan.points) needs_mpirun = needs_mpirun || p.processes > 1;
  if (options.mpirun.empty() || needs_mpirun) require_program("--mpirun", options.mpirun);
  fs::path pj = fs::absolute(plan_json).lexically_normal();
  fs::path dir = pj.parent_path();
  fs::create_directories(dir / plan.logs_dir);
  fs::create_directories(dir / plan.results_dir);
  bool tty = options.terminal.value_or(&out == &std::cout ? isatty(STDOUT_FILENO) != 0
                                       : &out == &std::cerr ? isatty(STDERR_FILENO) != 0
                                                            : false);
  fs::path binary = options.binary;
  if (binary.empty() && options.binary_from_plan) {
    const auto found = find_program(plan.spec.binary);
    std::error_code ec;
    if (!found || fs::equivalent(*found, "/proc/self/exe", ec))
      throw UsageError(fmt::format(
          "sweep: this scalebench is a report-only build and runs no points, and the plan runs "
          "'{}'; plan again with --binary naming a full scalebench build",
          printable(plan.spec.binary)));
    binary = *found;
  }
  if (binary.empty()) binary = fs::read_symlink("/proc/self/exe");

  SweepSummary sum;
  sum.points = static_cast<std::int64_t>(plan.points.size());
  // The order the points run in: the plan's, or for --until-knee wave by wave with a gate after
  // each wave but the last (gate_after[k]: the wave whose gate runs after order[k]).
  std::vector<std::int64_t> order;
  std::map<std::size_t, std::int64_t> gate_after;
  if (plan.waves.empty()) {
    for (const auto& p : plan.points) order.push_back(p.index);
  } else {
    for (std::size_t w = 0; w < plan.waves.size(); ++w) {
      order.insert(order.end(), plan.waves[w].points.begin(), plan.waves[w].points.end());
      if (!plan.waves[w].gate_script.empty()) gate_after[order.size() - 1] = static_cast<std::int64_t>(w);
    }
    // --force decides afresh; otherwise the points an earlier sweep's gates skipped stay skipped.
    if (options.force) fs::remove(dir / kUntilKneeFile);
  }
  std::set<std::int64_t> past_knee;
  std::set<std::int64_t> held_elsewhere;  // points another run holds (their gate waits for them)
  if (!plan.waves.empty())
    for (auto idx : skipped_points(dir)) past_knee.insert(idx);
  // Work left for the estimate: expected seconds of the points still to run (when all have one).
  std::vector<bool> to_run(plan.points.size());
  std::vector<std::optional<std::string>> invalid(plan.points.size());
  for (const auto& p : plan.points) {
    std::error_code ec;
    bool exists = fs::exists(fs::symlink_status(dir / p.result, ec));
    if (exists && !options.force) invalid[p.index] = invalid_record(dir / p.result);
    to_run[p.index] = options.force || !exists || invalid[p.index].has_value();
  }
  auto start = std::chrono::steady_clock::now();
  double ran_s = 0;  // wall time of the points run so far
  // `next`: a position in `order`.
  auto left_estimate = [&](std::size_t next) -> std::string {
    std::int64_t remaining = 0;
    double expected_left = 0, expected_done = 0;
    bool have_expected = true;
    for (std::size_t k = next; k < order.size(); ++k) {
      const auto i = static_cast<std::size_t>(order[k]);
      if (!to_run[i] || past_knee.count(order[k])) continue;
      ++remaining;
      if (plan.points[i].expected_s) expected_left += *plan.points[i].expected_s;
      else have_expected = false;
    }
    if (remaining == 0) return "00:00";
    if (sum.ran > 0) {
      // Scale the plan's estimate by how the points run so far compared with theirs; without
      // estimates, assume the remaining points take the mean time of those run.
      for (std::size_t k = 0; k < next; ++k) {
        const auto i = static_cast<std::size_t>(order[k]);
        if (to_run[i] && !past_knee.count(order[k]) && plan.points[i].expected_s)
          expected_done += *plan.points[i].expected_s;
      }
      if (have_expected && expected_done > 0) return "~" + clock_text(expected_left * ran_s / expected_done);
      return "~" + clock_text(ran_s / static_cast<double>(sum.ran) * static_cast<double>(remaining));
    }
    return have_expected ? "~" + clock_text(expected_left) : "?";
  };
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  SignalGuard signals;
  std::int64_t handled = 0;  // points of to_run taken up
  // After the last point of a wave: its gate (--until-knee), which may skip later points.
  auto gate = [&](std::size_t pos) {
    auto g = gate_after.find(pos);
    if (g == gate_after.end() || g_signals.count > 0) return;
    const Wave& wave = plan.waves[static_cast<std::size_t>(g->second)];
    std::int64_t busy = 0;
    for (auto idx : wave.points) busy += held_elsewhere.count(idx) ? 1 : 0;
    if (busy > 0) {
      // Their results are not there yet: judging the wave now would count them as failed.
      out << fmt::format("gate after wave {} not run: {} of its point(s) are running elsewhere; run the "
                         "sweep again when they have ended\n",
                         g->second, busy)
          << std::flush;
      return;
    }
    GateOutcome outcome = run_gate(plan, dir, g->second);
    // The gate decides its wave and the later ones afresh: what it skips now is what it recorded.
    past_knee.clear();
    for (const auto& c : outcome.state.curves)
      for (const auto& sp : c.skipped) past_knee.insert(sp.point);
    out << outcome.log << std::flush;
  };
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    const PlannedPoint& p = plan.points[static_cast<std::size_t>(order[pos])];
    std::size_t k = pos + 1;
    fs::path result = dir / p.result;
    if (g_signals.count > 0) {
      sum.interrupted_by = g_signals.signal;
      break;
    }
    if (past_knee.count(p.index)) {
      ++sum.past_knee;
      out << fmt::format("[{}/{}] {}: skipped, past the knee ({})\n", k, sum.points, describe(p),
                         kUntilKneeFile);
      gate(pos);
      continue;
    }
    if (!to_run[p.index]) {
      ++sum.skipped;
      if (!tty) out << fmt::format("[{}/{}] {}: skipped, {} exists\n", k, sum.points, describe(p), p.result);
      gate(pos);
      continue;
    }
    ++handled;
    if (point_is_locked(result)) {
      // Another `scalebench run` of this point holds its lock (a second sweep of the plan, or a
      // Slurm task): leave it to that run.
      ++sum.running_elsewhere;
      held_elsewhere.insert(p.index);
      out << fmt::format("[{}/{}] {}: skipped, running elsewhere (another run holds {})\n", k, sum.points,
                         describe(p), PointLock::lock_file(result).filename().string())
          << std::flush;
      gate(pos);
      continue;
    }
    if (invalid[p.index]) {
      // Not done: keep the broken file for a look (reports read only *.json) and run again.
      ++sum.invalid;
      std::string aside = p.result + ".invalid";
      std::error_code ec;
      fs::rename(result, dir / aside, ec);
      if (ec) {
        ++sum.failed;
        out << fmt::format("[{}/{}] {}: {} is not a valid record ({}) and cannot be moved aside: {}\n",
                           k, sum.points, describe(p), p.result, *invalid[p.index], ec.message());
        gate(pos);
      continue;
      }
      out << fmt::format("[{}/{}] {}: {} is not a valid record ({}); moved to {}, running the point "
                         "again\n",
                         k, sum.points, describe(p), p.result, *invalid[p.index], aside)
          << std::flush;
    }
    std::vector<std::string> argv;
    if (p.processes > 1) {
      argv = {options.mpirun, "-np", std::to_string(p.processes)};
      for (const auto& a : plan.cluster.launcher.mpirun_args) argv.push_back(a);
    }
    argv.insert(argv.end(), {binary.string(), "run", "--plan", pj.string(), "--point", std::to_string(p.index)});
    if (options.force) argv.push_back("--force");
    fs::path log = dir / plan.logs_dir / fmt::format("point_{:04}.log", p.index);
    std::ofstream(log, std::ios::trunc) << "$ " << command_line(argv) << "\n";
    ProcessOptions po;
    po.log_file = log;
    po.timeout = std::chrono::seconds(plan.job(p.job).time_s);
    if (geteuid() == 0) {
      // Open MPI refuses root unless told; this machine's user already is root.
      po.extra_env = {{"OMPI_ALLOW_RUN_AS_ROOT", "1"}, {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"}};
    }
    auto point_start = std::chrono::steady_clock::now();
    auto status_line = [&](const std::string& state, std::size_t next) {
      out << fmt::format("\r\033[K[{}/{}] {} {} | elapsed {} | left {}", k, sum.points, describe(p),
                         state, clock_text(elapsed()), left_estimate(next))
          << std::flush;
    };
    if (tty) {
      status_line("running", pos);
      po.on_tick = [&] { status_line("running", pos); };
    }
    po.forward_signals = &g_signals;
    po.signal_grace = options.signal_grace;
    ProcessResult r = run_process(argv, po);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - point_start).count();
    ran_s += took;
    ++sum.ran;
    sum.device_seconds += took * static_cast<double>(p.gpus);
    if (r.forwarded_signal != 0) {
      sum.interrupted_by = r.forwarded_signal;
      sum.interrupted_point = p.index;
      std::string state = fmt::format(
          "INTERRUPTED by {} after {:.1f} s: passed on to the run, which ended with exit {}{}",
          signal_name(r.forwarded_signal), took, r.exit_code,
          r.killed_after_grace ? fmt::format(", killed after {} s", options.signal_grace.count()) : "");
      if (!fs::exists(result)) state += "; no result record";
      if (tty) out << "\n";
      out << fmt::format("[{}/{}] {}: {}\n", k, sum.points, describe(p), state)
          << fmt::format("  log {}:\n{}", log.string(), last_lines(log, 5)) << std::flush;
      break;
    }
    bool ok = r.exit_code == 0 && !r.timed_out;
    if (!ok) ++sum.failed;
    std::string state = ok ? fmt::format("ok in {:.1f} s", took)
                        : r.timed_out ? fmt::format("TIMEOUT after {}", clock_text(took))
                                      : fmt::format("FAILED (exit {}) in {:.1f} s", r.exit_code, took);
    if (!ok && !fs::exists(result)) state += ", no result record";
    if (tty) {
      status_line(state, pos + 1);
      out << "\n";
    } else {
      out << fmt::format("[{}/{}] {}: {} (elapsed {}, left {})\n", k, sum.points, describe(p), state,
                         clock_text(elapsed()), left_estimate(pos + 1));
    }
    if (!ok) out << fmt::format("  log {}:\n{}", log.string(), last_lines(log, 5)) << std::flush;
    gate(pos);
  }
  std::string invalid_note = sum.invalid > 0 ? fmt::format(" ({} had an invalid record)", sum.invalid) : "";
  if (sum.interrupted_by != 0) {
    std::int64_t not_started = -handled;
    for (bool r : to_run) not_started += r ? 1 : 0;
    out << fmt::format("sweep interrupted by {} after {}: {} run{}, {} skipped, {} failed; {} point(s) "
                       "not started (run the sweep again to go on)\n",
                       signal_name(sum.interrupted_by), clock_text(elapsed()), sum.ran, invalid_note,
                       sum.skipped, sum.failed, not_started);
    return sum;
  }
  std::string elsewhere =
      sum.running_elsewhere > 0 ? fmt::format(", {} running elsewhere", sum.running_elsewhere) : "";
  std::string knee = sum.past_knee > 0 ? fmt::format(", {} skipped past the knee", sum.past_knee) : "";
  out << fmt::format("sweep done in {}: {} run{}, {} skipped (result exists){}{}, {} failed; {:.4f} "
                     "{}-hours spent (wall time x devices of the points run)\n",
                     clock_text(elapsed()), sum.ran, invalid_note, sum.skipped, elsewhere, knee,
                     sum.failed, sum.device_seconds / 3600.0, plan.cluster.device_unit.name);
  return sum;
}

}  // namespace scalebench::plan
