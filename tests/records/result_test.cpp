// Result records: JSON round trip, validation at the loading edge, atomic and safe writing.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "records/result.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;

ResultRecord sample() {
  ResultRecord r;
  r.point.workload = "resnet50";
  r.point.strategy = "ddp";
  r.point.backend = "cpu";
  r.point.precision = "fp32";
  r.point.batch_per_device = 32;
  r.point.global_batch = 128;
  r.point.devices = 4;
  r.point.nodes = 1;
  r.point.cluster = "mahti";
  r.phases.full = StepStats{100, 95, 110, 101, 4, 94, 111, 20};
  r.step = r.phases.full;
  r.throughput = Throughput{1280, 320};
  CommunicationRecord c;
  c.exposed_ms = 10;
  c.overlap = 0.5;
  c.share = 0.1;
  c.buckets.push_back(BucketRecord{0, 4096, 2, 0.5, 8.192e-3, 1.2288e-2});
  c.check = "passed";
  r.communication = c;
  Telemetry t;
  t.mean_power_w = 250.0;  // energy absent on purpose
  r.telemetry = t;
  r.provenance.slurm = SlurmRecord{"123", "120", "3", "node[1-2]"};
  return r;
}

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("sb_result_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(Result, RoundTripKeepsEveryField) {
  const ResultRecord a = sample();
  ResultRecord b;
  from_json(nlohmann::json(a), b);
  EXPECT_EQ(nlohmann::json(a), nlohmann::json(b));
  EXPECT_EQ(b.point.cluster, "mahti");
  EXPECT_EQ(b.communication->buckets.at(0).bytes, 4096);
  EXPECT_EQ(b.provenance.slurm->array_task_id, "3");
  // A missing measurement stays absent (null), never 0.
  EXPECT_TRUE(b.telemetry->mean_power_w.has_value());
  EXPECT_FALSE(b.telemetry->energy_per_sample_j.has_value());
  EXPECT_TRUE(nlohmann::json(a)["telemetry"]["energy_per_sample_j"].is_null());
}

TEST(Result, ForeignAndWrongSchemaAreRefused) {
  ResultRecord r;
  EXPECT_THROW(from_json(nlohmann::json{{"hello", 1}}, r), std::runtime_error);
  nlohmann::json j = sample();
  j["schema"] = "scalebench.result/2";
  EXPECT_THROW(from_json(j, r), std::runtime_error);
  j = sample();
  j["status"] = "great";
  EXPECT_THROW(from_json(j, r), std::runtime_error);
  j = sample();
  j["point"].erase("workload");
  try {
    from_json(j, r);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("workload"), std::string::npos);
  }
}

TEST(Result, WriteIsAtomicAndDoesNotOverwrite) {
  const fs::path dir = temp_dir();
  const fs::path file = dir / "r.json";
  fs::remove(file);
  write_result_file(sample(), file, false);
  EXPECT_EQ(read_result_file(file).point.workload, "resnet50");
  EXPECT_THROW(write_result_file(sample(), file, false), std::runtime_error);
  ResultRecord other = sample();
  other.point.workload = "vit_b16";
  write_result_file(other, file, true);
  EXPECT_EQ(read_result_file(file).point.workload, "vit_b16");
  // No temporary files are left behind.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  fs::remove_all(dir);
}

TEST(Result, TruncatedFileIsAnError) {
  const fs::path dir = temp_dir();
  const fs::path file = dir / "t.json";
  const std::string text = nlohmann::json(sample()).dump();
  std::ofstream(file) << text.substr(0, text.size() / 2);
  EXPECT_ANY_THROW(read_result_file(file));
  fs::remove_all(dir);
}

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int count_entries(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

// A FIFO, a socket, a folder, a symbolic link and (as root) a character device: none may receive
// a record, with or without --force, and each is still what it was afterwards.
TEST(Result, SpecialFilesAreNeverReplaced) {
  const fs::path dir = temp_dir() / "special";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, (dir / "sock").c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  fs::create_directories(dir / "folder");
  std::ofstream(dir / "target.json") << "keep";
  fs::create_symlink(dir / "target.json", dir / "link.json");
  std::vector<std::string> names{"fifo", "sock", "folder", "link.json"};
  if (::geteuid() == 0 && ::mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    names.push_back("null");
  }
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const fs::path p = dir / name;
    const fs::file_type before = fs::symlink_status(p).type();
    const auto problem = output_path_problem(p);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("regular file"), std::string::npos) << *problem;
    EXPECT_THROW(write_result_file(sample(), p, true), std::runtime_error);
    EXPECT_THROW(write_result_file(sample(), p, false), std::runtime_error);
    EXPECT_EQ(fs::symlink_status(p).type(), before);
  }
  EXPECT_EQ(contents(dir / "target.json"), "keep");
  EXPECT_EQ(count_entries(dir), int(names.size()) + 1);  // no temporary file left
  EXPECT_TRUE(output_path_problem("/dev/null").has_value());
  ::close(sock);
  fs::remove_all(dir);
}

TEST(Result, FolderMayBeASymbolicLink) {
  const fs::path dir = temp_dir() / "linked";
  fs::remove_all(dir);
  fs::create_directories(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "results");
  EXPECT_FALSE(output_path_problem(dir / "results" / "r.json").has_value());
  write_result_file(sample(), dir / "results" / "r.json", false);
  EXPECT_EQ(read_result_file(dir / "real" / "r.json").point.workload, "resnet50");
  fs::remove_all(dir);
}

// The final publication without --force never replaces a record that appeared meanwhile.
TEST(Result, PublishWithoutOverwriteNeverReplaces) {
  const fs::path dir = temp_dir() / "noreplace";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "r.json", tmp = dir / ".r.json.tmp";
  std::ofstream(file) << "theirs";
  const std::string mine = "mine";
  const char* step = nullptr;
  const int err = publish_file_raw(tmp.c_str(), file.c_str(), dir.c_str(), mine.data(), mine.size(),
                                   false, &step);
  EXPECT_EQ(err, EEXIST);
  ASSERT_NE(step, nullptr);
  EXPECT_NE(std::string(step).find("appeared"), std::string::npos) << step;
  EXPECT_EQ(contents(file), "theirs");
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(publish_file_raw(tmp.c_str(), file.c_str(), dir.c_str(), mine.data(), mine.size(), true,
                             &step),
            0);
  EXPECT_EQ(contents(file), "mine");
  EXPECT_EQ(publish_file_raw(tmp.c_str(), (dir / "new.json").c_str(), dir.c_str(), mine.data(),
                             mine.size(), false, &step),
            0);
  EXPECT_EQ(contents(dir / "new.json"), "mine");
  EXPECT_EQ(count_entries(dir), 2);
  fs::remove_all(dir);
}

// A write that cannot complete (here: the file-size limit, as a full disk would) throws, leaves no
// record and no temporary file, and keeps the previous record.
TEST(Result, ShortWriteLeavesNothing) {
  const fs::path dir = temp_dir() / "short";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "old.json") << "old";
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 100;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    write_result_file(sample(), dir / "r.json", false);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  try {
    write_result_file(sample(), dir / "old.json", true);
  } catch (const std::runtime_error&) {
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(message.find("cannot write"), std::string::npos) << message;
  EXPECT_NE(message.find("nothing was written"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir / "r.json"));
  EXPECT_EQ(contents(dir / "old.json"), "old");
  EXPECT_EQ(count_entries(dir), 1);
  fs::remove_all(dir);
}

TEST(Result, UnwritableFolderIsAnError) {
  EXPECT_THROW(write_result_file(sample(), "/nonexistent-dir/x/r.json", true), std::runtime_error);
}

}  // namespace
}  // namespace scalebench
