// Checks a result file as the tests need: result_check FILE [--status S] [--world-size N]
// [--devices N] [--strategy S] [--scaling S] [--check passed|failed] [--error-contains TEXT]
// [--algorithm A] [--nodes N] [--hosts N]
// Always checks, for ok results: bucket bytes sum to 4 x parameters, busbw = algbw x 2(n-1)/n with
// n the ranks on the wire (processes for the MPI ring, devices for NCCL/RCCL), throughput = global
// batch / median full step, the communication phase = the sum of its buckets (exactly, at one
// step: a bucket's median is then its time), and the required fields.
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string>

#include "records/measurements.hpp"
#include "records/result.hpp"

using namespace scalebench;

static int failures = 0;
#define EXPECT(cond, ...)                         \
  do {                                            \
    if (!(cond)) {                                \
      std::fprintf(stderr, "FAIL: " __VA_ARGS__); \
      std::fprintf(stderr, "\n");                 \
      ++failures;                                 \
    }                                             \
  } while (0)

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  ResultRecord r;
  try {
    r = read_result_file(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL: %s\n", e.what());
    return 1;
  }
  std::string want_status = "ok";
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--status") want_status = value;
    else if (key == "--world-size") EXPECT(r.point.world_size == std::stoll(value), "world_size %lld", (long long)r.point.world_size);
    else if (key == "--devices") EXPECT(r.point.devices == std::stoll(value), "devices %lld", (long long)r.point.devices);
    else if (key == "--strategy") EXPECT(r.point.strategy == value, "strategy %s", r.point.strategy.c_str());
    else if (key == "--scaling") EXPECT(r.point.scaling == value, "scaling %s", r.point.scaling.c_str());
    else if (key == "--batch") EXPECT(r.point.batch_per_device == std::stoll(value), "batch %lld", (long long)r.point.batch_per_device);
    else if (key == "--check") EXPECT(r.communication && r.communication->check == value, "check");
    else if (key == "--algorithm") EXPECT(r.communication && r.communication->algorithm == value, "algorithm %s", r.communication ? r.communication->algorithm.value_or("(none)").c_str() : "(no communication)");
    else if (key == "--nodes") EXPECT(r.point.nodes == std::stoll(value), "nodes %lld", (long long)r.point.nodes);
    else if (key == "--hosts") {
      std::set<std::string> hosts;
      for (const RankRecord& rank : r.system.ranks) hosts.insert(rank.host);
      EXPECT(std::int64_t(hosts.size()) == std::stoll(value), "%zu distinct hosts", hosts.size());
    }
    else if (key == "--error-contains") EXPECT(r.error && r.error->find(value) != std::string::npos, "error '%s' lacks '%s'", r.error.value_or("").c_str(), value.c_str());
    else { std::fprintf(stderr, "unknown option %s\n", key.c_str()); return 2; }
  }
  EXPECT(r.status == want_status, "status %s, expected %s (error: %s)", r.status.c_str(), want_status.c_str(), r.error.value_or("").c_str());
  EXPECT(!r.provenance.scalebench_version.empty() && !r.provenance.start_time.empty(), "provenance");
  EXPECT(!r.provenance.command_line.empty(), "command line");
  if (r.status == "ok") {
    EXPECT(r.phases.compute && r.phases.communication && r.phases.full && r.step, "phases");
    EXPECT(r.step->count == r.point.steps, "step count %lld", (long long)r.step->count);
    EXPECT(r.step->p5_ms <= r.step->median_ms && r.step->median_ms <= r.step->p95_ms, "percentile order");
    EXPECT(r.throughput && std::fabs(r.throughput->samples_per_s - r.point.global_batch / (r.step->median_ms / 1e3)) < 1e-6 * r.throughput->samples_per_s, "throughput");
    EXPECT(r.communication.has_value(), "communication");
    if (r.communication) {
      std::int64_t bytes = 0;
      // The MPI ring's ranks are processes (a process's replicas are summed in memory first).
      const bool ring = r.communication->algorithm == std::optional<std::string>("ring");
      const double factor = bus_factor(ring ? r.point.world_size : r.point.devices);
      double bucket_sum = 0;
      for (const BucketRecord& b : r.communication->buckets) bucket_sum += b.time_ms;
      if (r.point.steps == 1 && r.phases.communication) {
        EXPECT(std::fabs(bucket_sum - r.phases.communication->median_ms) <= 1e-9 * (1 + bucket_sum),
               "buckets sum to %g ms, the communication phase took %g ms", bucket_sum,
               r.phases.communication->median_ms);
      }
      const double algbw = r.communication->algbw_gbps;
      EXPECT(std::fabs(r.communication->busbw_gbps - algbw * factor) <= 1e-9 * (1 + algbw), "busbw");
      for (const BucketRecord& b : r.communication->buckets) {
        bytes += b.bytes;
        EXPECT(std::fabs(b.busbw_gbps - b.algbw_gbps * factor) <= 1e-9 * (1 + b.algbw_gbps), "busbw of bucket %lld", (long long)b.index);
        EXPECT(b.time_ms > 0, "bucket time");
      }
      EXPECT(bytes == 4 * r.model.parameters, "bucket bytes %lld != 4 x %lld", (long long)bytes, (long long)r.model.parameters);
      EXPECT(r.communication->check == "passed", "check %s", r.communication->check.c_str());
      EXPECT(r.communication->overlap >= 0 && r.communication->overlap <= 1, "overlap range");
    }
    EXPECT(int(r.system.ranks.size()) == r.point.world_size, "ranks recorded %zu", r.system.ranks.size());
    EXPECT(!r.system.hostname.empty() && !r.system.cpu_model.empty(), "system");
  }
  if (failures == 0) std::printf("result ok: %s %s %s n=%lld status=%s\n", r.point.workload.c_str(), r.point.strategy.c_str(), r.point.backend.c_str(), (long long)r.point.devices, r.status.c_str());
  return failures == 0 ? 0 : 1;
}
