// Runs gnuplot on the figure scripts, one process per figure so one bad figure spoils no other.
#include "reports/gnuplot.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <optional>
#include <thread>
#include <sstream>

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;

struct ProcessResult {
  int exit_status = -1;
  std::string stderr_text;
};

// fork + exec rather than system(): no shell, so no quoting of the user's paths.
ProcessResult run_in(const fs::path& dir, const fs::path& program, const std::string& argument) {
  int err_pipe[2];
  // Close-on-exec: figures render on several threads, and a pipe end inherited by another
  // figure's gnuplot would hold this one's read open until that one ends.
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return {-1, "cannot create a pipe"};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return {-1, "cannot fork"};
  }
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(err_pipe[1], 2);
    ::close(err_pipe[0]);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execl(program.c_str(), program.c_str(), argument.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  ProcessResult result;
  char buffer[4096];
  for (ssize_t n; (n = ::read(err_pipe[0], buffer, sizeof buffer)) > 0;) {
    result.stderr_text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// gnuplot repeats the offending line before its message; the message is the last non-empty line.
std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t^") != std::string::npos) last = line;
  }
  return last.empty() ? "no message" : last;
}

bool non_empty_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

}  // namespace

std::optional<fs::path> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return fs::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return std::nullopt;
}

RenderOutcome render_figures(const fs::path& dir, const std::vector<Figure>& figures,
                             const std::vector<std::string>& formats, const std::string& gnuplot) {
  RenderOutcome outcome;
  const std::optional<fs::path> program = find_program(gnuplot);
  if (!program) return outcome;
  outcome.gnuplot_found = true;
  // One gnuplot per figure, a few at a time: rendering one after another was most of a large
  // report's time. Each figure's outcome has its own slot, so the order of failures is the
  // figures' order whatever finishes first.
  std::vector<std::optional<std::string>> failure(figures.size());
  std::atomic<std::size_t> next = 0;
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < figures.size();) {
      const Figure& f = figures[i];
      const ProcessResult run = run_in(dir, *program, f.name + ".gp");
      if (run.exit_status != 0) {
        failure[i] = fmt::format("{}.gp: {}", f.name, last_line(run.stderr_text));
        continue;
      }
      bool complete = true;
      for (const std::string& format : formats) {
        complete = complete && non_empty_file(dir / (f.name + "." + format));
      }
      if (!complete) failure[i] = fmt::format("{}.gp: an output file is missing or empty", f.name);
    }
  };
  {
    const std::size_t threads =
        std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < threads && t < figures.size(); ++t) pool.emplace_back(work);
    work();
  }
  for (std::optional<std::string>& f : failure) {
    if (f) {
      outcome.failures.push_back(std::move(*f));
    } else {
      ++outcome.rendered;
    }
  }
  return outcome;
}

}  // namespace scalebench::reports
