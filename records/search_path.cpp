// The search path of cluster profiles and sweep presets: user folders, the installed data folder
// found from the binary's own location, and the source configs/ for a build-tree binary only.
#include "records/search_path.hpp"

#include <cstdlib>
#include <system_error>

// records/CMakeLists.txt defines these; the fallbacks keep the file compiling on its own (a binary
// with an empty build_dir never reads a source tree).
#ifndef SCALEBENCH_INSTALL_BINDIR
#define SCALEBENCH_INSTALL_BINDIR "bin"
#endif
#ifndef SCALEBENCH_INSTALL_DATADIR
#define SCALEBENCH_INSTALL_DATADIR "share"
#endif
#ifndef SCALEBENCH_BUILD_DIR
#define SCALEBENCH_BUILD_DIR ""
#endif
#ifndef SCALEBENCH_CONFIG_DIR
#define SCALEBENCH_CONFIG_DIR ""
#endif

namespace scalebench {

namespace fs = std::filesystem;

namespace {

// The path with symbolic links and "." / ".." resolved as far as it exists; the path itself when
// even that fails (a folder that is gone is compared as written).
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : r;
}

bool is_inside(const fs::path& path, const fs::path& folder) {
  const fs::path rel = resolved(path).lexically_relative(resolved(folder));
  if (rel.empty()) return false;
  const auto first = rel.begin();
  return *first != "..";
}

}  // namespace

fs::path installed_data_dir(const fs::path& exe, const fs::path& install_bindir,
                            const fs::path& install_datadir) {
  if (install_datadir.is_absolute()) return install_datadir / "scalebench";
  fs::path prefix = exe.parent_path();
  if (install_bindir.is_absolute()) {
    prefix = prefix.parent_path();  // nothing says how deep it was: assume PREFIX/bin
  } else {
    for (const fs::path& part : install_bindir.lexically_normal()) {
      if (part.empty() || part == ".") continue;
      prefix = prefix.parent_path();
    }
  }
  return (prefix / install_datadir / "scalebench").lexically_normal();
}

bool runs_from_build_tree(const SearchInputs& in) {
  if (!in.exe || in.build_dir.empty() || in.source_config_dir.empty()) return false;
  if (!is_inside(in.exe->parent_path(), in.build_dir)) return false;
  // A tree installed into the build folder (cmake --install build --prefix build/stage) is an
  // installed binary: it reads what was installed with it, never the checkout.
  const fs::path installed = installed_data_dir(*in.exe, in.install_bindir, in.install_datadir);
  std::error_code ec;
  return !(is_inside(installed, in.build_dir) && fs::is_directory(installed, ec));
}

std::vector<fs::path> data_search_path(const std::string& kind, const SearchInputs& in) {
  std::vector<fs::path> dirs;
  if (in.env_folders) {
    const std::string& s = *in.env_folders;
    std::size_t i = 0;
    while (i <= s.size()) {
      std::size_t j = s.find(':', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) dirs.emplace_back(s.substr(i, j - i));
      i = j + 1;
    }
  }
  if (in.home && !in.home->empty()) dirs.push_back(*in.home / ".config/scalebench" / kind);
  // A build-tree binary has no installed tree: what lies at its ../share (beside the build
  // folder) is none of its business.
  if (runs_from_build_tree(in)) {
    dirs.push_back(in.source_config_dir / kind);
  } else if (in.exe) {
    dirs.push_back(installed_data_dir(*in.exe, in.install_bindir, in.install_datadir) / kind);
  }
  return dirs;
}

SearchInputs current_search_inputs(const char* env_var) {
  SearchInputs in;
  if (const char* env = std::getenv(env_var)) in.env_folders = env;
  if (const char* home = std::getenv("HOME")) in.home = fs::path(home);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) in.exe = exe;
  in.install_bindir = SCALEBENCH_INSTALL_BINDIR;
  in.install_datadir = SCALEBENCH_INSTALL_DATADIR;
  in.build_dir = SCALEBENCH_BUILD_DIR;
  in.source_config_dir = SCALEBENCH_CONFIG_DIR;
  return in;
}

std::vector<fs::path> data_search_path(const std::string& kind, const char* env_var) {
  return data_search_path(kind, current_search_inputs(env_var));
}

std::string joined_folders(const std::vector<fs::path>& dirs) {
  std::string s;
  for (const fs::path& d : dirs) s += (s.empty() ? "" : ", ") + d.string();
  return s.empty() ? "no folder" : s;
}

}  // namespace scalebench
