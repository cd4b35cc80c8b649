// All-reduce through the communicator from 8 B to 256 MiB (factor 2), timed from the slowest rank
// as nccl-tests does; algbw = bytes / time, busbw = algbw * 2(n-1)/n (nccl-tests
// doc/PERFORMANCE.md). Run under mpirun: mpirun -np 4 bench_allreduce [--backend=cpu]
// [--max-bytes=N]. Rank 0 reports; other ranks run the same benchmarks silently.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/backend.hpp"
#include "kernels/communicator_factory.hpp"
#include "kernels/mpi/mpi_world.hpp"

namespace {

using namespace scalebench;

MpiWorld* g_world = nullptr;
Device* g_device = nullptr;
Communicator* g_comm = nullptr;

void allreduce(benchmark::State& state) {
  const std::size_t bytes = std::size_t(state.range(0));
  const std::size_t count = std::max<std::size_t>(1, bytes / sizeof(float));
  DeviceBuffer buffer(*g_device, count * sizeof(float));
  g_device->fill_random(buffer.get(), count, DType::f32, 7, 1.0f);
  float* data = buffer.f32();
  Device* devices[] = {g_device};
  for (auto _ : state) {
    g_world->barrier();
    const auto t0 = std::chrono::steady_clock::now();
    g_comm->wait(g_comm->allreduce_async({&data, 1}, count, devices));
    g_device->synchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(g_world->max(s));  // the slowest rank's time
  }
  const double n = double(g_comm->participants());
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(count * sizeof(float)));
  state.counters["bytes"] = double(count * sizeof(float));
  state.counters["algbw_gbps"] = benchmark::Counter(double(count * sizeof(float)) * double(state.iterations()) / 1e9,
                                                    benchmark::Counter::kIsRate);
  state.counters["busbw_gbps"] = benchmark::Counter(
      double(count * sizeof(float)) * double(state.iterations()) / 1e9 * 2.0 * (n - 1) / n,
      benchmark::Counter::kIsRate);
}

class NullReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  MpiWorld world(&argc, &argv);
  std::string backend = "cpu";
  long long max_bytes = 256LL << 20;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--backend=", 10) == 0) backend = argv[i] + 10;
    else if (std::strncmp(argv[i], "--max-bytes=", 12) == 0) max_bytes = std::stoll(argv[i] + 12);
    else argv[kept++] = argv[i];
  }
  argc = kept;
  auto device = make_device(backend, Precision::fp32, backend == "cpu" ? 0 : world.local_rank());
  Device* devices[] = {device.get()};
  auto comm = make_communicator(backend, world.comm(), devices, 300.0);
  g_world = &world;
  g_device = device.get();
  g_comm = comm.get();
  // Every rank must run the same iterations: fix the count instead of Google Benchmark's
  // adaptive timing, which differs between ranks.
  for (long long bytes = 8; bytes <= max_bytes; bytes *= 2) {
    const int iters = bytes >= (16 << 20) ? 5 : bytes >= (1 << 20) ? 20 : 100;
    benchmark::RegisterBenchmark(fmt::format("allreduce/{}/np{}", backend, comm->participants()).c_str(), allreduce)
        ->Arg(bytes)
        ->UseManualTime()
        ->Iterations(iters)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (world.rank() == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    NullReporter quiet;
    benchmark::RunSpecifiedBenchmarks(&quiet);
  }
  benchmark::Shutdown();
  return 0;
}
