// Where scalebench finds its data files by name (cluster profiles, sweep presets): the user's
// folders, the installed share/scalebench/ beside the binary, and the source tree's configs/ only
// for a binary running inside the build tree it was built in. See docs/install.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace scalebench {

// What a search path is made of. current_search_inputs() fills it from the environment, the
// running binary and what the build compiled in; tests give every part themselves.
struct SearchInputs {
  std::optional<std::string> env_folders;     // $SCALEBENCH_CLUSTERS or $SCALEBENCH_SWEEPS
  std::optional<std::filesystem::path> home;  // $HOME
  std::optional<std::filesystem::path> exe;   // the running binary (/proc/self/exe)
  std::filesystem::path install_bindir;       // CMAKE_INSTALL_BINDIR, e.g. "bin"
  std::filesystem::path install_datadir;      // CMAKE_INSTALL_DATADIR, e.g. "share"
  std::filesystem::path build_dir;            // the build tree the binary was built in
  std::filesystem::path source_config_dir;    // that build's source configs/
};

// The installed data folder of a binary: <prefix>/<datadir>/scalebench, where <prefix> is the
// binary's folder less the components of bindir (bin/scalebench → ..), so an installed tree may be
// moved anywhere. An absolute datadir is used as it is (that install cannot be moved).
std::filesystem::path installed_data_dir(const std::filesystem::path& exe,
                                         const std::filesystem::path& install_bindir,
                                         const std::filesystem::path& install_datadir);

// True when exe lies inside build_dir and is not part of a tree installed there (one with its own
// installed data folder inside build_dir): a binary run from its build tree (build/scalebench, a
// test program), not an installed or moved one.
bool runs_from_build_tree(const SearchInputs& in);

// The folders searched for files of one kind ("clusters", "sweeps"), in order:
//   1. each folder of env_folders (':'-separated; empty parts skipped),
//   2. <home>/.config/scalebench/<kind>,
//   3. for a binary run from its build tree: <source_config_dir>/<kind>;
//      for any other: installed_data_dir(exe)/<kind>.
std::vector<std::filesystem::path> data_search_path(const std::string& kind, const SearchInputs& in);

// The inputs of the running program: env_var's value, $HOME, /proc/self/exe and the compiled-in
// install layout, build tree and source configs.
SearchInputs current_search_inputs(const char* env_var);

// data_search_path(kind, current_search_inputs(env_var)).
std::vector<std::filesystem::path> data_search_path(const std::string& kind, const char* env_var);

// "A, B, C": the folders for a "looked in ..." message.
std::string joined_folders(const std::vector<std::filesystem::path>& dirs);

}  // namespace scalebench
