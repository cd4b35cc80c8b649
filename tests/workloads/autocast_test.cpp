// Autocast's dtype rules on the layer tables, and the training step's passes under them: every
// pass and GEMM reads and writes inside buffers sized for the element types it names.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "workloads/autocast.hpp"
#include "workloads/training_step.hpp"

namespace scalebench {
namespace {

Model small_model(const char* name, std::int64_t batch = 2) {
  const WorkloadInfo& info = find_workload(name);
  return build_model(info, batch, info.min_image_size * 2 - (info.min_image_size * 2) % info.image_size_multiple);
}

TEST(Autocast, Fp32AndTf32CastNothing) {
  for (const char* name : {"mnist_cnn", "resnet50", "vit_b16"}) {
    const Model m = small_model(name);
    for (Precision p : {Precision::fp32, Precision::tf32}) {
      const ModelTypes t = autocast_types(m, p);
      EXPECT_EQ(t.input, DType::f32);
      for (std::size_t i = 0; i < m.layers.size(); ++i) {
        EXPECT_EQ(t.layers[i].out, DType::f32) << name << " " << m.layers[i].name;
        EXPECT_FALSE(t.layers[i].cast_input) << name << " " << m.layers[i].name;
      }
    }
  }
}

TEST(Autocast, VitKeepsAnFp32ResidualStreamAndFp32LayerNorms) {
  const Model m = small_model("vit_b16");
  for (Precision p : {Precision::bf16, Precision::fp16}) {
    const DType low = activation_dtype(p);
    const ModelTypes t = autocast_types(m, p);
    std::vector<std::string> casts;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      const Layer& l = m.layers[i];
      const LayerTypes& lt = t.layers[i];
      SCOPED_TRACE(l.name);
      if (lt.cast_input) casts.push_back(l.name);
      switch (l.kind) {
        case LayerKind::norm:
        case LayerKind::add:
        case LayerKind::embed:
        case LayerKind::loss:
          EXPECT_EQ(lt.out, DType::f32);
          break;
        case LayerKind::linear:
        case LayerKind::conv:
        case LayerKind::attention:
        case LayerKind::activation:
          EXPECT_EQ(lt.out, low);
          break;
        default:
          break;
      }
    }
    // The patch embedding casts the fp32 images; the linears that read the fp32 stream (qkv after
    // ln1, fc1 after ln2, the head after the class token) cast it; the loss casts the logits up.
    ASSERT_EQ(casts.size(), 1 + 2 * 12 + 1 + 1u);
    EXPECT_EQ(casts.front(), "patch_embed");
    EXPECT_EQ(casts[1], "encoder.0.attn.qkv");
    EXPECT_EQ(casts[2], "encoder.0.mlp.fc1");
    EXPECT_EQ(casts[casts.size() - 2], "head");
    EXPECT_EQ(casts.back(), "loss");
  }
}

TEST(Autocast, ResnetStaysLowPrecisionEndToEnd) {
  const Model m = small_model("resnet50");
  const ModelTypes t = autocast_types(m, Precision::bf16);
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& l = m.layers[i];
    const bool first = i == 0;
    const bool loss = l.kind == LayerKind::loss;
    EXPECT_EQ(t.layers[i].out, loss ? DType::f32 : DType::bf16) << l.name;
    EXPECT_EQ(t.layers[i].cast_input, first || loss) << l.name;  // images in, logits out
  }
}

// A device that runs nothing: it hands out address ranges and checks that every pass, GEMM and
// fill stays inside one allocation for the element types it names.
class RangeCheckingDevice : public Device {
 public:
  explicit RangeCheckingDevice(Precision p) : precision_(p) {}

  DeviceInfo info() const override { return {"check", "range checker", 0, 0, {}}; }
  Precision precision() const override { return precision_; }
  void* allocate(std::size_t bytes) override {
    const std::uintptr_t at = next_;
    next_ += (bytes + 4096) / 256 * 256 + 256;  // a gap between allocations
    allocations_[at] = bytes;
    return reinterpret_cast<void*>(at);
  }
  void release(void* ptr) noexcept override { allocations_.erase(reinterpret_cast<std::uintptr_t>(ptr)); }
  void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t, float) override {
    check(ptr, count, type, "fill");
  }
  void gemm(const GemmOp& op, const void* a, const void* b, void* c) override {
    const DType t = activation_type();
    check(a, op.batch * op.m * op.k, t, "gemm A");
    check(b, op.batch * op.k * op.n, t, "gemm B");
    check(c, op.batch * op.m * op.n, op.c_f32 ? DType::f32 : t, "gemm C");
  }
  void memory_pass(const MemoryPass& p) override {
    const PassTypes t = resolve_types(p, activation_type());
    check(p.src, p.src_count, t.src, "pass src");
    if (p.kind == PassKind::binary || p.kind == PassKind::normalize_backward) {
      check(p.src2, p.src_count, t.src2, "pass src2");
    }
    check(p.dst, p.dst_count, t.dst, "pass dst");
    passes.push_back(p);
    const double bytes = double(p.src_count) * double(dtype_bytes(t.src) + (p.src2 ? dtype_bytes(t.src2) : 0)) +
                         double(p.dst_count) * double(dtype_bytes(t.dst));
    pass_bytes += bytes;
  }
  void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type) override {
    check(x, rows * cols, type, "softmax");
  }
  void sgd_momentum(float* p, const float* g, float* v, std::size_t n, float, float) override {
    check(p, std::int64_t(n), DType::f32, "sgd p");
    check(g, std::int64_t(n), DType::f32, "sgd g");
    check(v, std::int64_t(n), DType::f32, "sgd v");
  }
  void copy(void*, const void*, std::size_t) override {}
  void to_host(void*, const void*, std::size_t) override {}
  void from_host(void*, const void*, std::size_t) override {}
  void synchronize() override {}

  std::vector<MemoryPass> passes;
  double pass_bytes = 0;
  std::vector<std::string> errors;

 private:
  void check(const void* ptr, std::int64_t count, DType type, const char* what) {
    const auto at = reinterpret_cast<std::uintptr_t>(ptr);
    const std::uintptr_t bytes = std::uintptr_t(count) * dtype_bytes(type);
    if (count == 0) return;
    auto it = allocations_.upper_bound(at);
    if (it == allocations_.begin() || at + bytes > std::prev(it)->first + std::prev(it)->second) {
      errors.push_back(fmt::format("{}: {} elements of {} at {:#x} outside any allocation", what,
                                   count, to_string(type), at));
    }
  }

  Precision precision_;
  std::uintptr_t next_ = 1 << 20;
  std::map<std::uintptr_t, std::size_t> allocations_;
};

class StepTypes : public ::testing::TestWithParam<std::tuple<const char*, Precision>> {};

TEST_P(StepTypes, EveryPassStaysInsideItsBuffers) {
  const auto [name, precision] = GetParam();
  const Model m = small_model(name);
  RangeCheckingDevice device(precision);
  TrainingStep step(device, m, 1);
  step.forward();
  step.backward();
  step.optimizer();
  for (const std::string& e : device.errors) ADD_FAILURE() << e;
  EXPECT_FALSE(device.passes.empty());
}

INSTANTIATE_TEST_SUITE_P(AllWorkloads, StepTypes,
                         ::testing::Combine(::testing::Values("mnist_cnn", "resnet50", "vit_b16"),
                                            ::testing::Values(Precision::fp32, Precision::bf16,
                                                              Precision::fp16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" +
                                  std::string(to_string(std::get<1>(info.param)));
                         });

TEST(StepTypes, VitLayerNormsRunInFp32AndItsCastsAreIssued) {
  const Model m = small_model("vit_b16");
  RangeCheckingDevice device(Precision::bf16);
  TrainingStep step(device, m, 1);
  step.forward();
  step.backward();
  int f32_norms = 0, casts = 0, promoting_adds = 0;
  for (const MemoryPass& p : device.passes) {
    const PassTypes t = resolve_types(p, DType::bf16);
    if (p.kind == PassKind::normalize || p.kind == PassKind::normalize_backward) {
      EXPECT_EQ(t.dst, DType::f32);
      ++f32_norms;
    }
    if (p.kind == PassKind::cast) ++casts;
    if (p.kind == PassKind::binary && t.src != t.src2) ++promoting_adds;
  }
  EXPECT_EQ(f32_norms, 2 * (2 * 12 + 1));  // ln1, ln2 per block and the final one, both ways
  EXPECT_EQ(promoting_adds, 2 * 12);       // the two residual adds of each block
  // Forward: the weights, 27 layer inputs and the embedding's promoting copy. Backward: 26 layer
  // inputs cast back (not the images), the bf16 branch of each residual add, the embedding's.
  EXPECT_EQ(casts, (1 + 27 + 1) + (26 + 2 * 12 + 1));
}

// Autocast moves more bytes than an all-bf16 step would: the fp32 stream and the casts.
TEST(StepTypes, VitUnderAutocastMovesMoreBytesThanHalfOfFp32) {
  // Full size (the checking device allocates nothing), so activations outweigh the weight cast.
  const Model m = build_model(find_workload("vit_b16"), 32, 224);
  RangeCheckingDevice bf16(Precision::bf16), fp32(Precision::fp32);
  for (RangeCheckingDevice* d : {&bf16, &fp32}) {
    TrainingStep step(*d, m, 1);
    step.forward();
    step.backward();
  }
  EXPECT_GT(bf16.pass_bytes, 0.5 * fp32.pass_bytes);
  EXPECT_LT(bf16.pass_bytes, fp32.pass_bytes);
}

}  // namespace
}  // namespace scalebench
