// Child processes for submit and sweep: run an argument vector (no shell), optionally capture its
// standard output or send both streams to a file, and end it (its whole process group) at a
// deadline.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace scalebench::plan {

struct ProcessResult {
  int exit_code = -1;     // exit status; 128+signal when killed by a signal
  bool timed_out = false;
  std::string output;     // captured standard output (capture_stdout)
};

struct ProcessOptions {
  bool capture_stdout = false;
  std::optional<std::filesystem::path> log_file;  // stdout+stderr appended here
  std::optional<std::chrono::seconds> timeout;
  std::vector<std::pair<std::string, std::string>> extra_env;
  std::function<void()> on_tick;  // called about once a second while the child runs
};

// Throws RunError when the program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

// The argument vector as one shell-ready line (each word quoted when needed), for printing.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace scalebench::plan
