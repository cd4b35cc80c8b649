// The CPU backend against naive references on random inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/device_constants.hpp"
#include "records/errors.hpp"

namespace scalebench {
namespace {

std::vector<float> random_host(Device& d, std::size_t n, std::uint64_t seed) {
  DeviceBuffer b(d, n * sizeof(float));
  d.fill_random(b.get(), n, DType::f32, seed, 1.0f);
  std::vector<float> h(n);
  d.to_host(h.data(), b.get(), n * sizeof(float));
  return h;
}

TEST(CpuDevice, RandomFillIsNeverZeroAndDependsOnSeed) {
  auto d = make_device("cpu", Precision::fp32, 0);
  const auto a = random_host(*d, 10000, 1);
  const auto b = random_host(*d, 10000, 2);
  int zeros = 0, equal = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    zeros += a[i] == 0.0f;
    equal += a[i] == b[i];
    EXPECT_LE(std::fabs(a[i]), 1.0f);
  }
  EXPECT_LT(zeros, 5);
  EXPECT_LT(equal, 5);
}

// The generator both backends share (kernels/device_constants.hpp) is splitmix64 itself: the
// first two outputs of the reference generator seeded with 1234567 (Vigna's splitmix64.c).
TEST(DeviceConstants, Splitmix64MatchesTheReferenceSequence) {
  static_assert(splitmix64(1234567) == 6457827717110365317ULL);
  EXPECT_EQ(splitmix64(1234567 + 0x9e3779b97f4a7c15ULL), 3203168211198807973ULL);
}

// The CPU backend, the GPU tests' oracle, fills with the shared generator element by element
// and applies the shared pass constants.
TEST(CpuDevice, UsesTheSharedGeneratorAndConstants) {
  auto d = make_device("cpu", Precision::fp32, 0);
  const std::size_t n = 4097;
  const auto x = random_host(*d, n, 77);
  const std::uint64_t base = splitmix64(77);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < n; ++i) differ += x[i] != random_fill_value(base, i, 1.0f);
  EXPECT_EQ(differ, 0u);

  std::vector<float> out(n);
  MemoryPass p;
  p.kind = PassKind::unary;
  p.src = x.data();
  p.dst = out.data();
  p.src_count = p.dst_count = std::int64_t(n);
  d->memory_pass(p);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(out[i], std::max(x[i], 0.0f) * kReluScale) << i;

  p.kind = PassKind::unpool;
  p.src_count = 1024;
  p.dst_count = 4096;
  d->memory_pass(p);
  for (std::size_t j = 0; j < 8; ++j) EXPECT_EQ(out[j], x[j / 4] * kUnpoolShare) << j;
}

struct GemmCase {
  std::int64_t m, n, k, batch;
  bool ta, tb, acc;
};

class CpuGemm : public ::testing::TestWithParam<GemmCase> {};

TEST_P(CpuGemm, MatchesNaiveReference) {
  const GemmCase c = GetParam();
  auto d = make_device("cpu", Precision::fp32, 0);
  const auto a = random_host(*d, c.batch * c.m * c.k, 11);
  const auto b = random_host(*d, c.batch * c.k * c.n, 12);
  auto cm = random_host(*d, c.batch * c.m * c.n, 13);
  std::vector<double> ref(cm.size());
  for (std::int64_t p = 0; p < c.batch; ++p) {
    for (std::int64_t i = 0; i < c.m; ++i) {
      for (std::int64_t j = 0; j < c.n; ++j) {
        double s = c.acc ? cm[p * c.m * c.n + i * c.n + j] : 0.0;
        for (std::int64_t l = 0; l < c.k; ++l) {
          const float av = c.ta ? a[p * c.m * c.k + l * c.m + i] : a[p * c.m * c.k + i * c.k + l];
          const float bv = c.tb ? b[p * c.k * c.n + j * c.k + l] : b[p * c.k * c.n + l * c.n + j];
          s += double(av) * bv;
        }
        ref[p * c.m * c.n + i * c.n + j] = s;
      }
    }
  }
  GemmOp op{c.m, c.n, c.k, c.batch, c.ta, c.tb, c.acc};
  d->gemm(op, a.data(), b.data(), cm.data());
  double err = 0, norm = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    err += (cm[i] - ref[i]) * (cm[i] - ref[i]);
    norm += ref[i] * ref[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Layouts, CpuGemm,
                         ::testing::Values(GemmCase{17, 23, 31, 1, false, false, false},
                                           GemmCase{17, 23, 31, 1, false, true, false},
                                           GemmCase{17, 23, 31, 1, true, false, false},
                                           GemmCase{9, 5, 7, 3, false, true, false},
                                           GemmCase{9, 5, 7, 3, true, false, true}));

TEST(CpuDevice, MemoryPassesComputeWhatTheySay) {
  auto d = make_device("cpu", Precision::fp32, 0);
  const auto x = random_host(*d, 64, 3);
  const auto y = random_host(*d, 64, 4);
  std::vector<float> out(64);
  MemoryPass p;
  p.kind = PassKind::binary;
  p.src = x.data();
  p.src2 = y.data();
  p.dst = out.data();
  p.src_count = p.dst_count = 64;
  d->memory_pass(p);
  EXPECT_FLOAT_EQ(out[5], x[5] + y[5]);

  p = MemoryPass{};
  p.kind = PassKind::pool;
  p.src = x.data();
  p.dst = out.data();
  p.src_count = 64;
  p.dst_count = 16;
  d->memory_pass(p);
  EXPECT_FLOAT_EQ(out[1], std::max({x[4], x[5], x[6], x[7]}));

  // Layer-norm rows have zero mean afterwards.
  p = MemoryPass{};
  p.kind = PassKind::normalize;
  p.src = x.data();
  p.dst = out.data();
  p.src_count = p.dst_count = 64;
  p.rows = 4;
  p.cols = 16;
  d->memory_pass(p);
  double row_sum = 0;
  for (int c = 0; c < 16; ++c) row_sum += out[16 + c];
  EXPECT_NEAR(row_sum, 0.0, 1e-4);
}

TEST(CpuDevice, SoftmaxRowsSumToOne) {
  auto d = make_device("cpu", Precision::fp32, 0);
  auto x = random_host(*d, 3 * 50, 5);
  d->softmax(x.data(), 3, 50, DType::f32);
  for (int r = 0; r < 3; ++r) {
    double s = 0;
    for (int c = 0; c < 50; ++c) s += x[r * 50 + c];
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
}

TEST(CpuDevice, SgdMomentumUpdate) {
  auto d = make_device("cpu", Precision::fp32, 0);
  std::vector<float> p{1.0f, 2.0f}, g{0.5f, -1.0f}, v{0.1f, 0.2f};
  d->sgd_momentum(p.data(), g.data(), v.data(), 2, 0.1f, 0.9f);
  EXPECT_FLOAT_EQ(v[0], 0.9f * 0.1f + 0.5f);
  EXPECT_FLOAT_EQ(p[0], 1.0f - 0.1f * v[0]);
  EXPECT_FLOAT_EQ(p[1], 2.0f - 0.1f * (0.9f * 0.2f - 1.0f));
}

TEST(Backends, UnbuiltAndUnknownBackendsAreRefusedPlainly) {
  EXPECT_THROW(make_device("tpu", Precision::fp32, 0), UsageError);
  EXPECT_THROW(make_device("cpu", Precision::bf16, 0), UsageError);
  const auto built = built_backends();
  if (std::find(built.begin(), built.end(), "hip") == built.end()) {
    try {
      make_device("hip", Precision::fp32, 0);
      FAIL();
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("was not built"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace scalebench
