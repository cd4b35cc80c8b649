// The `run` subcommand: options checked at the edge, the output check and the per-point lock,
// the start-up watchdog, the failure records rank 0 leaves when a run cannot finish, and its
// summary line.
#include "harness/run_command.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <limits>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "harness/launch.hpp"
#include "harness/plan/planned_run.hpp"
#include "records/result.hpp"
#include "workloads/strategies.hpp"
#include "harness/run_options.hpp"
#include "harness/runner.hpp"
#include "harness/system_info.hpp"
#include "records/errors.hpp"
#include "records/numbers.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  RunOptions options;
  std::optional<std::int64_t> batch;
  std::string plan;
  std::optional<std::int64_t> point;
  std::string fault;
  bool no_overlap = false;
  bool timeout_given = false;
  std::vector<std::string> point_options_given;  // options that --plan takes from the plan
};

// Options that say what the point is; with --plan the plan says it, so they are refused.
const char* const kPointOptions[] = {
    "--workload", "--strategy",  "--backend",   "--precision", "--batch",
    "--global-batch", "--steps", "--warmup",    "--image-size", "--devices",
    "--bucket-mb", "--first-bucket-mb", "--no-overlap", "--packs", "--graph",
    "--layer-times", "--out"};

// Limits of the numeric options: well inside what the arithmetic on them can hold (a deadline in
// steady_clock nanoseconds, step-time vectors, bucket bytes), far beyond any real run.
constexpr double kMaxTimeoutS = 1e6;
constexpr std::int64_t kMaxSteps = 1000000;
constexpr double kMaxBucketMb = 1048576;  // 1 TiB
constexpr std::int64_t kMaxPacks = 1000000;

void check_count(const char* flag, std::int64_t v, std::int64_t most) {
  if (v <= 0) throw UsageError(fmt::format("{} must be a positive integer, got {}", flag, v));
  if (v > most) throw UsageError(fmt::format("{} must be at most {}, got {}", flag, most, v));
}

void check_seconds_or_mb(const char* flag, double v, double most, const char* unit) {
  if (!std::isfinite(v) || v <= 0 || v > most) {
    throw UsageError(fmt::format("{} must be a number of {} above 0 and at most {}, got {}", flag,
                                 unit, most, v));
  }
}

// Every numeric option of `run`, whether given on the command line or read from a plan.
void check_numbers(const RunOptions& o) {
  check_seconds_or_mb("--timeout", o.timeout_s, kMaxTimeoutS, "seconds");
  check_count("--steps", o.steps, kMaxSteps);
  if (o.warmup < 0 || o.warmup > kMaxSteps) {
    throw UsageError(fmt::format("--warmup must be 0 or more and at most {}, got {}", kMaxSteps,
                                 o.warmup));
  }
  if (o.batch < 0) throw UsageError(fmt::format("--batch must be a positive integer, got {}", o.batch));
  if (o.global_batch && *o.global_batch <= 0) {
    throw UsageError(fmt::format("--global-batch must be a positive integer, got {}", *o.global_batch));
  }
  if (o.image_size && *o.image_size <= 0) {
    throw UsageError(fmt::format("--image-size must be a positive integer, got {}", *o.image_size));
  }
  if (o.devices) check_count("--devices", *o.devices, 1 << 20);
  check_seconds_or_mb("--bucket-mb", o.bucket_mb, kMaxBucketMb, "MiB");
  check_seconds_or_mb("--first-bucket-mb", o.first_bucket_mb, kMaxBucketMb, "MiB");
  check_count("--packs", o.packs, kMaxPacks);
}

std::string shell_join(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>*?()[]{}!#~") == std::string::npos;
    if (!line.empty()) line += ' ';
    if (plain) {
      line += a;
    } else {
      std::string q = "'";
      for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
      line += q + "'";
    }
  }
  return line;
}

// --inject-fault MODE@RANK[:PHASE] (tests only).
FaultInjection parse_fault(const std::string& text) {
  FaultInjection f;
  if (text.empty()) return f;
  const std::string usage = fmt::format(
      "--inject-fault must be MODE@RANK[:PHASE] (MODE exit, hang, stop, kill or corrupt; RANK a "
      "rank number; PHASE compute, communication or full, not with corrupt), got '{}'",
      text);
  const auto at = text.find('@');
  if (at == std::string::npos) throw UsageError(usage);
  f.mode = text.substr(0, at);
  if (f.mode != "exit" && f.mode != "hang" && f.mode != "stop" && f.mode != "kill" &&
      f.mode != "corrupt") {
    throw UsageError(usage);
  }
  const std::string rest = text.substr(at + 1);
  const auto colon = rest.find(':');
  const std::string rank = rest.substr(0, colon);
  const auto parsed = parse_whole_number(rank);
  if (!parsed || *parsed < 0 || *parsed > std::numeric_limits<int>::max()) throw UsageError(usage);
  f.rank = static_cast<int>(*parsed);
  if (colon != std::string::npos) {
    f.phase = rest.substr(colon + 1);
    if ((f.phase != "compute" && f.phase != "communication" && f.phase != "full") ||
        f.mode == "corrupt") {
      throw UsageError(usage);
    }
  }
  return f;
}

// The options of this run: the command line, or the plan's point with the command line's
// --force, --timeout and --label. Checked here, before MPI starts.
RunOptions final_options(RunArgs& args, int argc, char** argv) {
  RunOptions o = args.options;
  o.command_line = shell_join(argc, argv);
  if (args.batch) {
    if (*args.batch <= 0) {
      throw UsageError(fmt::format("--batch must be a positive integer, got {}", *args.batch));
    }
    o.batch = *args.batch;
  }
  o.overlap = !args.no_overlap;
  if (args.point && *args.point < 0) {
    throw UsageError(fmt::format("--point must be a point index (0 or more), got {}", *args.point));
  }
  if (!args.plan.empty()) {
    if (!args.point_options_given.empty()) {
      throw UsageError(fmt::format("run --plan takes the point from the plan; {} cannot be given "
                                   "with it (allowed: --point, --force, --timeout, --label)",
                                   args.point_options_given.front()));
    }
    RunOptions planned = load_planned_run(args.plan, args.point);
    planned.command_line = o.command_line;
    planned.force = o.force;
    if (args.timeout_given) planned.timeout_s = o.timeout_s;
    if (o.label) planned.label = o.label;
    o = planned;
  } else if (args.point) {
    throw UsageError("--point needs --plan FILE");
  } else if (o.workload.empty()) {
    throw UsageError("run needs --workload NAME (or --plan FILE); see scalebench run --help");
  }
  check_numbers(o);
  return o;
}

std::string default_out(const ResolvedRun& run, int world_size) {
  const RunOptions& o = run.options;
  return fmt::format("results/{}-{}-{}-{}-n{}-b{}.json", o.workload, o.strategy, run.backend,
                     o.precision, world_size * run.local_devices, run.batch_per_device);
}

// Rank 0's hold on its output: checked, and locked for the whole run.
struct ClaimedOutput {
  fs::path path;
  std::optional<PointLock> lock;
  std::optional<std::string> problem;  // why the run must not start (exit 2)
};

ClaimedOutput claim_output(const fs::path& out, bool force) {
  ClaimedOutput c;
  c.path = out;
  if ((c.problem = output_path_problem(out))) return c;
  std::error_code ec;
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  fs::create_directories(dir, ec);
  const std::string unwritable = fmt::format(
      "cannot write output '{}': the folder '{}' is not writable or does not exist", out.string(),
      dir.string());
  if (!fs::is_directory(dir, ec)) {
    c.problem = unwritable;
    return c;
  }
  try {
    c.lock = PointLock::try_lock(out);
  } catch (const std::exception&) {
    c.problem = unwritable;
    return c;
  }
  if (!c.lock) {
    c.problem = fmt::format(
        "output '{}' is being written by another run of this point (it holds the lock '{}'); "
        "wait for it to end or choose another --out",
        out.string(), PointLock::lock_file(out).string());
    return c;
  }
  // Temporary files of this point left by a run that was killed (only the lock holder makes them).
  const std::string prefix = "." + out.filename().string() + ".";
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string kind = name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size());
    if (kind == "tmp" || kind == "sig" || kind == "startup") fs::remove(e.path(), ec);
  }
  // Checked under the lock: no other run of this point can write it from now on.
  if (fs::exists(fs::symlink_status(out, ec)) && !force) {
    c.lock.reset();
    c.problem = fmt::format("output '{}' exists; pass --force to replace it", out.string());
  }
  return c;
}

// ---- The record rank 0 publishes when the run cannot end normally: on SIGTERM/SIGINT (the
// launcher ends the job after another rank died, or it was cancelled or reached its time limit)
// and when the start-up watchdog expires. The signal's record is staged in advance (written in
// full and fsynced to a hidden file beside the output): Open MPI's mpirun sends SIGKILL a few
// milliseconds after SIGTERM, time for a rename but not for a write and fsync. Exactly one of the
// main thread, the signal handler and the watchdog publishes: whoever moves the state from armed
// to publishing.
enum RecordState : int { kUnarmed, kArmed, kPublishing, kPublished };

struct PendingRecord {
  std::string path, dir, lock_file;
  std::string signal_tmp;  // the staged record (status failed: terminated by a signal)
  int signal_staged = -1;  // 0 once staged, else the errno of the failed step
  const char* signal_step = "";
  std::string startup_tmp, startup_text;  // status timeout: start-up did not complete
  bool overwrite = false;
};

std::atomic<int> g_state{kUnarmed};
// The failure record was placed early, on the SIGCONT that Open MPI's mpirun sends a second before
// its SIGTERM: on a loaded node rank 0 may not be scheduled in the milliseconds between SIGTERM and
// SIGKILL. The run's own record replaces it if the run goes on and ends.
std::atomic<bool> g_provisional{false};
std::atomic<bool> g_lock_held{false};
PendingRecord g_pending;  // changed only while unarmed

void say(std::initializer_list<const char*> parts) {
  char line[4096];
  std::size_t n = 0;
  for (const char* p : parts) {
    for (; p && *p && n < sizeof line - 2; ++p) line[n++] = *p;
  }
  line[n++] = '\n';
  ssize_t ignored = ::write(2, line, n);
  (void)ignored;
}

// Async-signal-safe description of an errno value from publish_file_raw.
const char* errno_text(int err) {
  switch (err) {
    case ENOSPC: return "no space left on device";
    case EDQUOT: return "disk quota exceeded";
    case EFBIG: return "file too large";
    case EIO: return "input/output error";
    case ENOENT: return "the folder no longer exists";
    case EACCES:
    case EPERM: return "permission denied";
    case EROFS: return "read-only file system";
    case EEXIST: return "a file is in the way";
    default: return "a system call failed";
  }
}

void say_no_record(const char* prefix, const char* step, int err) {
  say({prefix, "; no record could be written: ", step, ": ", errno_text(err), " (",
       g_pending.path.c_str(), ")"});
}

// The signal handler's part: move the staged record into place (a rename), then say so.
void place_staged(const char* prefix) {
  const char* step = g_pending.signal_step;
  int err = g_pending.signal_staged;
  if (err == 0) err = place_file_raw(g_pending.signal_tmp.c_str(), g_pending.path.c_str(),
                                     g_pending.overwrite, &step);
  g_state = kPublished;
  if (err != 0) {
    say_no_record(prefix, step, err);
    return;
  }
  say({prefix, "; failure record written to ", g_pending.path.c_str()});
  sync_folder_raw(g_pending.dir.c_str(), &step);
}

// Moves the state from armed to publishing, waiting while a SIGCONT handler holds it for the
// moment of a link. False when another publisher (a SIGTERM handler, the watchdog) took over.
bool take_from_armed() {
  for (;;) {
    int expected = kArmed;
    if (g_state.compare_exchange_strong(expected, kPublishing) || expected == kUnarmed) return true;
    if (expected != kPublishing) return false;
    const timespec one_ms{0, 1000000};
    ::nanosleep(&one_ms, nullptr);
  }
}

extern "C" void on_continue(int) {
  int expected = kArmed;
  if (g_provisional || g_pending.signal_staged != 0 ||
      !g_state.compare_exchange_strong(expected, kPublishing)) {
    return;
  }
  // A hard link keeps the staged file for the SIGTERM that usually follows.
  const char* step = nullptr;
  int err = 0;
  if (g_pending.overwrite) {
    const std::string second = g_pending.signal_tmp + ".cont";
    err = ::link(g_pending.signal_tmp.c_str(), second.c_str()) == 0
              ? place_file_raw(second.c_str(), g_pending.path.c_str(), true, &step)
              : errno;
  } else if (::link(g_pending.signal_tmp.c_str(), g_pending.path.c_str()) != 0) {
    err = errno;
  }
  if (err == 0) {
    sync_folder_raw(g_pending.dir.c_str(), &step);
    g_provisional = true;
  }
  g_state = kArmed;
}

void unstage() {
  if (g_pending.signal_staged == 0) ::unlink(g_pending.signal_tmp.c_str());
  g_pending.signal_staged = -1;
}

void drop_lock_file() {
  if (g_lock_held.exchange(false)) ::unlink(g_pending.lock_file.c_str());
}

extern "C" void on_terminate(int sig) {
  const char* prefix = "scalebench: terminated by a signal";
  int expected = kArmed;
  if (g_state.compare_exchange_strong(expected, kPublishing)) {
    if (g_provisional) {
      g_state = kPublished;
      say({prefix, "; failure record written to ", g_pending.path.c_str()});
      unstage();
    } else {
      place_staged(prefix);
    }
  } else if (expected == kPublishing) {
    // The main thread or the watchdog is writing the record (signals are blocked in both, so this
    // handler runs on another thread): let it finish, briefly.
    for (int i = 0; i < 500 && g_state.load() == kPublishing; ++i) {
      const timespec ten_ms{0, 10000000};
      ::nanosleep(&ten_ms, nullptr);
    }
    say({prefix, " while rank 0 was writing its record"});
  } else if (expected == kPublished) {
    say({prefix, " after the record was written"});
  } else {
    say({prefix});
  }
  drop_lock_file();
  ::_exit(128 + sig);
}

void install_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_terminate;
  sigfillset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  struct sigaction cont {};
  cont.sa_handler = on_continue;
  cont.sa_flags = SA_RESTART;
  sigfillset(&cont.sa_mask);
  sigaction(SIGCONT, &cont, nullptr);
}

// (Re)prepares the pending records; the handler cannot see a half-changed one.
void arm_pending(const ClaimedOutput& out, const ResultRecord& record, bool force,
                 double timeout_s) {
  int expected = kArmed;
  if (!g_state.compare_exchange_strong(expected, kUnarmed) && expected != kUnarmed) return;
  unstage();
  const fs::path& p = out.path;
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  const std::string hidden = "." + p.filename().string();
  const std::string pid = std::to_string(::getpid());
  g_pending.path = p.string();
  g_pending.dir = dir.string();
  g_pending.lock_file = PointLock::lock_file(p).string();
  g_pending.overwrite = force;
  g_pending.signal_tmp = (dir / (hidden + ".sig." + pid)).string();
  g_pending.startup_tmp = (dir / (hidden + ".startup." + pid)).string();
  ResultRecord failed = record;
  failed.status = "failed";
  failed.error =
      "terminated by a signal before the run finished: another rank failed, or the job was "
      "cancelled or reached its time limit";
  failed.provenance.end_time = failed.provenance.start_time;
  const std::string text = nlohmann::json(failed).dump(2) + "\n";
  g_pending.signal_staged =
      stage_file_raw(g_pending.signal_tmp.c_str(), text.data(), text.size(), &g_pending.signal_step);
  static bool warned = false;
  if (g_pending.signal_staged != 0 && !warned) {
    // Said now: when a signal ends the run, the launcher may no longer pass on what rank 0 says.
    warned = true;
    std::fprintf(stderr,
                 "scalebench: rank 0: cannot prepare the failure record in '%s' (%s: %s): if a "
                 "signal ends this run, no record could be written\n",
                 dir.c_str(), g_pending.signal_step, std::strerror(g_pending.signal_staged));
  }
  ResultRecord timed_out = failed;
  timed_out.status = "timeout";
  timed_out.error = fmt::format(
      "rank 0: start-up (MPI_Init and the first collectives) did not complete within {} s: another "
      "rank failed or stopped answering",
      timeout_s);
  g_pending.startup_text = nlohmann::json(timed_out).dump(2) + "\n";
  g_lock_held = out.lock && out.lock->locked();
  g_state = kArmed;
  install_handlers();
}

void disarm_pending() {
  int expected = kArmed;
  if (g_state.compare_exchange_strong(expected, kUnarmed)) unstage();
  g_lock_held = false;
}

// The watchdog's action when start-up outlives the timeout (it runs on the watchdog thread, while
// the main thread is stuck inside MPI).
void startup_expired(int rank, double after_s) {
  const std::string prefix = fmt::format(
      "scalebench: rank {}: start-up (MPI_Init and the first collectives) did not complete within "
      "{} s: another rank failed or stopped answering",
      rank, after_s);
  int expected = kArmed;
  if (rank != 0) {
    say({prefix.c_str(), "; rank 0 writes the record"});
  } else if (g_state.compare_exchange_strong(expected, kPublishing)) {
    unstage();
    const char* step = nullptr;
    const std::string& text = g_pending.startup_text;
    const int err = publish_file_raw(g_pending.startup_tmp.c_str(), g_pending.path.c_str(),
                                     g_pending.dir.c_str(), text.data(), text.size(),
                                     g_pending.overwrite || g_provisional, &step);
    g_state = kPublished;
    if (err == 0) {
      say({prefix.c_str(), "; timeout record written to ", g_pending.path.c_str()});
    } else {
      say_no_record(prefix.c_str(), step, err);
    }
  } else if (expected == kPublishing) {
    // A signal handler is writing the failure record: let it finish, briefly.
    for (int i = 0; i < 500 && g_state.load() == kPublishing; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  } else {
    say({prefix.c_str(), "; no record written (the output could not be claimed)"});
  }
  drop_lock_file();
}

// Blocks SIGTERM and SIGINT in this thread while it publishes the final record.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

// Rank 0's final record, unless a handler already took over. Staged first with the state still
// armed (a signal meanwhile publishes the prepared record), so that the launcher's SIGKILL, which
// follows its SIGTERM within milliseconds, can only find a moment of rename to wait for. Returns
// a one-line error or "".
std::string publish_final(const ResultRecord& record, const fs::path& out, bool force) {
  SignalsBlocked blocked;  // in this thread; a signal meanwhile runs the handler on another one
  std::error_code ec;
  std::string error;
  bool taken = false;
  try {
    if (!force && !g_provisional && fs::exists(fs::symlink_status(out, ec))) {
      // It was absent when the run started (checked under the point's lock).
      throw std::runtime_error(fmt::format(
          "'{}' appeared while this run was going (written by something that does not take the "
          "point's lock); it was not replaced (pass --force to replace it)",
          out.string()));
    }
    // Our own early failure record (SIGCONT) is replaced. Should the SIGCONT land between this
    // line and the final link, the link refuses and the failure record stays: still a valid one.
    write_result_file(record, out, force || g_provisional, [&] { return taken = take_from_armed(); });
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!taken) taken = take_from_armed();
  if (!taken) {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // the handler ends the process
  }
  unstage();
  g_state = kPublished;
  return error;
}

void print_summary(const ResultRecord& r, const std::string& out) {
  if (r.status != "ok" || !r.throughput || !r.communication) {
    std::fprintf(stderr, "scalebench: run %s: %s (record: %s)\n", r.status.c_str(),
                 r.error.value_or("").c_str(), out.c_str());
    return;
  }
  const auto& c = *r.communication;
  fmt::print(
      "{} {} on {} x {} ({}, {}): {:.1f} samples/s ({:.1f} per device), step {:.1f} ms "
      "[compute {:.1f}, all-reduce {:.1f}, exposed {:.1f} ms, overlap {:.0f}%], check {} -> {}\n",
      r.point.workload, r.point.strategy, r.point.devices, r.point.backend, r.point.precision,
      r.point.scaling == "strong" ? fmt::format("global batch {}", r.point.global_batch)
                                  : fmt::format("batch {}/device", r.point.batch_per_device),
      r.throughput->samples_per_s, r.throughput->samples_per_s_per_device, r.step->median_ms,
      r.phases.compute->median_ms, c.allreduce_ms, c.exposed_ms, 100 * c.overlap, c.check, out);
}

// Where this process sits before MPI says so, for the start-up record.
LaunchInfo guessed_launch(const LaunchGuess& guess, const Environment& env) {
  LaunchInfo l{guess.rank, guess.size, 0, 1, 1, "unknown", host_name()};
  if (const auto it = env.find("SLURM_NNODES"); it != env.end() && env.count("SLURM_STEP_ID")) {
    const auto nodes = parse_whole_number(it->second);
    if (nodes && *nodes > 0 && *nodes <= std::numeric_limits<int>::max()) l.nodes = int(*nodes);
  }
  return l;
}

int execute(RunArgs& args, int argc, char** argv) {
  const Environment env = process_environment();
  const LaunchGuess guess = launch_from_environment(env);
  RunOptions o;
  FaultInjection fault;
  std::optional<ResolvedRun> early;
  try {
    o = final_options(args, argc, argv);
    fault = parse_fault(args.fault);
    // Everything that needs no MPI, identically on every rank: bad input ends here, exit 2.
    early = resolve_run(o, guess.size);
  } catch (const UsageError&) {
    if (guess.rank != 0) return 2;  // rank 0 says it once
    throw;
  }

  // Rank 0 claims its output before MPI starts, so that a start-up that never ends still leaves
  // a record, and no other run of the point can write it meanwhile.
  ClaimedOutput output;
  ResultRecord record = initial_record(*early, guessed_launch(guess, env));
  if (guess.rank == 0) {
    output = claim_output(o.out.empty() ? fs::path(default_out(*early, guess.size)) : fs::path(o.out),
                          o.force);
    if (!output.problem) arm_pending(output, record, o.force, o.timeout_s);
  }
  // Rank 0's watchdog expires first, so that it is the one to write the timeout record.
  const double startup_s = o.timeout_s + (guess.rank == 0 ? 0.0 : 2.0);
  Watchdog watchdog;
  watchdog.arm(std::chrono::duration<double>(startup_s), 1,
               [rank = guess.rank, startup_s] { startup_expired(rank, startup_s); });

  std::optional<MpiWorld> world;
  LaunchInfo launch = guessed_launch(guess, env);
  int status = 0;
  std::string usage_error;  // bad input found after MPI started, agreed by every rank
  bool started = false;     // past start-up: the record describes the real run
  try {
    world.emplace(&argc, &argv);
    world->set_timeout(o.timeout_s);
    std::optional<std::string> problem;
    std::optional<ResolvedRun> run;
    try {
      run = resolve_run(o, world->size());
      launch = detect_launch(*world, env);
    } catch (const UsageError& e) {
      problem = e.what();
    }
    if (world->rank() == 0) {
      const fs::path out = o.out.empty() && run ? fs::path(default_out(*run, world->size()))
                                                : (o.out.empty() ? output.path : fs::path(o.out));
      if (!problem && (guess.rank != 0 || out != output.path)) {
        disarm_pending();
        output = claim_output(out, o.force);
        if (!output.problem) arm_pending(output, record, o.force, o.timeout_s);
      }
      if (!problem) problem = output.problem;
    } else if (guess.rank == 0) {
      disarm_pending();  // the launcher's variables were wrong about this process
      output = ClaimedOutput{};
    }
    // Every rank learns whether any rank, and whether rank 0, found a problem.
    std::vector<double> flags{problem ? 1.0 : 0.0, world->rank() == 0 && problem ? 1.0 : 0.0};
    world->max_in_place(flags);
    if (flags[0] > 0.5) {
      // Rank 0 says why; another rank only when its reason is its own.
      if (problem && (world->rank() == 0 || flags[1] < 0.5)) usage_error = *problem;
      throw UsageError(usage_error);
    }
    watchdog.disarm();
    started = true;
    record = initial_record(*run, launch);
    if (world->rank() == 0) {
      arm_pending(output, record, o.force, o.timeout_s);
      install_handlers();  // again: MPI_Init may have installed its own
    }
    run_point(*run, *world, launch, fault, record);
    if (record.status != "ok") status = 1;
  } catch (const UsageError& e) {
    status = 2;
    if (started) {  // bad input found by one rank inside the run: a failed run
      status = 1;
      record.status = "failed";
      record.error = fmt::format("rank {}: {}", launch.rank, e.what());
    }
  } catch (const TimeoutError& e) {
    record.status = "timeout";
    record.error = fmt::format("rank {}: {}", launch.rank, e.what());
    status = 1;
  } catch (const std::exception& e) {
    record.status = "failed";
    record.error = fmt::format("rank {}: {}", launch.rank, e.what());
    status = 1;
  }
  watchdog.disarm();
  const bool rank0 = world ? world->rank() == 0 : guess.rank == 0;

  if (status == 2) {
    disarm_pending();
    output.lock.reset();
    if (!usage_error.empty()) std::fprintf(stderr, "scalebench: %s\n", usage_error.c_str());
  } else if (rank0 && output.lock) {
    record.provenance.end_time = utc_now_iso();
    const std::string error = publish_final(record, output.path, o.force);
    g_lock_held = false;
    output.lock.reset();
    if (error.empty()) {
      print_summary(record, output.path.string());
    } else {
      status = 1;
      std::fprintf(stderr, "scalebench: run %s%s%s; no record could be written: %s\n",
                   record.status.c_str(), record.error ? ": " : "",
                   record.error.value_or("").c_str(), error.c_str());
    }
  } else if (status != 0) {
    std::fprintf(stderr, "scalebench: %s\n", record.error.value_or("run failed").c_str());
  }

  if (world && status == 1 && world->size() > 1) {
    // Give rank 0 a moment to write its record, then end every rank (some may be stuck). After a
    // timed-out wait no MPI call but MPI_Abort is made (a collective may still be pending).
    if (world->rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
    world->abort(1);
  }
  // MPI_Finalize waits for every rank; bound it as start-up is.
  watchdog.arm(std::chrono::duration<double>(o.timeout_s), status, [t = o.timeout_s] {
    std::fprintf(stderr, "scalebench: MPI_Finalize did not complete within %g s; ending\n", t);
  });
  world.reset();
  watchdog.disarm();
  return status;
}

}  // namespace

void add_run_command(CLI::App& app, int argc, char** argv) {
  auto args = std::make_shared<RunArgs>();
  RunOptions& o = args->options;
  CLI::App* run = app.add_subcommand(
      "run", "Run synthetic training steps of one point and write one result file");
  run->add_option("--workload", o.workload, "mnist_cnn, resnet50 or vit_b16");
  std::string strategy_help;
  for (const StrategyInfo& s : strategies())
    strategy_help += fmt::format("{}{}: {}", strategy_help.empty() ? "" : "; ", s.name, s.description);
  run->add_option("--strategy", o.strategy, strategy_help)
      ->capture_default_str();
  run->add_option("--backend", o.backend, "cpu, cuda or hip (default: the best one present)");
  run->add_option("--precision", o.precision, "fp32, tf32, bf16 or fp16")->capture_default_str();
  auto* batch = run->add_option("--batch", args->batch, "per-device batch (weak scaling; default: the workload's)");
  run->add_option("--global-batch", o.global_batch, "global batch split over all devices (strong scaling)")
      ->excludes(batch);
  run->add_option("--steps", o.steps, "measured steps per phase (1 to 1000000)")->capture_default_str();
  run->add_option("--warmup", o.warmup, "warm-up steps before measuring (0 to 1000000)")->capture_default_str();
  run->add_option("--image-size", o.image_size, "input size in pixels; shrinks activations, keeps every parameter");
  run->add_option("--devices", o.devices, "mirrored: devices this process drives (default: all visible; CPU: replicas)");
  run->add_option("--bucket-mb", o.bucket_mb, "ddp: gradient bucket cap in MiB")->capture_default_str();
  run->add_option("--first-bucket-mb", o.first_bucket_mb, "ddp: cap of the first bucket in MiB")->capture_default_str();
  run->add_flag("--no-overlap", args->no_overlap, "ddp: all-reduce after backward instead of during it");
  run->add_option("--packs", o.packs, "mirrored: gradient packs all-reduced after backward")->capture_default_str();
  run->add_flag("--graph", o.graph, "GPU: capture the step's compute in a CUDA/HIP graph");
  run->add_flag("--layer-times", o.layer_times,
                "after the phases, time one step by layer class (gemm, attention, normalization, "
                "elementwise, pooling, optimizer) into layer_class_ms");
  run->add_flag("--samples", o.samples,
                "record every rank's time of every full step (rank_steps.samples_ms), beside the "
                "per-rank statistics");
  run->add_option("--timeout", o.timeout_s,
                  "seconds any rank waits for the others (start-up included) before the run ends "
                  "as timed out (above 0, at most 1000000)")
      ->capture_default_str();
  run->add_option("--out,-o", o.out, "result file (default: results/<point>.json); a regular file or a new name");
  run->add_flag("--force", o.force, "replace an existing result file");
  run->add_option("--label", o.label, "system label recorded in the result");
  run->add_option("--plan", args->plan, "run a point of a plan.json written by `scalebench plan`");
  run->add_option("--point", args->point, "index of the plan's point (default: from the Slurm array task)");
  run->add_option("--inject-fault", args->fault,
                  "tests only: MODE@RANK[:PHASE], MODE exit, hang, stop, kill or corrupt")
      ->group("");
  run->callback([args, run, argc, argv]() {
    args->timeout_given = run->count("--timeout") > 0;
    args->point_options_given.clear();
    for (const char* name : kPointOptions) {
      if (run->count(name) > 0) args->point_options_given.emplace_back(name);
    }
    const int status = execute(*args, argc, argv);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace scalebench
