// Memory passes on the GPU with a GB/s counter over the bytes device.hpp says each pass moves,
// and the device-to-device copy measured in the same run as the reference (of_copy = pass GB/s /
// copy GB/s; the target is >= 0.9). Device events around each pass (manual time).
//   bench_gpu_memory [--precision=bf16] [--mib=256] [--device=0] [benchmark flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/gpu/gpu_device.hpp"

namespace {

using namespace scalebench;

Device* g_device = nullptr;
std::int64_t g_elems = 0;       // elements of one activation tensor
double g_copy_gbps = 0.0;       // the reference, measured first

struct PassSpec {
  std::string name;
  PassKind kind = PassKind::unary;
  std::int64_t window = 1;  // pool / unpool
  std::int64_t cols = 0;    // normalize
  bool per_column = false;
  enum { pass, copy, softmax, sgd, fill } what = pass;
  // Element types of the pass (unset: the precision's activation dtype, fp32 for a cast's source).
  std::optional<DType> src_type{}, src2_type{}, dst_type{};
};

// Bytes a pass moves as device.hpp describes it (normalize reads its input twice), in the pass's
// element types.
double spec_bytes(const PassSpec& s, const MemoryPass& p, std::int64_t n, DType activation) {
  const double e = double(dtype_bytes(activation));
  switch (s.what) {
    case PassSpec::copy: return 2.0 * n * e;
    case PassSpec::softmax: return 2.0 * n * e;  // the row is read once more, from cache
    case PassSpec::sgd: return 5.0 * n * 4;      // read p, g, v; write p, v (fp32)
    case PassSpec::fill: return 1.0 * n * e;
    case PassSpec::pass: break;
  }
  return scalebench::pass_bytes(p, activation);
}

void run_pass(benchmark::State& state, PassSpec s) {
  Device& d = *g_device;
  GpuDeviceExtras& timer = *gpu_extras(d);
  const DType t = d.activation_type();
  const std::size_t e = dtype_bytes(t);
  std::int64_t n = g_elems;
  if (s.cols > 0) n = n / s.cols * s.cols;
  n = n / s.window * s.window;
  MemoryPass p;
  p.kind = s.kind;
  p.src_type = s.src_type;
  p.src2_type = s.src2_type;
  p.dst_type = s.dst_type;
  const PassTypes types = s.what == PassSpec::sgd ? PassTypes{DType::f32, DType::f32, DType::f32}
                          : s.what == PassSpec::pass ? resolve_types(p, t)
                                                     : PassTypes{t, t, t};
  // Buffers sized for fp32, the widest type; a (src), b (src2), c (dst).
  DeviceBuffer a(d, n * 4), b(d, n * 4), c(d, n * 4);
  d.fill_random(a.get(), n, types.src, 1, 1.0f);
  d.fill_random(b.get(), n, s.kind == PassKind::unpool ? types.src : types.src2, 2, 1.0f);
  d.fill_random(c.get(), n, types.dst, 3, 1.0f);
  p.src = a.get();
  p.src2 = b.get();
  p.dst = c.get();
  p.src_count = p.dst_count = n;
  if (s.kind == PassKind::pool) p.dst_count = n / s.window;
  if (s.kind == PassKind::unpool) {
    p.src_count = n / s.window;
    p.src = b.get();  // dst (c) is distinct from src
  }
  if (s.cols > 0) {
    p.rows = n / s.cols;
    p.cols = s.cols;
    p.per_column = s.per_column;
  }
  auto issue = [&] {
    switch (s.what) {
      case PassSpec::copy: d.copy(c.get(), a.get(), std::size_t(n) * e); break;
      case PassSpec::softmax: d.softmax(c.get(), n / s.cols, s.cols, t); break;
      case PassSpec::sgd: d.sgd_momentum(a.f32(), b.f32(), c.f32(), std::size_t(n), 1e-4f, 0.9f); break;
      case PassSpec::fill: d.fill_random(c.get(), std::size_t(n), t, 9, 1.0f); break;
      case PassSpec::pass: d.memory_pass(p); break;
    }
  };
  issue();  // warm-up (and scratch)
  d.synchronize();
  // Several passes per timed window (about 2 ms): the iteration time is the window's mean.
  const int reps = int(std::clamp(2.0 / std::max(timer.time_ms(issue), 1e-3), 1.0, 50.0));
  auto repeated = [&] {
    for (int r = 0; r < reps; ++r) issue();
  };
  for (auto _ : state) state.SetIterationTime(timer.time_ms(repeated) / reps / 1e3);
  const double bytes = spec_bytes(s, p, n, t);
  state.counters["GB/s"] = benchmark::Counter(bytes * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["bytes"] = bytes;
}

// Reads the copy's bandwidth back from its run so that every later pass reports of_copy.
class CopyRatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> out = runs;
    for (Run& r : out) {
      const auto it = r.counters.find("GB/s");
      if (it == r.counters.end()) continue;
      const double gbps = it->second.value;  // already a rate over the manual time
      if (r.benchmark_name().find("/d2d_copy") != std::string::npos && g_copy_gbps == 0.0) g_copy_gbps = gbps;
      if (g_copy_gbps > 0.0) r.counters["of_copy"] = benchmark::Counter(gbps / g_copy_gbps);
    }
    ConsoleReporter::ReportRuns(out);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string precision = "bf16";
  long mib = 256, device = 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--precision=", 12) == 0) precision = argv[i] + 12;
    else if (std::strncmp(argv[i], "--mib=", 6) == 0) mib = std::stol(argv[i] + 6);
    else if (std::strncmp(argv[i], "--device=", 9) == 0) device = std::stol(argv[i] + 9);
    else argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (gpu_device_count() == 0) {
    fmt::print(stderr, "bench_gpu_memory: no GPU visible\n");
    return 0;
  }
  const auto p = parse_precision(precision);
  if (!p) {
    fmt::print(stderr, "bench_gpu_memory: unknown precision '{}'\n", precision);
    return 2;
  }
  auto dev = make_gpu_device(*p, int(device));
  g_device = dev.get();
  g_elems = (std::int64_t(mib) << 20) / std::int64_t(dtype_bytes(dev->activation_type()));

  using W = PassSpec;
  const std::vector<PassSpec> specs = {
      {"d2d_copy", PassKind::unary, 1, 0, false, W::copy},  // the reference: first
      {"unary", PassKind::unary},
      {"binary", PassKind::binary},
      {"cast_from_f32", PassKind::cast},
      // Autocast's mixed-type passes (see workloads/autocast.hpp); under fp32 they are fp32.
      {"cast_to_f32", PassKind::cast, 1, 0, false, W::pass, dev->activation_type(), {}, DType::f32},
      {"add_promote_to_f32", PassKind::binary, 1, 0, false, W::pass, dev->activation_type(), DType::f32, DType::f32},
      {"layernorm_f32_c768", PassKind::normalize, 1, 768, false, W::pass, DType::f32, {}, DType::f32},
      {"layernorm_backward_f32_c768", PassKind::normalize_backward, 1, 768, false, W::pass, DType::f32, DType::f32, DType::f32},
      {"pool_w4", PassKind::pool, 4},
      {"pool_w49", PassKind::pool, 49},
      {"pool_w50176", PassKind::pool, 50176},  // bias gradient of a ViT linear layer (batch 256)
      {"unpool_w4", PassKind::unpool, 4},
      {"layernorm_c768", PassKind::normalize, 1, 768, false},
      {"layernorm_backward_c768", PassKind::normalize_backward, 1, 768, false},
      {"batchnorm_c64", PassKind::normalize, 1, 64, true},
      {"batchnorm_c256", PassKind::normalize, 1, 256, true},
      {"batchnorm_c2048", PassKind::normalize, 1, 2048, true},
      {"batchnorm_backward_c64", PassKind::normalize_backward, 1, 64, true},
      {"batchnorm_backward_c2048", PassKind::normalize_backward, 1, 2048, true},
      {"softmax_c197", PassKind::unary, 1, 197, false, W::softmax},
      {"softmax_c1000", PassKind::unary, 1, 1000, false, W::softmax},
      {"sgd_momentum", PassKind::unary, 1, 0, false, W::sgd},
      {"fill_random", PassKind::unary, 1, 0, false, W::fill},
  };
  for (const PassSpec& s : specs) {
    benchmark::RegisterBenchmark(fmt::format("pass/{}/{}", precision, s.name).c_str(), run_pass, s)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(20);  // 20 windows of ~2 ms each
  }
  CopyRatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
