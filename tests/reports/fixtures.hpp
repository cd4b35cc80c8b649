// Result-file fixtures for the report tests: records with hand-chosen phase times, temp folders.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "records/result.hpp"

namespace scalebench::testing {

// One run point with the numbers a test wants to see again in the metrics.
struct FixturePoint {
  std::optional<std::string> cluster = "mahti";
  std::string gpu_model = "A100";
  std::string hostname = "g1101";
  std::optional<std::string> label;
  std::string workload = "resnet50";
  std::string strategy = "ddp";
  std::string precision = "fp32";
  std::string scaling = "weak";
  std::string backend = "cuda";
  std::int64_t batch_per_device = 64;
  std::int64_t global_batch = 0;  // 0: batch_per_device * devices
  std::int64_t devices = 1;
  std::int64_t devices_per_node = 4;
  std::int64_t image_size = 224;
  std::int64_t steps = 20;
  nlohmann::json options = nlohmann::json::object();
  std::string scalebench_version = "0.1.0";
  std::string git_commit = "abc123";
  double compute_ms = 100;
  double exposed_ms = 0;
  double allreduce_ms = 0;  // 0: exposed_ms (no overlap)
  double busbw_gbps = 50;
  std::string status = "ok";
  std::string error;
};

// Step times around compute, compute + exposed and the all-reduce, and the gradient that moves
// at busbw_gbps, through measure_run as in a run. Failed points carry no measurements.
ResultRecord make_record(const FixturePoint& p);
void write_point(const std::filesystem::path& path, const FixturePoint& p);

// Weak scaling, compute fixed, exposed communication by GPU count: {gpus, exposed_ms}.
void write_weak_curve(const std::filesystem::path& dir, FixturePoint base,
                      const std::vector<std::pair<std::int64_t, double>>& exposed_by_gpus);

// A folder under the system temp folder, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// The standard set: mahti A100 ddp weak 1-64 GPUs (knee at 32, the 64-GPU point failed), mahti
// mirrored 1-8, puhti V100 ddp weak 1-16, and a mahti strong-scaling set 1-16 (global batch 1024).
void write_standard_set(const std::filesystem::path& dir);

}  // namespace scalebench::testing
