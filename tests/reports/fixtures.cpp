// Result-file fixtures for the report tests.
#include "tests/reports/fixtures.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

#include "records/measurements.hpp"

namespace scalebench::testing {
namespace fs = std::filesystem;

namespace {

// 20 step times whose median is `median_ms`, p5 0.98x and p95 1.03x of it.
std::vector<double> steps_around(double median_ms) {
  std::vector<double> ms;
  for (const auto& [scale, times] :
       {std::pair{0.98, 2}, {0.99, 7}, {1.0, 2}, {1.01, 7}, {1.03, 2}}) {
    ms.insert(ms.end(), std::size_t(times), median_ms * scale);
  }
  return ms;
}

}  // namespace

ResultRecord make_record(const FixturePoint& p) {
  ResultRecord r;
  r.status = p.status;
  if (!p.error.empty()) r.error = p.error;
  RunPoint& pt = r.point;
  pt.workload = p.workload;
  pt.strategy = p.strategy;
  pt.backend = p.backend;
  pt.precision = p.precision;
  pt.scaling = p.scaling;
  pt.devices = p.devices;
  pt.devices_per_node = std::min(p.devices, p.devices_per_node);
  pt.nodes = (p.devices + p.devices_per_node - 1) / p.devices_per_node;
  pt.world_size = p.strategy == "ddp" ? p.devices : pt.nodes;
  pt.global_batch = p.global_batch > 0 ? p.global_batch : p.batch_per_device * p.devices;
  pt.batch_per_device = p.global_batch > 0 ? p.global_batch / p.devices : p.batch_per_device;
  pt.image_size = p.image_size;
  pt.steps = p.steps;
  pt.options = p.options;
  pt.warmup = 5;
  pt.cluster = p.cluster;
  pt.label = p.label;
  r.system.hostname = p.hostname;
  r.system.cpu_model = "AMD EPYC 7H12";
  if (p.backend != "cpu") r.system.gpu_model = p.gpu_model;
  r.system.versions = {{"cuda", "12.2"}, {"nccl", "2.18.3"}, {"mpi", "Open MPI 4.1.5"}};
  for (std::int64_t rank = 0; rank < pt.world_size; ++rank) {
    r.system.ranks.push_back({rank, fmt::format("{}-{}", p.hostname, rank / 4), {rank % 4}});
  }
  r.provenance.scalebench_version = p.scalebench_version;
  r.provenance.git_commit = p.git_commit;
  r.provenance.command_line = "scalebench run";
  r.provenance.start_time = "2024-05-01T10:00:00Z";
  r.provenance.end_time = "2024-05-01T10:01:00Z";
  if (p.status != "ok") return r;

  // The run loop's timings: the record's fields follow from them as they do in a run.
  const double allreduce_ms = p.allreduce_ms > 0 ? p.allreduce_ms : p.exposed_ms;
  RunMeasurements in;
  in.compute_ms = steps_around(p.compute_ms);
  in.communication_ms = steps_around(allreduce_ms);
  in.full_ms = steps_around(p.compute_ms + p.exposed_ms);
  in.participants = p.devices;
  in.global_batch = pt.global_batch;
  in.devices = p.devices;
  // The gradient that moves at p.busbw_gbps in allreduce_ms.
  in.gradient_bytes =
      p.devices > 1 ? p.busbw_gbps / bus_factor(p.devices) * (allreduce_ms * 1e-3) * 1e9 : 0.0;
  put_measurements(measure_run(in), r);
  return r;
}

void write_point(const fs::path& path, const FixturePoint& p) {
  fs::create_directories(path.parent_path());
  write_result_file(make_record(p), path, true);
}

void write_weak_curve(const fs::path& dir, FixturePoint base,
                      const std::vector<std::pair<std::int64_t, double>>& exposed_by_gpus) {
  for (const auto& [gpus, exposed_ms] : exposed_by_gpus) {
    base.devices = gpus;
    base.exposed_ms = exposed_ms;
    base.allreduce_ms = 2.0 * exposed_ms;
    write_point(
        dir / fmt::format("{}-{}-{}-n{}.json", base.workload, base.strategy, base.scaling, gpus),
        base);
  }
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      (fs::path(base && *base ? base : "/tmp") / "scalebench-report-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_standard_set(const fs::path& dir) {
  FixturePoint mahti;  // A100, 4 per node
  write_weak_curve(dir / "mahti", mahti, {{1, 0}, {2, 2}, {4, 5}, {8, 10}, {16, 20}, {32, 50}});
  FixturePoint failed = mahti;
  failed.devices = 64;
  failed.status = "failed";
  failed.error = "NCCL error: unhandled system error";
  write_point(dir / "mahti" / "resnet50-ddp-weak-n64.json", failed);

  FixturePoint mirrored = mahti;
  mirrored.strategy = "mirrored";
  write_weak_curve(dir / "mahti", mirrored, {{1, 0}, {2, 8}, {4, 16}, {8, 30}});

  FixturePoint puhti;
  puhti.cluster = "puhti";
  puhti.gpu_model = "V100";
  puhti.hostname = "r01g01";
  puhti.compute_ms = 150;
  write_weak_curve(dir / "puhti", puhti, {{1, 0}, {2, 3}, {4, 6}, {8, 12}, {16, 25}});

  FixturePoint strong = mahti;
  strong.scaling = "strong";
  strong.global_batch = 1024;
  const std::pair<std::int64_t, std::pair<double, double>> strong_points[] = {
      {1, {800, 0}}, {2, {400, 10}}, {4, {200, 20}}, {8, {100, 30}}, {16, {50, 40}}};
  for (const auto& [gpus, phases] : strong_points) {
    strong.devices = gpus;
    strong.compute_ms = phases.first;
    strong.exposed_ms = phases.second;
    strong.allreduce_ms = 2.0 * phases.second;
    write_point(dir / "mahti-strong" / fmt::format("n{}.json", gpus), strong);
  }
}

}  // namespace scalebench::testing
