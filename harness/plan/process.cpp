// Child processes for submit and sweep (posix_spawn, no shell; deadline kills the process group).
#include "harness/plan/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>
#include <thread>

#include <fmt/format.h>

#include "records/script_safety.hpp"
#include "records/errors.hpp"

extern char** environ;  // the process environment (POSIX)

namespace scalebench::plan {

std::string command_line(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += shell_quote(a);
  }
  return s;
}

namespace {

// posix_spawn's attributes and file actions, freed however the start ends.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
};

// The caller's environment with extra_env set over it, as execve wants it.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto name = entry.substr(0, entry.find('='));
    bool replaced = std::any_of(extra.begin(), extra.end(), [&](const auto& kv) { return kv.first == name; });
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

// The child is started with posix_spawn, not fork: a fork of a process with other threads may
// copy a lock one of them holds (an allocator's, under a sanitizer), and a child that allocates
// before exec then waits on it forever. posix_spawn runs nothing of ours between fork and exec.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw RunError("run_process: empty command");
  int out_pipe[2] = {-1, -1};
  if (options.capture_stdout && pipe2(out_pipe, O_CLOEXEC) != 0)
    throw RunError(fmt::format("pipe: {}", std::strerror(errno)));
  auto close_pipe = [&] {
    for (int& fd : out_pipe)
      if (fd >= 0) close(std::exchange(fd, -1));
  };
  int log_fd = -1;
  if (options.log_file) {
    log_fd = open(options.log_file->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      close_pipe();
      throw RunError(fmt::format("cannot open {}: {}", options.log_file->string(), std::strerror(errno)));
    }
  }

  SpawnSetup spawn;
  // Its own process group, so a deadline can end everything it started; signals at their
  // defaults and none blocked (a signal the caller ignores stays ignored, as across exec).
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  struct sigaction now {};
  for (int sig : {SIGINT, SIGTERM})
    if (sigaction(sig, nullptr, &now) == 0 && now.sa_handler == SIG_IGN) sigdelset(&defaults, sig);
  posix_spawnattr_setpgroup(&spawn.attr, 0);
  posix_spawnattr_setsigmask(&spawn.attr, &none);
  posix_spawnattr_setsigdefault(&spawn.attr, &defaults);
  posix_spawnattr_setflags(&spawn.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addopen(&spawn.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (options.capture_stdout) posix_spawn_file_actions_adddup2(&spawn.actions, out_pipe[1], STDOUT_FILENO);
  if (log_fd >= 0) {
    if (!options.capture_stdout) posix_spawn_file_actions_adddup2(&spawn.actions, log_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&spawn.actions, log_fd, STDERR_FILENO);
  }
  std::vector<std::string> args(argv.begin(), argv.end());
  std::vector<std::string> env = child_environment(options.extra_env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);
  pid_t pid = -1;
  // glibc reports a failed exec here, as the error of posix_spawnp itself.
  int failed = posix_spawnp(&pid, c_args[0], &spawn.actions, &spawn.attr, c_args.data(), c_env.data());
  if (log_fd >= 0) close(log_fd);
  if (failed != 0) {
    close_pipe();
    throw RunError(fmt::format("cannot start {}: {}", argv[0], std::strerror(failed)));
  }
  if (options.capture_stdout) close(std::exchange(out_pipe[1], -1));

  ProcessResult result;
  // No timeout: a deadline that never comes.
  const auto deadline = options.timeout ? std::chrono::steady_clock::now() + *options.timeout
                                        : std::chrono::steady_clock::time_point::max();
  bool reading = options.capture_stdout;
  int status = 0;
  auto next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::sig_atomic_t forwarded_count = 0;
  std::chrono::steady_clock::time_point kill_at{};
  while (true) {
    if (const SignalState* sig = options.forward_signals; sig && sig->count > forwarded_count) {
      // Pass it on (the child has its own process group, out of the terminal's reach); a second
      // signal, or the end of the grace period, ends the group.
      forwarded_count = sig->count;
      if (result.forwarded_signal == 0) {
        result.forwarded_signal = sig->signal;
        kill(-pid, sig->signal);
        kill_at = std::chrono::steady_clock::now() + options.signal_grace;
      } else {
        kill_at = std::chrono::steady_clock::now();
      }
    }
    if (result.forwarded_signal != 0 && !result.killed_after_grace &&
        std::chrono::steady_clock::now() >= kill_at) {
      result.killed_after_grace = true;
      kill(-pid, SIGKILL);
    }
    if (options.on_tick && std::chrono::steady_clock::now() >= next_tick) {
      options.on_tick();
      next_tick += std::chrono::seconds(1);
    }
    if (reading) {
      pollfd pfd{out_pipe[0], POLLIN, 0};
      if (poll(&pfd, 1, 100) > 0) {
        char buf[4096];
        ssize_t n = read(out_pipe[0], buf, sizeof buf);
        if (n > 0) result.output.append(buf, static_cast<std::size_t>(n));
        else reading = false;
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline && !result.timed_out) {
      result.timed_out = true;
      kill(-pid, SIGTERM);
      std::this_thread::sleep_for(std::chrono::seconds(2));
      kill(-pid, SIGKILL);
    }
  }
  if (options.capture_stdout) {
    char buf[4096];
    ssize_t n;
    while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<std::size_t>(n));
    close(out_pipe[0]);
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
  namespace fs = std::filesystem;
  auto executable = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
  };
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return fs::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t i = 0;
  while (i <= dirs.size()) {
    std::size_t j = std::min(dirs.find(':', i), dirs.size());
    fs::path dir = j > i ? fs::path(dirs.substr(i, j - i)) : fs::path(".");
    if (executable(dir / name)) return dir / name;
    i = j + 1;
  }
  return std::nullopt;
}

void require_program(std::string_view flag, const std::string& name) {
  if (name.empty()) throw UsageError(fmt::format("{}: give the program (a name on PATH or a path)", flag));
  if (find_program(name)) return;
  if (name.find('/') != std::string::npos)
    throw UsageError(fmt::format("{} '{}' is not an executable file", flag, printable(name)));
  throw UsageError(fmt::format("{} '{}' is not on PATH; give its path", flag, printable(name)));
}

}  // namespace scalebench::plan
