// Writing a report without leaving anything half written or mixed: a staging folder beside OUT,
// then one rename that puts the whole new report where the old one was.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace scalebench::reports {

// The file in OUT that lists the report's own files (one relative path a line), so that the next
// report knows which files were the report's and which the user's.
inline constexpr const char* kManifestName = ".scalebench-report";

class Staging {
 public:
  // Creates the staging folder beside `out` (same file system, so publishing is a rename), named
  // .OUT.tmp-HOST-PID-XXXXXX, after removing the staging folders of the same OUT that earlier
  // reports on this host left when they were killed (their PID is gone). Throws UsageError when
  // `out` is a file, or is (or holds) the current folder.
  explicit Staging(const std::filesystem::path& out);
  ~Staging();  // removes the staging folder unless it was published
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& out() const { return out_; }
  void write(const std::filesystem::path& relative, const std::string& text) const;

  // Puts the staged report in place in one step: a reader of OUT sees the old report or the new
  // one, never a mix. When OUT exists, what it holds besides the previous report's files (those
  // in its manifest; every file when it has none) is carried into the new folder first (hard
  // links), so other files in OUT stay; then the folders are swapped (renameat2 RENAME_EXCHANGE,
  // or where the file system lacks it, OUT renamed aside and the new folder renamed in) and the
  // old one is removed. Returns the final paths of the report's files.
  std::vector<std::filesystem::path> publish();

 private:
  std::filesystem::path out_;
  std::filesystem::path dir_;
  bool published_ = false;
};

// Removes the staging (and set-aside) folders of `out` whose owner, a report process on this
// host, is gone; folders of live processes, of other hosts and anything not matching the pattern
// are left alone. Returns how many were removed.
int remove_stale_staging(const std::filesystem::path& out);

// The name part a staging folder of `out` carries for this process: "HOST-PID".
std::string staging_owner_tag();

}  // namespace scalebench::reports
