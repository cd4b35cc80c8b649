// The staging folder of a report, its swap into place, and the clean-up of killed reports' folders.
#include "reports/staging.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "records/errors.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;

fs::path normalised(const fs::path& out) {
  fs::path p = fs::absolute(out).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "out/" and "." name the folder itself
  return p;
}

// The host name as it may appear in a file name (letters, digits, '.', '_'; at most 64).
std::string host_tag() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "host";
  std::string h;
  for (const char* c = buf; *c && h.size() < 64; ++c)
    h += std::isalnum(static_cast<unsigned char>(*c)) || *c == '.' || *c == '_' ? *c : '_';
  return h.empty() ? "host" : h;
}

// ".NAME.tmp-" and ".NAME.old-": the staging and the set-aside folders of OUT.
std::string prefix(const fs::path& out, const char* kind) {
  return fmt::format(".{}.{}-", out.filename().string(), kind);
}

fs::path make_folder(const fs::path& out, const char* kind) {
  std::string pattern =
      (out.parent_path() / fmt::format("{}{}-XXXXXX", prefix(out, kind), staging_owner_tag())).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(fmt::format("cannot create a folder beside '{}': {}", out.string(),
                                         std::strerror(errno)));
  }
  return pattern;
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir));
  }
  return files;
}

std::set<std::string> read_manifest(const fs::path& out) {
  std::set<std::string> listed;
  std::ifstream in(out / kManifestName);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) listed.insert(line);
  return listed;
}

bool is_dir_no_follow(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::directory;
}

// Carries what `from` (the current OUT) holds besides the old report into `to` (the staged
// report): hard links for files, new folders for folders, copies of symbolic links. Files the new
// report has, and files the old manifest lists, are not carried.
void carry_over(const fs::path& from, const fs::path& to, const fs::path& relative,
                const std::set<std::string>& old_report) {
  for (const auto& entry : fs::directory_iterator(from / relative)) {
    const fs::path rel = relative / entry.path().filename();
    if (rel == kManifestName || old_report.count(rel.generic_string())) continue;
    const fs::path src = from / rel;
    const fs::path dst = to / rel;
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(src, ec);
    const bool in_new = fs::exists(fs::symlink_status(dst, ec));
    switch (st.type()) {
      case fs::file_type::directory:
        if (in_new && !is_dir_no_follow(dst)) continue;  // the report's file wins over a folder
        if (!in_new) {
          fs::create_directory(dst);
          fs::permissions(dst, st.permissions());
        }
        carry_over(from, to, rel, old_report);
        break;
      case fs::file_type::regular:
        if (in_new) continue;
        if (::link(src.c_str(), dst.c_str()) != 0) fs::copy_file(src, dst);
        break;
      case fs::file_type::symlink:
        if (in_new) continue;
        fs::copy_symlink(src, dst);
        break;
      default:
        throw std::runtime_error(fmt::format(
            "'{}' is neither a file, a folder nor a link; move it out of the report folder '{}'",
            src.string(), from.string()));
    }
  }
}

bool process_alive(long pid) {
  if (pid <= 0) return true;  // not ours to judge
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::string staging_owner_tag() { return fmt::format("{}-{}", host_tag(), ::getpid()); }

int remove_stale_staging(const fs::path& out_path) {
  const fs::path out = normalised(out_path);
  const std::string host = host_tag();
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    std::string rest;
    for (const char* kind : {"tmp", "old"}) {
      const std::string p = prefix(out, kind);
      if (name.size() > p.size() && name.compare(0, p.size(), p) == 0) rest = name.substr(p.size());
    }
    // rest = HOST-PID-XXXXXX (mkdtemp's six characters), read from the right.
    const std::size_t dash2 = rest.rfind('-');
    if (rest.empty() || dash2 == std::string::npos || rest.size() - dash2 - 1 != 6) continue;
    const std::size_t dash1 = rest.rfind('-', dash2 - 1);
    if (dash2 == 0 || dash1 == std::string::npos) continue;
    const std::string pid_text = rest.substr(dash1 + 1, dash2 - dash1 - 1);
    if (pid_text.empty() || pid_text.size() > 9 ||
        pid_text.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (rest.substr(0, dash1) != host) continue;  // another host's: its PID means nothing here
    const long pid = std::stol(pid_text);
    if (pid == ::getpid() || process_alive(pid)) continue;
    if (!is_dir_no_follow(entry.path())) continue;  // never follow a link planted here
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

Staging::Staging(const fs::path& out) : out_(normalised(out)) {
  std::error_code ec;
  // A link to a folder: the report goes into the folder it names (the link stays).
  if (fs::is_symlink(out_, ec) && fs::is_directory(out_, ec)) out_ = fs::canonical(out_);
  if (fs::exists(out_, ec) && !fs::is_directory(out_, ec)) {
    throw UsageError(fmt::format("-o '{}' is a file; give a folder for the report", out.string()));
  }
  const fs::path cwd = fs::current_path(ec);
  if (!ec) {
    const fs::path here = fs::weakly_canonical(cwd, ec);
    const fs::path there = fs::weakly_canonical(out_, ec);
    auto [o, h] = std::mismatch(there.begin(), there.end(), here.begin(), here.end());
    if (o == there.end()) {
      throw UsageError(fmt::format(
          "-o '{}' is the current folder or holds it; the report replaces OUT as a whole: give a "
          "folder of its own, e.g. -o report",
          out.string()));
    }
  }
  fs::create_directories(out_.parent_path(), ec);
  if (ec) {
    throw UsageError(fmt::format("-o '{}': cannot create '{}': {}", out.string(),
                                 out_.parent_path().string(), ec.message()));
  }
  remove_stale_staging(out_);
  dir_ = make_folder(out_, "tmp");
  // mkdtemp makes it 0700: give it the mode the report folder has (or would get).
  struct stat st {};
  if (::stat(out_.c_str(), &st) == 0) {
    ::chmod(dir_.c_str(), st.st_mode & 07777);
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::chmod(dir_.c_str(), 0777 & ~mask);
  }
}

Staging::~Staging() {
  if (published_) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void Staging::write(const fs::path& relative, const std::string& text) const {
  const fs::path path = dir_ / relative;
  fs::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

std::vector<fs::path> Staging::publish() {
  std::vector<fs::path> files = files_under(dir_);
  std::string manifest;
  for (const fs::path& f : files) manifest += f.generic_string() + "\n";
  write(kManifestName, manifest);

  std::error_code ec;
  if (!fs::exists(fs::symlink_status(out_, ec))) {
    // Nothing there: one rename, which fails rather than replace a folder made meanwhile.
    if (::renameat2(AT_FDCWD, dir_.c_str(), AT_FDCWD, out_.c_str(), RENAME_NOREPLACE) == 0 ||
        (errno == EINVAL && ::rename(dir_.c_str(), out_.c_str()) == 0)) {
      published_ = true;
      for (fs::path& f : files) f = out_ / f;
      return files;
    }
    if (errno != EEXIST && errno != ENOTEMPTY)
      throw std::runtime_error(fmt::format("cannot move the report into '{}': {}", out_.string(),
                                           std::strerror(errno)));
  }
  carry_over(out_, dir_, {}, read_manifest(out_));
  if (::renameat2(AT_FDCWD, dir_.c_str(), AT_FDCWD, out_.c_str(), RENAME_EXCHANGE) == 0) {
    published_ = true;  // dir_ now holds the old report
    fs::remove_all(dir_, ec);
  } else if (errno == EINVAL || errno == ENOSYS) {
    // No exchange on this file system: the old folder aside (renamed over an empty folder of
    // ours), the new one in; between the two renames OUT is briefly absent, never mixed.
    const fs::path aside = make_folder(out_, "old");
    if (::rename(out_.c_str(), aside.c_str()) != 0) {
      const int e = errno;
      fs::remove(aside, ec);
      throw std::runtime_error(fmt::format("cannot move the old report '{}' aside: {}",
                                           out_.string(), std::strerror(e)));
    }
    if (::rename(dir_.c_str(), out_.c_str()) != 0) {
      const int e = errno;
      ::rename(aside.c_str(), out_.c_str());  // put the old one back
      throw std::runtime_error(fmt::format("cannot move the report into '{}': {}", out_.string(),
                                           std::strerror(e)));
    }
    published_ = true;
    fs::remove_all(aside, ec);
  } else {
    throw std::runtime_error(fmt::format("cannot swap the report into '{}': {}", out_.string(),
                                         std::strerror(errno)));
  }
  for (fs::path& f : files) f = out_ / f;
  return files;
}

}  // namespace scalebench::reports
