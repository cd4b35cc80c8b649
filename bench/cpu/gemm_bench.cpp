// Times every distinct GEMM of a workload's training step on the CPU backend (GFLOP/s counter).
// bench_cpu_gemm [--workload=resnet50] [--batch=2] [--image-size=64] [benchmark flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include <fmt/format.h>

#include "kernels/backend.hpp"
#include "workloads/gemm_shapes.hpp"

namespace {

using namespace scalebench;

void run_gemm(benchmark::State& state, GemmShape shape) {
  auto device = make_device("cpu", Precision::fp32, 0);
  const GemmOp& op = shape.op;
  const std::size_t a = std::size_t(op.batch * op.m * op.k), b = std::size_t(op.batch * op.k * op.n),
                    c = std::size_t(op.batch * op.m * op.n);
  DeviceBuffer da(*device, a * 4), db(*device, b * 4), dc(*device, c * 4);
  device->fill_random(da.get(), a, DType::f32, 1, 1.0f);
  device->fill_random(db.get(), b, DType::f32, 2, 1.0f);
  device->fill_random(dc.get(), c, DType::f32, 3, 1.0f);
  for (auto _ : state) {
    device->gemm(op, da.get(), db.get(), dc.get());
    device->synchronize();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(op.flops() * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["per_step"] = double(shape.count);
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload = "resnet50";
  long batch = 2, image = 64;
  // Our own flags first; the rest go to Google Benchmark.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--workload=", 11) == 0) workload = argv[i] + 11;
    else if (std::strncmp(argv[i], "--batch=", 8) == 0) batch = std::stol(argv[i] + 8);
    else if (std::strncmp(argv[i], "--image-size=", 13) == 0) image = std::stol(argv[i] + 13);
    else argv[kept++] = argv[i];
  }
  argc = kept;
  const WorkloadInfo& info = find_workload(workload);
  const Model model = build_model(info, batch, image);
  for (const GemmShape& s : distinct_gemm_shapes(model)) {
    const GemmOp& op = s.op;
    const std::string name = fmt::format("{}/{}/m{}_n{}_k{}_b{}{}{}", workload, s.role, op.m, op.n,
                                         op.k, op.batch, op.trans_a ? "_tA" : "", op.trans_b ? "_tB" : "");
    benchmark::RegisterBenchmark(name.c_str(), run_gemm, s)->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
