// Autocast's dtype rules on the layer tables, and the training step's passes under them (traced,
// not run): every pass and GEMM reads and writes inside buffers sized for the types it names.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "workloads/autocast.hpp"
#include "workloads/gemm_shapes.hpp"
#include "workloads/step_trace.hpp"

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

class StepTypes : public ::testing::TestWithParam<std::tuple<const char*, Precision>> {};

TEST_P(StepTypes, EveryAccessStaysInsideItsBuffers) {
  const auto [name, precision] = GetParam();
  const StepTrace trace = trace_step(small_model(name), precision);
  for (const std::string& e : trace.range_errors) ADD_FAILURE() << e;
  EXPECT_FALSE(trace.passes.empty());
  EXPECT_FALSE(trace.gemms.empty());
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
  const StepTrace trace = trace_step(small_model("vit_b16"), Precision::bf16);
  int f32_norms = 0, casts = 0, promoting_adds = 0;
  for (const TracedPass& p : trace.passes) {
    if (p.pass.kind == PassKind::normalize || p.pass.kind == PassKind::normalize_backward) {
      EXPECT_EQ(p.types.dst, DType::f32);
      ++f32_norms;
    }
    if (p.pass.kind == PassKind::cast) ++casts;
    if (p.pass.kind == PassKind::binary && p.types.src != p.types.src2) ++promoting_adds;
  }
  EXPECT_EQ(f32_norms, 2 * (2 * 12 + 1));  // ln1, ln2 per block and the final one, both ways
  EXPECT_EQ(promoting_adds, 2 * 12);       // the two residual adds of each block
  // Forward: the weights, 27 layer inputs and the embedding's promoting copy. Backward: 26 layer
  // inputs cast back (not the images), the bf16 branch of each residual add, the embedding's.
  EXPECT_EQ(casts, (1 + 27 + 1) + (26 + 2 * 12 + 1));
}

// Autocast moves more bytes than an all-bf16 step would (the fp32 stream, layer-norms and casts)
// and fewer than fp32. Full size: the trace allocates nothing, and activations then outweigh the
// weights' cast.
TEST(StepTypes, VitUnderAutocastMovesBetweenHalfAndAllOfFp32sBytes) {
  const Model m = build_model(find_workload("vit_b16"), 32, 224);
  auto total = [](const StepTrace& t) {
    double sum = 0;
    for (const auto& [cls, bytes] : t.bytes_by_class()) sum += bytes;
    return sum;
  };
  const StepTrace bf16 = trace_step(m, Precision::bf16), fp32 = trace_step(m, Precision::fp32);
  EXPECT_GT(total(bf16), 0.5 * total(fp32));
  EXPECT_LT(total(bf16), total(fp32));
  // Layer-norm is fp32 either way: the same bytes.
  EXPECT_DOUBLE_EQ(bf16.bytes_by_class().at("normalization"), fp32.bytes_by_class().at("normalization"));
}

// The counterfactual step_bytes compares with: every tensor in the compute dtype, nothing cast
// but the weights (the embedding's copy stays a same-type copy).
TEST(StepTypes, UniformRulesCastOnlyTheWeights) {
  const StepTrace trace = trace_step(small_model("vit_b16"), Precision::bf16, TypeRules::uniform);
  for (const std::string& e : trace.range_errors) ADD_FAILURE() << e;
  int converting = 0;
  for (const TracedPass& p : trace.passes) {
    if (p.types.src != p.types.dst) {
      EXPECT_EQ(p.types.src, DType::f32);  // the fp32 parameters
      ++converting;
    }
    if (p.pass.kind != PassKind::cast) {
      EXPECT_EQ(p.types.dst, DType::bf16);
    }
  }
  EXPECT_EQ(converting, 1);
}

// The GEMM benchmarks time distinct_gemm_shapes(); it must list exactly what the step issues.
TEST(StepTrace, GemmShapesAreTheGemmsTheStepIssues) {
  for (const char* name : {"mnist_cnn", "resnet50", "vit_b16"}) {
    const Model m = small_model(name);
    std::map<std::string, std::int64_t> issued, listed;
    auto key = [](const GemmOp& op) {
      return fmt::format("{}x{}x{} b{} {}{}{}", op.m, op.n, op.k, op.batch, op.trans_a ? "T" : "N",
                         op.trans_b ? "T" : "N", op.c_f32 ? " f32" : "");
    };
    for (const TracedGemm& g : trace_step(m, Precision::bf16).gemms) ++issued[key(g.op)];
    for (const GemmShape& s : distinct_gemm_shapes(m)) listed[key(s.op)] += s.count;
    EXPECT_EQ(issued, listed) << name;
  }
}

}  // namespace
}  // namespace scalebench
