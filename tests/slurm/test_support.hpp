// Shared pieces of the sweep tests: a fixed workload catalog, temporary folders, file reading.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <string>

#include "harness/plan/plan.hpp"
#include "records/errors.hpp"
#include "records/result.hpp"

namespace scalebench::plan::testing {

// Fixed figures so that golden plans do not move when a layer table changes.
inline WorkloadCatalog fixed_catalog() {
  WorkloadCatalog c;
  c.check = [](const std::string& w) {
    if (w != "mnist_cnn" && w != "resnet50" && w != "vit_b16")
      throw UsageError("unknown workload '" + w + "'");
  };
  c.default_batch = [](const std::string& w) -> std::int64_t { return w == "mnist_cnn" ? 64 : 32; };
  c.forward_flops_per_sample = [](const std::string& w, std::optional<std::int64_t>) {
    return w == "mnist_cnn" ? 24e6 : w == "resnet50" ? 8.2e9 : 35.1e9;
  };
  return c;
}

inline std::filesystem::path source_dir() { return SCALEBENCH_SOURCE_DIR; }

inline ClusterProfile profile(const std::string& name) {
  return load_cluster_profile_file(source_dir() / "configs/clusters" / (name + ".json"));
}

// The record a failed run of planned point `p` leaves (the runner fills the point before it
// starts, so a reader finds a whole record).
inline ResultRecord failed_record_of(const PlannedPoint& p, const std::string& error) {
  ResultRecord r;
  r.status = "failed";
  r.error = error;
  r.point.workload = p.workload;
  r.point.strategy = p.strategy;
  r.point.backend = p.backend.empty() ? "cpu" : p.backend;
  r.point.precision = p.precision;
  r.point.batch_per_device = p.batch.value_or(1);
  r.point.devices = p.gpus;
  r.point.nodes = p.nodes;
  r.point.devices_per_node = p.gpus_per_node;
  r.point.world_size = p.processes;
  r.point.steps = p.steps;
  r.point.warmup = p.warmup;
  return r;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh folder under the build tree's Testing/tmp, removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("scalebench-slurm-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace scalebench::plan::testing
