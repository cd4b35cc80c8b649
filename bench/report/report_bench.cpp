// The report on 10,000 synthetic result files: load, load + metrics, and the whole report without
// gnuplot (load, metrics, figure sources, documents, move into place). Target: well under 5 s.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "records/measurements.hpp"
#include "records/result.hpp"
#include "reports/metrics.hpp"
#include "reports/report.hpp"

namespace {

namespace fs = std::filesystem;
using namespace scalebench;

constexpr int kFiles = 10000;
const char* const kSystems[][3] = {{"m3", "P100", "m3-gpu"},
                                   {"puhti", "V100", "r01g"},
                                   {"mahti", "A100", "g11"},
                                   {"lumi", "MI250X", "nid"},
                                   {"h100box", "H100", "dgx"}};
const char* const kWorkloads[] = {"mnist_cnn", "resnet50", "vit_b16"};
const char* const kStrategies[] = {"ddp", "mirrored"};
const char* const kPrecisions[] = {"fp32", "bf16"};
const int kCounts[] = {1, 2, 4, 8, 16, 32, 64};

// 50 step times around `median_ms` (0.95x to 1.1x of it).
std::vector<double> steps(double median_ms) {
  std::vector<double> ms(50, median_ms);
  for (int s = 0; s < 10; ++s) {
    ms[std::size_t(s)] = median_ms * (0.95 + 0.004 * s);
    ms[std::size_t(49 - s)] = median_ms * (1.1 - 0.008 * s);
  }
  return ms;
}

// A record shaped like a real one: buckets, one rank entry per process, versions.
ResultRecord synthetic_record(int system, int workload, int strategy, int precision, int gpus,
                              int repeat) {
  ResultRecord r;
  RunPoint& p = r.point;
  p.workload = kWorkloads[workload];
  p.strategy = kStrategies[strategy];
  p.backend = system == 3 ? "hip" : "cuda";
  p.precision = kPrecisions[precision];
  p.batch_per_device = 64;
  p.devices = gpus;
  p.devices_per_node = std::min(gpus, 4);
  p.nodes = (gpus + 3) / 4;
  p.global_batch = 64 * gpus;
  p.world_size = strategy == 0 ? gpus : p.nodes;
  p.cluster = kSystems[system][0];
  if (gpus == 64 && repeat == 0 && workload == 2) {
    r.status = "timeout";
    r.error = "all-reduce did not finish within 300 s";
  }
  r.system.hostname = fmt::format("{}01", kSystems[system][2]);
  r.system.cpu_model = "AMD EPYC 7H12 64-Core Processor";
  r.system.gpu_model = kSystems[system][1];
  r.system.versions = {
      {"driver", "535.104"}, {"cuda", "12.2"}, {"nccl", "2.18.3"}, {"mpi", "Open MPI 4.1.5"}};
  for (int rank = 0; rank < p.world_size; ++rank) {
    r.system.ranks.push_back(
        {rank, fmt::format("{}{:02}", kSystems[system][2], rank / 4), {rank % 4}});
  }
  r.provenance = {"0.1.0",
                  "abcdef123456",
                  "scalebench run --plan plan.json",
                  "2024-05-01T10:00:00Z",
                  "2024-05-01T10:02:00Z",
                  SlurmRecord{"123", "120", "3", "g[1101-1116]"}};
  if (r.status != "ok") return r;
  const double compute_ms = 50.0 + 30.0 * workload + 5.0 * system;
  const double exposed_ms = gpus == 1 ? 0.0 : 0.4 * gpus * (1 + strategy) + 0.1 * repeat;
  RunMeasurements in;
  in.compute_ms = steps(compute_ms);
  in.communication_ms = steps(exposed_ms * 2 + 0.1);
  in.full_ms = steps(compute_ms + exposed_ms);
  for (int b = 0; b < 8; ++b) in.buckets.push_back({b, 26214400, 20, steps(1.5)});
  in.participants = gpus;
  in.gradient_bytes = 8 * 26214400.0;
  in.global_batch = p.global_batch;
  in.devices = gpus;
  MeasuredFields measured = measure_run(in);
  measured.communication.check = "passed";
  put_measurements(measured, r);
  return r;
}

// Writes the synthetic set once per process into a temporary folder.
class SyntheticResults {
 public:
  SyntheticResults() {
    std::string pattern = (fs::temp_directory_path() / "scalebench-report-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    int written = 0;
    for (int repeat = 0; written < kFiles; ++repeat) {
      for (int s = 0; s < 5 && written < kFiles; ++s)
        for (int w = 0; w < 3 && written < kFiles; ++w)
          for (int st = 0; st < 2 && written < kFiles; ++st)
            for (int pr = 0; pr < 2 && written < kFiles; ++pr)
              for (const int gpus : kCounts) {
                if (written == kFiles) break;
                const fs::path path = root_ / "results" / kSystems[s][0] / kWorkloads[w] /
                                      fmt::format("{}-{}-n{}-r{}.json", kStrategies[st],
                                                  kPrecisions[pr], gpus, repeat);
                fs::create_directories(path.parent_path());
                write_result_file(synthetic_record(s, w, st, pr, gpus, repeat), path, true);
                ++written;
              }
    }
  }
  ~SyntheticResults() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path results() const { return root_ / "results"; }
  fs::path out() const { return root_ / "report"; }

 private:
  fs::path root_;
};

const SyntheticResults& synthetic() {
  static const SyntheticResults set;
  return set;
}

void BM_Load(benchmark::State& state) {
  const fs::path results = synthetic().results();
  for (auto _ : state) {
    reports::ResultSet set = reports::load_results({{results, std::nullopt}});
    benchmark::DoNotOptimize(set.points.data());
  }
  state.counters["files"] = kFiles;
}

void BM_LoadAndMetrics(benchmark::State& state) {
  const fs::path results = synthetic().results();
  for (auto _ : state) {
    const reports::ResultSet set = reports::load_results({{results, std::nullopt}});
    const auto groups = reports::compute_metrics(reports::group_points(set), {});
    benchmark::DoNotOptimize(groups.data());
  }
}

void BM_ReportWithoutGnuplot(benchmark::State& state) {
  reports::ReportOptions options;
  options.inputs = {synthetic().results()};
  options.out = synthetic().out();
  options.gnuplot = "/nonexistent/gnuplot";
  for (auto _ : state) {
    const reports::ReportSummary summary = reports::run_report(options);
    if (summary.results != static_cast<std::size_t>(kFiles))
      state.SkipWithError("not every file was read");
  }
}

BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_LoadAndMetrics)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_ReportWithoutGnuplot)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
