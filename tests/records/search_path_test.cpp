// records/search_path: the order of the folders, the installed data folder found from the binary's
// own location, and the source configs/ reached only from the build tree.
#include "records/search_path.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "records/errors.hpp"
#include "records/sweep_preset.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;
using Paths = std::vector<fs::path>;

// A fresh folder under the temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "search_path_test.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

SearchInputs inputs(const fs::path& exe, const fs::path& build_dir) {
  SearchInputs in;
  in.exe = exe;
  in.install_bindir = "bin";
  in.install_datadir = "share";
  in.build_dir = build_dir;
  in.source_config_dir = "/src/configs";
  return in;
}

TEST(SearchPath, InstalledDataIsFoundFromTheBinarysFolder) {
  EXPECT_EQ(installed_data_dir("/opt/sb/bin/scalebench", "bin", "share"), "/opt/sb/share/scalebench");
  // A deeper bindir climbs as many folders; the datadir is the configured relative one.
  EXPECT_EQ(installed_data_dir("/p/libexec/sb/bin/scalebench", "libexec/sb/bin", "data"),
            "/p/data/scalebench");
  EXPECT_EQ(installed_data_dir("/p/bin/scalebench", "./bin/", "share"), "/p/share/scalebench");
  // An absolute datadir is where the data is, wherever the binary went.
  EXPECT_EQ(installed_data_dir("/moved/bin/scalebench", "bin", "/usr/share"), "/usr/share/scalebench");
}

TEST(SearchPath, OrderIsEnvironmentThenHomeThenInstalledTree) {
  SearchInputs in = inputs("/opt/sb/bin/scalebench", "/work/build");
  in.env_folders = "/site/a::/site/b:";
  in.home = "/home/u";
  EXPECT_EQ(data_search_path("clusters", in),
            (Paths{"/site/a", "/site/b", "/home/u/.config/scalebench/clusters",
                   "/opt/sb/share/scalebench/clusters"}));
  EXPECT_EQ(data_search_path("sweeps", in).back(), "/opt/sb/share/scalebench/sweeps");
}

TEST(SearchPath, NoHomeAndNoBinaryLeaveOnlyTheEnvironment) {
  SearchInputs in;
  in.env_folders = "/site/a";
  in.build_dir = "/";
  in.source_config_dir = "/src/configs";
  EXPECT_EQ(data_search_path("clusters", in), (Paths{"/site/a"}));
  in.env_folders = "";
  EXPECT_TRUE(data_search_path("clusters", in).empty());
}

TEST(SearchPath, SourceConfigsOnlyForABinaryInsideItsBuildTree) {
  TempDir t;
  const fs::path build = t.path() / "build";
  fs::create_directories(build / "tests/records");
  fs::create_directories(t.path() / "prefix/bin");
  fs::create_directories(t.path() / "build-other/harness");

  // The build tree's own binaries (the program and a test program) reach the source configs last,
  // and not a share/ beside the build folder.
  fs::create_directories(t.path() / "share/scalebench/clusters");
  SearchInputs in = inputs(build / "scalebench", build);
  in.home = t.path() / "home";
  EXPECT_TRUE(runs_from_build_tree(in));
  EXPECT_EQ(data_search_path("clusters", in),
            (Paths{t.path() / "home/.config/scalebench/clusters", "/src/configs/clusters"}));
  in.exe = build / "tests/records/records_test";
  EXPECT_EQ(data_search_path("sweeps", in).back(), "/src/configs/sweeps");
  in.home.reset();

  // Installed elsewhere, or in a folder that only starts with the build folder's name: never.
  for (const fs::path& exe : {t.path() / "prefix/bin/scalebench", t.path() / "build-other/harness/scalebench"}) {
    in.exe = exe;
    EXPECT_FALSE(runs_from_build_tree(in)) << exe;
    for (const fs::path& d : data_search_path("clusters", in)) EXPECT_NE(d, "/src/configs/clusters") << exe;
  }

  // Installed into the build folder itself: it has its share/scalebench and reads only that.
  fs::create_directories(build / "stage/bin");
  fs::create_directories(build / "stage/share/scalebench/clusters");
  in.exe = build / "stage/bin/scalebench";
  EXPECT_FALSE(runs_from_build_tree(in));
  EXPECT_EQ(data_search_path("clusters", in), (Paths{build / "stage/share/scalebench/clusters"}));

  // A build tree reached through a symbolic link is the same tree.
  fs::create_symlink(build, t.path() / "link");
  in.exe = t.path() / "link/scalebench";
  EXPECT_TRUE(runs_from_build_tree(in));
  // No build folder compiled in: no source tree.
  in.build_dir.clear();
  EXPECT_FALSE(runs_from_build_tree(in));
}

TEST(SearchPath, JoinedFoldersForMessages) {
  EXPECT_EQ(joined_folders({"/a", "/b c"}), "/a, /b c");
  EXPECT_EQ(joined_folders({}), "no folder");
}

// The test program's own search path (it runs in the build tree): $SCALEBENCH_SWEEPS first, the
// source tree's configs/sweeps last; the error names both.
TEST(SearchPath, PresetsFollowSCALEBENCH_SWEEPS) {
  TempDir t;
  fs::create_directories(t.path() / "mine");
  std::ofstream(t.path() / "mine/tiny.json") << R"({"description": "d", "workloads": ["mnist_cnn"]})";
  const std::string folders = (t.path() / "nowhere").string() + ":" + (t.path() / "mine").string();
  ASSERT_EQ(setenv("SCALEBENCH_SWEEPS", folders.c_str(), 1), 0);
  EXPECT_EQ(find_sweep_preset("tiny"), t.path() / "mine/tiny.json");
  const std::vector<std::string> names = sweep_preset_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "tiny"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "smoke-cpu"), names.end()) << "the source tree's";
  try {
    (void)find_sweep_preset("nope");
    FAIL() << "an unknown preset must be refused";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no sweep preset 'nope' (known: "), std::string::npos) << what;
    EXPECT_NE(what.find("tiny"), std::string::npos) << what;
    EXPECT_NE(what.find("looked in " + (t.path() / "nowhere").string() + ", " + (t.path() / "mine").string()),
              std::string::npos) << what;
    EXPECT_NE(what.find("configs/sweeps"), std::string::npos) << what;
  }
  unsetenv("SCALEBENCH_SWEEPS");
}

}  // namespace
}  // namespace scalebench
