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
#include <string>

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

// Every field of every struct away from its default, with values a lossy reader or writer would
// change: doubles without a short binary form, integers past 32 bits, each fallback the reader
// has (min_ms from p5_ms, global_batch from batch_per_device, ...) different from its source.
ResultRecord full_sample() {
  ResultRecord r;
  r.status = "failed";
  r.error = "NCCL error: remote process exited";
  RunPoint& p = r.point;
  p.workload = "vit_b16";
  p.strategy = "mirrored";
  p.backend = "cuda";
  p.precision = "bf16";
  p.batch_per_device = 48;
  p.global_batch = 384;
  p.scaling = "strong";
  p.devices = 8;
  p.nodes = 2;
  p.devices_per_node = 4;
  p.world_size = 2;
  p.image_size = 224;
  p.steps = 50;
  p.warmup = 7;
  p.options = {{"bucket_mb", 25.5}, {"overlap", false}, {"graph", true}};
  p.cluster = "lumi";
  p.label = "after driver update";
  r.phases.compute = StepStats{80.1, 79.3, 81.7, 80.2, 0.7, 78.9, 82.3, 41};
  r.phases.communication = StepStats{12.3, 11.1, 14.9, 12.6, 1.1, 10.7, 15.8, 42};
  r.phases.full = StepStats{90.7, 89.9, 93.1, 91.0, 0.9, 88.8, 95.2, 43};
  r.step = StepStats{90.8, 89.8, 93.2, 91.1, 1.3, 88.7, 95.3, 44};
  r.throughput = Throughput{4233.1, 529.1375};
  CommunicationRecord c;
  c.exposed_ms = 10.1;
  c.overlap = 0.17;
  c.share = 0.111;
  c.allreduce_ms = 12.3;
  c.algbw_gbps = 33.3;
  c.busbw_gbps = 58.275;
  c.buckets.push_back(BucketRecord{3, 26214400, 17, 1.7, 15.42, 26.985});
  c.buckets.push_back(BucketRecord{4, 1048576, 2, 0.3, 3.49, 6.1075});
  c.check = "failed";
  c.algorithm = "ring";
  r.communication = c;
  r.model.parameters = 86567656;
  r.model.forward_flops_per_sample = 17.56e9;
  r.model.layers = 152;
  r.model.gradient_bytes = 346270624;
  Telemetry t;
  t.mean_power_w = 412.3;
  t.energy_per_sample_j = 0.779;
  t.peak_memory_bytes = 60129542144;
  t.mean_utilization = 0.93;
  t.mean_sm_clock_mhz = 1755.5;
  r.telemetry = t;
  r.layer_class_ms = std::map<std::string, double>{{"attention", 31.4}, {"mlp", 27.1}};
  r.system.hostname = "nid005001";
  r.system.cpu_model = "AMD EPYC 7A53 64-Core Processor";
  r.system.gpu_model = "NVIDIA H100 80GB HBM3";
  r.system.device_memory_bytes = 85899345920;
  r.system.versions = {{"cuda", "12.4"}, {"nccl", "2.21.5"}};
  r.system.ranks.push_back(RankRecord{0, "nid005001", {0, 1, 2, 3}});
  r.system.ranks.push_back(RankRecord{1, "nid005002", {4, 5, 6, 7}});
  r.provenance.scalebench_version = "0.9.1";
  r.provenance.git_commit = "6728256d";
  r.provenance.command_line = "scalebench run --workload vit_b16 --devices 4";
  r.provenance.start_time = "2024-05-01T10:00:00Z";
  r.provenance.end_time = "2024-05-01T10:03:12Z";
  r.provenance.slurm = SlurmRecord{"4711", "4700", "11", "nid[005001-005002]"};
  r.provenance.environment = {{"NCCL_DEBUG", "INFO"}, {"CUDA_VISIBLE_DEVICES", "0,1,2,3"},
                              {"LOADEDMODULES", "PrgEnv-gnu/8.5:craype/2.7 \u00e9"}};
  return r;
}

// `want.member` must differ from a fresh struct's (the sample sets it) and survive in `got`.
#define EXPECT_KEPT(got, want, fresh, member)                                     \
  do {                                                                            \
    EXPECT_NE((want).member, (fresh).member) << "the sample leaves " #member " at its default"; \
    EXPECT_EQ((got).member, (want).member) << #member " did not survive the round trip";        \
  } while (0)

void expect_stats_kept(const std::optional<StepStats>& got, const std::optional<StepStats>& want,
                       const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_TRUE(want.has_value());
  ASSERT_TRUE(got.has_value());
  const StepStats fresh;
  EXPECT_KEPT(*got, *want, fresh, median_ms);
  EXPECT_KEPT(*got, *want, fresh, p5_ms);
  EXPECT_KEPT(*got, *want, fresh, p95_ms);
  EXPECT_KEPT(*got, *want, fresh, mean_ms);
  EXPECT_KEPT(*got, *want, fresh, stdev_ms);
  EXPECT_KEPT(*got, *want, fresh, min_ms);
  EXPECT_KEPT(*got, *want, fresh, max_ms);
  EXPECT_KEPT(*got, *want, fresh, count);
}

void expect_every_field_kept(const ResultRecord& got, const ResultRecord& want) {
  const ResultRecord fresh;
  EXPECT_EQ(got.schema, want.schema);  // the one field with a single valid value
  EXPECT_KEPT(got, want, fresh, status);
  EXPECT_KEPT(got, want, fresh, error);

  EXPECT_KEPT(got, want, fresh, point.workload);
  EXPECT_KEPT(got, want, fresh, point.strategy);
  EXPECT_KEPT(got, want, fresh, point.backend);
  EXPECT_KEPT(got, want, fresh, point.precision);
  EXPECT_KEPT(got, want, fresh, point.batch_per_device);
  EXPECT_KEPT(got, want, fresh, point.global_batch);
  EXPECT_KEPT(got, want, fresh, point.scaling);
  EXPECT_KEPT(got, want, fresh, point.devices);
  EXPECT_KEPT(got, want, fresh, point.nodes);
  EXPECT_KEPT(got, want, fresh, point.devices_per_node);
  EXPECT_KEPT(got, want, fresh, point.world_size);
  EXPECT_KEPT(got, want, fresh, point.image_size);
  EXPECT_KEPT(got, want, fresh, point.steps);
  EXPECT_KEPT(got, want, fresh, point.warmup);
  EXPECT_KEPT(got, want, fresh, point.options);
  EXPECT_KEPT(got, want, fresh, point.cluster);
  EXPECT_KEPT(got, want, fresh, point.label);

  expect_stats_kept(got.phases.compute, want.phases.compute, "phases.compute");
  expect_stats_kept(got.phases.communication, want.phases.communication, "phases.communication");
  expect_stats_kept(got.phases.full, want.phases.full, "phases.full");
  expect_stats_kept(got.step, want.step, "step");

  ASSERT_TRUE(want.throughput && got.throughput);
  EXPECT_KEPT(*got.throughput, *want.throughput, Throughput{}, samples_per_s);
  EXPECT_KEPT(*got.throughput, *want.throughput, Throughput{}, samples_per_s_per_device);

  ASSERT_TRUE(want.communication && got.communication);
  const CommunicationRecord& gc = *got.communication;
  const CommunicationRecord& wc = *want.communication;
  const CommunicationRecord fresh_c;
  EXPECT_KEPT(gc, wc, fresh_c, exposed_ms);
  EXPECT_KEPT(gc, wc, fresh_c, overlap);
  EXPECT_KEPT(gc, wc, fresh_c, share);
  EXPECT_KEPT(gc, wc, fresh_c, allreduce_ms);
  EXPECT_KEPT(gc, wc, fresh_c, algbw_gbps);
  EXPECT_KEPT(gc, wc, fresh_c, busbw_gbps);
  EXPECT_KEPT(gc, wc, fresh_c, check);
  EXPECT_KEPT(gc, wc, fresh_c, algorithm);
  EXPECT_KEPT(gc, wc, fresh_c, buckets.size());
  ASSERT_EQ(gc.buckets.size(), wc.buckets.size());
  for (std::size_t i = 0; i < wc.buckets.size(); ++i) {
    SCOPED_TRACE("bucket " + std::to_string(i));
    const BucketRecord fresh_b;
    EXPECT_KEPT(gc.buckets[i], wc.buckets[i], fresh_b, index);
    EXPECT_KEPT(gc.buckets[i], wc.buckets[i], fresh_b, bytes);
    EXPECT_KEPT(gc.buckets[i], wc.buckets[i], fresh_b, tensors);
    EXPECT_KEPT(gc.buckets[i], wc.buckets[i], fresh_b, time_ms);
    EXPECT_KEPT(gc.buckets[i], wc.buckets[i], fresh_b, algbw_gbps);
    EXPECT_KEPT(gc.buckets[i], wc.buckets[i], fresh_b, busbw_gbps);
  }

  EXPECT_KEPT(got, want, fresh, model.parameters);
  EXPECT_KEPT(got, want, fresh, model.forward_flops_per_sample);
  EXPECT_KEPT(got, want, fresh, model.layers);
  EXPECT_KEPT(got, want, fresh, model.gradient_bytes);

  ASSERT_TRUE(want.telemetry && got.telemetry);
  const Telemetry fresh_t;
  EXPECT_KEPT(*got.telemetry, *want.telemetry, fresh_t, mean_power_w);
  EXPECT_KEPT(*got.telemetry, *want.telemetry, fresh_t, energy_per_sample_j);
  EXPECT_KEPT(*got.telemetry, *want.telemetry, fresh_t, peak_memory_bytes);
  EXPECT_KEPT(*got.telemetry, *want.telemetry, fresh_t, mean_utilization);
  EXPECT_KEPT(*got.telemetry, *want.telemetry, fresh_t, mean_sm_clock_mhz);

  EXPECT_KEPT(got, want, fresh, layer_class_ms);

  EXPECT_KEPT(got, want, fresh, system.hostname);
  EXPECT_KEPT(got, want, fresh, system.cpu_model);
  EXPECT_KEPT(got, want, fresh, system.gpu_model);
  EXPECT_KEPT(got, want, fresh, system.device_memory_bytes);
  EXPECT_KEPT(got, want, fresh, system.versions);
  EXPECT_KEPT(got, want, fresh, system.ranks.size());
  ASSERT_EQ(got.system.ranks.size(), want.system.ranks.size());
  for (std::size_t i = 0; i < want.system.ranks.size(); ++i) {
    SCOPED_TRACE("rank " + std::to_string(i));
    // Rank 0 is also the default rank, so only the second entry (rank 1) shows a lost rank.
    const RankRecord fresh_r{-1, "", {}};
    EXPECT_KEPT(got.system.ranks[i], want.system.ranks[i], fresh_r, rank);
    EXPECT_KEPT(got.system.ranks[i], want.system.ranks[i], fresh_r, host);
    EXPECT_KEPT(got.system.ranks[i], want.system.ranks[i], fresh_r, devices);
  }

  EXPECT_KEPT(got, want, fresh, provenance.scalebench_version);
  EXPECT_KEPT(got, want, fresh, provenance.git_commit);
  EXPECT_KEPT(got, want, fresh, provenance.command_line);
  EXPECT_KEPT(got, want, fresh, provenance.start_time);
  EXPECT_KEPT(got, want, fresh, provenance.end_time);
  EXPECT_KEPT(got, want, fresh, provenance.environment);
  ASSERT_TRUE(want.provenance.slurm && got.provenance.slurm);
  const SlurmRecord fresh_s;
  EXPECT_KEPT(*got.provenance.slurm, *want.provenance.slurm, fresh_s, job_id);
  EXPECT_KEPT(*got.provenance.slurm, *want.provenance.slurm, fresh_s, array_job_id);
  EXPECT_KEPT(*got.provenance.slurm, *want.provenance.slurm, fresh_s, array_task_id);
  EXPECT_KEPT(*got.provenance.slurm, *want.provenance.slurm, fresh_s, nodelist);
}

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("sb_result_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(Result, RoundTripKeepsEveryField) {
  const ResultRecord a = full_sample();
  {
    SCOPED_TRACE("through JSON");
    ResultRecord b;
    from_json(nlohmann::json(a), b);
    EXPECT_EQ(nlohmann::json(a), nlohmann::json(b));
    expect_every_field_kept(b, a);
  }
  {
    SCOPED_TRACE("through a file");
    const fs::path dir = temp_dir();
    const fs::path file = dir / "full.json";
    fs::remove(file);
    write_result_file(a, file, false);
    expect_every_field_kept(read_result_file(file), a);
    fs::remove_all(dir);
  }
}

TEST(Result, MissingMeasurementsStayNull) {
  const ResultRecord a = sample();
  ResultRecord b;
  from_json(nlohmann::json(a), b);
  EXPECT_EQ(nlohmann::json(a), nlohmann::json(b));
  // Records from before the ring (0.2.0) name no all-reduce algorithm; none is made up.
  EXPECT_FALSE(b.communication->algorithm.has_value());
  EXPECT_FALSE(nlohmann::json(a)["communication"].contains("algorithm"));
  // A missing measurement stays absent (null), never 0.
  EXPECT_TRUE(b.telemetry->mean_power_w.has_value());
  EXPECT_FALSE(b.telemetry->energy_per_sample_j.has_value());
  EXPECT_TRUE(nlohmann::json(a)["telemetry"]["energy_per_sample_j"].is_null());
}

TEST(Result, ForeignAndWrongSchemaAreRefused) {
  ResultRecord r;
  EXPECT_THROW(from_json(nlohmann::json{{"hello", 1}}, r), std::runtime_error);
  nlohmann::json j = sample();
  j["schema"] = "scalebench.result/3";
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
