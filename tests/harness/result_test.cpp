// Result records: JSON round trip, validation at the loading edge, atomic and safe writing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/result/result.hpp"

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

TEST(Result, UnwritableFolderIsAnError) {
  EXPECT_THROW(write_result_file(sample(), "/nonexistent-dir/x/r.json", true), std::runtime_error);
}

}  // namespace
}  // namespace scalebench
