// Publishing a report: one swap of the whole folder (a reader sees the old or the new report,
// never a mix), the user's other files kept, the old report's files dropped, and the staging
// folders of killed reports cleaned up (only ours, only when their owner is gone).
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "records/errors.hpp"
#include "reports/staging.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using scalebench::testing::read_text;
using scalebench::testing::TempDir;
using scalebench::testing::write_text;

ino_t inode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

std::vector<std::string> beside(const fs::path& out) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    if (e.path() != out) names.push_back(e.path().filename().string());
  return names;
}

// A PID that belonged to a process that has ended.
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(Staging, PublishSwapsTheWholeFolderKeepingOtherFilesAndDroppingTheOldReports) {
  TempDir tmp;
  const fs::path out = tmp / "out";
  {
    Staging first(out);
    first.write("report.md", "old");
    first.write("figures/a.svg", "old a");
    first.write("figures/gone.svg", "only in the old report");
    first.publish();
  }
  write_text(out / "notes.txt", "the user's");
  write_text(out / "mine" / "keep.txt", "the user's too");
  fs::create_symlink("notes.txt", out / "link");
  const ino_t before = inode(out);

  Staging second(out);
  second.write("report.md", "new");
  second.write("figures/a.svg", "new a");
  const auto written = second.publish();

  EXPECT_NE(inode(out), before);  // a new folder, not files renamed into the old one
  EXPECT_EQ(read_text(out / "report.md"), "new");
  EXPECT_EQ(read_text(out / "figures/a.svg"), "new a");
  EXPECT_FALSE(fs::exists(out / "figures/gone.svg"));  // the old report's, not the user's
  EXPECT_EQ(read_text(out / "notes.txt"), "the user's");
  EXPECT_EQ(read_text(out / "mine/keep.txt"), "the user's too");
  EXPECT_EQ(fs::read_symlink(out / "link"), "notes.txt");
  EXPECT_EQ(read_text(out / kManifestName), "figures/a.svg\nreport.md\n");
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(beside(out), std::vector<std::string>{});  // no staging or old folder left
}

TEST(Staging, AFreshReportFolderGetsTheUsualModeNotMkdtemps0700) {
  TempDir tmp;
  const mode_t old_mask = ::umask(022);
  {
    Staging s(tmp / "out");
    s.write("report.md", "x");
    s.publish();
  }
  ::umask(old_mask);
  struct stat st {};
  ASSERT_EQ(::stat((tmp / "out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
}

TEST(Staging, AReaderSeesTheOldOrTheNewReportNeverAMix) {
  // Every file of generation g holds g; a reader that opens OUT once and reads all its files
  // must find one generation only. File-by-file renames into OUT let it see two.
  TempDir tmp;
  const fs::path out = tmp / "out";
  constexpr int kFiles = 40;
  auto publish = [&](int g) {
    Staging s(out);
    for (int f = 0; f < kFiles; ++f) s.write(fmt::format("f{:02}.txt", f), std::to_string(g));
    s.publish();
  };
  publish(0);
  std::atomic<bool> done{false};
  std::atomic<int> mixed{0}, whole{0};
  std::thread reader([&] {
    while (!done) {
      int dir = ::open(out.c_str(), O_RDONLY | O_DIRECTORY);
      if (dir < 0) continue;
      std::set<std::string> seen;
      bool complete = true;
      for (int f = 0; f < kFiles && complete; ++f) {
        int fd = ::openat(dir, fmt::format("f{:02}.txt", f).c_str(), O_RDONLY);
        if (fd < 0) {
          complete = false;  // the old folder was removed under us: not a mix
          break;
        }
        char buf[32] = {};
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        seen.insert(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
      }
      ::close(dir);
      if (!complete) continue;
      if (seen.size() > 1) ++mixed;
      else ++whole;
    }
  });
  for (int g = 1; g <= 150; ++g) publish(g);
  done = true;
  reader.join();
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_GT(whole.load(), 0);
  EXPECT_EQ(read_text(out / "f00.txt"), "150");
}

TEST(Staging, StaleStagingOfDeadOwnersOnThisHostIsRemovedNothingElse) {
  TempDir tmp;
  const fs::path out = tmp / "out";
  const std::string me = staging_owner_tag();  // HOST-PID
  const std::string host = me.substr(0, me.rfind('-'));
  const pid_t dead = dead_pid();
  auto make = [&](const std::string& name) {
    write_text(tmp / name / "figures" / "half.svg", "half written");
    return tmp / name;
  };
  const fs::path stale = make(fmt::format(".out.tmp-{}-{}-a1b2c3", host, dead));
  const fs::path stale_aside = make(fmt::format(".out.old-{}-{}-d4e5f6", host, dead));
  const fs::path live = make(fmt::format(".out.tmp-{}-{}-g7h8i9", host, ::getppid()));
  const fs::path other_host = make(fmt::format(".out.tmp-{}x-{}-j1k2l3", host, dead));
  const fs::path other_report = make(fmt::format(".other.tmp-{}-{}-m4n5o6", host, dead));
  const fs::path no_owner = make(".out.tmp-p7q8r9");  // the old pattern: whose, we cannot tell
  const fs::path not_ours = make(fmt::format(".out.tmp-{}-{}-toolong", host, dead));
  // A link that looks like ours must not be followed into what it names.
  const fs::path target = make("precious");
  fs::create_directory_symlink(target, tmp / fmt::format(".out.tmp-{}-{}-s1t2u3", host, dead));

  {
    Staging s(out);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_FALSE(fs::exists(stale_aside));
    for (const auto& kept : {live, other_host, other_report, no_owner, not_ours, target})
      EXPECT_TRUE(fs::exists(kept / "figures" / "half.svg")) << kept;
    EXPECT_TRUE(fs::is_symlink(tmp / fmt::format(".out.tmp-{}-{}-s1t2u3", host, dead)));
    // Its own folder carries this process's tag.
    EXPECT_EQ(s.dir().filename().string().rfind(".out.tmp-" + me + "-", 0), 0u) << s.dir();
  }
  EXPECT_EQ(remove_stale_staging(out), 0);  // nothing more of a dead owner
}

TEST(Staging, TheCurrentFolderOrOneHoldingItIsRefused) {
  TempDir tmp;
  fs::create_directories(tmp / "a" / "b");
  const fs::path cwd = fs::current_path();
  fs::current_path(tmp / "a" / "b");
  EXPECT_THROW(Staging("."), UsageError);
  EXPECT_THROW(Staging(".."), UsageError);
  EXPECT_NO_THROW(Staging("report"));
  fs::current_path(cwd);
  write_text(tmp / "file", "x");
  EXPECT_THROW(Staging(tmp / "file"), UsageError);
}

}  // namespace
}  // namespace scalebench::reports
