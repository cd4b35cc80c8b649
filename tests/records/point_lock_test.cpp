// The per-point lock beside a result record: exclusive, testable without taking it, removed on
// release, and not fooled by a stale lock file.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "records/result.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;

class PointLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb_lock_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    record_ = dir_ / "point.json";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_, record_;
};

TEST_F(PointLockTest, LockFileIsHiddenBesideTheRecord) {
  EXPECT_EQ(PointLock::lock_file(record_), dir_ / ".point.json.lock");
}

TEST_F(PointLockTest, SecondLockOfOnePointIsRefused) {
  auto first = PointLock::try_lock(record_);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->locked());
  EXPECT_TRUE(fs::exists(PointLock::lock_file(record_)));
  EXPECT_FALSE(PointLock::try_lock(record_).has_value());
  EXPECT_TRUE(point_is_locked(record_));
  // Another point in the same folder is independent.
  EXPECT_TRUE(PointLock::try_lock(dir_ / "other.json").has_value());
}

TEST_F(PointLockTest, ReleaseRemovesTheLockFileAndFreesThePoint) {
  { auto held = PointLock::try_lock(record_); ASSERT_TRUE(held); }
  EXPECT_FALSE(fs::exists(PointLock::lock_file(record_)));
  EXPECT_FALSE(point_is_locked(record_));
  EXPECT_TRUE(PointLock::try_lock(record_).has_value());
}

TEST_F(PointLockTest, AskingNeverTakesTheLock) {
  EXPECT_FALSE(point_is_locked(record_));  // no lock file
  std::ofstream(PointLock::lock_file(record_)) << "";  // stale file left by a killed run
  EXPECT_FALSE(point_is_locked(record_));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(point_is_locked(record_));
    auto held = PointLock::try_lock(record_);  // a run starting right after a sweep asked
    ASSERT_TRUE(held.has_value());
    EXPECT_TRUE(point_is_locked(record_));
  }
}

TEST_F(PointLockTest, HeldByAnotherProcess) {
  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = PointLock::try_lock(record_);
    char c = held ? 'y' : 'n';
    (void)!::write(to_parent[1], &c, 1);
    (void)!::read(to_child[0], &c, 1);  // hold until the parent is done
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  EXPECT_TRUE(point_is_locked(record_));
  EXPECT_FALSE(PointLock::try_lock(record_).has_value());
  (void)!::write(to_child[1], &c, 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_FALSE(point_is_locked(record_));
  EXPECT_TRUE(PointLock::try_lock(record_).has_value());
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
}

TEST_F(PointLockTest, MissingFolderIsAnError) {
  EXPECT_THROW(PointLock::try_lock(dir_ / "no" / "such" / "r.json"), std::runtime_error);
  EXPECT_FALSE(point_is_locked(dir_ / "no" / "such" / "r.json"));
}

}  // namespace
}  // namespace scalebench
