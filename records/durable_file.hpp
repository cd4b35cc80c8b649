// Durable atomic writes of any file the program publishes (result records, plans, batch scripts,
// submission records), their async-signal-safe variants for the record a signal handler writes,
// and the per-point lock that keeps two runs of one point apart.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace scalebench {

// Why `path` cannot receive a record, or nullopt when it can: it must be a regular file or
// absent. lstat, so a symbolic link at `path` is refused (the folder above may be a link); a
// device, FIFO, socket or directory is refused too. `--force` never changes this.
std::optional<std::string> output_path_problem(const std::filesystem::path& path);

// Durable atomic write of any text, replacing a regular file at `path`: a new temporary file in
// the same folder (O_EXCL), every byte written, fsync, close checked, rename, fsync of the folder.
// A short write or a full disk throws and removes the temporary file.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// The same steps with system calls only (no allocation, no exceptions): async-signal-safe, for
// the record a signal handler publishes. Each returns 0, or an errno value with *step naming what
// failed (a static string). publish_file_raw = stage + place + sync_folder.
// stage_file_raw: writes every byte to a new file `tmp` (O_EXCL), fsyncs and closes it; on failure
// removes it.
int stage_file_raw(const char* tmp, const char* data, std::size_t size, const char** step) noexcept;
// place_file_raw: moves a staged `tmp` to `path`: with `overwrite` by rename, refusing anything at
// `path` that is not a regular file; without it by link() (or renameat2 RENAME_NOREPLACE), so an
// existing `path` is never replaced. On failure removes `tmp` and leaves `path` untouched.
int place_file_raw(const char* tmp, const char* path, bool overwrite, const char** step) noexcept;
// sync_folder_raw: fsyncs the folder, so that the rename survives a crash.
int sync_folder_raw(const char* dir, const char** step) noexcept;
int publish_file_raw(const char* tmp, const char* path, const char* dir, const char* data,
                     std::size_t size, bool overwrite, const char** step) noexcept;

// The per-point lock: an exclusive lock on the hidden file ".NAME.lock" beside the record NAME,
// held by the one process that runs the point (rank 0 of `scalebench run`) from before MPI starts
// until its record is written. Open file description locks (fcntl F_OFD_SETLK), which, unlike
// flock, can be tested without taking them (point_is_locked). The lock file is removed on release.
class PointLock {
 public:
  // Takes the lock without waiting. Returns nullopt when another process holds it; throws
  // std::runtime_error when the lock file cannot be created (folder missing or not writable).
  // On a file system without locks, returns an unlocked PointLock (locked() false) after a warning.
  static std::optional<PointLock> try_lock(const std::filesystem::path& record);
  static std::filesystem::path lock_file(const std::filesystem::path& record);

  PointLock(PointLock&& other) noexcept;
  PointLock& operator=(PointLock&& other) noexcept;
  PointLock(const PointLock&) = delete;
  PointLock& operator=(const PointLock&) = delete;
  ~PointLock();

  bool locked() const { return fd_ >= 0; }
  const std::filesystem::path& file() const { return file_; }

 private:
  PointLock(int fd, std::filesystem::path file) : fd_(fd), file_(std::move(file)) {}
  void release() noexcept;
  int fd_ = -1;
  std::filesystem::path file_;
};

// True while some process holds the point lock of `record`, i.e. a `scalebench run` of that point
// is in progress (on this machine, or on another through a file system with working locks). Never
// takes the lock, so asking cannot make a starting run fail.
bool point_is_locked(const std::filesystem::path& record);

// The steps of write_file_atomically with a choice: without `overwrite` the final step never
// replaces an existing file (throws); `may_place`, when given, runs once the text is staged and
// just before it is moved into place, and a false return drops it (publish_file returns false).
bool publish_file(const std::filesystem::path& path, const std::string& text, bool overwrite,
                  const std::function<bool()>& may_place);

}  // namespace scalebench
