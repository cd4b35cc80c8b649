// Writing a report without leaving anything half written: a temporary folder, then moved into OUT.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace scalebench::reports {

class Staging {
 public:
  // Creates the temporary folder beside `out` (same file system, so moves are renames). Throws
  // UsageError when `out` exists and is not a folder.
  explicit Staging(const std::filesystem::path& out);
  ~Staging();  // removes the temporary folder unless it was published
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& out() const { return out_; }
  void write(const std::filesystem::path& relative, const std::string& text) const;

  // Moves every file into `out`: the whole folder at once when `out` does not exist, else file by
  // file (each a rename, replacing the previous report's file of that name; other files in
  // `out` stay). Returns the final paths.
  std::vector<std::filesystem::path> publish();

 private:
  std::filesystem::path out_;
  std::filesystem::path dir_;
  bool published_ = false;
};

}  // namespace scalebench::reports
