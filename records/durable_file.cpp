// Durable, atomic file writing (records, plans, batch scripts) and the per-point lock.
#include "records/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace scalebench {

std::optional<std::string> output_path_problem(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return "cannot inspect output '" + path.string() + "': " + std::strerror(errno);
  }
  if (S_ISREG(st.st_mode)) return std::nullopt;
  const char* what = S_ISLNK(st.st_mode)    ? "a symbolic link"
                     : S_ISDIR(st.st_mode)  ? "a directory"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  return "output '" + path.string() + "' is " + what +
         "; a result must go to a regular file or a new name (--force replaces regular files only)";
}

namespace {

const char kNotRegular[] = "the output is not a regular file";
const char kAppeared[] = "a record appeared at the output while this run was going";

// Only system calls from here to publish_file_raw: they run in signal handlers too.

// Moves tmp to path without replacing anything: link() fails with EEXIST when path exists.
// Where hard links are not supported, renameat2(RENAME_NOREPLACE) does the same.
int move_no_replace(const char* tmp, const char* path) noexcept {
  if (::link(tmp, path) == 0) {
    ::unlink(tmp);
    return 0;
  }
  const int err = errno;
  if (err != EPERM && err != EOPNOTSUPP && err != ENOSYS && err != EMLINK) return err;
  if (::renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) return 0;
  return errno;
}

}  // namespace

int stage_file_raw(const char* tmp, const char* data, std::size_t size, const char** step) noexcept {
  const char* ignored = nullptr;
  if (!step) step = &ignored;
  const int fd = ::open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *step = "creating the temporary file";
    return errno;
  }
  auto fail = [&](const char* what, int err) {
    ::close(fd);
    ::unlink(tmp);
    *step = what;
    return err;
  };
  std::size_t off = 0;
  while (off < size) {
    const ssize_t n = ::write(fd, data + off, size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("writing", errno);
    if (n == 0) return fail("writing", EIO);
    off += std::size_t(n);
  }
  if (::fsync(fd) != 0) return fail("flushing (fsync)", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp);
    *step = "closing";
    return err;
  }
  return 0;
}

int place_file_raw(const char* tmp, const char* path, bool overwrite, const char** step) noexcept {
  const char* ignored = nullptr;
  if (!step) step = &ignored;
  int err = 0;
  if (overwrite) {
    struct stat st {};
    if (::lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
      ::unlink(tmp);
      *step = kNotRegular;
      return EEXIST;
    }
    if (::rename(tmp, path) != 0) err = errno;
  } else {
    err = move_no_replace(tmp, path);
    if (err == EEXIST) {
      ::unlink(tmp);
      *step = kAppeared;
      return EEXIST;
    }
  }
  if (err != 0) {
    ::unlink(tmp);
    *step = "moving the temporary file into place";
  }
  return err;
}

int sync_folder_raw(const char* dir, const char** step) noexcept {
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = fd < 0 ? errno : (::fsync(fd) == 0 ? 0 : errno);
  if (fd >= 0) ::close(fd);
  // Some file systems cannot fsync a folder; the rename itself has happened.
  if (err == EINVAL || err == EROFS) err = 0;
  if (err != 0 && step) *step = "flushing the folder (fsync)";
  return err;
}

int publish_file_raw(const char* tmp, const char* path, const char* dir, const char* data,
                     std::size_t size, bool overwrite, const char** step) noexcept {
  int err = stage_file_raw(tmp, data, size, step);
  if (err == 0) err = place_file_raw(tmp, path, overwrite, step);
  if (err == 0) err = sync_folder_raw(dir, step);
  return err;
}

bool publish_file(const std::filesystem::path& path, const std::string& text, bool overwrite,
                  const std::function<bool()>& may_place) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp;
  const char* step = nullptr;
  int err = EEXIST;
  while (err == EEXIST) {  // a temporary name still in use: take the next one
    tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                 std::to_string(counter++));
    err = stage_file_raw(tmp.c_str(), text.data(), text.size(), &step);
  }
  if (err == 0 && may_place && !may_place()) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (err == 0) err = place_file_raw(tmp.c_str(), path.c_str(), overwrite, &step);
  if (err == 0) err = sync_folder_raw(dir.c_str(), &step);
  if (err == 0) return true;
  std::string why = step;
  if (step == kNotRegular) {
    why = output_path_problem(path).value_or(why);
    throw std::runtime_error("cannot write '" + path.string() + "': " + why);
  }
  if (step == kAppeared) {
    throw std::runtime_error("not writing '" + path.string() + "': " + why +
                             " (another run of this point?); it was not replaced; pass --force "
                             "to replace it");
  }
  throw std::runtime_error("cannot write '" + path.string() + "': " + why + " in '" +
                           dir.string() + "' failed: " + std::strerror(err) +
                           "; nothing was written");
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  publish_file(path, text, true, nullptr);
}

std::filesystem::path PointLock::lock_file(const std::filesystem::path& record) {
  return record.parent_path() / ("." + record.filename().string() + ".lock");
}

namespace {

int ofd_lock(int fd, int cmd, short type, struct flock* out = nullptr) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  const int rc = ::fcntl(fd, cmd, &fl);
  if (out) *out = fl;
  return rc;
}

bool locks_unsupported(int err) { return err == ENOLCK || err == ENOSYS || err == EOPNOTSUPP || err == EINVAL; }

}  // namespace

std::optional<PointLock> PointLock::try_lock(const std::filesystem::path& record) {
  const std::filesystem::path file = lock_file(record);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      throw std::runtime_error("cannot create the lock file '" + file.string() +
                               "': " + std::strerror(errno));
    }
    if (ofd_lock(fd, F_OFD_SETLK, F_WRLCK) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EAGAIN || err == EACCES) return std::nullopt;
      if (locks_unsupported(err)) {
        std::fprintf(stderr,
                     "scalebench: warning: the file system of '%s' does not support locks (%s); "
                     "concurrent runs of this point are not detected\n",
                     file.c_str(), std::strerror(err));
        return PointLock(-1, file);
      }
      throw std::runtime_error("cannot lock '" + file.string() + "': " + std::strerror(err));
    }
    // The holder before us may have removed the file after we opened it: the lock counts only
    // if it is on the file that is at the path now.
    struct stat held {}, now {};
    if (::fstat(fd, &held) == 0 && ::lstat(file.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino) {
      return PointLock(fd, file);
    }
    ::close(fd);
  }
  throw std::runtime_error("cannot lock '" + file.string() + "': it keeps being replaced");
}

PointLock::PointLock(PointLock&& other) noexcept : fd_(other.fd_), file_(std::move(other.file_)) {
  other.fd_ = -1;
  other.file_.clear();
}

PointLock& PointLock::operator=(PointLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    file_ = std::move(other.file_);
    other.fd_ = -1;
    other.file_.clear();
  }
  return *this;
}

PointLock::~PointLock() { release(); }

void PointLock::release() noexcept {
  if (fd_ < 0) return;
  // Removed while still held, so a process that opened it meanwhile sees the path changed.
  ::unlink(file_.c_str());
  ::close(fd_);
  fd_ = -1;
}

bool point_is_locked(const std::filesystem::path& record) {
  const std::filesystem::path file = PointLock::lock_file(record);
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct flock fl {};
  const bool locked = ofd_lock(fd, F_OFD_GETLK, F_WRLCK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  return locked;
}

}  // namespace scalebench
