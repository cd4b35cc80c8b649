// The GPU device against the CPU backend on random inputs: every GEMM layout the layer tables
// use, every memory pass, softmax, SGD and random fill, per precision; graph capture; bad input.
// Tests that need a GPU skip where none is visible.
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/gpu/telemetry.hpp"
#include "tests/gpu/gpu_test_util.hpp"

namespace scalebench {

// Test names and failure messages show the precision by name.
void PrintTo(Precision p, std::ostream* os) { *os << to_string(p); }

namespace {

using namespace gpu_test;

std::string precision_name(const ::testing::TestParamInfo<Precision>& info) {
  return std::string(to_string(info.param));
}

// ------------------------------------------------------------------------------ bad input

TEST(GpuDevice, RefusesAnIndexThatIsNotVisible) {
  // Runs without a GPU too: then no index is visible.
  const int n = gpu_device_count();
  EXPECT_THROW(make_gpu_device(Precision::fp32, n), UsageError);
  EXPECT_THROW(make_gpu_device(Precision::fp32, -1), UsageError);
  try {
    make_gpu_device(Precision::fp32, n + 3);
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(n + 3)), std::string::npos) << e.what();
  }
}

TEST(GpuDevice, AllocationThatDoesNotFitNamesTheSizes) {
  SKIP_WITHOUT_GPU();
  auto d = make_gpu_device(Precision::fp32, 0);
  try {
    d->allocate(std::size_t(1) << 50);  // 1 PiB
    FAIL() << "a 1 PiB allocation succeeded";
  } catch (const RunError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("out of memory"), std::string::npos) << what;
    EXPECT_NE(what.find("1048576.00 GiB"), std::string::npos) << what;
    EXPECT_NE(what.find("free of"), std::string::npos) << what;
  }
  // The device still works afterwards.
  DeviceBuffer b(*d, 1024);
  d->fill_random(b.get(), 256, DType::f32, 1, 1.0f);
  d->synchronize();
}

TEST(GpuDevice, InfoDescribesTheGpu) {
  SKIP_WITHOUT_GPU();
  auto d = make_gpu_device(Precision::fp32, 0);
  const DeviceInfo info = d->info();
  EXPECT_EQ(info.backend, std::string(kGpuBackendName));
  EXPECT_FALSE(info.model.empty());
  EXPECT_GT(info.memory_bytes, 0);
  EXPECT_TRUE(info.versions.count("architecture"));
  EXPECT_NE(d->native_stream(), nullptr);
}

// ------------------------------------------------------------------------------ random fill

TEST(GpuDevice, RandomFillMatchesTheCpuGenerator) {
  SKIP_WITHOUT_GPU();
  auto g = make_gpu_device(Precision::fp32, 0);
  auto c = make_device("cpu", Precision::fp32, 0);
  const std::size_t n = 100003;
  DeviceBuffer gb(*g, n * 4), cb(*c, n * 4);
  g->fill_random(gb.get(), n, DType::f32, 42, 0.5f);
  c->fill_random(cb.get(), n, DType::f32, 42, 0.5f);
  const auto out = download(*g, gb.get(), n, DType::f32);
  const auto ref = download(*c, cb.get(), n, DType::f32);
  EXPECT_LE(relative_error(out, ref), 1e-7);
  int zeros = 0;
  for (float v : out) {
    zeros += v == 0.0f;
    EXPECT_LE(std::fabs(v), 0.5f);
  }
  EXPECT_LT(zeros, 5);
}

class GpuPrecision : public ::testing::TestWithParam<Precision> {};

TEST_P(GpuPrecision, RandomFillInActivationType) {
  SKIP_WITHOUT_GPU();
  auto g = gpu_or_null(GetParam());
  if (!g) GTEST_SKIP() << "this GPU refuses " << to_string(GetParam());
  const DType t = g->activation_type();
  const std::size_t n = 4099;
  DeviceBuffer b(*g, n * dtype_bytes(t));
  g->fill_random(b.get(), n, t, 3, 2.0f);
  const auto v = download(*g, b.get(), n, t);
  double sum_sq = 0.0;
  for (float x : v) {
    ASSERT_TRUE(std::isfinite(x));
    EXPECT_LE(std::fabs(x), 2.0f);
    sum_sq += double(x) * x;
  }
  EXPECT_NEAR(sum_sq / n, 4.0 / 3.0, 0.1);  // uniform on [-2, 2]
}

// ---------------------------------------------------------------------------------- GEMM

struct GemmCase {
  const char* name;
  std::int64_t m, n, k, batch;
  bool ta, tb, acc, c_f32;
};

const GemmCase kGemmCases[] = {
    {"nn_forward", 67, 45, 129, 1, false, false, false, false},
    {"nt_dgrad", 67, 129, 45, 1, false, true, false, false},
    {"nt_dgrad_accumulate", 64, 96, 80, 1, false, true, true, false},
    {"tn_wgrad_f32", 129, 45, 67, 1, true, false, false, true},
    {"nn_large", 512, 384, 1024, 1, false, false, false, false},
    {"batched_nt_scores", 50, 50, 64, 6, false, true, false, false},
    {"batched_nn_context", 50, 64, 50, 6, false, false, false, false},
    {"batched_tn_dv", 50, 64, 50, 6, true, false, false, false},
};

void PrintTo(const GemmCase& c, std::ostream* os) { *os << c.name; }

class GpuGemm : public ::testing::TestWithParam<std::tuple<GemmCase, Precision>> {};

TEST_P(GpuGemm, MatchesCpuReference) {
  SKIP_WITHOUT_GPU();
  const auto [c, precision] = GetParam();
  auto g = gpu_or_null(precision);
  if (!g) GTEST_SKIP() << "this GPU refuses " << to_string(precision);
  auto cpu = make_device("cpu", Precision::fp32, 0);
  const DType t = g->activation_type();
  const DType ct = c.c_f32 ? DType::f32 : t;
  const std::size_t na = c.batch * c.m * c.k, nb = c.batch * c.k * c.n, nc = c.batch * c.m * c.n;
  DeviceBuffer a(*g, na * dtype_bytes(t)), b(*g, nb * dtype_bytes(t)), out(*g, nc * dtype_bytes(ct));
  g->fill_random(a.get(), na, t, 11, 1.0f);
  g->fill_random(b.get(), nb, t, 12, 1.0f);
  if (c.acc) g->fill_random(out.get(), nc, ct, 13, 1.0f);
  else poison(*g, out.get(), nc, ct);
  // The reference gets the GPU's own (rounded) operands.
  const auto ha = download(*g, a.get(), na, t), hb = download(*g, b.get(), nb, t);
  const auto hc = download(*g, out.get(), nc, ct);
  DeviceBuffer ca(*cpu, na * 4), cb(*cpu, nb * 4), cc(*cpu, nc * 4);
  upload(*cpu, ca.get(), ha, DType::f32);
  upload(*cpu, cb.get(), hb, DType::f32);
  upload(*cpu, cc.get(), c.acc ? hc : std::vector<float>(nc, 0.0f), DType::f32);
  GemmOp op{c.m, c.n, c.k, c.batch, c.ta, c.tb, c.acc, c.c_f32};
  cpu->gemm(op, ca.get(), cb.get(), cc.get());
  g->gemm(op, a.get(), b.get(), out.get());
  const auto ref = download(*cpu, cc.get(), nc, DType::f32);
  const auto got = download(*g, out.get(), nc, ct);
  const double err = relative_error(got, ref);
  EXPECT_LE(err, gemm_bound(precision)) << c.name << " " << to_string(precision);
}

INSTANTIATE_TEST_SUITE_P(Layouts, GpuGemm,
                         ::testing::Combine(::testing::ValuesIn(kGemmCases),
                                            ::testing::ValuesIn(kPrecisions)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) + "_" +
                                  std::string(to_string(std::get<1>(info.param)));
                         });

// --------------------------------------------------------------------------- memory passes

struct PassCase {
  const char* name;
  PassKind kind;
  std::int64_t src_count, dst_count;
  std::int64_t rows = 0, cols = 0;
  bool per_column = false;
  int offset = 0;         // elements past an aligned address (exercises the unaligned kernels)
  bool in_place = false;  // binary: dst is src
  // Element types of src, src2, dst: 'a' the precision's activation dtype, 'f' fp32 (autocast's
  // mixed passes). Unset: all activation, except a cast's fp32 source.
  const char* types = nullptr;
};

const PassCase kPassCases[] = {
    {"unary", PassKind::unary, 1000003, 1000003},
    {"unary_unaligned", PassKind::unary, 100001, 100001, 0, 0, false, 1},
    {"binary", PassKind::binary, 1000003, 1000003},
    {"binary_in_place", PassKind::binary, 65536, 65536, 0, 0, false, 0, true},
    {"binary_unaligned", PassKind::binary, 4097, 4097, 0, 0, false, 3},
    {"cast", PassKind::cast, 1000003, 1000003},
    {"cast_unaligned", PassKind::cast, 5003, 5003, 0, 0, false, 1},
    {"pool_w4", PassKind::pool, 4 * 100000, 100000},
    {"pool_w49", PassKind::pool, 49 * 4096, 4096},
    {"pool_w49_unaligned", PassKind::pool, 49 * 1000, 1000, 0, 0, false, 1},
    {"pool_w1000", PassKind::pool, 1000 * 300, 300},
    {"pool_long_few", PassKind::pool, 3 * 1000000, 3},  // bias gradient: long windows, sliced
    {"unpool_w4", PassKind::unpool, 100000, 4 * 100000},
    {"unpool_w4_tail", PassKind::unpool, 1003, 4 * 1003},
    {"unpool_w2_tail", PassKind::unpool, 100003, 2 * 100003},
    {"unpool_w49", PassKind::unpool, 1001, 49 * 1001},
    {"unpool_unaligned", PassKind::unpool, 999, 4 * 999, 0, 0, false, 1},
    {"layernorm", PassKind::normalize, 394 * 768, 394 * 768, 394, 768, false},
    {"layernorm_long_rows", PassKind::normalize, 3 * 5000, 3 * 5000, 3, 5000, false},
    {"layernorm_odd_cols", PassKind::normalize, 301 * 10, 301 * 10, 301, 10, false},
    {"batchnorm_c64", PassKind::normalize, 3136 * 64, 3136 * 64, 3136, 64, true},
    {"batchnorm_c2048", PassKind::normalize, 196 * 2048, 196 * 2048, 196, 2048, true},
    {"batchnorm_c3", PassKind::normalize, 1000 * 3, 1000 * 3, 1000, 3, true},
    {"layernorm_backward", PassKind::normalize_backward, 394 * 768, 394 * 768, 394, 768, false},
    {"layernorm_backward_long", PassKind::normalize_backward, 2 * 8192, 2 * 8192, 2, 8192, false},
    {"batchnorm_backward_c256", PassKind::normalize_backward, 784 * 256, 784 * 256, 784, 256, true},
    {"batchnorm_backward_c12", PassKind::normalize_backward, 999 * 12, 999 * 12, 999, 12, true, 1},
    // Autocast: gradients cast back to fp32, residual adds promoting a low branch, fp32 layer-norm.
    {"cast_to_f32", PassKind::cast, 1000003, 1000003, 0, 0, false, 0, false, "aaf"},
    {"cast_to_f32_unaligned", PassKind::cast, 5003, 5003, 0, 0, false, 1, false, "aaf"},
    {"add_low_to_f32", PassKind::binary, 1000003, 1000003, 0, 0, false, 0, false, "aff"},
    {"add_f32_low_unaligned", PassKind::binary, 4097, 4097, 0, 0, false, 3, false, "faf"},
    {"layernorm_f32", PassKind::normalize, 394 * 768, 394 * 768, 394, 768, false, 0, false, "fff"},
    {"layernorm_backward_f32", PassKind::normalize_backward, 394 * 768, 394 * 768, 394, 768, false, 0, false, "fff"},
};

void PrintTo(const PassCase& c, std::ostream* os) { *os << c.name; }

class GpuPass : public ::testing::TestWithParam<std::tuple<PassCase, Precision>> {};

TEST_P(GpuPass, MatchesCpuReference) {
  SKIP_WITHOUT_GPU();
  const auto [c, precision] = GetParam();
  auto g = gpu_or_null(precision);
  if (!g) GTEST_SKIP() << "this GPU refuses " << to_string(precision);
  auto cpu = make_device("cpu", Precision::fp32, 0);
  const DType t = g->activation_type();
  auto type_at = [&](int i, DType unset) {
    return !c.types ? unset : c.types[i] == 'f' ? DType::f32 : t;
  };
  const DType src_t = type_at(0, c.kind == PassKind::cast ? DType::f32 : t);
  const DType src2_t = type_at(1, t);
  const DType dst_t = type_at(2, t);
  const bool two_inputs = reads_src2(c.kind);
  auto alloc = [&](std::int64_t n, DType type) {
    return DeviceBuffer(*g, std::size_t(n + 16) * dtype_bytes(type));
  };
  auto at = [&](const DeviceBuffer& b, DType type) {
    return static_cast<char*>(b.get()) + c.offset * dtype_bytes(type);
  };
  DeviceBuffer src = alloc(c.src_count, src_t), src2 = alloc(c.src_count, src2_t), dst = alloc(c.dst_count, dst_t);
  g->fill_random(at(src, src_t), c.src_count, src_t, 21, 1.0f);
  if (two_inputs) g->fill_random(at(src2, src2_t), c.src_count, src2_t, 22, 1.0f);
  void* gdst = c.in_place ? at(src, dst_t) : at(dst, dst_t);
  const auto hsrc = download(*g, at(src, src_t), c.src_count, src_t);
  const auto hsrc2 = two_inputs ? download(*g, at(src2, src2_t), c.src_count, src2_t) : std::vector<float>{};
  if (!c.in_place) poison(*g, gdst, c.dst_count, dst_t);

  MemoryPass p;
  p.kind = c.kind;
  if (c.types) {
    p.src_type = src_t;
    p.src2_type = src2_t;
    p.dst_type = dst_t;
  }
  p.src = at(src, src_t);
  p.src2 = two_inputs ? at(src2, src2_t) : nullptr;
  p.dst = gdst;
  p.src_count = c.src_count;
  p.dst_count = c.dst_count;
  p.rows = c.rows;
  p.cols = c.cols;
  p.per_column = c.per_column;
  g->memory_pass(p);
  const auto got = download(*g, gdst, c.dst_count, dst_t);

  DeviceBuffer csrc(*cpu, c.src_count * 4), csrc2(*cpu, c.src_count * 4), cdst(*cpu, c.dst_count * 4);
  upload(*cpu, csrc.get(), hsrc, DType::f32);
  if (two_inputs) upload(*cpu, csrc2.get(), hsrc2, DType::f32);
  MemoryPass q = p;
  q.src_type = q.src2_type = q.dst_type = DType::f32;
  q.src = csrc.get();
  q.src2 = two_inputs ? csrc2.get() : nullptr;
  q.dst = c.in_place ? csrc.get() : cdst.get();
  cpu->memory_pass(q);
  const auto ref = download(*cpu, q.dst, c.dst_count, DType::f32);
  // An fp32 result of low inputs carries their rounding only; the bound of the narrowest type.
  EXPECT_LE(relative_error(got, ref), pass_bound(dst_t == DType::f32 && src_t == DType::f32 && src2_t == DType::f32 ? DType::f32 : t))
      << c.name << " " << to_string(precision);
}

// tf32 shares fp32's memory passes.
INSTANTIATE_TEST_SUITE_P(Kinds, GpuPass,
                         ::testing::Combine(::testing::ValuesIn(kPassCases),
                                            ::testing::Values(Precision::fp32, Precision::bf16,
                                                              Precision::fp16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) + "_" +
                                  std::string(to_string(std::get<1>(info.param)));
                         });

// ------------------------------------------------------------------------------- softmax

struct SoftmaxCase {
  const char* name;
  std::int64_t rows, cols;
};

const SoftmaxCase kSoftmaxCases[] = {
    {"attention_scores", 1000, 197}, {"logits_1000", 8, 1000}, {"long_rows", 3, 6000},
    {"logits_10", 64, 10},           {"single", 1, 1},
};

void PrintTo(const SoftmaxCase& c, std::ostream* os) { *os << c.name; }

class GpuSoftmax : public ::testing::TestWithParam<std::tuple<SoftmaxCase, Precision>> {};

TEST_P(GpuSoftmax, MatchesCpuReference) {
  SKIP_WITHOUT_GPU();
  const auto [c, precision] = GetParam();
  auto g = gpu_or_null(precision);
  if (!g) GTEST_SKIP() << "this GPU refuses " << to_string(precision);
  auto cpu = make_device("cpu", Precision::fp32, 0);
  const DType t = g->activation_type();
  const std::int64_t n = c.rows * c.cols;
  DeviceBuffer x(*g, n * dtype_bytes(t)), cx(*cpu, n * 4);
  g->fill_random(x.get(), n, t, 31, 4.0f);
  upload(*cpu, cx.get(), download(*g, x.get(), n, t), DType::f32);
  g->softmax(x.get(), c.rows, c.cols, t);
  cpu->softmax(cx.get(), c.rows, c.cols, DType::f32);
  const auto got = download(*g, x.get(), n, t);
  const auto ref = download(*cpu, cx.get(), n, DType::f32);
  EXPECT_LE(relative_error(got, ref), pass_bound(t)) << c.name;
  // Rows sum to one.
  for (std::int64_t r = 0; r < c.rows; ++r) {
    double s = 0.0;
    for (std::int64_t j = 0; j < c.cols; ++j) s += got[r * c.cols + j];
    EXPECT_NEAR(s, 1.0, t == DType::f32 ? 1e-4 : 2e-2);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, GpuSoftmax,
                         ::testing::Combine(::testing::ValuesIn(kSoftmaxCases),
                                            ::testing::Values(Precision::fp32, Precision::bf16,
                                                              Precision::fp16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) + "_" +
                                  std::string(to_string(std::get<1>(info.param)));
                         });

// ----------------------------------------------------------------------------------- SGD

TEST(GpuDevice, SgdMomentumMatchesCpu) {
  SKIP_WITHOUT_GPU();
  auto g = make_gpu_device(Precision::bf16, 0);  // parameters are fp32 whatever the precision
  auto cpu = make_device("cpu", Precision::fp32, 0);
  for (const int offset : {0, 1}) {
    const std::size_t n = 1000003;
    DeviceBuffer p(*g, (n + 4) * 4), gr(*g, (n + 4) * 4), v(*g, (n + 4) * 4);
    float* gp = p.f32() + offset;
    float* gg = gr.f32() + offset;
    float* gv = v.f32() + offset;
    g->fill_random(gp, n, DType::f32, 41, 1.0f);
    g->fill_random(gg, n, DType::f32, 42, 0.1f);
    g->fill_random(gv, n, DType::f32, 43, 0.01f);
    DeviceBuffer cp(*cpu, n * 4), cg(*cpu, n * 4), cv(*cpu, n * 4);
    upload(*cpu, cp.get(), download(*g, gp, n, DType::f32), DType::f32);
    upload(*cpu, cg.get(), download(*g, gg, n, DType::f32), DType::f32);
    upload(*cpu, cv.get(), download(*g, gv, n, DType::f32), DType::f32);
    g->sgd_momentum(gp, gg, gv, n, 0.1f, 0.9f);
    cpu->sgd_momentum(cp.f32(), cg.f32(), cv.f32(), n, 0.1f, 0.9f);
    EXPECT_LE(relative_error(download(*g, gp, n, DType::f32), download(*cpu, cp.get(), n, DType::f32)), 1e-6);
    EXPECT_LE(relative_error(download(*g, gv, n, DType::f32), download(*cpu, cv.get(), n, DType::f32)), 1e-6);
  }
}

// ---------------------------------------------------------------------- copies and graphs

TEST(GpuDevice, CopyMovesBytes) {
  SKIP_WITHOUT_GPU();
  auto g = make_gpu_device(Precision::fp32, 0);
  const std::size_t n = 12345;
  DeviceBuffer a(*g, n * 4), b(*g, n * 4);
  g->fill_random(a.get(), n, DType::f32, 5, 1.0f);
  poison(*g, b.get(), n, DType::f32);
  g->copy(b.get(), a.get(), n * 4);
  EXPECT_EQ(relative_error(download(*g, b.get(), n, DType::f32), download(*g, a.get(), n, DType::f32)), 0.0);
}

TEST(GpuDevice, CapturedGraphReplaysTheSameWork) {
  SKIP_WITHOUT_GPU();
  auto g = make_gpu_device(Precision::bf16, 0);
  GpuDeviceExtras* extras = gpu_extras(*g);
  ASSERT_NE(extras, nullptr);
  ASSERT_TRUE(g->supports_graphs());
  const DType t = g->activation_type();
  const std::int64_t m = 256, n = 128, k = 64;
  DeviceBuffer x(*g, m * k * 2), h(*g, m * k * 2), w(*g, k * n * 2), y(*g, m * n * 2), y2(*g, m * n * 2);
  g->fill_random(x.get(), m * k, t, 1, 1.0f);
  g->fill_random(w.get(), k * n, t, 2, 1.0f);
  MemoryPass relu;
  relu.kind = PassKind::unary;
  relu.src = x.get();
  relu.dst = h.get();
  relu.src_count = relu.dst_count = m * k;
  MemoryPass norm;
  norm.kind = PassKind::normalize;
  norm.src = y.get();
  norm.dst = y2.get();
  norm.src_count = norm.dst_count = m * n;
  norm.rows = m;
  norm.cols = n;
  norm.per_column = true;
  auto step = [&] {
    g->memory_pass(relu);
    g->gemm(GemmOp{m, n, k}, h.get(), w.get(), y.get());
    g->memory_pass(norm);
  };
  step();  // direct run; also sizes the scratch before capture
  const auto direct = download(*g, y2.get(), m * n, t);
  poison(*g, y2.get(), m * n, t);
  g->begin_capture();
  step();
  EXPECT_THROW(g->synchronize(), RunError);  // not allowed while capturing
  const int first = g->end_capture();
  g->begin_capture();
  g->memory_pass(relu);  // a second graph: ids stay valid
  const int second = g->end_capture();
  EXPECT_NE(first, second);
  g->replay(first);
  g->replay(second);
  g->synchronize();
  EXPECT_EQ(relative_error(download(*g, y2.get(), m * n, t), direct), 0.0);
  EXPECT_THROW(g->replay(second + 1), RunError);
  EXPECT_GT(extras->peak_allocated_bytes(), 0);
}

// ----------------------------------------------------------------------------- precisions

TEST(GpuDevice, PrecisionsAreCheckedBeforeAnyWork) {
  SKIP_WITHOUT_GPU();
  // Whatever this GPU accepts constructs; whatever it refuses throws UsageError naming the GPU.
  for (Precision p : kPrecisions) {
    try {
      auto d = make_gpu_device(p, 0);
      EXPECT_EQ(d->precision(), p);
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("GPU 0"), std::string::npos) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, GpuPrecision, ::testing::ValuesIn(kPrecisions), precision_name);

// ------------------------------------------------------------------------------- telemetry

TEST(GpuTelemetry, SamplesPowerAndMemoryDuringWork) {
  SKIP_WITHOUT_GPU();
  auto g = make_gpu_device(Precision::bf16, 0);
  TelemetrySampler sampler(0, std::chrono::milliseconds(20));
  if (sampler.source().empty()) GTEST_SKIP() << "no NVML / ROCm SMI library for this GPU";
  const std::int64_t s = 4096;
  DeviceBuffer a(*g, s * s * 2), b(*g, s * s * 2), c(*g, s * s * 2);
  g->fill_random(a.get(), s * s, DType::bf16, 1, 1.0f);
  g->fill_random(b.get(), s * s, DType::bf16, 2, 1.0f);
  g->synchronize();
  sampler.start();
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 20; ++i) g->gemm(GemmOp{s, s, s}, a.get(), b.get(), c.get());
    g->synchronize();
  }
  const TelemetrySummary t = sampler.stop();
  EXPECT_GE(t.samples, 5);
  EXPECT_GT(t.duration_s, 0.4);
  ASSERT_TRUE(t.mean_power_w.has_value());
  EXPECT_GT(*t.mean_power_w, 10.0);
  ASSERT_TRUE(t.energy_j.has_value());
  EXPECT_GT(*t.energy_j, 0.0);
  ASSERT_TRUE(t.peak_memory_bytes.has_value());
  EXPECT_GT(*t.peak_memory_bytes, 3 * s * s * 2);
  if (t.mean_utilization) {
    EXPECT_GT(*t.mean_utilization, 0.1);
  }
  EXPECT_FALSE(sampler.driver_version().empty() && sampler.source() == "nvml");
}

}  // namespace
}  // namespace scalebench
