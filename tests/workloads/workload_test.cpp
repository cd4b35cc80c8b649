// Layer-table invariants: exact parameter counts, published FLOPs, shapes consistent end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "kernels/cpu/cpu_device.hpp"
#include "records/errors.hpp"
#include "workloads/training_step.hpp"
#include "workloads/workload.hpp"

namespace scalebench {
namespace {

Model default_model(const char* name, std::int64_t batch = 1) {
  const WorkloadInfo& info = find_workload(name);
  return build_model(info, batch, info.default_image_size);
}

TEST(Workloads, ExactParameterCounts) {
  EXPECT_EQ(default_model("mnist_cnn").parameters(), 1'199'882);
  EXPECT_EQ(default_model("resnet50").parameters(), 25'557'032);
  EXPECT_EQ(default_model("vit_b16").parameters(), 86'567'656);
}

TEST(Workloads, ParameterCountDoesNotDependOnImageSizeOrBatch) {
  for (const WorkloadInfo& info : workloads()) {
    const std::int64_t full = build_model(info, 1, info.default_image_size).parameters();
    const std::int64_t small = info.min_image_size * 2 - (info.min_image_size * 2) % info.image_size_multiple;
    EXPECT_EQ(build_model(info, 3, small).parameters(), full) << info.name;
  }
}

// Published multiply-add counts per 224 px sample: ResNet-50 4.1 G (He et al. 2016, Table 1:
// 3.8e9 FLOPs counted there as multiply-adds of convs; torchvision docs: 4.09 GFLOPS);
// ViT-B/16 17.6 G (torchvision docs: 17.56 GFLOPS). Multiply-adds are counted as 2 FLOPs here.
TEST(Workloads, ForwardFlopsMatchPublishedFigures) {
  const double resnet_gmacs = default_model("resnet50").forward_flops() / 2e9;
  const double vit_gmacs = default_model("vit_b16").forward_flops() / 2e9;
  EXPECT_NEAR(resnet_gmacs, 4.1, 4.1 * 0.02);
  EXPECT_NEAR(vit_gmacs, 17.6, 17.6 * 0.02);
  // Scales linearly with batch.
  EXPECT_DOUBLE_EQ(default_model("resnet50", 8).forward_flops(),
                   8 * default_model("resnet50").forward_flops());
}

TEST(Workloads, MnistMatchesThePytorchExampleShapes) {
  const Model m = default_model("mnist_cnn", 4);
  const Layer* fc1 = nullptr;
  for (const Layer& l : m.layers) {
    if (l.name == "fc1") fc1 = &l;
  }
  ASSERT_NE(fc1, nullptr);
  EXPECT_EQ(fc1->k, 9216);
  EXPECT_EQ(fc1->n, 128);
  EXPECT_EQ(fc1->m, 4);
  EXPECT_EQ(m.layers[0].m, 4 * 26 * 26);  // conv1: 28 -> 26
  EXPECT_EQ(m.layers[0].k, 9);
}

class LayerShapes : public ::testing::TestWithParam<const char*> {};

TEST_P(LayerShapes, EveryLayerReadsWhatItsProducerWrote) {
  const WorkloadInfo& info = find_workload(GetParam());
  for (std::int64_t image : {info.default_image_size, info.min_image_size * 2}) {
    image -= image % info.image_size_multiple;
    const Model m = build_model(info, 2, image);
    ASSERT_FALSE(m.layers.empty());
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      const Layer& l = m.layers[i];
      SCOPED_TRACE(l.name);
      ASSERT_LT(l.input, int(i));
      ASSERT_GT(l.in_elems, 0);
      ASSERT_GT(l.out_elems, 0);
      if (l.input >= 0) {
        // A pool may read a part of its producer (the class token); everything else reads all.
        if (l.kind == LayerKind::pool) {
          EXPECT_LE(l.in_elems, m.layers[l.input].out_elems);
        } else {
          EXPECT_EQ(l.in_elems, m.layers[l.input].out_elems);
        }
      }
      if (l.input2 >= 0) {
        EXPECT_EQ(m.layers[l.input2].out_elems, l.out_elems);
      }
      switch (l.kind) {
        case LayerKind::conv:
        case LayerKind::linear:
          EXPECT_EQ(l.out_elems, l.m * l.n);
          EXPECT_EQ(l.param_sizes.at(0), l.k * l.n);  // weight is k x n
          if (!l.lowered) {
            EXPECT_EQ(l.in_elems, l.m * l.k);
          }
          if (l.param_sizes.size() > 1) {
            EXPECT_EQ(l.param_sizes[1], l.n);  // bias
          }
          break;
        case LayerKind::attention:
          EXPECT_EQ(l.in_elems, 3 * l.groups * l.seq * l.head_dim);
          EXPECT_EQ(l.out_elems, l.groups * l.seq * l.head_dim);
          break;
        case LayerKind::norm:
          EXPECT_EQ(l.rows * l.cols, l.out_elems);
          EXPECT_EQ(l.param_sizes.at(0), l.cols);
          break;
        default:
          break;
      }
    }
    EXPECT_EQ(m.layers.back().kind, LayerKind::loss);
    EXPECT_EQ(m.input_elems(), 2 * image * image * info.input_channels);
  }
}

INSTANTIATE_TEST_SUITE_P(AllWorkloads, LayerShapes,
                         ::testing::Values("mnist_cnn", "resnet50", "vit_b16"));

TEST(Workloads, UnknownWorkloadNamesTheValidOnes) {
  try {
    find_workload("resnet18");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("mnist_cnn, resnet50, vit_b16"), std::string::npos);
  }
}

TEST(Workloads, BadImageSizeAndBatchAreRefused) {
  const WorkloadInfo& vit = find_workload("vit_b16");
  EXPECT_THROW(build_model(vit, 2, 100), UsageError);  // not a multiple of 16
  EXPECT_THROW(build_model(vit, 0, 224), UsageError);
  EXPECT_THROW(build_model(find_workload("resnet50"), 2, 16), UsageError);
}

}  // namespace
}  // namespace scalebench

namespace scalebench {
namespace {

// A batch whose tensors would overflow 64-bit sizes (2^60 on resnet50 used to segfault) is
// refused with the largest allowed batch; that batch itself still builds.
TEST(Workloads, BatchesBeyondTheLargestTensorAreRefusedWithTheLimit) {
  for (const WorkloadInfo& info : workloads()) {
    const std::int64_t most = max_batch(info, info.default_image_size);
    EXPECT_GT(most, 100000) << info.name;
    const Model at_limit = build_model(info, most, info.default_image_size);
    for (const Layer& l : at_limit.layers) {
      EXPECT_LE(std::max({l.in_elems, l.out_elems, l.m * l.k, l.groups * l.seq * l.seq}),
                kMaxTensorElems)
          << info.name << " " << l.name;
      EXPECT_GE(l.in_elems, 0) << l.name;
      EXPECT_GE(l.out_elems, 0) << l.name;
    }
    for (const std::int64_t batch : {most + 1, std::int64_t(1) << 60,
                                     std::numeric_limits<std::int64_t>::max()}) {
      try {
        build_model(info, batch, info.default_image_size);
        ADD_FAILURE() << info.name << " accepted batch " << batch;
      } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find(fmt::format("allowed: 1 to {} per device", most)),
                  std::string::npos)
            << e.what();
      }
    }
  }
}

// The memory check before allocating counts exactly what the step then allocates.
TEST(TrainingStepMemory, DeviceBytesIsWhatTheStepAllocates) {
  const auto device = make_cpu_device(Precision::fp32);
  for (const char* name : {"mnist_cnn", "resnet50", "vit_b16"}) {
    const WorkloadInfo& info = find_workload(name);
    const Model model = build_model(info, 2, info.min_image_size);
    const TrainingStep step(*device, model, 1);
    EXPECT_EQ(TrainingStep::device_bytes(*device, model),
              step.activation_bytes() + 3 * model.parameters() * std::int64_t(sizeof(float)))
        << name;
  }
}

}  // namespace
}  // namespace scalebench
