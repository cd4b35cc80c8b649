// Result-file fixtures for the report tests.
#include "tests/reports/fixtures.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace scalebench::testing {
namespace fs = std::filesystem;

namespace {

StepStats stats_around(double median_ms) {
  StepStats s;
  s.median_ms = median_ms;
  s.p5_ms = median_ms * 0.98;
  s.p95_ms = median_ms * 1.03;
  s.mean_ms = median_ms;
  s.stdev_ms = median_ms * 0.01;
  s.min_ms = median_ms * 0.97;
  s.max_ms = median_ms * 1.05;
  s.count = 20;
  return s;
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
  pt.image_size = 224;
  pt.steps = 20;
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
  r.provenance.scalebench_version = "0.1.0";
  r.provenance.git_commit = "abc123";
  r.provenance.command_line = "scalebench run";
  r.provenance.start_time = "2024-05-01T10:00:00Z";
  r.provenance.end_time = "2024-05-01T10:01:00Z";
  if (p.status != "ok") return r;

  const double step_ms = p.compute_ms + p.exposed_ms;
  const double allreduce_ms = p.allreduce_ms > 0 ? p.allreduce_ms : p.exposed_ms;
  r.phases.compute = stats_around(p.compute_ms);
  if (allreduce_ms > 0) r.phases.communication = stats_around(allreduce_ms);
  r.phases.full = stats_around(step_ms);
  r.step = r.phases.full;
  const double samples_per_s = static_cast<double>(pt.global_batch) * 1000.0 / step_ms;
  r.throughput = Throughput{samples_per_s, samples_per_s / static_cast<double>(p.devices)};
  CommunicationRecord c;
  c.exposed_ms = p.exposed_ms;
  c.overlap = allreduce_ms > 0 ? 1.0 - p.exposed_ms / allreduce_ms : 0.0;
  c.share = p.exposed_ms / step_ms;
  c.allreduce_ms = allreduce_ms;
  c.busbw_gbps = p.devices > 1 ? p.busbw_gbps : 0.0;
  c.algbw_gbps = p.devices > 1 ? c.busbw_gbps * p.devices / (2.0 * (p.devices - 1)) : 0.0;
  r.communication = c;
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
