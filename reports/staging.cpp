// The temporary folder of a report and its move into place.
#include "reports/staging.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <fstream>
#include <stdexcept>

#include "kernels/errors.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;

fs::path normalised(const fs::path& out) {
  fs::path p = fs::absolute(out).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "out/" and "." name the folder itself
  return p;
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir));
  }
  return files;
}

}  // namespace

Staging::Staging(const fs::path& out) : out_(normalised(out)) {
  std::error_code ec;
  if (fs::exists(out_, ec) && !fs::is_directory(out_, ec)) {
    throw UsageError(fmt::format("-o '{}' is a file; give a folder for the report", out.string()));
  }
  fs::create_directories(out_.parent_path(), ec);
  if (ec) {
    throw UsageError(fmt::format("-o '{}': cannot create '{}': {}", out.string(),
                                 out_.parent_path().string(), ec.message()));
  }
  std::string pattern =
      (out_.parent_path() / fmt::format(".{}.tmp-XXXXXX", out_.filename().string())).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(
        fmt::format("cannot create a temporary folder beside '{}'", out_.string()));
  }
  dir_ = pattern;
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
  if (!fs::exists(out_)) {
    fs::rename(dir_, out_);
  } else {
    for (const fs::path& relative : files) {
      fs::create_directories((out_ / relative).parent_path());
      fs::rename(dir_ / relative, out_ / relative);
    }
    fs::remove_all(dir_);
  }
  published_ = true;
  for (fs::path& f : files) f = out_ / f;
  return files;
}

}  // namespace scalebench::reports
