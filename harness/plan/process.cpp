// Child processes for submit and sweep (fork/exec, no shell; deadline kills the process group).
#include "harness/plan/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "records/script_safety.hpp"
#include "records/errors.hpp"

namespace scalebench::plan {

std::string command_line(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += shell_quote(a);
  }
  return s;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw RunError("run_process: empty command");
  int out_pipe[2] = {-1, -1};
  if (options.capture_stdout && pipe(out_pipe) != 0)
    throw RunError(fmt::format("pipe: {}", std::strerror(errno)));
  int log_fd = -1;
  if (options.log_file) {
    log_fd = open(options.log_file->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
      throw RunError(fmt::format("cannot open {}: {}", options.log_file->string(), std::strerror(errno)));
  }
  int err_pipe[2];  // reports a failed exec to the parent
  if (pipe2(err_pipe, O_CLOEXEC) != 0) throw RunError(fmt::format("pipe: {}", std::strerror(errno)));

  pid_t pid = fork();
  if (pid < 0) throw RunError(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0);  // its own group, so a deadline can end everything it started
    if (options.capture_stdout) {
      dup2(out_pipe[1], STDOUT_FILENO);
      close(out_pipe[0]);
      close(out_pipe[1]);
    }
    if (log_fd >= 0) {
      if (!options.capture_stdout) dup2(log_fd, STDOUT_FILENO);
      dup2(log_fd, STDERR_FILENO);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    for (const auto& [k, v] : options.extra_env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    int e = errno;
    ssize_t ignored = write(err_pipe[1], &e, sizeof e);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);
  close(err_pipe[1]);
  if (log_fd >= 0) close(log_fd);
  int exec_errno = 0;
  if (read(err_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    close(err_pipe[0]);
    waitpid(pid, nullptr, 0);
    if (options.capture_stdout) {
      close(out_pipe[0]);
      close(out_pipe[1]);
    }
    throw RunError(fmt::format("cannot start {}: {}", argv[0], std::strerror(exec_errno)));
  }
  close(err_pipe[0]);

  ProcessResult result;
  if (options.capture_stdout) close(out_pipe[1]);
  auto deadline = options.timeout ? std::optional(std::chrono::steady_clock::now() + *options.timeout)
                                  : std::nullopt;
  bool reading = options.capture_stdout;
  int status = 0;
  auto next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::sig_atomic_t forwarded_count = 0;
  std::chrono::steady_clock::time_point kill_at;
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
    if (deadline && std::chrono::steady_clock::now() > *deadline && !result.timed_out) {
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
