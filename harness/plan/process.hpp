// Child processes for submit and sweep: run an argument vector (no shell), optionally capture its
// standard output or send both streams to a file, end it (its whole process group) at a
// deadline, and pass the caller's SIGINT/SIGTERM on to it.
#pragma once

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scalebench::plan {

struct ProcessResult {
  int exit_code = -1;     // exit status; 128+signal when killed by a signal
  bool timed_out = false;
  int forwarded_signal = 0;        // the caller's signal passed on to the child (SignalState)
  bool killed_after_grace = false; // it outlived signal_grace after that and got SIGKILL
  std::string output;     // captured standard output (capture_stdout)
};

// Signals a caller caught in its own handler (which only sets these): run_process passes the
// signal on to the child's process group, which a terminal's Ctrl-C does not reach.
struct SignalState {
  volatile std::sig_atomic_t signal = 0;  // the last one caught
  volatile std::sig_atomic_t count = 0;   // how many; a second one ends the child at once
};

struct ProcessOptions {
  bool capture_stdout = false;
  std::optional<std::filesystem::path> log_file;  // stdout+stderr appended here
  std::optional<std::chrono::seconds> timeout;
  std::vector<std::pair<std::string, std::string>> extra_env;
  std::function<void()> on_tick;  // called about once a second while the child runs
  const SignalState* forward_signals = nullptr;
  std::chrono::seconds signal_grace{10};  // after forwarding, then SIGKILL
};

// Throws RunError when the program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

// The program a name means, as execvp finds it: a path (with '/') that is an executable file, or
// the first executable `name` on $PATH; nullopt when there is none.
std::optional<std::filesystem::path> find_program(const std::string& name);
// Refuses (UsageError naming `flag`) an empty name, or one find_program does not find.
void require_program(std::string_view flag, const std::string& name);

// The argument vector as one shell-ready line (each word quoted when needed), for printing.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace scalebench::plan
