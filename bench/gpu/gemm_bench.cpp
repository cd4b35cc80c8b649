// Times every distinct GEMM of each workload's training step on the GPU (TFLOP/s counter), with
// device events around each call (manual time). step_ms = time per call x calls per step.
//   bench_gpu_gemm [--workload=all|mnist_cnn|resnet50|vit_b16] [--batch=N] [--precision=bf16]
//                  [--device=0] [benchmark flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/gpu/gpu_device.hpp"
#include "workloads/gemm_shapes.hpp"

namespace {

using namespace scalebench;

Device* g_device = nullptr;

void run_gemm(benchmark::State& state, GemmShape shape) {
  Device& d = *g_device;
  GpuDeviceExtras& timer = *gpu_extras(d);
  const GemmOp& op = shape.op;
  const DType t = d.activation_type();
  const DType ct = op.c_f32 ? DType::f32 : t;
  const std::size_t na = op.batch * op.m * op.k, nb = op.batch * op.k * op.n, nc = op.batch * op.m * op.n;
  DeviceBuffer a(d, na * dtype_bytes(t)), b(d, nb * dtype_bytes(t)), c(d, nc * dtype_bytes(ct));
  d.fill_random(a.get(), na, t, 1, 1.0f);  // never zeros: they run faster than real data
  d.fill_random(b.get(), nb, t, 2, 1.0f);
  d.fill_random(c.get(), nc, ct, 3, 1.0f);
  d.gemm(op, a.get(), b.get(), c.get());  // warm-up: handle, heuristics, code load
  // Back-to-back calls in each timed window (about 2 ms) so that the host's launch of the first
  // does not count as device time; the iteration time is the window's mean.
  const double once_ms = timer.time_ms([&] { d.gemm(op, a.get(), b.get(), c.get()); });
  const int reps = int(std::clamp(2.0 / std::max(once_ms, 1e-3), 1.0, 200.0));
  for (auto _ : state) {
    const double ms = timer.time_ms([&] {
      for (int r = 0; r < reps; ++r) d.gemm(op, a.get(), b.get(), c.get());
    });
    state.SetIterationTime(ms / reps / 1e3);
  }
  state.counters["TFLOP/s"] = benchmark::Counter(op.flops() * double(state.iterations()) / 1e12,
                                                 benchmark::Counter::kIsRate);
  state.counters["per_step"] = double(shape.count);
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload = "all", precision = "bf16";
  long batch = 0, device = 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--workload=", 11) == 0) workload = argv[i] + 11;
    else if (std::strncmp(argv[i], "--batch=", 8) == 0) batch = std::stol(argv[i] + 8);
    else if (std::strncmp(argv[i], "--precision=", 12) == 0) precision = argv[i] + 12;
    else if (std::strncmp(argv[i], "--device=", 9) == 0) device = std::stol(argv[i] + 9);
    else argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (gpu_device_count() == 0) {
    fmt::print(stderr, "bench_gpu_gemm: no GPU visible\n");
    return 0;
  }
  const auto p = parse_precision(precision);
  if (!p) {
    fmt::print(stderr, "bench_gpu_gemm: unknown precision '{}'\n", precision);
    return 2;
  }
  auto dev = make_gpu_device(*p, int(device));
  g_device = dev.get();
  for (const WorkloadInfo& info : workloads()) {
    if (workload != "all" && info.name != workload) continue;
    const Model model = build_model(info, batch > 0 ? batch : info.default_batch, info.default_image_size);
    for (const GemmShape& s : distinct_gemm_shapes(model)) {
      const GemmOp& op = s.op;
      const std::string name =
          fmt::format("gemm/{}/{}/{}/m{}_n{}_k{}_b{}{}{}{}", precision, info.name, s.role, op.m, op.n, op.k,
                      op.batch, op.trans_a ? "_tA" : "", op.trans_b ? "_tB" : "", op.c_f32 ? "_cf32" : "");
      benchmark::RegisterBenchmark(name.c_str(), run_gemm, s)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond)
          ->Iterations(20);  // 20 windows of ~2 ms each
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
